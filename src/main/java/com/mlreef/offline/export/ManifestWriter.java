package com.mlreef.offline.export;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * bundle.json as an export goes, and SHA256SUMS at its end: unfinished while files are written, so that an export run
 * after an interruption knows what the folder holds; complete once every file is.
 */
final class ManifestWriter {
    /** The sha256 an unfinished bundle.json gives the files of the bundle it replaces. */
    private static final String REPLACED = "0".repeat(64);

    private final Path dir;
    private final List<ResolvedImage> images;
    private final Map<String, BundleManifest.Image> kept = new LinkedHashMap<>();
    private final Map<String, BundleManifest.Image> fresh = new HashMap<>();
    private List<BundleManifest.Image> replaced = List.of();
    private BundleManifest manifest;

    /** @param images the stack's images, in the order bundle.json lists them */
    ManifestWriter(Path dir, List<ResolvedImage> images) {
        this.dir = dir;
        this.images = images;
    }

    /** The entries of a group whose file is kept as the previous export wrote it. */
    void keep(ImageGroup group, List<BundleManifest.Image> entries) {
        put(kept, group, entries);
    }

    /**
     * The bundle.json of this export, listing the files kept; written (and SHA256SUMS removed) when files are to be
     * written, since the folder then no longer holds the bundle the previous one describes.
     */
    void start(BundleManifest.Stack stack, BundleManifest previous, List<ImageGroup> groups, boolean writes,
               String toolVersion, BundleManifest.Base base) throws IOException {
        boolean sameStack = previous != null && previous.complete() && Objects.equals(previous.stack(), stack);
        String id = !writes && sameStack ? previous.id() : UUID.randomUUID().toString();
        // until this export is complete, its bundle.json still lists the files of the bundle it replaces that it
        // does not write again (another compression or layout), so that an export run after an interruption
        // removes them as this one would have
        List<String> files = groups.stream().map(ImageGroup::file).toList();
        replaced = previous == null ? List.of() : previous.images().stream()
                .filter(i -> !files.contains(i.file()))
                // only its file counts, to remove it: a sha256 no file has, so that no export takes it up again
                // (it may have left out a base's layers, which a bundle without that base does not say)
                .map(i -> new BundleManifest.Image(i.references(), i.id(), i.platform(), i.layers(), i.file(),
                        i.size(), REPLACED, i.compression(), null, null))
                .toList();
        manifest = new BundleManifest(BundleManifest.formatFor(base), id,
                new BundleManifest.Tool("mlreef-offline", toolVersion),
                !writes && sameStack ? previous.created() : now(), false, stack,
                unfinished(), previous == null ? null : previous.executable(), base)
                // until complete, the package files of the bundle it replaces: an export run again removes them
                .withPackages(previous == null ? null : previous.packages());
        if (writes) {
            BundleFiles.write(dir, manifest);
            Files.deleteIfExists(dir.resolve(BundleFiles.SUMS));
            AtomicFile.syncFolder(dir);
        }
    }

    /** Records the entries of a file just written, in bundle.json too. */
    void saved(ImageGroup group, List<BundleManifest.Image> entries) throws IOException {
        put(fresh, group, entries);
        manifest = manifest.withImages(unfinished(), false);
        BundleFiles.write(dir, manifest);
    }

    /** The complete bundle.json (not written yet): the images of this export, and the executable's copy. */
    BundleManifest complete(BundleManifest.Executable executable) {
        return new BundleManifest(manifest.format(), manifest.id(), manifest.tool(), manifest.created(), true,
                manifest.stack(), ordered(), executable, manifest.base());
    }

    /** Writes the complete bundle.json and SHA256SUMS; returns the files SHA256SUMS lists. */
    static Set<String> writeComplete(Path dir, BundleManifest complete) throws IOException {
        String manifestSha = BundleFiles.write(dir, complete);
        Map<String, String> sums = BundleFiles.sums(complete, manifestSha);
        BundleFiles.writeSums(dir, sums);
        AtomicFile.syncFolder(dir);
        return sums.keySet();
    }

    private static void put(Map<String, BundleManifest.Image> into, ImageGroup group,
                            List<BundleManifest.Image> entries) {
        for (int i = 0; i < entries.size(); i++) {
            into.put(group.images().get(i).reference() + " " + entries.get(i).id(), entries.get(i));
        }
    }

    /** The images of an unfinished export's bundle.json: those of the new bundle, then those it replaces. */
    private List<BundleManifest.Image> unfinished() {
        List<BundleManifest.Image> all = new ArrayList<>(ordered());
        all.addAll(replaced);
        return all;
    }

    private List<BundleManifest.Image> ordered() {
        List<BundleManifest.Image> list = new ArrayList<>();
        for (ResolvedImage image : images) {
            String key = image.reference() + " " + image.image().id();
            BundleManifest.Image entry = fresh.containsKey(key) ? fresh.get(key) : kept.get(key);
            if (entry != null) {
                list.add(entry);
            }
        }
        return list;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

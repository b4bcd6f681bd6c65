package com.mlreef.offline.export;

import com.mlreef.offline.bundle.ArchiveFilter;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.bundle.LayerChain;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The save phase of export: each group's images saved by the engine (or fetched from the registries) into one file of the bundle, whole or (for a
 * differential bundle) without the layers of the base, and the entries bundle.json gives that file.
 */
final class ImageSaver {
    private final ImageSource source;
    private final Console console;
    private final Path dir;
    private final Compression compression;
    private final ImageFileWriter writer;
    /** The bundle the files build on, or null for a full bundle. */
    private final BaseBundle base;

    ImageSaver(ImageSource source, Console console, Path dir, Compression compression, int threads,
               BaseBundle base) {
        this.source = source;
        this.console = console;
        this.dir = dir;
        this.compression = compression;
        this.writer = new ImageFileWriter(compression, threads);
        this.base = base;
    }

    /** How the group's file leaves out the base's layers; null when it holds none of them (or there is no base). */
    FileLayout layout(ImageGroup group) throws IOException {
        if (base == null || group.images().stream().noneMatch(i -> base.leftOut(i) > 0)) {
            return null;
        }
        BySize sized = BySize.of(group, base);
        return sized != null ? new FileLayout(sized, null) : new FileLayout(null, omitted(group));
    }

    /** Saves the group's file as its layout says (null: whole); returns its images' entries. */
    List<BundleManifest.Image> save(ImageGroup group, FileLayout layout) throws IOException {
        if (layout == null || layout.bySize() == null) {
            return save(group, layout == null ? null : layout.omitted(), null);
        }
        List<BundleManifest.Image> saved = save(group, null, layout.bySize());
        if (saved == null) {
            console.info(group.file() + ": the layers of the base bundle were not told apart by their"
                    + " sizes; saving again to leave them out");
            saved = save(group, omitted(group), null);
        }
        return saved;
    }

    /**
     * Saves a group's file: whole, or without the layers {@code omitted} names, or without those {@code bySize}
     * tells by their size. Null when {@code bySize} left out other layers than the base's: the file is to be saved
     * again.
     */
    private List<BundleManifest.Image> save(ImageGroup group, Omitted omitted, BySize bySize) throws IOException {
        // the layers bySize leaves out are read (and hashed) all the same: they count as progress
        long estimate = omitted != null ? omitted.bytes()
                : group.images().stream().mapToLong(ResolvedImage::size).sum();
        String what = group.what();
        Set<String> drop;
        ImageFileWriter.Written written;
        ArchiveFilter archive;
        try (Progress progress = Progress.start(console, "saving " + what, estimate);
             InputStream tar = source.save(group.references())) {
            Set<String> named = omitted == null ? Set.of() : omitted.drop();
            archive = bySize != null ? ArchiveFilter.dropAndHash(tar, bySize::drop)
                    : new ArchiveFilter(tar, named::contains);
            ArchiveFilter read = archive;
            written = writer.write(archive, dir.resolve(group.file()), bySize == null ? progress::update
                    : n -> progress.update(n + read.dropped()));
            drop = bySize != null ? archive.droppedNames() : named;
            if (bySize != null && !BySize.leftOutExactly(group, base, archive)) {
                return null;
            }
            progress.done("saved " + what + " to " + group.file() + ": " + Sizes.bytes(written.size())
                    + (compression == Compression.NONE ? "" : " (" + compression.label() + " of "
                    + Sizes.bytes(written.archiveBytes()) + ")")
                    + (omitted == null && bySize == null ? "" : ", without " + Sizes.bytes(archive.dropped())
                    + " of layers the offline host has with bundle " + base.bundle().id()) + " in "
                    + Sizes.seconds(progress.elapsed()));
        } catch (DockerException e) {
            throw new BundleException("saving " + what + " to " + dir.resolve(group.file()) + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return entries(group, written, archive, drop);
    }

    /** The entries bundle.json gives the images of a file just written. */
    private List<BundleManifest.Image> entries(ImageGroup group, ImageFileWriter.Written written,
                                               ArchiveFilter archive, Set<String> drop) throws IOException {
        List<DockerArchive.ManifestEntry> manifest = archive.manifest();
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (ResolvedImage image : group.images()) {
            ImageInspect inspect = image.image();
            int leftOut = base == null ? 0 : base.leftOut(image);
            List<BundleManifest.LayerFile> layerFiles = layerFiles(manifest, archive.entries(), image, drop);
            if (leftOut > 0 && layerFiles == null) {
                throw new BundleException("saving " + group.what() + ": the archive the engine wrote does not say"
                        + " where " + image.reference() + "'s layers are; export without --since");
            }
            entries.add(new BundleManifest.Image(List.of(image.reference()), inspect.id(), inspect.platform(),
                    image.diffIds(), group.file(), written.size(), written.sha256(), compression, layerFiles,
                    leftOut == 0 ? null : leftOut, source.origin(image.reference())));
            checkOmitted(image, layerFiles, leftOut, drop, archive.entries());
        }
        return entries;
    }

    /**
     * Every layer file of the image in the archive, with its size; null when the manifest does not name the image's
     * layers one per diff ID.
     */
    private static List<BundleManifest.LayerFile> layerFiles(List<DockerArchive.ManifestEntry> manifest,
                                                             Map<String, Long> entries, ResolvedImage image,
                                                             Set<String> dropped) {
        DockerArchive.ManifestEntry entry = image.manifestEntry(manifest);
        List<String> diffIds = image.diffIds();
        if (entry == null || entry.layers() == null || entry.layers().size() != diffIds.size()) {
            return null;
        }
        List<BundleManifest.LayerFile> files = new ArrayList<>();
        for (String layer : entry.layers()) {
            Long size = entries.get(layer);
            if (size == null && !dropped.contains(layer)) {
                return null;
            }
            files.add(new BundleManifest.LayerFile(layer, size == null ? 0 : size));
        }
        return files;
    }

    /** A differential file must lack exactly the base's layers of each image and hold all the others. */
    private static void checkOmitted(ResolvedImage image, List<BundleManifest.LayerFile> layerFiles, int leftOut,
                                     Set<String> drop, Map<String, Long> entries) {
        if (layerFiles == null) {
            return;
        }
        for (int i = leftOut; i < layerFiles.size(); i++) {
            String file = layerFiles.get(i).file();
            if (drop.contains(file) || !entries.containsKey(file)) {
                throw new BundleException("saving " + image.reference() + ": layer " + (i + 1) + " (" + file
                        + ") is missing from the file; the engine saved the image differently twice; export again");
            }
        }
    }

    /** A first save, read through and thrown away, to learn which archive entries hold the base's layers. */
    private Omitted omitted(ImageGroup group) throws IOException {
        String what = group.what();
        ArchiveFilter archive;
        try (Progress progress = Progress.start(console, "reading the layout of " + what, 0);
             InputStream tar = source.save(group.references())) {
            archive = ArchiveFilter.observe(tar);
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = archive.read(buffer)) >= 0) {
                progress.update(total += n);
            }
        } catch (DockerException e) {
            throw new BundleException("saving " + what + ": " + e.getMessage(), e);
        }
        List<LayerChain.ArchiveLayer> layers = base.archiveLayers(archive.manifest(), group);
        if (layers == null) {
            throw new BundleException("saving " + what + ": the archive the engine wrote does not say where the"
                    + " layers of " + String.join(", ", group.references()) + " are; export without --since");
        }
        Set<String> drop = LayerChain.omittable(layers);
        long bytes = archive.sent() - drop.stream().mapToLong(f -> archive.entries().getOrDefault(f, 0L)).sum();
        return new Omitted(drop, bytes);
    }
}

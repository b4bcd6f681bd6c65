package com.mlreef.offline.stack;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code export}: pulls a stack's images through the engine and saves them into a bundle folder with
 * {@code bundle.json} and {@code SHA256SUMS}. Run again into the same folder it keeps every file that is whole and
 * still holds the same image, so an interrupted export finishes where it stopped.
 */
public final class StackExporter {
    public static final String EXECUTABLE = "mlreef-offline";
    /** Room for tar headers and manifests beyond the images' own sizes. */
    private static final long OVERHEAD_PER_FILE = 1 << 20;

    /**
     * @param executable the running native executable, to copy into the bundle; null when running from the jar
     */
    public record Options(Path dir, Compression compression, boolean combined, boolean pull, int threads,
                          String toolVersion, Path executable) {
    }

    /** What export did: the manifest written and, per file, whether it was written now or kept. */
    public record Result(BundleManifest manifest, Map<String, Boolean> written) {
    }

    private record Resolved(String reference, ImageInspect image) {
    }

    private record Group(String file, List<Resolved> images) {
    }

    private final DockerEngine engine;
    private final Console console;

    public StackExporter(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    public Result export(StackFile.Loaded stack, String source, Options options) {
        Path dir = options.dir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BundleException(dir + " exists and is not a folder");
        }
        List<Resolved> images = new ArrayList<>();
        for (String reference : stack.spec().images()) {
            images.add(new Resolved(reference, resolve(reference, options.pull())));
        }
        boolean createdDir = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BundleException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        Path lockFile = dir.resolve(BundleVerifier.LOCK);
        boolean done = false;
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new BundleException("another export is writing to " + dir + "; wait for it to finish");
            }
            Thread interrupted = new Thread(() -> console.warn("interrupted: " + dir + " is not complete; run the same"
                    + " export again to finish it"));
            Runtime.getRuntime().addShutdownHook(interrupted);
            Result result = write(stack, source, options, images);
            Runtime.getRuntime().removeShutdownHook(interrupted);
            Files.deleteIfExists(lockFile);
            done = true;
            return result;
        } catch (IOException e) {
            throw new BundleException("writing the bundle in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                removeIfOnlyLock(dir, lockFile, createdDir);
            }
        }
    }

    private Result write(StackFile.Loaded stack, String source, Options options, List<Resolved> images)
            throws IOException {
        Path dir = options.dir();
        BundleManifest previous = previous(dir);
        removePartials(dir);
        List<Group> groups = group(stack.spec(), images, options);
        Map<String, BundleManifest.Image> kept = new LinkedHashMap<>();
        List<Group> toWrite = new ArrayList<>();
        for (Group group : groups) {
            List<BundleManifest.Image> same = unchanged(dir, previous, group, options.compression());
            if (same == null) {
                toWrite.add(group);
            } else {
                for (int i = 0; i < same.size(); i++) {
                    kept.put(group.images().get(i).reference() + " " + same.get(i).id(), same.get(i));
                }
                console.info(group.file() + ": unchanged, kept");
            }
        }
        checkSpace(dir, toWrite, options);
        Files.createDirectories(dir.resolve(BundleFiles.IMAGES));

        BundleManifest.Stack stackEntry = new BundleManifest.Stack(stack.spec().name(), source, stack.text());
        boolean sameStack = previous != null && previous.complete() && Objects.equals(previous.stack(), stackEntry);
        String id = toWrite.isEmpty() && sameStack ? previous.id() : UUID.randomUUID().toString();
        BundleManifest manifest = new BundleManifest(BundleManifest.FORMAT, id,
                new BundleManifest.Tool("mlreef-offline", options.toolVersion()),
                toWrite.isEmpty() && sameStack ? previous.created() : now(), false, stackEntry,
                ordered(images, kept, Map.of()), previous == null ? null : previous.executable());
        Map<String, Boolean> written = new LinkedHashMap<>();
        groups.forEach(g -> written.put(g.file(), false));
        Map<String, BundleManifest.Image> fresh = new HashMap<>();
        if (!toWrite.isEmpty()) {
            BundleFiles.write(dir, manifest);
            Files.deleteIfExists(dir.resolve(BundleFiles.SUMS));
            AtomicFile.syncFolder(dir);
        }
        ImageFileWriter writer = new ImageFileWriter(options.compression(), options.threads());
        for (Group group : toWrite) {
            List<BundleManifest.Image> saved = save(dir, group, writer, options.compression());
            for (int i = 0; i < saved.size(); i++) {
                fresh.put(group.images().get(i).reference() + " " + saved.get(i).id(), saved.get(i));
            }
            written.put(group.file(), true);
            manifest = manifest.withImages(ordered(images, kept, fresh), false);
            BundleFiles.write(dir, manifest);
        }
        BundleManifest.Executable executable = executable(dir, options.executable(), previous);
        manifest = new BundleManifest(manifest.format(), manifest.id(), manifest.tool(), manifest.created(), true,
                manifest.stack(), ordered(images, kept, fresh), executable);
        removeReplaced(dir, previous, manifest);
        String manifestSha = BundleFiles.write(dir, manifest);
        BundleFiles.writeSums(dir, BundleFiles.sums(manifest, manifestSha));
        AtomicFile.syncFolder(dir);
        return new Result(manifest, written);
    }

    /** The image in the engine, pulled first unless it is already at the registry's digest. */
    private ImageInspect resolve(String reference, boolean pull) {
        ImageInspect local = inspect(reference);
        if (!pull) {
            if (local == null) {
                throw new BundleException("image " + reference + " is not in the engine; pull it, or export without"
                        + " --no-pull");
            }
            return local;
        }
        String digest = registryDigest(reference);
        if (local != null && digest != null && local.repoDigests() != null
                && local.repoDigests().stream().anyMatch(d -> d.endsWith("@" + digest))) {
            console.info(reference + ": up to date (" + digest.substring(0, 19) + "), not pulled");
            return local;
        }
        try {
            pull(reference);
        } catch (DockerException e) {
            if (local == null) {
                throw new BundleException(e.getMessage(), e);
            }
            console.warn(e.getMessage() + "; exporting the image the engine has");
            return local;
        }
        ImageInspect pulled = inspect(reference);
        if (pulled == null) {
            throw new BundleException("image " + reference + " is missing from the engine after its pull");
        }
        return pulled;
    }

    private ImageInspect inspect(String reference) {
        try {
            return engine.inspectImage(reference);
        } catch (NotFoundException e) {
            return null;
        }
    }

    private String registryDigest(String reference) {
        try {
            return engine.registryDigest(reference);
        } catch (DockerException e) {
            console.debug("cannot ask the registry about " + reference + ": " + e.getMessage());
            return null;
        }
    }

    /** Pulls with progress in bytes over all layers. */
    private void pull(String reference) {
        Map<String, long[]> layers = new LinkedHashMap<>();
        try (Progress progress = Progress.start(console, "pulling " + reference, 0)) {
            engine.pullImage(reference, (ProgressMessage m) -> {
                if (m.id() == null || m.status() == null) {
                    return;
                }
                long[] layer = layers.computeIfAbsent(m.id(), k -> new long[2]);
                if (m.status().equals("Downloading") && m.progressDetail() != null
                        && m.progressDetail().total() != null) {
                    layer[0] = m.progressDetail().current() == null ? 0 : m.progressDetail().current();
                    layer[1] = m.progressDetail().total();
                } else if (m.status().equals("Download complete") || m.status().equals("Pull complete")) {
                    layer[0] = layer[1];
                }
                long current = 0;
                long total = 0;
                for (long[] l : layers.values()) {
                    current += l[0];
                    total += l[1];
                }
                progress.total(total);
                progress.update(current);
            });
            progress.done("pulled " + reference + " in " + seconds(progress));
        }
    }

    private BundleManifest previous(Path dir) {
        if (!Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            return null;
        }
        try {
            return BundleFiles.read(dir);
        } catch (BundleException e) {
            if (e.getMessage().contains("newer than this mlreef-offline")) {
                throw new BundleException(e.getMessage() + "; or export into another folder");
            }
            console.warn("ignoring " + e.getMessage() + "; every image is saved again");
            return null;
        }
    }

    private static void removePartials(Path dir) throws IOException {
        for (Path folder : List.of(dir, dir.resolve(BundleFiles.IMAGES))) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> partials = Files.newDirectoryStream(folder, "*" + AtomicFile.PARTIAL)) {
                for (Path p : partials) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One file per image (named by x-offline.files or after the reference), or one file for all with --combined. */
    private static List<Group> group(StackSpec spec, List<Resolved> images, Options options) {
        String suffix = options.compression().suffix();
        if (options.combined()) {
            return List.of(new Group(BundleFiles.IMAGES + "/" + spec.name() + "-images.tar" + suffix, images));
        }
        List<Group> groups = new ArrayList<>();
        Map<String, Integer> used = new HashMap<>();
        for (Resolved image : images) {
            String base = spec.files().getOrDefault(image.reference(), fileName(image.reference()));
            String name = base;
            int n = used.merge(base, 1, Integer::sum);
            if (n > 1) {
                name = base.replaceFirst("(\\.tar)?$", "-" + n + "$1");
            }
            groups.add(new Group(BundleFiles.IMAGES + "/" + name + suffix, List.of(image)));
        }
        return groups;
    }

    /** A file name after an image reference: {@code registry.example.com/team/app:1} -> {@code team_app_1.tar}. */
    static String fileName(String reference) {
        String name = reference;
        int slash = name.indexOf('/');
        if (slash > 0 && (name.substring(0, slash).contains(".") || name.substring(0, slash).contains(":")
                || name.substring(0, slash).equals("localhost"))) {
            name = name.substring(slash + 1);
        }
        name = name.replaceFirst("^library/", "").replaceFirst("@sha256:([0-9a-f]{12})[0-9a-f]*$", "_$1");
        name = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[^A-Za-z0-9]+", "");
        return (name.isEmpty() ? "image" : name) + ".tar";
    }

    /** The previous entries for a group when its file is whole and still holds the same images; else null. */
    private List<BundleManifest.Image> unchanged(Path dir, BundleManifest previous, Group group,
                                                 Compression compression) throws IOException {
        if (previous == null) {
            return null;
        }
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (Resolved image : group.images()) {
            BundleManifest.Image old = previous.images().stream()
                    .filter(i -> i.file().equals(group.file()) && i.id().equals(image.image().id())
                            && i.compression() == compression && i.references().contains(image.reference()))
                    .findFirst().orElse(null);
            if (old == null) {
                return null;
            }
            entries.add(old);
        }
        boolean sameSet = previous.images().stream().filter(i -> i.file().equals(group.file())).count() == entries.size();
        Path file = dir.resolve(group.file());
        BundleManifest.Image first = entries.get(0);
        if (!sameSet || !Files.isRegularFile(file) || Files.size(file) != first.size()) {
            return null;
        }
        String sha;
        try (Progress progress = Progress.start(console, "checking " + group.file(), first.size())) {
            sha = sha256(file, progress);
        }
        return sha.equals(first.sha256()) ? entries : null;
    }

    private static void checkSpace(Path dir, List<Group> toWrite, Options options) throws IOException {
        long needed = 0;
        for (Group group : toWrite) {
            needed += OVERHEAD_PER_FILE;
            for (Resolved image : group.images()) {
                needed += image.image().size() == null ? 0 : image.image().size();
            }
        }
        if (options.executable() != null) {
            needed += Files.size(options.executable());
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (needed > free) {
            throw new BundleException("not enough free space in " + dir + ": the images to save need up to "
                    + Sizes.bytes(needed) + ", " + Sizes.bytes(free) + " is free; free some space or export to another"
                    + " folder with -o");
        }
    }

    private List<BundleManifest.Image> save(Path dir, Group group, ImageFileWriter writer, Compression compression)
            throws IOException {
        List<String> references = group.images().stream().map(Resolved::reference).toList();
        long estimate = group.images().stream().mapToLong(i -> i.image().size() == null ? 0 : i.image().size()).sum();
        String what = references.size() == 1 ? references.get(0) : references.size() + " images";
        ImageFileWriter.Written written;
        try (Progress progress = Progress.start(console, "saving " + what, estimate);
             InputStream tar = engine.saveImages(references)) {
            written = writer.write(tar, dir.resolve(group.file()), progress::update);
            progress.done("saved " + what + " to " + group.file() + ": " + Sizes.bytes(written.size())
                    + (compression == Compression.NONE ? "" : " (" + compression.label() + " of "
                    + Sizes.bytes(written.archiveBytes()) + ")") + " in " + seconds(progress));
        } catch (DockerException e) {
            throw new BundleException("saving " + what + " to " + dir.resolve(group.file()) + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (Resolved image : group.images()) {
            ImageInspect inspect = image.image();
            entries.add(new BundleManifest.Image(List.of(image.reference()), inspect.id(), inspect.platform(),
                    inspect.rootFs() == null ? List.of() : inspect.rootFs().layers(), group.file(), written.size(),
                    written.sha256(), compression));
        }
        return entries;
    }

    /** The executable's copy in the bundle: copied when running natively, else the previous copy if still whole. */
    private BundleManifest.Executable executable(Path dir, Path source, BundleManifest previous) throws IOException {
        Path target = dir.resolve(EXECUTABLE);
        if (source == null) {
            BundleManifest.Executable old = previous == null ? null : previous.executable();
            if (old != null && Files.isRegularFile(target) && Files.size(target) == old.size()) {
                try (Progress progress = Progress.start(console, "checking " + EXECUTABLE, old.size())) {
                    if (sha256(target, progress).equals(old.sha256())) {
                        return old;
                    }
                }
            }
            console.info("running from the jar: no executable copied into the bundle; put the native mlreef-offline"
                    + " beside it");
            return null;
        }
        if (!(Files.exists(target) && Files.isSameFile(source, target))) {
            try (AtomicFile copy = AtomicFile.create(target)) {
                Files.copy(source, copy.stream());
                copy.commit();
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (Progress progress = Progress.start(console, "checking " + EXECUTABLE, Files.size(target))) {
            return new BundleManifest.Executable(EXECUTABLE, Files.size(target), sha256(target, progress));
        }
    }

    /** Deletes files the previous bundle listed and this one does not (its own outputs, now replaced). */
    private void removeReplaced(Path dir, BundleManifest previous, BundleManifest current) throws IOException {
        if (previous == null) {
            return;
        }
        List<String> now = BundleFiles.imageFiles(current);
        for (String file : BundleFiles.imageFiles(previous)) {
            if (!now.contains(file) && Files.deleteIfExists(dir.resolve(file))) {
                console.info(file + ": no longer part of the bundle, removed");
            }
        }
    }

    private static List<BundleManifest.Image> ordered(List<Resolved> images, Map<String, BundleManifest.Image> kept,
                                                      Map<String, BundleManifest.Image> fresh) {
        List<BundleManifest.Image> list = new ArrayList<>();
        for (Resolved image : images) {
            String key = image.reference() + " " + image.image().id();
            BundleManifest.Image entry = fresh.containsKey(key) ? fresh.get(key) : kept.get(key);
            if (entry != null) {
                list.add(entry);
            }
        }
        return list;
    }

    private static void removeIfOnlyLock(Path dir, Path lockFile, boolean createdDir) {
        try {
            Files.deleteIfExists(lockFile);
            if (createdDir) {
                try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
                    if (!rest.iterator().hasNext()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort: the folder is left as it is
        }
    }

    private static String sha256(Path file, Progress progress) throws IOException {
        return BundleVerifier.sha256(file, progress::update);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String seconds(Progress progress) {
        return Sizes.seconds(progress.elapsed());
    }
}

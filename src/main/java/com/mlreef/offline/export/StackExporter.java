package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackFileException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code export}: pulls a stack's images through the engine and saves them into a bundle folder with
 * {@code bundle.json} and {@code SHA256SUMS}. Run again into the same folder it keeps every file that is whole and
 * still holds the same image, so an interrupted export finishes where it stopped.
 */
public final class StackExporter {
    /**
     * @param executable the running native executable, to copy into the bundle; null when running from the jar
     * @param since      an older bundle whose layers the new files leave out (a differential bundle); null for a
     *                   full bundle
     * @param pipDir     a folder of Python package files to carry in packages/, or null
     */
    public record Options(Path dir, Compression compression, boolean combined, boolean pull, int threads,
                          String toolVersion, Path executable, Path since, Path pipDir) {
        public Options(Path dir, Compression compression, boolean combined, boolean pull, int threads,
                       String toolVersion, Path executable, Path since) {
            this(dir, compression, combined, pull, threads, toolVersion, executable, since, null);
        }
    }

    /**
     * What export did: the manifest written; per file, whether it was written now or kept; the images whose pull
     * failed, exported as the engine had them.
     */
    public record Result(BundleManifest manifest, Map<String, Boolean> written, List<String> notPulled) {
    }

    private final ImageSource imageSource;
    private final Console console;
    /** The package files of --pip-dir, listed (and checked) before anything is pulled; null without it. */
    private List<PackageCopy.Source> packageFiles;

    /** @param auth the credentials sent with each pull (those of {@code docker login}), or {@link RegistryAuth#NONE} */
    public StackExporter(DockerEngine engine, Console console, RegistryAuth auth) {
        this(new EngineImages(engine, console, auth), console);
    }

    private StackExporter(ImageSource source, Console console) {
        this.imageSource = source;
        this.console = console;
    }

    /**
     * An export that takes the images straight from their registries, with no engine ({@code --from-registry}).
     *
     * @param auth the credentials of {@code docker login}, or {@link RegistryAuth#NONE}
     */
    public static StackExporter fromRegistries(Console console, RegistryAuth auth, RegistryImages.Options options) {
        return new StackExporter(new RegistryImages(console, auth, options), console);
    }

    public Result export(StackFile.Loaded stack, String source, Options options) {
        Path dir = options.dir();
        if (Files.exists(dir)) {
            BundleException.requireFolder(dir);
            BundleException.refuseImagesFolder(dir);
        }
        warnImageVariables(stack);
        refuseCompressedNames(stack);
        packageFiles = options.pipDir() == null ? null : PackageCopy.list(console, options.pipDir());
        ProjectCarrier project = new ProjectCarrier(console, stack.spec());
        project.check();
        BaseBundle since = options.since() == null ? null : BaseBundle.read(options.since(), dir);
        List<ResolvedImage> images = new ArrayList<>();
        java.util.Set<String> built = BuiltImages.references(stack);
        for (String reference : stack.spec().images()) {
            // a built image is the engine's own: no registry has it
            images.add(new ResolvedImage(reference, imageSource.resolve(reference, options.pull()
                    && !built.contains(reference))));
        }
        BaseBundle base = since;
        if (since != null && images.stream().allMatch(i -> since.leftOut(i) == 0)) {
            console.info("no layer of the stack's images is in bundle " + since.bundle().id() + ": writing a full"
                    + " bundle");
            base = null;
        }
        return writeLocked(stack, source, options, images, base, project);
    }

    private void warnImageVariables(StackFile.Loaded stack) {
        if (!stack.imageVariables().isEmpty()) {
            // the bundle carries the stack as written: the offline host interpolates it with its own environment
            console.warn("the stack's image names take " + String.join(", ", stack.imageVariables().entrySet()
                    .stream().map(v -> v.getValue() == null ? v.getKey() + " (not set)" : v.getKey() + "="
                            + v.getValue()).toList()) + " from this host's environment: set "
                    + (stack.imageVariables().size() == 1 ? "it" : "them") + " the same on the offline host, where"
                    + " run refuses a stack whose images the bundle does not carry");
        }
    }

    private static void refuseCompressedNames(StackFile.Loaded stack) {
        stack.spec().files().forEach((reference, name) -> {
            if (name.matches("(?i).*\\.(gz|tgz|zst|xz|txz|bz2|tbz2?|zip)")) {
                throw new StackFileException("x-offline.files." + reference + ": '" + name + "': give the tar's name"
                        + " (NAME.tar); export adds .gz or .zst when it compresses");
            }
        });
    }

    /** Writes the bundle holding the folder's lock, so that no other export writes into it at the same time. */
    private Result writeLocked(StackFile.Loaded stack, String source, Options options, List<ResolvedImage> images,
                               BaseBundle base, ProjectCarrier project) {
        Path dir = options.dir();
        boolean createdDir = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BundleException("cannot create " + dir + ": " + IoReason.of(e), e);
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
            Result result;
            try {
                result = write(stack, source, options, images, base, project);
            } finally {
                // an error is said as it is, not as an interruption
                try {
                    Runtime.getRuntime().removeShutdownHook(interrupted);
                } catch (IllegalStateException e) {
                    // shutting down already: the hook says so
                }
            }
            Files.deleteIfExists(lockFile);
            done = true;
            return result;
        } catch (IOException e) {
            throw new BundleException("writing the bundle in " + dir + ": " + IoReason.of(e), e);
        } finally {
            if (!done) {
                new BundleFolder(console, dir).removeIfOnlyLock(lockFile, createdDir);
            }
        }
    }

    private Result write(StackFile.Loaded stack, String source, Options options, List<ResolvedImage> images,
                         BaseBundle base, ProjectCarrier project) throws IOException {
        Path dir = options.dir();
        BundleFolder folder = new BundleFolder(console, dir);
        BundleManifest previous = folder.previous();
        folder.refuseOtherStack(previous, stack.spec().name());
        BundleManifest reusable = folder.reusable(previous, base);
        folder.refuseForeignSums(previous);
        folder.removePartials();
        List<ImageGroup> groups = ImageGrouping.group(stack.spec(), images, options.compression(), options.combined());
        ManifestWriter manifests = new ManifestWriter(dir, images);
        List<ImageGroup> toWrite = new ArrayList<>();
        for (ImageGroup group : groups) {
            List<BundleManifest.Image> same = folder.unchanged(reusable, group, options.compression(), base);
            if (same == null) {
                toWrite.add(group);
            } else {
                manifests.keep(group, same);
                console.info(group.file() + ": unchanged, kept");
            }
        }
        ImageSaver saver = new ImageSaver(imageSource, console, dir, options.compression(), options.threads(), base);
        Map<String, FileLayout> layouts = new HashMap<>();
        for (ImageGroup group : toWrite) {
            FileLayout layout = saver.layout(group);
            if (layout != null) {
                layouts.put(group.file(), layout);
            }
        }
        folder.checkOwnFiles(previous, toWrite);
        FreeSpace.check(console, dir, toWrite, layouts, options.executable());
        Files.createDirectories(dir.resolve(BundleFiles.IMAGES));
        BundleManifest.Project carried = project.write(dir);

        manifests.start(new BundleManifest.Stack(stack.spec().name(), source, stack.text()), previous, groups,
                !toWrite.isEmpty(), options.toolVersion(), base == null ? null : base.bundle());
        Map<String, Boolean> written = new LinkedHashMap<>();
        groups.forEach(g -> written.put(g.file(), false));
        for (ImageGroup group : toWrite) {
            manifests.saved(group, saver.save(group, layouts.get(group.file())));
            written.put(group.file(), true);
        }
        BundleManifest manifest = manifests.complete(ExecutableCopy.into(console, dir, options.executable(),
                previous)).withPackages(packages(dir, previous, base)).withProject(carried);
        folder.removeReplaced(previous, manifest);
        imageSource.finished();
        folder.warnForeign(ManifestWriter.writeComplete(dir, manifest));
        return new Result(manifest, written, imageSource.notPulled());
    }

    /** The --pip-dir files copied into the bundle (those of a previous export without it removed). */
    private List<BundleManifest.PackageFile> packages(Path dir, BundleManifest previous, BaseBundle base)
            throws IOException {
        if (packageFiles == null) {
            PackageCopy.removeReplaced(console, dir, previous, List.of());
            return List.of();
        }
        return PackageCopy.into(console, dir, packageFiles, previous, base == null ? Map.of() : base.packages());
    }

    /** A file name after an image reference: {@code registry.example.com/team/app:1} -> {@code team_app_1.tar}. */
    static String fileName(String reference) {
        return ImageGrouping.fileName(reference);
    }
}

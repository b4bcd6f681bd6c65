package com.mlreef.offline.export;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Python package files of {@code export --pip-dir DIR} (as {@code pip download -d DIR} leaves them) copied into
 * the bundle's {@code packages/}, each hashed in the same pass. A differential bundle leaves out the files its base
 * carries (same name and sha256); {@code run --pip} adds the new ones to those the host already has.
 */
final class PackageCopy {
    private PackageCopy() {
    }

    /**
     * The package files at the top of {@code pipDir}, by name; a file that is not a package is skipped (said), an
     * unsafe name or a link leaving the folder refused.
     */
    static List<Path> list(Console console, Path pipDir) {
        if (!Files.isDirectory(pipDir)) {
            throw new ToolException(ExitCode.USAGE, "--pip-dir: " + pipDir + (Files.exists(pipDir) ? " is not a folder"
                    : " does not exist") + " (give the folder 'pip download -d DIR -r requirements.txt' filled)");
        }
        List<Path> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(pipDir)) {
            Path root = pipDir.toRealPath();
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!looksLikePackage(name) || Files.isDirectory(entry)) {
                    skipped.add(name);
                    continue;
                }
                if (!BundleFiles.isPackageName(name)) {
                    throw new ToolException(ExitCode.USAGE, "--pip-dir: " + entry + ": not a plain package file name"
                            + " (letters, digits and . _ + - only); rename it or move it out");
                }
                if (!entry.toRealPath().startsWith(root)) {
                    throw new ToolException(ExitCode.USAGE, "--pip-dir: " + entry + " is a link to "
                            + entry.toRealPath() + ", outside the folder; put the file itself in the folder");
                }
                files.add(entry);
            }
        } catch (IOException e) {
            throw new ToolException(ExitCode.USAGE, "--pip-dir: cannot read " + pipDir + ": " + IoReason.of(e));
        }
        if (!skipped.isEmpty()) {
            console.info("--pip-dir: not package files, left out: " + String.join(", ", skipped.stream().sorted()
                    .limit(5).toList()) + (skipped.size() > 5 ? ", ..." : ""));
        }
        if (files.isEmpty()) {
            throw new ToolException(ExitCode.USAGE, "--pip-dir: " + pipDir + " holds no package files (.whl, .tar.gz,"
                    + " .zip, .tar.bz2); fill it with 'pip download -d " + pipDir + " -r requirements.txt'");
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    private static boolean looksLikePackage(String name) {
        return name.endsWith(".whl") || name.endsWith(".tar.gz") || name.endsWith(".zip") || name.endsWith(".tar.bz2");
    }

    /**
     * Copies the files into {@code dir/packages/}: those the base carries are left out, those the previous export
     * copied from the same file (size and modification time agree) kept; files of the previous bundle no longer
     * carried are removed.
     *
     * @param inBase the base bundle's package files, by name to sha256; empty for a full bundle
     */
    static List<BundleManifest.PackageFile> into(Console console, Path dir, List<Path> files, BundleManifest previous,
                                                 Map<String, String> inBase) throws IOException {
        Path target = dir.resolve(BundleFiles.PACKAGES);
        Files.createDirectories(target);
        removePartials(target);
        Map<String, BundleManifest.PackageFile> old = previous == null ? Map.of() : previous.packageFiles().stream()
                .collect(Collectors.toMap(BundleManifest.PackageFile::file, p -> p, (a, b) -> a));
        List<BundleManifest.PackageFile> carried = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            total += Files.size(f);
        }
        int leftOut = 0;
        try (Progress progress = Progress.start(console, "copying " + files.size() + " package files", total)) {
            long[] done = {0};
            for (Path source : files) {
                String name = source.getFileName().toString();
                String file = BundleFiles.PACKAGES + "/" + name;
                long size = Files.size(source);
                if (inBase.containsKey(name) && inBase.get(name).equals(BundleVerifier.sha256(source, n -> { }))) {
                    leftOut++;
                } else {
                    BundleManifest.PackageFile kept = old.get(file);
                    carried.add(kept != null && unchanged(source, dir.resolve(file), kept.size()) ? kept
                            : copied(source, dir.resolve(file), file, b -> progress.update(done[0] + b)));
                }
                done[0] += size;
                progress.update(done[0]);
            }
        }
        if (leftOut > 0) {
            console.info(leftOut + " package files left out: the base bundle carries them");
        }
        removeReplaced(console, dir, previous, carried);
        return carried;
    }

    private static boolean unchanged(Path source, Path target, long listedSize) throws IOException {
        return Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(source) == listedSize
                && Files.size(target) == listedSize
                && Files.getLastModifiedTime(source).equals(Files.getLastModifiedTime(target));
    }

    private static BundleManifest.PackageFile copied(Path source, Path target, String file,
                                                     java.util.function.LongConsumer progress) throws IOException {
        String sha256;
        try (AtomicFile copy = AtomicFile.create(target)) {
            ImageFileWriter.HashingStream hashed = new ImageFileWriter.HashingStream(copy.stream(), progress);
            Files.copy(source, hashed);
            sha256 = hashed.hex();
            copy.commit();
        } catch (IOException e) {
            throw new BundleException("copying " + source + " into the bundle: " + IoReason.of(e), e);
        }
        Files.setLastModifiedTime(target, Files.getLastModifiedTime(source));
        return new BundleManifest.PackageFile(file, Files.size(target), sha256);
    }

    /** Removes the package files the previous bundle listed and this one does not carry. */
    static void removeReplaced(Console console, Path dir, BundleManifest previous,
                               List<BundleManifest.PackageFile> carried) throws IOException {
        if (previous == null) {
            return;
        }
        Set<String> now = carried.stream().map(BundleManifest.PackageFile::file).collect(Collectors.toSet());
        int removed = 0;
        for (BundleManifest.PackageFile p : previous.packageFiles()) {
            if (!now.contains(p.file()) && Files.deleteIfExists(dir.resolve(p.file()))) {
                removed++;
            }
        }
        if (removed > 0) {
            console.info(removed + " package files no longer part of the bundle, removed");
        }
        Path folder = dir.resolve(BundleFiles.PACKAGES);
        if (now.isEmpty() && Files.isDirectory(folder)) {
            try (DirectoryStream<Path> rest = Files.newDirectoryStream(folder)) {
                if (!rest.iterator().hasNext()) {
                    Files.delete(folder);
                }
            }
        }
    }

    private static void removePartials(Path folder) throws IOException {
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(folder, "*" + AtomicFile.PARTIAL)) {
            for (Path p : partials) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                }
            }
        }
    }
}

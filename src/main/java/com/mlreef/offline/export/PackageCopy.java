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
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Python package files of {@code export --pip-dir DIR} (as {@code pip download -d DIR} leaves them) copied into
 * the bundle's {@code packages/}, in the same subfolders, each hashed in the same pass. A differential bundle leaves
 * out the files its base carries (same name and sha256, in any subfolder); {@code run --pip} adds the new ones to those
 * the host already has.
 */
final class PackageCopy {
    private PackageCopy() {
    }

    /** A package file of {@code --pip-dir} and its path relative to the folder ({@code sub/name.whl}). */
    record Source(Path path, String relative) {
        String name() {
            return relative.substring(relative.lastIndexOf('/') + 1);
        }
    }

    /**
     * The package files in {@code pipDir} and its subfolders, by relative path; a file that is not a package and a
     * hidden one ({@code .name}) are skipped (said), an unsafe name, a link leaving the folder and two different
     * files of one name (ignoring case) refused; of two same files of one name, the first is kept.
     */
    static List<Source> list(Console console, Path pipDir) {
        if (!Files.isDirectory(pipDir)) {
            throw new ToolException(ExitCode.USAGE, "--pip-dir: " + pipDir + (Files.exists(pipDir) ? " is not a folder"
                    : " does not exist") + " (give the folder 'pip download -d DIR -r requirements.txt' filled)");
        }
        List<Source> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try {
            walk(pipDir, pipDir.toRealPath(), "", files, skipped);
            files.sort(Comparator.comparing(Source::relative));
            files = unique(console, files);
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
        return files;
    }

    private static void walk(Path folder, Path root, String prefix, List<Source> files, List<String> skipped)
            throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                String relative = prefix + name;
                boolean directory = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
                boolean linkedFolder = !directory && Files.isDirectory(entry);
                if (name.startsWith(".") || !directory && !linkedFolder && !looksLikePackage(name)) {
                    skipped.add(relative);
                    continue;
                }
                if (!entry.toRealPath().startsWith(root)) {
                    throw new ToolException(ExitCode.USAGE, "--pip-dir: " + entry + " is a link to "
                            + entry.toRealPath() + ", outside the folder; put the file itself in the folder");
                }
                if (linkedFolder) {
                    skipped.add(relative + " (a link to a folder)");
                    continue;
                }
                if (directory ? !BundleFiles.isPackageFolderName(name) : !BundleFiles.isPackageName(name)) {
                    throw new ToolException(ExitCode.USAGE, "--pip-dir: " + entry + ": not a plain package "
                            + (directory ? "folder" : "file") + " name (letters, digits and . _ + - only); rename it"
                            + " or move it out");
                }
                if (directory) {
                    walk(entry, root, relative + "/", files, skipped);
                } else {
                    files.add(new Source(entry, relative));
                }
            }
        }
    }

    /**
     * The files with the others of the same name (ignoring case: they collide on such file systems, and pip takes
     * either) left out when their content is the same, refused when it differs.
     */
    private static List<Source> unique(Console console, List<Source> files) throws IOException {
        Map<String, Source> byName = new HashMap<>();
        List<Source> kept = new ArrayList<>();
        for (Source file : files) {
            Source first = byName.putIfAbsent(file.name().toLowerCase(Locale.ROOT), file);
            if (first == null) {
                kept.add(file);
            } else if (first.name().equals(file.name()) && Files.size(first.path()) == Files.size(file.path())
                    && BundleVerifier.sha256(first.path(), n -> { })
                            .equals(BundleVerifier.sha256(file.path(), n -> { }))) {
                console.info("--pip-dir: " + file.relative() + " left out: the same file as " + first.relative());
            } else {
                throw new ToolException(ExitCode.USAGE, "--pip-dir: " + first.relative() + " and " + file.relative()
                        + " are different files of one name (pip would take either); keep one of them");
            }
        }
        return kept;
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
    static List<BundleManifest.PackageFile> into(Console console, Path dir, List<Source> files, BundleManifest previous,
                                                 Map<String, String> inBase) throws IOException {
        Path target = dir.resolve(BundleFiles.PACKAGES);
        Files.createDirectories(target);
        tidy(target, true);
        Map<String, BundleManifest.PackageFile> old = previous == null ? Map.of() : previous.packageFiles().stream()
                .collect(Collectors.toMap(BundleManifest.PackageFile::file, p -> p, (a, b) -> a));
        List<BundleManifest.PackageFile> carried = new ArrayList<>();
        long total = 0;
        for (Source f : files) {
            total += Files.size(f.path());
        }
        int leftOut = 0;
        try (Progress progress = Progress.start(console, "copying " + files.size() + " package files", total)) {
            long[] done = {0};
            for (Source pkg : files) {
                Path source = pkg.path();
                String name = pkg.name();
                String file = BundleFiles.PACKAGES + "/" + pkg.relative();
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
        Files.createDirectories(target.getParent());
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
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            tidy(folder, false);
        }
        if (now.isEmpty() && Files.isDirectory(folder)) {
            try (DirectoryStream<Path> rest = Files.newDirectoryStream(folder)) {
                if (!rest.iterator().hasNext()) {
                    Files.delete(folder);
                }
            }
        }
    }

    /** Removes the subfolders of {@code folder} left empty, and with {@code partials} the copies a killed export left. */
    private static void tidy(Path folder, boolean partials) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (partials && attrs.isRegularFile() && file.getFileName().toString().endsWith(AtomicFile.PARTIAL)) {
                    Files.delete(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (!dir.equals(folder)) {
                    try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
                        if (!rest.iterator().hasNext()) {
                            Files.delete(dir);
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Checks a bundle folder: {@code bundle.json} valid and complete, {@code SHA256SUMS} agreeing with it, every file
 * present with its size and sha256, nothing unexpected, and each tar's own {@code manifest.json} holding the image IDs
 * that {@code bundle.json} names. Files are read in parallel, streamed. A folder of plain {@code docker save} tars
 * without {@code bundle.json} is checked structurally: each tar readable to its end, with a {@code manifest.json}
 * whose configs and layers are all present.
 */
public final class BundleVerifier {
    /** The lock file an export holds while it writes; a killed export leaves it, and it means nothing. */
    public static final String LOCK = ".export.lock";
    /** What to do with a file compressed as this tool does not read. */
    public static final String DECOMPRESS = "which docker load reads and mlreef-offline does not: decompress it (xz -d or"
            + " bzip2 -d), or compress it again with zstd";

    /** One file's outcome. {@code images}: the references (or IDs) the file was found to hold. */
    @RegisterForReflection
    public record FileCheck(String file, long size, String sha256, String compression, List<String> images,
                            List<String> problems) {
        @JsonProperty
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * @param bundle      whether the folder has a bundle.json (else it was checked as plain docker save tars)
     * @param base        for a differential bundle, the ID of the bundle it builds on
     * @param baseChecked where the base's layers were found (a folder or an engine), or null when not looked for
     * @param problems    every problem, one line each, naming the file
     */
    @RegisterForReflection
    public record Report(String dir, boolean bundle, String bundleId, String base, String baseChecked,
                         List<FileCheck> files, List<String> problems) {
        @JsonProperty
        public boolean ok() {
            return problems.isEmpty();
        }

        /** This report with the outcome of a check of the base's layers. */
        public Report withBase(String checkedAgainst, List<String> baseProblems) {
            List<String> all = new ArrayList<>(problems);
            all.addAll(baseProblems);
            return new Report(dir, bundle, bundleId, base, checkedAgainst, files, all);
        }

        /** This report with more problems (found by a check outside the bundle's files). */
        public Report withProblems(List<String> more) {
            List<String> all = new ArrayList<>(problems);
            all.addAll(more);
            return new Report(dir, bundle, bundleId, base, baseChecked, files, all);
        }
    }

    private final FileChecks files;

    /** @param progress told the number of bytes read so far, from any thread */
    public BundleVerifier(int threads, LongConsumer progress) {
        this.files = new FileChecks(threads, progress);
    }

    /** The bytes this verification will read, for a progress bar. */
    public static long bytesToRead(Path dir) {
        try {
            BundleManifest manifest = BundleFiles.read(dir);
            Map<String, Long> sizes = new LinkedHashMap<>();
            manifest.images().forEach(i -> sizes.put(i.file(), i.size()));
            long total = sizes.values().stream().mapToLong(Long::longValue).sum();
            total += manifest.packageFiles().stream().mapToLong(BundleManifest.PackageFile::size).sum();
            return total + (manifest.executable() == null ? 0 : manifest.executable().size())
                    + (manifest.project() == null ? 0 : manifest.project().size());
        } catch (BundleException e) {
            long total = 0;
            for (Path tar : PlainFolder.tars(dir)) {
                try {
                    total += Files.size(tar);
                } catch (IOException ignored) {
                    // reported when it is read
                }
            }
            return total;
        }
    }

    public Report verify(Path dir) {
        BundleException.requireFolder(dir);
        BundleException.refuseImagesFolder(dir);
        refuseWhileExporting(dir);
        if (Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            return verifyBundle(dir);
        }
        return verifyPlain(dir);
    }

    /** Refuses a folder an export is writing (it holds the folder's lock): what is there is not finished yet. */
    public static void refuseWhileExporting(Path dir) {
        Path lock = dir.resolve(LOCK);
        if (!Files.isRegularFile(lock)) {
            return;
        }
        boolean held;
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.READ);
             FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true)) {
            held = shared == null;
        } catch (OverlappingFileLockException e) {
            held = true; // this process exports to it
        } catch (IOException e) {
            return; // unreadable: not an export's lock to wait for
        }
        if (held) {
            throw new BundleException("an export is writing " + dir + "; use the folder once it has finished");
        }
    }

    private Report verifyBundle(Path dir) {
        List<String> problems = new ArrayList<>();
        BundleManifest manifest;
        try {
            manifest = BundleFiles.read(dir);
        } catch (BundleException e) {
            return new Report(dir.toString(), true, null, null, null, List.of(), List.of(e.getMessage()));
        }
        if (!manifest.complete()) {
            problems.add(dir.resolve(BundleManifest.FILE_NAME) + ": the export that wrote this folder did not finish;"
                    + " run it again");
        }
        Map<String, String> expectedSums = SumsCheck.expected(dir, manifest);
        SumsCheck.checkBundle(dir, expectedSums, problems);
        List<String> listed = new ArrayList<>(expectedSums.keySet());
        listed.add(BundleFiles.SUMS);
        problems.addAll(FolderEntries.outsideTheFolder(dir, listed));
        List<FileChecks.Task> tasks = tasks(dir, manifest);
        for (String name : unexpectedFiles(dir, expectedSums.keySet())) {
            problems.add(dir.resolve(name) + ": unexpected file"
                    + (name.endsWith(AtomicFile.PARTIAL) ? " (left by an interrupted export; run it again)"
                    : renamedFrom(dir, name, tasks)));
        }
        List<FileCheck> checks = files.run(tasks);
        checks.forEach(c -> c.problems().forEach(p -> problems.add(dir.resolve(c.file()) + ": " + p)));
        return new Report(dir.toString(), true, manifest.id(), manifest.differential() ? manifest.base().id() : null,
                null, checks, problems);
    }

    /** The files bundle.json lists, each with the size and sha256 it gives. */
    private static List<FileChecks.Task> tasks(Path dir, BundleManifest manifest) {
        List<FileChecks.Task> tasks = new ArrayList<>();
        for (String file : BundleFiles.imageFiles(manifest)) {
            List<BundleManifest.Image> images = manifest.images().stream().filter(i -> i.file().equals(file)).toList();
            BundleManifest.Image first = images.get(0);
            tasks.add(new FileChecks.Task(dir, file, first.size(), first.sha256(), first.compression(), images));
        }
        if (manifest.executable() != null) {
            BundleManifest.Executable exe = manifest.executable();
            tasks.add(new FileChecks.Task(dir, exe.file(), exe.size(), exe.sha256(), null, List.of()));
        }
        manifest.packageFiles().forEach(p -> tasks.add(new FileChecks.Task(dir, p.file(), p.size(), p.sha256(), null,
                List.of())));
        if (manifest.project() != null) {
            BundleManifest.Project project = manifest.project();
            tasks.add(new FileChecks.Task(dir, project.file(), project.size(), project.sha256(), null, List.of()));
        }
        return tasks;
    }

    /**
     * A hint for an unexpected file of the size of a missing one: it may be that file, renamed (a copy tool or a
     * person shortening names); "" otherwise.
     */
    private static String renamedFrom(Path dir, String name, List<FileChecks.Task> tasks) {
        long size;
        try {
            size = Files.size(dir.resolve(name));
        } catch (IOException e) {
            return "";
        }
        for (FileChecks.Task task : tasks) {
            if (task.size() == size && !Files.exists(dir.resolve(task.file()), LinkOption.NOFOLLOW_LINKS)) {
                return " (it has the size of " + task.file() + ", which is missing: if it was renamed, give it that"
                        + " name again)";
            }
        }
        return "";
    }

    private Report verifyPlain(Path dir) {
        List<FileChecks.Task> tasks = new ArrayList<>();
        for (Path tar : PlainFolder.tars(dir)) {
            tasks.add(new FileChecks.Task(dir, dir.relativize(tar).toString(), -1, null, null, null));
        }
        if (tasks.isEmpty()) {
            List<String> problems = new ArrayList<>(List.of(dir + ": no bundle.json and no image tars "
                    + PlainFolder.TAR_NAMES + BundleFiles.bundlesBelow(dir)));
            problems.addAll(PlainFolder.unreadArchives(dir));
            return new Report(dir.toString(), false, null, null, null, List.of(), problems);
        }
        List<FileCheck> checks = files.run(tasks);
        return new Report(dir.toString(), false, null, null, null, checks,
                PlainFolder.problems(dir, checks, files.tags()));
    }

    /** Files of the folder that look like image archives but are not read as ones, one line each with what to do. */
    public static List<String> unreadArchives(Path dir) {
        return PlainFolder.unreadArchives(dir);
    }

    /**
     * How a file's first bytes contradict the compression bundle.json gives it ("bundle.json says gzip, the file is
     * zstd"), or null when they agree (or the file cannot be read: said elsewhere).
     */
    public static String compressionDiffers(Path file, Compression said) {
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 16)) {
            return compressionDiffers(in, said);
        } catch (IOException e) {
            return null;
        }
    }

    /** The same, of a stream at the file's start (left there). */
    static String compressionDiffers(BufferedInputStream in, Compression said) throws IOException {
        Compression expected = said == null ? Compression.NONE : said;
        Compression actual = Compression.detect(in);
        return actual == expected ? null : "bundle.json says " + expected.label() + ", the file is " + actual.label();
    }

    /** The entries of the folder and of images/ that are not the bundle's: not among {@code bundleFiles}. */
    public static List<String> unexpectedFiles(Path dir, Set<String> bundleFiles) {
        return FolderEntries.unexpected(dir, bundleFiles);
    }

    /** The sha256 of a file, streamed; {@code progress} is told the bytes read so far. */
    public static String sha256(Path file, LongConsumer progress) throws IOException {
        try (HashingInputStream in = new HashingInputStream(Files.newInputStream(file), new Counter(progress))) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.hex();
        }
    }

    /** The sha256 of a few bytes, as hex. */
    public static String sha256Of(byte[] bytes) {
        return sha256(bytes);
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(ImageFileWriter.sha256().digest(bytes));
    }

    /** Adds up the pieces read and passes the total on. */
    private static final class Counter implements IntConsumer {
        private final LongConsumer progress;
        private long total;

        Counter(LongConsumer progress) {
            this.progress = progress;
        }

        @Override
        public void accept(int n) {
            total += n;
            progress.accept(total);
        }
    }
}

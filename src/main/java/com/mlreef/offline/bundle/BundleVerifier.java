package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.mlreef.offline.ui.IoReason;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.BufferedInputStream;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Reads in pieces that stay in the CPU cache (see ImageFileWriter). */
    private static final int BUFFER = 64 << 10;
    /** The lock file an export holds while it writes; a killed export leaves it, and it means nothing. */
    public static final String LOCK = ".export.lock";
    private static final List<String> TAR_SUFFIXES = List.of(".tar", ".tar.gz", ".tgz", ".tar.zst");
    /** The names of files read as image tars in a plain folder, as messages give them. */
    public static final String TAR_NAMES = "(*.tar, *.tar.gz, *.tgz, *.tar.zst)";

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

    private final int threads;
    private final LongConsumer progress;
    private final AtomicLong read = new AtomicLong();
    /** Per file read, the references its manifest.json tags, with the image ID each tags. */
    private final Map<String, Map<String, String>> tags = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param progress told the number of bytes read so far, from any thread */
    public BundleVerifier(int threads, LongConsumer progress) {
        this.threads = Math.max(1, threads);
        this.progress = progress;
    }

    /** The bytes this verification will read, for a progress bar. */
    public static long bytesToRead(Path dir) {
        try {
            BundleManifest manifest = BundleFiles.read(dir);
            Map<String, Long> sizes = new LinkedHashMap<>();
            manifest.images().forEach(i -> sizes.put(i.file(), i.size()));
            long total = sizes.values().stream().mapToLong(Long::longValue).sum();
            return total + (manifest.executable() == null ? 0 : manifest.executable().size());
        } catch (BundleException e) {
            long total = 0;
            for (Path tar : plainTars(dir)) {
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

    /**
     * Files of the folder that are links to a file outside it: they verify where they are, but a copy of the folder
     * carries the link, not the file.
     */
    static List<String> outsideTheFolder(Path dir, Collection<String> names) {
        List<String> problems = new ArrayList<>();
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            return problems;
        }
        for (String name : names) {
            Path file = dir.resolve(name);
            try {
                Path real = file.toRealPath();
                if (!real.startsWith(root)) {
                    problems.add(file + ": a link to " + real + ", outside the folder; a copy of the folder would"
                            + " carry the link, not the file: put the file itself in the folder");
                }
            } catch (IOException e) {
                // missing: said by the file's own check
            }
        }
        return problems;
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
        Path manifestFile = dir.resolve(BundleManifest.FILE_NAME);
        if (!manifest.complete()) {
            problems.add(manifestFile + ": the export that wrote this folder did not finish; run it again");
        }
        Map<String, String> expectedSums;
        try {
            expectedSums = BundleFiles.sums(manifest, sha256(Files.readAllBytes(manifestFile)));
        } catch (IOException e) {
            throw new BundleException("cannot read " + manifestFile + ": " + IoReason.of(e), e);
        }
        checkSums(dir, expectedSums, problems);
        List<String> listed = new ArrayList<>(expectedSums.keySet());
        listed.add(BundleFiles.SUMS);
        problems.addAll(outsideTheFolder(dir, listed));

        List<Task> tasks = new ArrayList<>();
        for (String file : BundleFiles.imageFiles(manifest)) {
            List<BundleManifest.Image> images = manifest.images().stream().filter(i -> i.file().equals(file)).toList();
            BundleManifest.Image first = images.get(0);
            tasks.add(new Task(dir, file, first.size(), first.sha256(), first.compression(), images));
        }
        if (manifest.executable() != null) {
            BundleManifest.Executable exe = manifest.executable();
            tasks.add(new Task(dir, exe.file(), exe.size(), exe.sha256(), null, List.of()));
        }
        for (String name : unexpectedFiles(dir, expectedSums.keySet())) {
            problems.add(dir.resolve(name) + ": unexpected file"
                    + (name.endsWith(AtomicFile.PARTIAL) ? " (left by an interrupted export; run it again)"
                    : renamedFrom(dir, name, tasks)));
        }
        List<FileCheck> checks = run(tasks);
        checks.forEach(c -> c.problems().forEach(p -> problems.add(dir.resolve(c.file()) + ": " + p)));
        return new Report(dir.toString(), true, manifest.id(), manifest.differential() ? manifest.base().id() : null,
                null, checks, problems);
    }

    /**
     * A hint for an unexpected file of the size of a missing one: it may be that file, renamed (a copy tool or a
     * person shortening names); "" otherwise.
     */
    private static String renamedFrom(Path dir, String name, List<Task> tasks) {
        long size;
        try {
            size = Files.size(dir.resolve(name));
        } catch (IOException e) {
            return "";
        }
        for (Task task : tasks) {
            if (task.size() == size && !Files.exists(dir.resolve(task.file()), LinkOption.NOFOLLOW_LINKS)) {
                return " (it has the size of " + task.file() + ", which is missing: if it was renamed, give it that"
                        + " name again)";
            }
        }
        return "";
    }

    private void checkSums(Path dir, Map<String, String> expected, List<String> problems) {
        Path sumsFile = dir.resolve(BundleFiles.SUMS);
        if (!Files.exists(sumsFile)) {
            problems.add(sumsFile + ": missing");
            return;
        }
        Map<String, String> sums = readSums(dir, problems);
        if (sums == null) {
            return;
        }
        expected.forEach((file, sha) -> {
            String listed = sums.get(file);
            if (listed == null) {
                problems.add(sumsFile + ": does not list " + file);
            } else if (!listed.equals(sha)) {
                problems.add(sumsFile + ": the checksum of " + file + " differs from "
                        + (file.equals(BundleManifest.FILE_NAME) ? "the file's own" : "bundle.json's"));
            }
        });
        sums.keySet().stream().filter(f -> !expected.containsKey(f))
                .forEach(f -> problems.add(sumsFile + ": lists " + f + ", which the bundle does not hold"));
    }

    private Report verifyPlain(Path dir) {
        List<Task> tasks = new ArrayList<>();
        for (Path tar : plainTars(dir)) {
            tasks.add(new Task(dir, dir.relativize(tar).toString(), -1, null, null, null));
        }
        if (tasks.isEmpty()) {
            List<String> problems = new ArrayList<>(List.of(dir + ": no bundle.json and no image tars " + TAR_NAMES
                    + BundleFiles.bundlesBelow(dir)));
            problems.addAll(unreadArchives(dir));
            return new Report(dir.toString(), false, null, null, null, List.of(), problems);
        }
        List<FileCheck> checks = run(tasks);
        List<String> problems = new ArrayList<>();
        if (BundleFiles.lostItsManifest(dir)) {
            problems.add(BundleFiles.lostManifestMessage(dir));
        }
        checks.forEach(c -> c.problems().forEach(p -> problems.add(dir.resolve(c.file()) + ": " + p)));
        checkPlainSums(dir, checks, problems);
        problems.addAll(outsideTheFolder(dir, checks.stream().map(FileCheck::file).toList()));
        problems.addAll(unreadArchives(dir));
        // one name tagged as two images: the engine keeps whichever it loads last, so run refuses the folder
        Map<String, String> idOf = new HashMap<>();
        Map<String, String> fileOf = new HashMap<>();
        for (FileCheck check : checks) {
            tags.getOrDefault(check.file(), Map.of()).forEach((tag, id) -> {
                String before = idOf.putIfAbsent(tag, id);
                if (before != null && !before.equals(id)) {
                    problems.add(dir.resolve(check.file()) + ": tags " + tag + " as image " + id + ", which "
                            + fileOf.get(tag) + " tags as " + before + " (run refuses the folder: move the one not"
                            + " meant out)");
                }
                fileOf.putIfAbsent(tag, check.file());
            });
        }
        return new Report(dir.toString(), false, null, null, null, checks, problems);
    }

    /** SHA256SUMS, or null when it cannot be read (which is a problem). */
    private static Map<String, String> readSums(Path dir, List<String> problems) {
        try {
            return BundleFiles.readSums(dir);
        } catch (BundleException e) {
            problems.add(e.getMessage());
        } catch (IOException e) {
            problems.add(dir.resolve(BundleFiles.SUMS) + ": unreadable: " + IoReason.of(e));
        }
        return null;
    }

    /** A SHA256SUMS beside plain tars (one a user made, or a bundle's) is checked as sha256sum -c checks it. */
    private static void checkPlainSums(Path dir, List<FileCheck> checks, List<String> problems) {
        Path sumsFile = dir.resolve(BundleFiles.SUMS);
        if (!Files.isRegularFile(sumsFile)) {
            return;
        }
        Map<String, String> sums = readSums(dir, problems);
        if (sums == null) {
            return;
        }
        Map<String, String> read = new HashMap<>();
        checks.forEach(c -> read.put(c.file(), c.sha256()));
        sums.forEach((file, sha) -> {
            if (file.equals(BundleManifest.FILE_NAME)) {
                return; // said above
            }
            if (read.containsKey(file)) {
                String actual = read.get(file);
                if (actual != null && !actual.equals(sha)) {
                    problems.add(dir.resolve(file) + ": sha256 " + actual + " differs from " + BundleFiles.SUMS
                            + "'s " + sha + " (damaged or changed)");
                }
            } else if (!Files.exists(dir.resolve(file))) {
                problems.add(dir.resolve(file) + ": missing (" + BundleFiles.SUMS + " lists it)");
            } else {
                // a file beside the tars (notes, a checksum of the tool): checked as sha256sum -c checks it
                try (HashingInputStream hashing = new HashingInputStream(Files.newInputStream(dir.resolve(file)),
                        n -> { })) {
                    hashing.transferTo(OutputStream.nullOutputStream());
                    String actual = hashing.hex();
                    if (!actual.equals(sha)) {
                        problems.add(dir.resolve(file) + ": sha256 " + actual + " differs from "
                                + BundleFiles.SUMS + "'s " + sha + " (damaged or changed)");
                    }
                } catch (IOException e) {
                    problems.add(dir.resolve(file) + ": unreadable: " + IoReason.of(e));
                }
            }
        });
    }

    /** Names of compressed tars that docker load reads and this tool does not. */
    private static final List<String> UNREAD_SUFFIXES = List.of(".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz");

    /** What to do with a file compressed as this tool does not read. */
    public static final String DECOMPRESS = "which docker load reads and mlreef-offline does not: decompress it (xz -d or"
            + " bzip2 -d), or compress it again with zstd";

    /**
     * Files of the folder (and of images/) that look like image archives but are not read as ones: named as a tar
     * compressed with xz or bzip2, or a tar under a name without an extension (docker save -o NAME). One line each,
     * naming the file and what to do; other files (notes, checksums, the tool) are not judged.
     */
    public static List<String> unreadArchives(Path dir) {
        List<String> unread = new ArrayList<>();
        Set<Path> tars = new HashSet<>(plainTars(dir));
        for (String name : listFiles(dir)) {
            Path file = dir.resolve(name);
            String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (tars.contains(file) || !Files.isRegularFile(file)) {
                continue;
            }
            if (UNREAD_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                unread.add(file + ": a tar compressed with " + (lower.contains("x") ? "xz" : "bzip2") + ", "
                        + DECOMPRESS);
            } else if (!lower.contains(".")) {
                try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 512)) {
                    if (isTar(in)) {
                        unread.add(file + ": a tar not named *.tar, so not read: rename it (" + file.getFileName()
                                + ".tar)");
                    }
                } catch (IOException e) {
                    // unreadable: nothing to say of what it holds
                }
            }
        }
        return unread;
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
    private static String compressionDiffers(BufferedInputStream in, Compression said) throws IOException {
        Compression expected = said == null ? Compression.NONE : said;
        Compression actual = Compression.detect(in);
        return actual == expected ? null : "bundle.json says " + expected.label() + ", the file is " + actual.label();
    }

    /** Whether a stream starts with a tar header (ustar magic at offset 257). */
    private static boolean isTar(BufferedInputStream in) throws IOException {
        in.mark(512);
        byte[] header = in.readNBytes(512);
        in.reset();
        return header.length == 512 && new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    /** Tars in the folder and in its images/ folder, as the original installer and plain docker save leave them. */
    public static List<Path> plainTars(Path dir) {
        List<Path> tars = new ArrayList<>();
        for (Path folder : List.of(dir, dir.resolve(BundleFiles.IMAGES))) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path f : files) {
                    String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (Files.isRegularFile(f) && TAR_SUFFIXES.stream().anyMatch(name::endsWith)) {
                        tars.add(f);
                    }
                }
            } catch (IOException e) {
                throw new BundleException("cannot list " + folder + ": " + IoReason.of(e), e);
            }
        }
        tars.sort(Comparator.naturalOrder());
        return tars;
    }

    /**
     * The entries of the folder and of images/ (relative to the folder) that are not among {@code bundleFiles}, the
     * files bundle.json lists (bundle.json included), SHA256SUMS or the export's lock.
     */
    public static List<String> unexpectedFiles(Path dir, Set<String> bundleFiles) {
        Set<String> expected = new LinkedHashSet<>(bundleFiles);
        expected.add(BundleFiles.SUMS);
        expected.add(LOCK);
        return listFiles(dir).stream().filter(name -> !expected.contains(name) && !FILESYSTEM_OWN.contains(name))
                .toList();
    }

    /**
     * What file systems and desktops put at the root of a stick or disk, which a bundle written there cannot avoid:
     * not the bundle's, and not reported.
     */
    private static final Set<String> FILESYSTEM_OWN = Set.of("lost+found", "System Volume Information",
            "$RECYCLE.BIN", ".Trashes", ".Spotlight-V100", ".fseventsd", ".DS_Store", ".Trash-0", ".Trash-1000");

    /** Every entry of the folder and of images/, relative to the folder; a folder other than images/ counts too. */
    private static List<String> listFiles(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            for (Path p : top) {
                String name = p.getFileName().toString();
                if (name.equals(BundleFiles.IMAGES) && Files.isDirectory(p)) {
                    try (DirectoryStream<Path> images = Files.newDirectoryStream(p)) {
                        images.forEach(i -> names.add(BundleFiles.IMAGES + "/" + i.getFileName()));
                    }
                } else {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new BundleException("cannot list " + dir + ": " + IoReason.of(e), e);
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** One file to read: with expected size and sha256 from bundle.json, or (plain folders) without. */
    private record Task(Path dir, String file, long size, String sha256, Compression compression,
                        List<BundleManifest.Image> images) {
    }

    private List<FileCheck> run(List<Task> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), r -> {
            Thread t = new Thread(r, "verify");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Task, Future<FileCheck>> futures = new LinkedHashMap<>();
            // the largest first, so that one big file does not start last
            tasks.stream().sorted(Comparator.comparingLong((Task t) -> sizeOf(t)).reversed())
                    .forEach(t -> futures.put(t, pool.submit(() -> check(t))));
            List<FileCheck> checks = new ArrayList<>();
            for (Task task : tasks) {
                try {
                    checks.add(futures.get(task).get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BundleException("interrupted");
                } catch (ExecutionException e) {
                    throw new BundleException("checking " + task.file() + ": " + e.getCause().getMessage(), e.getCause());
                }
            }
            return checks;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long sizeOf(Task task) {
        try {
            return Files.size(task.dir().resolve(task.file()));
        } catch (IOException e) {
            return 0;
        }
    }

    private FileCheck check(Task task) throws InterruptedIOException {
        Path path = task.dir().resolve(task.file());
        List<String> problems = new ArrayList<>();
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return new FileCheck(task.file(), -1, null, label(task.compression()), List.of(), List.of("missing"));
        } catch (IOException e) {
            return new FileCheck(task.file(), -1, null, label(task.compression()), List.of(),
                    List.of("unreadable: " + IoReason.of(e)));
        }
        if (task.sha256() != null && size != task.size()) {
            problems.add(size < task.size()
                    ? "truncated: " + size + " of " + task.size() + " bytes"
                    : "size " + size + " bytes, bundle.json says " + task.size());
            return new FileCheck(task.file(), size, null, label(task.compression()), List.of(), problems);
        }
        boolean isArchive = task.images() == null || !task.images().isEmpty();
        Compression compression = task.compression();
        HashingInputStream raw = null;
        DockerArchive.Contents contents = null;
        try (InputStream file = Files.newInputStream(path)) {
            raw = new HashingInputStream(file, n -> progress.accept(read.addAndGet(n)));
            BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
            String differs = isArchive && task.sha256() != null ? compressionDiffers(buffered, task.compression())
                    : null;
            if (differs != null) {
                problems.add(differs);
            } else if (isArchive) {
                String unsupported = compression == null ? Compression.unsupported(buffered) : null;
                if (unsupported != null) {
                    problems.add(unsupported + ", " + DECOMPRESS);
                    buffered.transferTo(OutputStream.nullOutputStream());
                    return new FileCheck(task.file(), size, raw.hex(), unsupported, List.of(), problems);
                }
                if (compression == null) {
                    compression = Compression.detect(buffered);
                }
                InputStream tar = compression.decompressor(buffered);
                try {
                    contents = DockerArchive.scan(tar);
                    tar.transferTo(OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException e) {
                    problems.add("not a readable docker-archive" + (compression == Compression.NONE ? "" : " ("
                            + compression.label() + ")") + ": " + message(e));
                }
            }
            buffered.transferTo(OutputStream.nullOutputStream());
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            problems.add("unreadable: " + IoReason.of(e));
            return new FileCheck(task.file(), size, null, label(compression), List.of(), problems);
        }
        String sha = raw.hex();
        if (task.sha256() != null && !sha.equals(task.sha256())) {
            problems.add(0, "sha256 " + sha + " differs from bundle.json's " + task.sha256() + " (damaged or changed)");
        }
        List<String> found = new ArrayList<>();
        if (contents != null) {
            found.addAll(checkContents(contents, task, problems));
            tags.put(task.file(), contents.tags());
        }
        return new FileCheck(task.file(), size, sha, label(compression), found, problems);
    }

    /** Checks manifest.json against the archive and bundle.json; returns the images found. */
    private static List<String> checkContents(DockerArchive.Contents contents, Task task, List<String> problems) {
        List<String> found = new ArrayList<>();
        if (contents.manifest() == null) {
            problems.add(DockerArchive.withoutManifest(contents.entries()));
            return found;
        }
        if (contents.manifest().isEmpty()) {
            problems.add("manifest.json lists no image");
        }
        Map<String, DockerArchive.ManifestEntry> byId = new LinkedHashMap<>();
        // a differential file leaves out the base's layers
        Set<String> leftOut = new HashSet<>();
        if (task.images() != null) {
            for (BundleManifest.Image image : task.images()) {
                if (image.layerFiles() != null) {
                    image.layerFiles().subList(0, image.leftOut()).forEach(l -> leftOut.add(l.file()));
                }
            }
        }
        for (DockerArchive.ManifestEntry entry : contents.manifest()) {
            List<String> missing = new ArrayList<>(contents.missing(entry));
            missing.removeAll(leftOut);
            String name = entry.repoTags() != null && !entry.repoTags().isEmpty()
                    ? String.join(", ", entry.repoTags()) : String.valueOf(contents.imageId(entry));
            if (!missing.isEmpty()) {
                problems.add("image " + name + ": manifest.json names " + String.join(", ", missing)
                        + ", missing from the archive");
            } else {
                // what the engine's load refuses
                List<String> diffIds = contents.diffIds(entry);
                if (contents.configInvalid(entry)) {
                    problems.add("image " + name + ": its config " + entry.config() + " is not an image config (no"
                            + " rootfs.diff_ids)");
                } else if (diffIds != null && (entry.layers() == null || entry.layers().size() != diffIds.size())) {
                    int named = entry.layers() == null ? 0 : entry.layers().size();
                    problems.add("image " + name + ": manifest.json names " + named + (named == 1 ? " layer" : " layers")
                            + ", its config " + diffIds.size() + " (the engine refuses it)");
                }
            }
            String id = contents.imageId(entry);
            if (id != null) {
                byId.put(id, entry);
            }
            // one entry per reference: verify --json gives a list a script can search
            found.addAll(entry.repoTags() != null && !entry.repoTags().isEmpty() ? entry.repoTags() : List.of(name));
        }
        if (task.images() != null) {
            for (BundleManifest.Image image : task.images()) {
                DockerArchive.ManifestEntry entry = byId.get(image.id());
                if (entry == null) {
                    problems.add("does not hold image " + image.id() + " (" + String.join(", ", image.references())
                            + ") that bundle.json names");
                } else {
                    checkLayers(image, entry, contents, problems);
                }
            }
        }
        return found;
    }

    /**
     * bundle.json's {@code layers} and {@code layerFiles} of an image against its archive: run relies on them to send
     * only the layers the engine lacks and to tell the size of a load.
     */
    private static void checkLayers(BundleManifest.Image image, DockerArchive.ManifestEntry entry,
                                    DockerArchive.Contents contents, List<String> problems) {
        String name = "image " + String.join(", ", image.references());
        List<String> diffIds = contents.diffIds(entry);
        if (image.layers() != null && diffIds != null && !image.layers().equals(diffIds)) {
            problems.add(name + ": bundle.json's layers differ from the image's config in the archive");
        }
        if (image.layerFiles() == null || entry.layers() == null) {
            return;
        }
        List<String> files = image.layerFiles().stream().map(BundleManifest.LayerFile::file).toList();
        if (!files.equals(entry.layers())) {
            problems.add(name + ": bundle.json's layerFiles name other files than manifest.json's layers");
            return;
        }
        for (BundleManifest.LayerFile layer : image.layerFiles().subList(image.leftOut(), files.size())) {
            Long size = contents.entries().get(layer.file());
            if (size != null && size != layer.size()) {
                problems.add(name + ": layer " + layer.file() + " is " + size + " bytes in the archive, bundle.json's"
                        + " layerFiles say " + layer.size());
            }
        }
    }

    /**
     * Whether the folder {@code baseDir} holds the bundle that a differential bundle builds on, with every layer it
     * leaves out. Returns one line per problem.
     */
    public static List<String> checkBase(BundleManifest manifest, Path baseDir) {
        if (!manifest.differential()) {
            return List.of(baseDir + ": given as the base, but the bundle is a full one");
        }
        BundleManifest base;
        try {
            base = BundleFiles.read(baseDir);
        } catch (BundleException e) {
            return List.of(e.getMessage());
        }
        if (!base.id().equals(manifest.base().id())) {
            return List.of(baseDir + " holds bundle " + base.id() + ", not bundle " + manifest.base().id()
                    + " that the differential bundle builds on");
        }
        if (!base.complete()) {
            return List.of(baseDir + ": the export that wrote bundle " + base.id() + " did not finish");
        }
        return checkBase(manifest, LayerChain.heldBy(base), baseDir.toString());
    }

    /** Whether the holder of these chain IDs has every layer the bundle leaves out. */
    public static List<String> checkBase(BundleManifest manifest, Set<String> chains, String holder) {
        List<String> problems = new ArrayList<>();
        for (BundleManifest.Image image : manifest.images()) {
            if (image.leftOut() == 0) {
                continue;
            }
            List<String> chain = LayerChain.chainIds(image.layers());
            if (!chains.contains(chain.get(image.leftOut() - 1))) {
                problems.add(image.file() + ": " + String.join(", ", image.references()) + " needs its bottom "
                        + image.leftOut() + " layers from bundle " + manifest.base().id() + ", which " + holder
                        + " lacks");
            }
        }
        return problems;
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String label(Compression compression) {
        return compression == null ? null : compression.label();
    }

    /** The sha256 of a file, streamed; {@code progress} is told the bytes read so far. */
    public static String sha256(Path file, LongConsumer progress) throws IOException {
        try (HashingInputStream in = new HashingInputStream(Files.newInputStream(file), new Counter(progress))) {
            in.transferTo(OutputStream.nullOutputStream());
            return in.hex();
        }
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

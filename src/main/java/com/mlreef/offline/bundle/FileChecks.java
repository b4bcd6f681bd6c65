package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.IoReason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The files of a folder read in parallel, streamed: each one's size and sha256, and an image tar's docker-archive
 * (decompressed as it is read) checked against its manifest.json.
 */
final class FileChecks {
    /** Reads in pieces that stay in the CPU cache (see ImageFileWriter). */
    private static final int BUFFER = 64 << 10;

    /** One file to read: with expected size and sha256 from bundle.json, or (plain folders) without. */
    record Task(Path dir, String file, long size, String sha256, Compression compression,
                List<BundleManifest.Image> images) {
    }

    /** What reading a file found: its sha256 (null when unreadable), compression and docker-archive contents. */
    private record Read(String sha256, Compression compression, String unsupported, DockerArchive.Contents contents) {
    }

    private final int threads;
    private final LongConsumer progress;
    private final AtomicLong read = new AtomicLong();
    /** Per file read, the references its manifest.json tags, with the image ID each tags. */
    private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();

    /** @param progress told the number of bytes read so far, from any thread */
    FileChecks(int threads, LongConsumer progress) {
        this.threads = Math.max(1, threads);
        this.progress = progress;
    }

    /** Per file read so far, the references its manifest.json tags, with the image ID each tags. */
    Map<String, Map<String, String>> tags() {
        return tags;
    }

    /** Checks every task's file; the outcomes in the order of the tasks. */
    List<BundleVerifier.FileCheck> run(List<Task> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, tasks.size())), r -> {
            Thread t = new Thread(r, "verify");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Task, Future<BundleVerifier.FileCheck>> futures = new LinkedHashMap<>();
            // the largest first, so that one big file does not start last
            tasks.stream().sorted(Comparator.comparingLong((Task t) -> sizeOf(t)).reversed())
                    .forEach(t -> futures.put(t, pool.submit(() -> check(t))));
            List<BundleVerifier.FileCheck> checks = new ArrayList<>();
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

    private BundleVerifier.FileCheck check(Task task) throws InterruptedIOException {
        Path path = task.dir().resolve(task.file());
        List<String> problems = new ArrayList<>();
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            return failed(task, -1, task.compression(), List.of("missing"));
        } catch (IOException e) {
            return failed(task, -1, task.compression(), List.of("unreadable: " + IoReason.of(e)));
        }
        if (task.sha256() != null && size != task.size()) {
            problems.add(size < task.size()
                    ? "truncated: " + size + " of " + task.size() + " bytes"
                    : "size " + size + " bytes, bundle.json says " + task.size());
            return failed(task, size, task.compression(), problems);
        }
        Read read = read(task, path, problems);
        if (read.unsupported() != null) {
            return new BundleVerifier.FileCheck(task.file(), size, read.sha256(), read.unsupported(), List.of(),
                    problems);
        }
        if (read.sha256() == null) {
            return failed(task, size, read.compression(), problems);
        }
        String sha = read.sha256();
        if (task.sha256() != null && !sha.equals(task.sha256())) {
            problems.add(0, "sha256 " + sha + " differs from bundle.json's " + task.sha256() + " (damaged or changed)");
        }
        List<String> found = new ArrayList<>();
        if (read.contents() != null) {
            found.addAll(ArchiveContentsCheck.check(read.contents(), task.images(), problems));
            tags.put(task.file(), read.contents().tags());
        }
        return new BundleVerifier.FileCheck(task.file(), size, sha, label(read.compression()), found, problems);
    }

    /** The outcome of a file whose sha256 is not known. */
    private static BundleVerifier.FileCheck failed(Task task, long size, Compression compression,
                                                   List<String> problems) {
        return new BundleVerifier.FileCheck(task.file(), size, null, label(compression), List.of(), problems);
    }

    /** Reads the file to its end: hashed, and an image tar scanned as a docker-archive. */
    private Read read(Task task, Path path, List<String> problems) throws InterruptedIOException {
        boolean isArchive = task.images() == null || !task.images().isEmpty();
        Compression compression = task.compression();
        HashingInputStream raw = null;
        DockerArchive.Contents contents = null;
        try (InputStream file = Files.newInputStream(path)) {
            raw = new HashingInputStream(file, n -> progress.accept(read.addAndGet(n)));
            BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
            String differs = isArchive && task.sha256() != null
                    ? BundleVerifier.compressionDiffers(buffered, task.compression()) : null;
            if (differs != null) {
                problems.add(differs);
            } else if (isArchive) {
                String unsupported = compression == null ? Compression.unsupported(buffered) : null;
                if (unsupported != null) {
                    problems.add(unsupported + ", " + BundleVerifier.DECOMPRESS);
                    buffered.transferTo(OutputStream.nullOutputStream());
                    return new Read(raw.hex(), null, unsupported, null);
                }
                if (compression == null) {
                    compression = Compression.detect(buffered);
                }
                contents = scan(compression.decompressor(buffered), compression, problems);
            }
            buffered.transferTo(OutputStream.nullOutputStream());
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            problems.add("unreadable: " + IoReason.of(e));
            return new Read(null, compression, null, null);
        }
        return new Read(raw.hex(), compression, null, contents);
    }

    /** The docker-archive's contents, read to its end; what was found before a problem, which is added. */
    private static DockerArchive.Contents scan(InputStream tar, Compression compression, List<String> problems) {
        DockerArchive.Contents contents = null;
        try {
            contents = DockerArchive.scan(tar);
            tar.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            problems.add("not a readable docker-archive" + (compression == Compression.NONE ? "" : " ("
                    + compression.label() + ")") + ": " + message(e));
        }
        return contents;
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String label(Compression compression) {
        return compression == null ? null : compression.label();
    }
}

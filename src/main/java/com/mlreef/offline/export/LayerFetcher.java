package com.mlreef.offline.export;

import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.registry.BlobDownload;
import com.mlreef.offline.registry.Descriptor;
import com.mlreef.offline.registry.RegistryException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The layers of images from their registries, made into what a docker-archive holds: each blob downloaded (a few at
 * a time, each once however many images share it) and uncompressed as it arrives into {@code DIFFHEX.tar} in the
 * cache folder, its digest and the SHA-256 of the tar (against the diff ID the image's config gives) checked on the
 * way. Only the uncompressed tar is written; nothing is held.
 */
final class LayerFetcher {
    private static final int BUFFER = 1 << 16;

    private final Console console;
    private final Path cache;
    private final int parallel;

    private record Job(RegistryImage image, Descriptor blob, String diffId) {
    }

    LayerFetcher(Console console, Path cache, int parallel) {
        this.console = console;
        this.cache = cache;
        this.parallel = parallel;
    }

    /** The uncompressed layer in the cache. */
    Path layerFile(String diffId) {
        return cache.resolve(hex(diffId) + ".tar");
    }

    /** Fetches every layer of the images that the cache lacks. */
    void fetch(List<RegistryImage> images, String what) throws IOException {
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (RegistryImage image : images) {
            for (int i = 0; i < image.layers().size(); i++) {
                String diffId = image.diffIds().get(i);
                if (!Files.exists(layerFile(diffId))) {
                    jobs.putIfAbsent(diffId, new Job(image, image.layers().get(i), diffId));
                }
            }
        }
        if (jobs.isEmpty()) {
            return;
        }
        long total = jobs.values().stream().mapToLong(j -> j.blob().size()).sum();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, jobs.size()), r -> {
            Thread t = new Thread(r, "download layers");
            t.setDaemon(true);
            return t;
        });
        try (Progress progress = Progress.start(console, "downloading " + jobs.size() + " layers of " + what, total)) {
            AtomicLong done = new AtomicLong();
            List<Future<?>> futures = new ArrayList<>();
            for (Job job : jobs.values()) {
                futures.add(pool.submit(() -> {
                    one(job, progress, done);
                    return null;
                }));
            }
            waitFor(futures);
            progress.done("downloaded " + jobs.size() + " layers of " + what + ": " + Sizes.bytes(total) + " in "
                    + Sizes.seconds(progress.elapsed()));
        } finally {
            pool.shutdownNow();
        }
    }

    private static void waitFor(List<Future<?>> futures) throws IOException {
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }

    /** Downloads the blob and uncompresses it as it arrives; no compressed copy is kept. */
    private void one(Job job, Progress progress, AtomicLong done) throws IOException {
        long[] last = {0};
        BlobDownload.Listener listener = new BlobDownload.Listener() {
            @Override
            public void progress(long bytes) {
                progress.update(done.addAndGet(bytes - last[0]));
                last[0] = bytes;
            }

            @Override
            public void resumed(long offset, String why) {
                console.info(job.image().reference() + ": layer " + job.blob().digest().substring(7, 19)
                        + " resumed at " + Sizes.bytes(offset) + " (" + why + ")");
            }
        };
        try (InputStream blob = job.image().client().stream(job.image().reference(),
                job.image().name().repository(), job.blob(), listener)) {
            uncompress(job, blob);
        }
    }

    /** The blob's tar, uncompressed, to {@code DIFFHEX.tar}; refused when it does not hash to the diff ID. */
    private void uncompress(Job job, InputStream blob) throws IOException {
        Path target = layerFile(job.diffId());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        MessageDigest digest = ImageFileWriter.sha256();
        try (BufferedInputStream in = new BufferedInputStream(blob, BUFFER)) {
            try (InputStream tar = Compression.detect(in).decompressor(new KeptOpen(in));
                 OutputStream out = Files.newOutputStream(part)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = tar.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            } catch (java.util.zip.ZipException e) {
                // bytes that do not match the blob's digest are the cause to name, when they are
                in.transferTo(OutputStream.nullOutputStream());
                throw new RegistryException(job.image().reference() + ": layer " + job.blob().digest() + " is not a"
                        + " valid compressed tar: " + e.getMessage());
            }
            in.transferTo(OutputStream.nullOutputStream()); // to the blob's end, where its digest is checked
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        String got = "sha256:" + HexFormat.of().formatHex(digest.digest());
        if (!got.equals(job.diffId())) {
            Files.deleteIfExists(part);
            throw new RegistryException(job.image().reference() + ": layer " + job.blob().digest() + " is refused:"
                    + " uncompressed, it hashes to " + got + ", not to the diff ID " + job.diffId() + " the image's"
                    + " config gives");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The blob's stream, left open when the decompressor over it is closed, to be read to its end. */
    private static final class KeptOpen extends java.io.FilterInputStream {
        KeptOpen(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }
}

package com.mlreef.offline.push;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.registry.Manifest;
import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryException;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code push}: every image of a bundle into a registry, no engine needed. The registry is asked first which blobs
 * it has (those are skipped); a blob another repository of it has is mounted from there; the others are streamed
 * from the bundle's files, each in one streamed request ({@link BlobUpload}), the layers uncompressed as the bundle
 * holds them: from an uncompressed file a few at once, each read at its place in the file; from a gzip or zstd file
 * one after the other as the file is read once from first to last byte. Each image's manifest is put last, under each of its
 * references, so a pull never finds an image whose blobs are missing.
 */
public final class BundlePusher {
    /** How many blobs of an uncompressed file upload at once. */
    static final int PARALLEL = 3;

    /** What a push did. */
    public record Report(int images, int uploaded, long uploadedBytes, int mounted, int present, int manifests,
                         int unchanged, int resumed, int restarted) {
    }

    private final RegistryClient client;
    private final RegistryLocation location;
    private final Console console;
    private final BlobTable table;
    private int uploaded;
    private long uploadedBytes;
    private int resumed;
    private int restarted;

    public BundlePusher(RegistryClient client, RegistryLocation location, Console console) {
        this.client = client;
        this.location = location;
        this.console = console;
        this.table = new BlobTable(client);
    }

    public Report push(BundleSource source) {
        List<BlobTable.Image> images = images(source.manifest());
        images.forEach(table::check);
        Map<String, List<BlobTable.Image>> byFile = new LinkedHashMap<>();
        images.forEach(i -> byFile.computeIfAbsent(i.image().file(), f -> new ArrayList<>()).add(i));
        for (Map.Entry<String, List<BlobTable.Image>> file : byFile.entrySet()) {
            try {
                pushFile(source.dir().resolve(file.getKey()), file.getValue());
            } catch (IOException e) {
                throw new RegistryException("pushing " + file.getKey() + " to " + location + ": "
                        + IoReason.of(e), e);
            }
        }
        int[] manifests = {0, 0};
        images.forEach(i -> putManifests(i, manifests));
        return new Report(images.size(), uploaded, uploadedBytes, table.mounted, table.present, manifests[0],
                manifests[1], resumed, restarted);
    }

    /** The bundle's images (one entry an image ID and file) and where each goes. */
    private List<BlobTable.Image> images(BundleManifest manifest) {
        List<BlobTable.Image> images = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (BundleManifest.Image image : manifest.images()) {
            if (!seen.add(image.id() + " " + image.file())) {
                continue;
            }
            if (image.layerFiles() == null) {
                throw new BundleException("bundle.json does not say where the layers of " + image.id() + " are in "
                        + image.file() + " (a bundle of an older version): export it again to push it");
            }
            List<String> references = manifest.images().stream().filter(i -> i.id().equals(image.id())
                    && i.file().equals(image.file())).flatMap(i -> i.references().stream()).distinct().toList();
            if (references.isEmpty()) {
                console.warn("image " + image.id() + " has no name in the bundle: it is not pushed");
                continue;
            }
            List<BlobTable.Target> targets = references.stream().map(r -> new BlobTable.Target(
                    location.repository(r), RegistryLocation.tag(r))).distinct().toList();
            images.add(new BlobTable.Image(new BundleManifest.Image(references, image.id(), image.platform(),
                    image.layers(), image.file(), image.size(), image.sha256(), image.compression(),
                    image.layerFiles(), image.baseLayers()), targets));
        }
        return images;
    }

    /** Mounts what can be, then reads the file once for the blobs still lacking. */
    private void pushFile(Path file, List<BlobTable.Image> images) throws IOException {
        Map<String, String> byEntry = new LinkedHashMap<>();
        for (BlobTable.Image image : images) {
            BundleManifest.Image i = image.image();
            String hex = i.id().substring("sha256:".length());
            byEntry.put(hex + ".json", i.id());
            byEntry.put("blobs/sha256/" + hex, i.id());
            for (int n = i.leftOut(); n < i.layers().size(); n++) {
                byEntry.put(i.layerFiles().get(n).file(), i.layers().get(n));
            }
            i.layers().subList(0, i.leftOut()).stream().map(table::get).filter(b -> !b.lacking.isEmpty()
                    && b.source == null).findFirst().ifPresent(b -> {
                        throw new RegistryException(b.what + " is not in " + location + " and not in this"
                                + " differential bundle: push the bundle it builds on first");
                    });
        }
        Set<String> digests = new LinkedHashSet<>(byEntry.values());
        images.forEach(i -> digests.addAll(i.image().layers()));
        table.mount(digests);
        long total = digests.stream().map(table::get).filter(b -> !b.lacking.isEmpty())
                .mapToLong(b -> Math.max(0, b.size)).sum();
        if (digests.stream().map(table::get).allMatch(b -> b.lacking.isEmpty())) {
            return;
        }
        BundleManifest.Image first = images.get(0).image();
        try (Progress progress = Progress.start(console, "pushing " + file.getFileName(), total)) {
            AtomicLong done = new AtomicLong();
            if (first.compression() == null || first.compression() == Compression.NONE) {
                uploadInPlace(file, byEntry, progress, done);
            } else {
                uploadInTurn(file, first.compression(), byEntry, progress, done);
            }
            progress.done("pushed " + file.getFileName() + " in " + Sizes.seconds(progress.elapsed()));
        }
        digests.stream().map(table::get).filter(b -> !b.lacking.isEmpty()).findFirst().ifPresent(b -> {
            throw new BundleException(file + " lacks " + b.what + " (" + b.digest + "); the bundle is damaged"
                    + " (mlreef-offline verify -d DIR lists what is wrong)");
        });
    }

    /** An uncompressed file: its entries read where they are, {@value #PARALLEL} uploads at a time, largest first. */
    private void uploadInPlace(Path file, Map<String, String> byEntry, Progress progress, AtomicLong done)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "upload blobs");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<BlobUpload.Result>> uploads = new LinkedHashMap<>();
            Map<String, String> repositories = new LinkedHashMap<>();
            Map<String, BlobUpload.FileRange> ranges = new LinkedHashMap<>();
            List<ArchiveBlobs.Entry> entries = new ArrayList<>(ArchiveBlobs.entries(file));
            // the largest first: the registry, busiest with the largest, is not left with it alone at the end
            entries.sort(Comparator.comparingLong(ArchiveBlobs.Entry::size).reversed());
            for (ArchiveBlobs.Entry entry : entries) {
                String digest = byEntry.get(entry.name());
                BlobTable.Blob blob = digest == null ? null : table.get(digest);
                if (blob == null || blob.lacking.isEmpty() || uploads.containsKey(digest)) {
                    continue;
                }
                String repository = blob.lacking.iterator().next();
                repositories.put(digest, repository);
                BlobUpload.FileRange range = new BlobUpload.FileRange(file, entry.offset(), entry.size());
                ranges.put(digest, range);
                uploads.put(digest, pool.submit(() -> send(blob, repository, entry.size(), range, progress, done)));
            }
            for (Map.Entry<String, Future<BlobUpload.Result>> upload : uploads.entrySet()) {
                String digest = upload.getKey();
                uploaded(table.get(digest), repositories.get(digest), result(upload.getValue()));
                table.mount(List.of(digest));
                uploadToRest(table.get(digest), ranges.get(digest).size(), ranges.get(digest), progress, done);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A compressed file: read once from first to last byte, its blobs uploaded one after the other as they come. */
    private void uploadInTurn(Path file, Compression compression, Map<String, String> byEntry, Progress progress,
                              AtomicLong done) throws IOException {
        ArchiveBlobs.walk(file, compression, (name, size, content) -> {
            String digest = byEntry.get(name);
            BlobTable.Blob blob = digest == null ? null : table.get(digest);
            if (blob == null || blob.lacking.isEmpty()) {
                return;
            }
            boolean[] read = {false};
            String repository = blob.lacking.iterator().next();
            BlobUpload.Source source = from -> {
                if (!read[0] && from == 0) {
                    read[0] = true;
                    return content;
                }
                console.info("sending " + blob.what + " from byte " + from + ": reading " + file.getFileName()
                        + " again up to there");
                InputStream again = ArchiveBlobs.open(file, compression, name);
                again.skipNBytes(from);
                return again;
            };
            uploaded(blob, repository, send(blob, repository, size, source, progress, done));
            table.mount(List.of(digest));
            uploadToRest(blob, size, source, progress, done);
        });
    }

    /** The blob uploaded again into each repository that still lacks it: the registry mounted it into none. */
    private void uploadToRest(BlobTable.Blob blob, long size, BlobUpload.Source source, Progress progress,
                              AtomicLong done) throws IOException {
        for (String repository : List.copyOf(blob.lacking)) {
            uploaded(blob, repository, send(blob, repository, size, source, progress, done));
        }
    }

    private BlobUpload.Result send(BlobTable.Blob blob, String repository, long size, BlobUpload.Source source,
                                   Progress progress, AtomicLong done) throws IOException {
        BlobUpload upload = new BlobUpload(client, "pushing " + blob.what + " to " + location.host() + "/"
                + repository, repository);
        long[] last = {0};
        return upload.upload(blob.digest, size, source, n -> {
            progress.update(done.addAndGet(n - last[0]));
            last[0] = n;
        });
    }

    private static BlobUpload.Result result(Future<BlobUpload.Result> upload) throws IOException {
        try {
            return upload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void uploaded(BlobTable.Blob blob, String repository, BlobUpload.Result result) {
        blob.lacking.remove(repository);
        blob.source = repository;
        blob.size = result.bytes();
        uploaded++;
        uploadedBytes += result.bytes();
        resumed += result.resumed();
        restarted += result.restarted();
        if (result.resumed() > 0) {
            console.info("the upload of " + blob.what + " broke off " + result.resumed() + " time"
                    + (result.resumed() == 1 ? "" : "s") + " and went on where the registry had it");
        }
    }

    /** The image's manifest under each of its references, unless the registry has that one there already. */
    private void putManifests(BlobTable.Image image, int[] counts) {
        BundleManifest.Image i = image.image();
        List<ImageManifest.Blob> layers = new ArrayList<>();
        for (String diffId : i.layers()) {
            layers.add(new ImageManifest.Blob(diffId, table.get(diffId).size));
        }
        Manifest manifest = ImageManifest.of(new ImageManifest.Blob(i.id(), table.get(i.id()).size), layers);
        for (BlobTable.Target target : image.targets()) {
            String what = "pushing the manifest of " + image.name() + " to " + location.host() + "/"
                    + target.repository() + ":" + target.tag();
            if (manifest.digest().equals(manifestDigest(what, target))) {
                counts[1]++;
                continue;
            }
            client.putManifest(what, target.repository(), target.tag(), manifest);
            counts[0]++;
        }
    }

    /** The digest of the manifest the registry has under the target, or null. */
    private String manifestDigest(String what, BlobTable.Target target) {
        HttpRequest.Builder head = HttpRequest.newBuilder(client.address().base().resolve("/v2/"
                + target.repository() + "/manifests/" + target.tag())).header("Accept", Manifest.DOCKER_V2)
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        try {
            HttpResponse<Void> r = client.send(target.repository(), "pull", head, HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200 ? r.headers().firstValue("Docker-Content-Digest").orElse(null) : null;
        } catch (IOException e) {
            throw new RegistryException(what + ": " + IoReason.of(e), e);
        }
    }
}

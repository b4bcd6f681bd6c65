package com.mlreef.offline.push;

import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob into one repository of a registry: mounted from another repository when the registry allows, else
 * uploaded in chunks (POST, a PATCH a chunk, then PUT with the digest, which the registry checks). A chunk is kept
 * until the registry acknowledges it: when a PATCH breaks off, the upload's status (GET, its Range) says how much
 * arrived, and the upload goes on from there; a registry that dropped the upload has it started again from the
 * blob's first byte ({@link Source#reopen}).
 */
final class BlobUpload {
    static final int CHUNK = 8 << 20;
    private static final int CUTS = 5;
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-([0-9]+)");

    /** The blob's bytes, from its first; {@link #reopen} gives them again from the first. */
    interface Source {
        InputStream open() throws IOException;

        InputStream reopen() throws IOException;
    }

    /** What an upload did. */
    record Result(long bytes, int resumed, int restarted) {
    }

    private final RegistryClient client;
    private final String what;
    private final String repository;
    private final byte[] chunk;

    BlobUpload(RegistryClient client, String what, String repository, byte[] chunk) {
        this.client = client;
        this.what = what;
        this.repository = repository;
        this.chunk = chunk;
    }

    /** Mounts the blob from {@code from} of the same registry; false when the registry does not (then upload it). */
    boolean mount(String digest, String from) throws IOException {
        HttpResponse<String> r = client.send(repository, "pull,push", post("?mount=" + encode(digest) + "&from="
                + encode(from)), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 201) {
            return true;
        }
        if (r.statusCode() == 202) {
            cancel(location(r)); // the registry opened an upload instead
            return false;
        }
        throw refused("mounting it from " + from, r);
    }

    /** Uploads the blob; progress is told the bytes acknowledged so far. */
    Result upload(String digest, Source source, LongConsumer progress) throws IOException {
        int resumed = 0;
        int restarted = 0;
        for (int attempt = 0; ; attempt++) {
            try (InputStream in = attempt == 0 ? source.open() : source.reopen()) {
                Chunks chunks = new Chunks(start(), 0);
                int[] cuts = {resumed};
                long sent = chunks.send(in, progress, cuts);
                resumed = cuts[0];
                finish(chunks.location, digest);
                return new Result(sent, resumed, restarted);
            } catch (Restart e) {
                if (++restarted > CUTS) {
                    throw new RegistryException(what + ": the upload broke off " + restarted + " times; " + e.reason);
                }
            }
        }
    }

    /** A PATCH a chunk; the registry's Location after each. */
    private final class Chunks {
        URI location;
        long committed;

        Chunks(URI location, long committed) {
            this.location = location;
            this.committed = committed;
        }

        long send(InputStream in, LongConsumer progress, int[] cuts) throws IOException {
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                int off = 0;
                while (off < n) {
                    off = patch(off, n, cuts);
                }
                progress.accept(committed);
            }
            return committed;
        }

        /** Sends chunk[off, n); returns the offset in the chunk up to which the registry has it. */
        private int patch(int off, int n, int[] cuts) throws IOException {
            long start = committed;
            long chunkStart = committed - off;
            HttpRequest.Builder request = HttpRequest.newBuilder(location)
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", start + "-" + (chunkStart + n - 1))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk, off, n - off));
            try {
                HttpResponse<String> r = client.send(repository, "pull,push", request,
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 202) {
                    throw refused("sending bytes " + start + "-" + (chunkStart + n - 1), r);
                }
                location = location(r);
                committed = chunkStart + n;
                return n;
            } catch (IOException e) {
                if (++cuts[0] > CUTS) {
                    throw new RegistryException(what + ": the upload broke off " + cuts[0] + " times: "
                            + e.getMessage(), e);
                }
                long has = status(location);
                if (has < chunkStart || has > chunkStart + n) {
                    throw new Restart("the registry kept " + (has < 0 ? "nothing" : has + " bytes") + " of it");
                }
                committed = has;
                return (int) (has - chunkStart);
            }
        }
    }

    /** How many bytes of the upload the registry has (its Range), or -1 when it dropped the upload. */
    private long status(URI location) throws IOException {
        HttpResponse<String> r;
        try {
            r = client.send(repository, "pull,push", HttpRequest.newBuilder(location).GET(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return -1;
        }
        if (r.statusCode() != 204 && r.statusCode() != 200) {
            return -1;
        }
        Matcher m = RANGE.matcher(r.headers().firstValue("Range").orElse(""));
        // "0-0" is what Distribution says of an empty upload too: taken as empty (a byte sent again is refused)
        return m.matches() && !m.group(1).equals("0") ? Long.parseLong(m.group(1)) + 1 : 0;
    }

    private URI start() throws IOException {
        HttpResponse<String> r = client.send(repository, "pull,push", post(""), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw refused("starting an upload", r);
        }
        return location(r);
    }

    private void finish(URI location, String digest) throws IOException {
        String query = location.getRawQuery();
        URI put = URI.create(location.toString() + (query == null ? "?" : "&") + "digest=" + encode(digest));
        HttpResponse<String> r = client.send(repository, "pull,push", HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201 && r.statusCode() != 204) {
            throw refused("completing it", r);
        }
    }

    private void cancel(URI location) {
        try {
            client.send(repository, "pull,push", HttpRequest.newBuilder(location).DELETE(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the registry drops unfinished uploads itself
        }
    }

    private HttpRequest.Builder post(String query) {
        return HttpRequest.newBuilder(client.address().base().resolve("/v2/" + repository + "/blobs/uploads/"
                + query)).POST(HttpRequest.BodyPublishers.noBody());
    }

    private URI location(HttpResponse<?> r) {
        String location = r.headers().firstValue("Location").orElseThrow(() -> new RegistryException(what
                + ": the registry answered " + r.statusCode() + " without a Location"));
        return client.address().base().resolve(location);
    }

    private RegistryException refused(String doing, HttpResponse<String> r) {
        String body = r.body() == null ? "" : r.body().strip();
        return new RegistryException(what + ": " + doing + ": " + client.address().registry() + " answered "
                + r.statusCode() + (body.isEmpty() ? "" : " (" + body.lines().findFirst().orElse("")
                .substring(0, Math.min(300, body.lines().findFirst().orElse("").length())) + ")"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The registry lost the upload: it starts again from the blob's first byte. */
    private static final class Restart extends IOException {
        final String reason;

        Restart(String reason) {
            super(reason);
            this.reason = reason;
        }
    }
}

package com.mlreef.offline.push;

import com.mlreef.offline.registry.Authenticator;
import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob into one repository of a registry: mounted from another repository when the registry allows, else
 * uploaded in one streamed request (POST, a PATCH of all its bytes read from the source as they go ({@link BlobPatch}),
 * then PUT with the digest, which the registry checks). Nothing of the blob is held. When the PATCH breaks off, the upload's status
 * (GET, its Range) says how much arrived, and a PATCH of the rest goes on from there (the source read again up to
 * that offset); a registry that dropped the upload has it started again from the blob's first byte.
 */
final class BlobUpload {
    private static final int CUTS = 5;
    private static final int ATTEMPTS = 3;
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-([0-9]+)");

    /** The blob's bytes. */
    interface Source {
        /** The bytes from {@code offset} on; each call gives a stream of its own (or the first, not yet read). */
        InputStream open(long offset) throws IOException;
    }

    /** A blob stored as is in a file, {@code size} bytes from {@code offset}: sent from the file by the kernel. */
    record FileRange(Path file, long offset, long size) implements Source {
        @Override
        public InputStream open(long from) throws IOException {
            return ArchiveBlobs.range(file, offset, size, from);
        }
    }

    /** What an upload did. */
    record Result(long bytes, int resumed, int restarted) {
    }

    private final RegistryClient client;
    private final String what;
    private final String repository;

    BlobUpload(RegistryClient client, String what, String repository) {
        this.client = client;
        this.what = what;
        this.repository = repository;
    }

    /**
     * Mounts the blob from {@code from} of the same registry; false when the registry does not, or does not let this
     * account read {@code from} (then upload it).
     */
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
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            return false; // a token of the target's scope only does not allow reading the other repository
        }
        throw refused("mounting it from " + from, r);
    }

    /** Uploads the blob of {@code size} bytes; progress is told the bytes sent so far. */
    Result upload(String digest, long size, Source source, LongConsumer progress) throws IOException {
        int resumed = 0;
        int restarted = 0;
        URI location = start();
        long from = 0;
        while (true) {
            try {
                if (from < size) {
                    location = patch(location, source, from, size, progress);
                }
                finish(location, digest);
                return new Result(size, resumed, restarted);
            } catch (IOException e) {
                if (resumed + restarted >= CUTS) {
                    throw new RegistryException(what + ": the upload broke off " + (resumed + restarted + 1)
                            + " times: " + e.getMessage(), e);
                }
                long kept = status(location);
                if (kept >= from && kept <= size) {
                    resumed++;
                    from = kept;
                } else {
                    restarted++;
                    if (kept >= 0) {
                        cancel(location);
                    }
                    location = start();
                    from = 0;
                }
            }
        }
    }

    /** One PATCH of the blob's bytes {@code [from, size)}; the registry's Location after it. */
    private URI patch(URI location, Source source, long from, long size, LongConsumer progress) throws IOException {
        Authenticator auth = client.authenticator();
        for (int attempt = 0; ; attempt++) {
            String header = auth.authorization(repository, "pull,push");
            BlobPatch.Answer r = BlobPatch.send(location, header, source, from, size, progress);
            if (r.status() == 401 && attempt < ATTEMPTS && auth.refused(r.header("WWW-Authenticate"), repository,
                    "pull,push", header)) {
                continue; // the source is read again from {@code from}
            }
            if (r.status() != 202) {
                throw refused("sending bytes " + from + "-" + (size - 1), r.status(), r.body());
            }
            return location(r.status(), r.header("Location"));
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
        return location(r.statusCode(), r.headers().firstValue("Location").orElse(null));
    }

    private URI location(int status, String location) {
        if (location == null) {
            throw new RegistryException(what + ": the registry answered " + status + " without a Location");
        }
        return client.address().base().resolve(location);
    }

    private RegistryException refused(String doing, HttpResponse<String> r) {
        return refused(doing, r.statusCode(), r.body());
    }

    private RegistryException refused(String doing, int status, String answer) {
        String body = answer == null ? "" : answer.strip();
        String first = body.lines().findFirst().orElse("");
        return new RegistryException(what + ": " + doing + ": " + client.address().registry() + " answered "
                + status + (body.isEmpty() ? "" : " (" + first.substring(0, Math.min(300, first.length())) + ")"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package com.mlreef.offline.push;

import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryException;
import java.io.IOException;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob into one repository of a registry: mounted from another repository when the registry allows, else
 * uploaded in one streamed request (POST, a PATCH of all its bytes read from the source as they go, then PUT with the
 * digest, which the registry checks). Nothing of the blob is held. When the PATCH breaks off, the upload's status
 * (GET, its Range) says how much arrived, and a PATCH of the rest goes on from there (the source read again up to
 * that offset); a registry that dropped the upload has it started again from the blob's first byte.
 */
final class BlobUpload {
    private static final int CUTS = 5;
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-([0-9]+)");

    /** The blob's bytes. */
    interface Source {
        /** The bytes from {@code offset} on; each call gives a stream of its own (or the first, not yet read). */
        InputStream open(long offset) throws IOException;
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
        List<InputStream> opened = new ArrayList<>();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        // a request sent again (a 401 answered) reads the source again
                        InputStream in = source.open(from);
                        synchronized (opened) {
                            opened.add(in);
                        }
                        return new Counting(in, from, progress);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }), size - from);
        try {
            return patch(location, body, from, size);
        } finally {
            synchronized (opened) {
                for (InputStream in : opened) {
                    in.close();
                }
            }
        }
    }

    private URI patch(URI location, HttpRequest.BodyPublisher body, long from, long size) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(location)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", from + "-" + (size - 1))
                .method("PATCH", body);
        HttpResponse<String> r = client.send(repository, "pull,push", request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw refused("sending bytes " + from + "-" + (size - 1), r);
        }
        return location(r);
    }

    /** The bytes read, told to progress with the offset they start at. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long offset;

        Counting(InputStream in, long offset, LongConsumer progress) {
            super(in);
            this.offset = offset;
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(++offset);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                offset += n;
                progress.accept(offset);
            }
            return n;
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
}

package com.mlreef.offline.registry;

import com.mlreef.offline.bundle.ImageFileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One blob streamed into a file: written to {@code NAME.part} while its SHA-256 is computed, renamed to {@code NAME}
 * only when all its bytes are there and match its digest. A connection that breaks off is resumed where it stopped
 * with a range request (a registry that ignores ranges sends it whole again); a {@code .part} left by an earlier run
 * is resumed too. A redirect (to the registry's storage) is followed without the registry's header. A blob can also
 * be read as a stream ({@link #stream}), resumed the same way while it is read, checked at its end.
 */
public final class BlobDownload {
    private static final int BUFFER = 64 << 10;
    private static final int ATTEMPTS = 5;
    private static final int REDIRECTS = 5;

    /** What a download tells while it runs. */
    public interface Listener {
        /** The bytes of the blob in the file so far (counting those resumed from). */
        void progress(long bytes);

        /** The connection broke off at {@code offset}, and the download goes on from there. */
        void resumed(long offset, String why);
    }

    private final RegistryClient client;
    private final String what;
    private final String repository;
    private final Descriptor blob;
    private final Listener listener;

    BlobDownload(RegistryClient client, String what, String repository, Descriptor blob, Listener listener) {
        this.client = client;
        this.what = what;
        this.repository = repository;
        this.blob = blob;
        this.listener = listener;
    }

    void to(Path target) throws IOException {
        checkDigest();
        Path part = target.resolveSibling(target.getFileName() + ".part");
        MessageDigest digest = ImageFileWriter.sha256();
        long offset = resumeFrom(part, digest);
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS && offset < blob.size(); attempt++) {
            try {
                offset = fetch(part, offset, digest);
            } catch (IOException e) {
                last = e;
                long had = Files.exists(part) ? Files.size(part) : 0;
                if (had < offset || attempt + 1 == ATTEMPTS) {
                    break;
                }
                offset = had;
                listener.resumed(offset, RegistryClient.reason(e));
            }
        }
        if (offset < blob.size()) {
            throw new RegistryException(what + ": blob " + blob.digest() + " stopped at " + offset + " of "
                    + blob.size() + " bytes" + (last == null ? "" : ": " + RegistryClient.reason(last))
                    + "; run again to resume it", last);
        }
        String got = "sha256:" + HexFormat.of().formatHex(digest.digest());
        if (offset > blob.size() || !got.equals(blob.digest())) {
            Files.deleteIfExists(part);
            throw new RegistryException(what + ": blob " + blob.digest() + " from " + client.address().registry()
                    + " is refused: its bytes do not match its digest (they hash to " + got + ")");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void checkDigest() {
        if (!blob.digest().matches("sha256:[0-9a-f]{64}")) {
            throw new RegistryException(what + ": the manifest names a blob '" + blob.digest() + "' that is not a"
                    + " sha256 digest");
        }
    }

    /** The bytes an earlier run left in {@code part}, hashed; 0 when there are none (or too many). */
    private long resumeFrom(Path part, MessageDigest digest) throws IOException {
        if (!Files.exists(part)) {
            return 0;
        }
        long had = Files.size(part);
        if (had > blob.size()) {
            Files.delete(part);
            return 0;
        }
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        if (had > 0) {
            listener.resumed(had, "an earlier run stopped there");
        }
        listener.progress(had);
        return had;
    }

    /** One GET from {@code offset} on; returns the new offset (the end when the stream ended). */
    private long fetch(Path part, long offset, MessageDigest digest) throws IOException {
        return read(respond(offset), part, offset, digest);
    }

    /** The registry's answer to a GET of the blob from {@code offset} on, redirects followed. */
    private HttpResponse<InputStream> respond(long offset) throws IOException {
        URI uri = client.address().base().resolve("/v2/" + repository + "/blobs/" + blob.digest());
        HttpResponse<InputStream> response = null;
        for (int hop = 0; hop <= REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofMinutes(10));
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            response = hop == 0 ? client.send(repository, "pull", request, HttpResponse.BodyHandlers.ofInputStream())
                    : send(request);
            int status = response.statusCode();
            if (status / 100 != 3) {
                break;
            }
            String location = response.headers().firstValue("Location").orElse(null);
            response.body().close();
            if (location == null) {
                throw new RegistryException(what + ": blob " + blob.digest() + ": a redirect without a location");
            }
            uri = uri.resolve(location);
        }
        return response;
    }

    /** The body of a response that is not 200 or 206 closed, and refused. */
    private RegistryException refused(HttpResponse<InputStream> response) throws IOException {
        response.body().close();
        int status = response.statusCode();
        return new RegistryException(what + ": blob " + blob.digest() + ": " + client.address().registry()
                + " answered " + status + (status == 401 ? "; " + client.authenticator().refusal() : ""));
    }

    /**
     * The blob's bytes as they arrive, nothing kept: a connection that breaks off is resumed with a range request
     * (the bytes before the offset skipped when the registry sends it whole again), and the end of the stream is
     * refused when the bytes do not match the digest.
     */
    InputStream stream() {
        checkDigest();
        return new Resuming();
    }

    private final class Resuming extends InputStream {
        private final MessageDigest digest = ImageFileWriter.sha256();
        private InputStream body;
        private long offset;
        private int cuts;
        private boolean checked;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                int n;
                try {
                    if (body == null) {
                        body = open();
                    }
                    n = body.read(b, off, len);
                    if (n < 0 && offset < blob.size()) {
                        throw new java.io.EOFException("the connection ended at " + offset + " bytes");
                    }
                } catch (IOException e) {
                    closeBody();
                    if (++cuts >= ATTEMPTS) {
                        throw new RegistryException(what + ": blob " + blob.digest() + " stopped at " + offset
                                + " of " + blob.size() + " bytes: " + RegistryClient.reason(e), e);
                    }
                    listener.resumed(offset, RegistryClient.reason(e));
                    continue;
                }
                return n < 0 ? end() : counted(b, off, n);
            }
        }

        private int counted(byte[] b, int off, int n) {
            digest.update(b, off, n);
            offset += n;
            listener.progress(offset);
            if (offset > blob.size()) {
                throw new RegistryException(what + ": blob " + blob.digest() + " from " + client.address().registry()
                        + " is refused: it has more bytes than the " + blob.size() + " its manifest gives");
            }
            return n;
        }

        private int end() {
            if (!checked) {
                checked = true;
                String got = "sha256:" + HexFormat.of().formatHex(digest.digest());
                if (!got.equals(blob.digest())) {
                    throw new RegistryException(what + ": blob " + blob.digest() + " from "
                            + client.address().registry() + " is refused: its bytes do not match its digest (they"
                            + " hash to " + got + ")");
                }
            }
            return -1;
        }

        /** The body from the offset on. */
        private InputStream open() throws IOException {
            HttpResponse<InputStream> response = respond(offset);
            int status = response.statusCode();
            if (status != 200 && status != 206) {
                throw refused(response);
            }
            InputStream in = response.body();
            if (status == 200 && offset > 0) {
                in.skipNBytes(offset); // the registry sent it whole: the bytes had are passed over
            }
            return in;
        }

        private void closeBody() {
            if (body != null) {
                try {
                    body.close();
                } catch (IOException e) {
                    // a broken connection: nothing more to read from it
                }
                body = null;
            }
        }

        @Override
        public void close() {
            closeBody();
        }
    }

    private HttpResponse<InputStream> send(HttpRequest.Builder request) throws IOException {
        try {
            return client.http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private long read(HttpResponse<InputStream> response, Path part, long offset, MessageDigest digest)
            throws IOException {
        int status = response.statusCode();
        try (InputStream body = response.body()) {
            if (status == 200 && offset > 0) {
                offset = 0; // the registry sent it whole: start again
                digest.reset();
                Files.deleteIfExists(part);
            } else if (status != 200 && status != 206) {
                throw refused(response);
            }
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = body.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    offset += n;
                    listener.progress(offset);
                    if (offset > blob.size()) {
                        break; // more than the manifest says: refused below
                    }
                }
            }
        }
        return offset;
    }
}

package com.mlreef.offline.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.docker.RegistryAuth;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client of one registry (the Registry HTTP API v2 / OCI distribution spec): manifests and tags as JSON through
 * the REST client, blobs streamed to files through the JDK's HTTP client ({@link BlobDownload}), every request
 * authorized by the registry's {@link Authenticator}. One instance serves any number of threads.
 */
public final class RegistryClient implements AutoCloseable {
    private static final int MANIFEST_LIMIT = 4 << 20;
    private static final int ATTEMPTS = 3;

    private final RegistryAddress address;
    private final RegistryApi api;
    private final Authenticator auth;
    private final HttpClient http;
    private final List<Object> restClients = new ArrayList<>();

    private RegistryClient(RegistryAddress address, RegistryAuth.Credentials credentials) {
        this.address = address;
        this.api = rest(address.base(), RegistryApi.class);
        this.auth = new Authenticator(address, credentials, realm -> rest(URI.create(realm), TokenApi.class));
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** A client for the registry, with the credentials {@code docker login} stored for it (if any). */
    public static RegistryClient open(RegistryAddress address, RegistryAuth auth) {
        return new RegistryClient(address, auth.login(address.registry()));
    }

    private <T> T rest(URI base, Class<T> type) {
        // no exception for a 4xx or 5xx: the status, a 401's challenge and the error body are read here
        T client = QuarkusRestClientBuilder.newBuilder().baseUri(base).connectTimeout(30, TimeUnit.SECONDS)
                .readTimeout(120, TimeUnit.SECONDS).property("microprofile.rest.client.disable.default.mapper", true)
                .build(type);
        synchronized (restClients) {
            restClients.add(client);
        }
        return client;
    }

    public RegistryAddress address() {
        return address;
    }

    public Authenticator authenticator() {
        return auth;
    }

    /** The manifest (image or index) the reference (tag or digest) names, its digest checked; refused when missing. */
    public Manifest manifest(String what, String repository, String reference) {
        ImageName.checkRepository(what, repository);
        try (Response response = call(what, repository, "pull",
                a -> api.manifest(repository, reference, Manifest.ACCEPT, a))) {
            String length = response.getHeaderString("Content-Length");
            if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > MANIFEST_LIMIT) {
                throw new RegistryException(what + ": the registry's manifest is larger than " + MANIFEST_LIMIT
                        + " bytes");
            }
            byte[] bytes = response.readEntity(byte[].class);
            String digest = "sha256:" + HexFormat.of().formatHex(ImageFileWriter.sha256().digest(bytes));
            String said = response.getHeaderString("Docker-Content-Digest");
            if (reference.startsWith("sha256:") && !reference.equals(digest)
                    || said != null && said.startsWith("sha256:") && !said.equals(digest)) {
                throw new RegistryException(what + ": the manifest the registry sent does not match its digest "
                        + (reference.startsWith("sha256:") ? reference : said));
            }
            String type = response.getHeaderString("Content-Type");
            return new Manifest(type == null ? null : type.replaceFirst(";.*", "").trim(), digest, bytes);
        }
    }

    /** Puts a manifest under a tag or its digest; returns the digest the registry gives it. */
    public String putManifest(String what, String repository, String reference, Manifest manifest) {
        ImageName.checkRepository(what, repository);
        try (Response response = call(what, repository, "pull,push",
                a -> api.putManifest(repository, reference, manifest.mediaType(), a, manifest.bytes()))) {
            String digest = response.getHeaderString("Docker-Content-Digest");
            return digest == null ? manifest.digest() : digest;
        }
    }

    /** The size of a blob in the repository, or -1 when the registry lacks it there. */
    public long blobSize(String what, String repository, String digest) {
        ImageName.checkRepository(what, repository);
        for (int attempt = 0; ; attempt++) {
            String header = auth.authorization(repository, "pull");
            try (Response response = request(what, () -> api.blobHead(repository, digest, header))) {
                if (response.getStatus() == 401 && attempt < ATTEMPTS
                        && auth.refused(response.getHeaderString("WWW-Authenticate"), repository, "pull", header)) {
                    continue;
                }
                if (response.getStatus() == 404) {
                    return -1;
                }
                check(what, response);
                return response.getLength();
            }
        }
    }

    /** The repository's tags (the first 1000). */
    public List<String> tags(String what, String repository) {
        ImageName.checkRepository(what, repository);
        try (Response response = call(what, repository, "pull", a -> api.tags(repository, 1000, a))) {
            JsonNode tags = response.readEntity(JsonNode.class).path("tags");
            List<String> names = new ArrayList<>();
            tags.forEach(t -> names.add(t.asText()));
            return names;
        }
    }

    /**
     * Streams a blob into {@code target}, its digest checked as it arrives; a cut download is resumed with a range
     * request (also across runs: the bytes so far wait in {@code target}.part). Refused, naming {@code what}, when
     * its bytes do not match its digest.
     */
    public void download(String what, String repository, Descriptor blob, Path target, BlobDownload.Listener listener)
            throws IOException {
        ImageName.checkRepository(what, repository);
        new BlobDownload(this, what, repository, blob, listener).to(target);
    }

    /**
     * A blob's bytes as they arrive, nothing kept: a cut connection is resumed with a range request, and the end of
     * the stream is refused, naming {@code what}, when the bytes do not match the digest. Closing it closes the
     * connection.
     */
    public InputStream stream(String what, String repository, Descriptor blob, BlobDownload.Listener listener) {
        ImageName.checkRepository(what, repository);
        return new BlobDownload(this, what, repository, blob, listener).stream();
    }

    /**
     * Sends a request with the JDK's client, authorized for the repository (retried once the registry's 401 says how):
     * the way to the API calls this class does not make itself (uploads). The body publisher must be repeatable.
     */
    public <T> HttpResponse<T> send(String repository, String actions, HttpRequest.Builder request,
                                    HttpResponse.BodyHandler<T> body) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String header = auth.authorization(repository, actions);
            HttpRequest.Builder copy = request.copy();
            if (header != null) {
                copy.setHeader("Authorization", header);
            }
            HttpResponse<T> response;
            try {
                response = http.send(copy.build(), body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
            if (response.statusCode() == 401 && attempt < ATTEMPTS && auth.refused(response.headers()
                    .firstValue("WWW-Authenticate").orElse(null), repository, actions, header)) {
                if (response.body() instanceof AutoCloseable c) {
                    closeQuietly(c);
                }
                continue;
            }
            return response;
        }
    }

    /** The JDK's client (redirects not followed: a redirect to storage is sent without the registry's header). */
    HttpClient http() {
        return http;
    }

    /** A REST call with the authorization the registry asks for; a response that is not 2xx is refused. */
    private Response call(String what, String repository, String actions, Function<String, Response> request) {
        for (int attempt = 0; ; attempt++) {
            String header = auth.authorization(repository, actions);
            Response response = request(what, () -> request.apply(header));
            if (response.getStatus() == 401 && attempt < ATTEMPTS
                    && auth.refused(response.getHeaderString("WWW-Authenticate"), repository, actions, header)) {
                response.close();
                continue;
            }
            try {
                check(what, response);
            } catch (RuntimeException e) {
                response.close();
                throw e;
            }
            return response;
        }
    }

    private Response request(String what, java.util.function.Supplier<Response> request) {
        try {
            return request.get();
        } catch (ProcessingException e) {
            throw new RegistryException(what + ": cannot reach the registry at " + address.base() + ": "
                    + reason(e) + (address.secure() ? " (a registry without TLS: --insecure)" : ""), e);
        }
    }

    private void check(String what, Response response) {
        int status = response.getStatus();
        if (status >= 200 && status < 300) {
            return;
        }
        if (status == 401) {
            throw new RegistryException(what + ": " + address.registry() + " answered 401; " + auth.refusal());
        }
        String said = errorText(response);
        throw new RegistryException(what + ": " + address.registry() + " answered " + status
                + (said.isEmpty() ? "" : " (" + said + ")") + (status == 404 ? "; check the image's name and tag"
                : status == 403 ? "; the account may not read it" : ""));
    }

    /** The registry's error codes and messages ({@code {"errors":[{"code","message"}]}}), else "". */
    static String errorText(Response response) {
        try {
            if (!response.hasEntity()) {
                return "";
            }
            String body = response.readEntity(String.class);
            JsonNode errors = Manifest.JSON.readTree(body.getBytes(StandardCharsets.UTF_8)).path("errors");
            List<String> parts = new ArrayList<>();
            errors.forEach(e -> parts.add(e.path("code").asText() + ": " + e.path("message").asText()));
            String text = String.join("; ", parts);
            return text.length() > 300 ? text.substring(0, 300) + "..." : text;
        } catch (RuntimeException | IOException e) {
            return "";
        }
    }

    /** The innermost message of a transport failure, one line. */
    static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // a response not read: nothing to keep
        }
    }

    @Override
    public void close() {
        synchronized (restClients) {
            restClients.forEach(c -> {
                if (c instanceof AutoCloseable closeable) {
                    closeQuietly(closeable);
                }
            });
            restClients.clear();
        }
    }
}

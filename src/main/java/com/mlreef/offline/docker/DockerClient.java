package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.DistributionInspect;
import com.mlreef.offline.docker.model.ExecInspect;
import com.mlreef.offline.docker.model.ExecSpec;
import com.mlreef.offline.docker.model.IdResponse;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ImageSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.VersionInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.docker.model.VolumeList;
import com.mlreef.offline.docker.model.WaitResult;
import com.mlreef.offline.docker.transport.HttpRequest;
import com.mlreef.offline.docker.transport.HttpResponse;
import com.mlreef.offline.docker.transport.HttpTransport;
import com.mlreef.offline.docker.transport.ProtocolException;
import com.mlreef.offline.docker.transport.RequestBody;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** {@link DockerEngine} over an {@link HttpTransport}; the API version is negotiated on the first call. */
public final class DockerClient implements DockerEngine {
    /** The oldest API this tool is written for (Docker Engine 20.10). */
    public static final ApiVersion MINIMUM_API = ApiVersion.parse("1.41");
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final HttpTransport transport;
    private final ObjectMapper json = DockerJson.MAPPER;
    private volatile String apiVersion;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong callNanos = new AtomicLong();

    public DockerClient(HttpTransport transport) {
        this.transport = transport;
    }

    @Override
    public String address() {
        return transport.address();
    }

    @Override
    public String apiVersion() {
        String v = apiVersion;
        if (v == null) {
            synchronized (this) {
                if (apiVersion == null) {
                    apiVersion = negotiate(rawVersion());
                }
                v = apiVersion;
            }
        }
        return v;
    }

    /**
     * Uses API 1.41 behaviour where the engine still offers it, else the engine's own minimum: the oldest version
     * both sides know, so newer engines answer as the tool was written for.
     */
    static String negotiate(VersionInfo version) {
        ApiVersion server = ApiVersion.parse(version.apiVersion());
        if (server.compareTo(MINIMUM_API) < 0) {
            throw new DockerException("the Docker Engine offers API " + version.apiVersion() + " (Engine "
                    + version.version() + "); mlreef-offline needs API " + MINIMUM_API + " (Engine 20.10) or newer");
        }
        ApiVersion serverMin = version.minApiVersion() == null ? MINIMUM_API : ApiVersion.parse(version.minApiVersion());
        return (serverMin.compareTo(MINIMUM_API) > 0 ? serverMin : MINIMUM_API).toString();
    }

    private VersionInfo rawVersion() {
        String call = "asking the engine for its version";
        try (HttpResponse response = send(call, HttpRequest.get("/version"))) {
            String contentType = String.valueOf(response.header("Content-Type"));
            if (response.status() != 200 || !contentType.contains("json")) {
                throw notDocker("GET /version answered HTTP " + response.status() + " " + contentType, null);
            }
            VersionInfo info;
            try {
                info = json.readValue(response.body(), VersionInfo.class);
            } catch (JsonProcessingException e) {
                throw notDocker("GET /version did not answer with the engine's JSON", e);
            }
            if (info.apiVersion() == null) {
                throw notDocker("GET /version has no ApiVersion", null);
            }
            return info;
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    private EngineUnreachableException notDocker(String detail, Throwable cause) {
        return new EngineUnreachableException(address(), "it does not answer as a Docker Engine API (" + detail
                + "); check -H/DOCKER_HOST", cause);
    }

    // system

    @Override
    public void ping() {
        String call = "pinging the engine";
        try (HttpResponse response = send(call, HttpRequest.get("/_ping"))) {
            String body = response.bodyText(64).trim();
            if (response.status() != 200 || !body.equals("OK")) {
                throw notDocker("GET /_ping answered HTTP " + response.status() + " '" + body + "'", null);
            }
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    @Override
    public VersionInfo version() {
        return call("reading the engine version", "GET", "/version", null, VersionInfo.class);
    }

    @Override
    public SystemInfo info() {
        return call("reading the engine info", "GET", "/info", null, SystemInfo.class);
    }
    @Override
    public DiskUsage diskUsage() {
        return call("reading disk usage", "GET", "/system/df", null, DiskUsage.class);
    }


    // images

    @Override
    public List<ImageSummary> listImages() {
        return call("listing images", "GET", "/images/json", null, new TypeReference<List<ImageSummary>>() { });
    }

    @Override
    public ImageInspect inspectImage(String name) {
        return call("inspecting image " + name, "GET", "/images/" + segment(name) + "/json", null, ImageInspect.class);
    }

    @Override
    public String registryDigest(String reference, String registryAuth) {
        String call = "asking the registry about " + reference;
        DistributionInspect inspect;
        try (HttpResponse response = send(call, new HttpRequest("GET", versioned("/distribution/" + segment(reference)
                + "/json"), authHeader(registryAuth), null))) {
            check(call, response);
            inspect = json.readValue(response.body(), DistributionInspect.class);
        } catch (IOException e) {
            throw io(call, e);
        }
        if (inspect.descriptor() == null || inspect.descriptor().digest() == null) {
            throw new ApiException("asking the registry about " + reference, 200, "the engine gave no digest");
        }
        return inspect.descriptor().digest();
    }

    @Override
    public void pullImage(String reference, String registryAuth, ProgressListener progress) {
        Query query = new Query();
        int at = reference.indexOf('@');
        int colon = reference.lastIndexOf(':');
        if (at >= 0) {
            query.add("fromImage", reference);
        } else if (colon > reference.lastIndexOf('/')) {
            query.add("fromImage", reference.substring(0, colon)).add("tag", reference.substring(colon + 1));
        } else {
            query.add("fromImage", reference).add("tag", "latest");
        }
        stream("pulling " + reference, "POST", "/images/create" + query, authHeader(registryAuth), null, progress);
    }

    private static Map<String, String> authHeader(String registryAuth) {
        return registryAuth == null ? Map.of() : Map.of("X-Registry-Auth", registryAuth);
    }

    @Override
    public String importImage(InputStream rootfsTar, String repository, String tag) {
        Query query = new Query().add("fromSrc", "-").add("repo", repository).add("tag", tag);
        String[] id = new String[1];
        stream("importing " + repository + ":" + tag, "POST", "/images/create" + query, Map.of(),
                RequestBody.stream(rootfsTar, -1, "application/x-tar"), m -> {
                    if (m.status() != null && m.status().startsWith("sha256:")) {
                        id[0] = m.status().trim();
                    }
                });
        return id[0];
    }

    @Override
    public InputStream saveImages(List<String> names) {
        Query query = new Query();
        names.forEach(n -> query.add("names", n));
        return open("saving " + String.join(", ", names), "GET", "/images/get" + query, null);
    }

    @Override
    public List<String> loadImages(InputStream archive, long length, ProgressListener progress) {
        List<String> loaded = new ArrayList<>();
        stream("loading images", "POST", "/images/load?quiet=0", Map.of(),
                RequestBody.stream(archive, length, "application/x-tar"), m -> {
                    if (m.stream() != null) {
                        String s = m.stream().trim();
                        if (s.startsWith("Loaded image: ")) {
                            loaded.add(s.substring("Loaded image: ".length()).trim());
                        } else if (s.startsWith("Loaded image ID: ")) {
                            loaded.add(s.substring("Loaded image ID: ".length()).trim());
                        }
                    }
                    progress.onProgress(m);
                });
        return loaded;
    }

    @Override
    public void tagImage(String source, String repository, String tag) {
        Query query = new Query().add("repo", repository).add("tag", tag);
        call("tagging " + source + " as " + repository + ":" + tag, "POST", "/images/" + segment(source) + "/tag" + query,
                null, Void.class);
    }

    @Override
    public void removeImage(String name, boolean force) {
        call("removing image " + name, "DELETE", "/images/" + segment(name) + new Query().add("force", force), null,
                JsonNode.class);
    }

    // volumes

    @Override
    public List<Volume> listVolumes(List<String> labelFilters) {
        VolumeList list = call("listing volumes", "GET", "/volumes" + labelQuery(labelFilters, new Query()), null,
                VolumeList.class);
        return list == null || list.volumes() == null ? List.of() : list.volumes();
    }

    @Override
    public Volume createVolume(String name, String driver, Map<String, String> options, Map<String, String> labels) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", name);
        if (driver != null) {
            body.put("Driver", driver);
        }
        if (options != null && !options.isEmpty()) {
            body.put("DriverOpts", options);
        }
        body.put("Labels", labels == null ? Map.of() : labels);
        return call("creating volume " + name, "POST", "/volumes/create", body, Volume.class);
    }

    @Override
    public Volume inspectVolume(String name) {
        return call("inspecting volume " + name, "GET", "/volumes/" + segment(name), null, Volume.class);
    }

    @Override
    public void removeVolume(String name) {
        call("removing volume " + name, "DELETE", "/volumes/" + segment(name), null, Void.class);
    }

    // networks

    @Override
    public List<Network> listNetworks() {
        return call("listing networks", "GET", "/networks", null, new TypeReference<List<Network>>() { });
    }

    @Override
    public String createNetwork(NetworkCreate network) {
        return call("creating network " + network.name(), "POST", "/networks/create", network, IdResponse.class)
                .value();
    }

    @Override
    public Network inspectNetwork(String nameOrId) {
        return call("inspecting network " + nameOrId, "GET", "/networks/" + segment(nameOrId), null, Network.class);
    }

    @Override
    public void removeNetwork(String nameOrId) {
        call("removing network " + nameOrId, "DELETE", "/networks/" + segment(nameOrId), null, Void.class);
    }

    @Override
    public void connectNetwork(String network, String container, List<String> aliases) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", container);
        body.put("EndpointConfig", Map.of("Aliases", aliases == null ? List.of() : aliases));
        call("connecting " + container + " to network " + network, "POST", "/networks/" + segment(network) + "/connect",
                body, Void.class);
    }

    // containers

    @Override
    public void renameContainer(String id, String newName) {
        call("renaming container " + id + " to " + newName, "POST", "/containers/" + segment(id) + "/rename"
                + new Query().add("name", newName), null, Void.class);
    }

    @Override
    public String createContainer(String name, ContainerSpec spec) {
        Query query = name == null ? new Query() : new Query().add("name", name);
        return call("creating container " + (name == null ? "" : name), "POST", "/containers/create" + query, spec,
                IdResponse.class).value();
    }

    @Override
    public void startContainer(String id) {
        call("starting container " + id, "POST", "/containers/" + segment(id) + "/start", null, Void.class);
    }

    @Override
    public void unpauseContainer(String id) {
        call("unpausing container " + id, "POST", "/containers/" + segment(id) + "/unpause", null, Void.class);
    }

    @Override
    public void stopContainer(String id, Integer timeoutSeconds) {
        call("stopping container " + id, "POST", "/containers/" + segment(id) + "/stop" + timeout(timeoutSeconds),
                null, Void.class);
    }

    @Override
    public void restartContainer(String id, Integer timeoutSeconds) {
        call("restarting container " + id, "POST", "/containers/" + segment(id) + "/restart" + timeout(timeoutSeconds),
                null, Void.class);
    }

    /** {@code ?t=N}, or nothing: the container's own stop timeout. */
    private static String timeout(Integer seconds) {
        return seconds == null ? "" : new Query().add("t", seconds).toString();
    }

    @Override
    public void removeContainer(String id, boolean force, boolean unnamedVolumes) {
        call("removing container " + id, "DELETE", "/containers/" + segment(id)
                + new Query().add("force", force).add("v", unnamedVolumes), null, Void.class);
    }

    @Override
    public ContainerInspect inspectContainer(String id) {
        return call("inspecting container " + id, "GET", "/containers/" + segment(id) + "/json", null,
                ContainerInspect.class);
    }

    @Override
    public List<ContainerSummary> listContainers(List<String> labelFilters, boolean all) {
        return call("listing containers", "GET", "/containers/json" + labelQuery(labelFilters, new Query().add("all", all)),
                null, new TypeReference<List<ContainerSummary>>() { });
    }

    @Override
    public long waitContainer(String id, String condition) {
        WaitResult result = call("waiting for container " + id, "POST",
                "/containers/" + segment(id) + "/wait" + new Query().add("condition", condition), null, WaitResult.class);
        if (result.error() != null && result.error().message() != null && !result.error().message().isEmpty()) {
            throw new ApiException("waiting for container " + id, 0, result.error().message());
        }
        return result.statusCode() == null ? -1 : result.statusCode();
    }

    @Override
    public void logs(String id, LogOptions options, OutputSink sink) {
        boolean tty = Boolean.TRUE.equals(inspectContainer(id).config().tty());
        Query query = new Query().add("stdout", true).add("stderr", true).add("follow", options.follow())
                .add("timestamps", options.timestamps()).add("tail", options.tail() < 0 ? "all" : options.tail());
        if (options.since() > 0) {
            query.add("since", options.since());
        }
        String call = "reading the logs of container " + id;
        try (InputStream in = open(call, "GET", "/containers/" + segment(id) + "/logs" + query, null)) {
            if (tty) {
                StreamDemultiplexer.copyRaw(in, sink);
            } else {
                StreamDemultiplexer.copy(in, sink);
            }
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    // exec

    @Override
    public String createExec(String containerId, ExecSpec spec) {
        return call("creating an exec in container " + containerId, "POST", "/containers/" + segment(containerId) + "/exec",
                spec, IdResponse.class).value();
    }

    @Override
    public void startExec(String execId, OutputSink sink) {
        String call = "running exec " + execId;
        try (InputStream in = open(call, "POST", "/exec/" + segment(execId) + "/start",
                Map.of("Detach", false, "Tty", false))) {
            StreamDemultiplexer.copy(in, sink);
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    @Override
    public ExecInspect inspectExec(String execId) {
        return call("inspecting exec " + execId, "GET", "/exec/" + segment(execId) + "/json", null, ExecInspect.class);
    }

    // archive

    @Override
    public InputStream getArchive(String containerId, String path) {
        return open("copying " + path + " out of container " + containerId, "GET",
                "/containers/" + segment(containerId) + "/archive" + new Query().add("path", path), null);
    }

    @Override
    public void putArchive(String containerId, String directory, InputStream tar, long length, boolean keepOwners) {
        String call = "copying into " + directory + " of container " + containerId;
        Query query = new Query().add("path", directory);
        if (keepOwners) {
            query.add("copyUIDGID", "true");
        }
        HttpRequest request = new HttpRequest("PUT", versioned("/containers/" + segment(containerId) + "/archive"
                + query), Map.of(), RequestBody.stream(tar, length, "application/x-tar"));
        try (HttpResponse response = send(call, request)) {
            check(call, response);
            response.body().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    // plumbing

    private <T> T call(String call, String method, String path, Object body, Class<T> type) {
        try (HttpResponse response = send(call, request(call, method, path, body))) {
            check(call, response);
            if (type == Void.class) {
                response.body().transferTo(OutputStream.nullOutputStream());
                return null;
            }
            return json.readValue(response.body(), type);
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    private <T> T call(String call, String method, String path, Object body, TypeReference<T> type) {
        try (HttpResponse response = send(call, request(call, method, path, body))) {
            check(call, response);
            return json.readValue(response.body(), type);
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    private void stream(String call, String method, String path, Map<String, String> headers, RequestBody body,
                        ProgressListener listener) {
        HttpRequest request = new HttpRequest(method, versioned(path), headers, body);
        try (HttpResponse response = send(call, request)) {
            check(call, response);
            JsonLines.read(response.body(), json, call, listener);
        } catch (IOException e) {
            throw io(call, e);
        }
    }

    /** Opens a streamed answer; closing the stream closes the connection. */
    private InputStream open(String call, String method, String path, Object body) {
        HttpResponse response = null;
        try {
            response = send(call, request(call, method, path, body));
            check(call, response);
            HttpResponse owner = response;
            return new FilterInputStream(response.body()) {
                @Override
                public void close() throws IOException {
                    owner.close();
                }
            };
        } catch (IOException e) {
            closeQuietly(response);
            throw io(call, e);
        } catch (RuntimeException e) {
            closeQuietly(response);
            throw e;
        }
    }

    private HttpRequest request(String call, String method, String path, Object body) throws IOException {
        RequestBody requestBody = null;
        if (body != null) {
            requestBody = RequestBody.json(json.writeValueAsString(body));
        }
        return new HttpRequest(method, versioned(path), Map.of(), requestBody);
    }

    private String versioned(String path) {
        return "/v" + apiVersion() + path;
    }

    @Override
    public Usage usage() {
        return new Usage(calls.get(), callNanos.get());
    }

    /** Each call is counted, and timed from its request to the close of its answer. */
    private HttpResponse send(String call, HttpRequest request) throws IOException {
        long start = System.nanoTime();
        calls.incrementAndGet();
        try {
            HttpResponse response = transport.exchange(request);
            AtomicBoolean closed = new AtomicBoolean();
            return new HttpResponse(response.status(), response.reason(), response.headers(), response.body(), () -> {
                try {
                    response.close();
                } finally {
                    if (closed.compareAndSet(false, true)) {
                        callNanos.addAndGet(System.nanoTime() - start);
                    }
                }
            });
        } catch (HttpTransport.ConnectException e) {
            throw new EngineUnreachableException(transport.address(), e.reason(), e);
        } catch (IOException e) {
            if (e instanceof ProtocolException) {
                throw notDocker(e.getMessage(), e);
            }
            throw e;
        }
    }

    private void check(String call, HttpResponse response) throws IOException {
        int status = response.status();
        if (status >= 200 && status < 300 || status == 304) {
            return;
        }
        String message = errorMessage(response);
        switch (status) {
            case 404 -> throw new NotFoundException(call, message);
            case 409 -> throw new ConflictException(call, message);
            default -> throw new ApiException(call, status, message);
        }
    }

    private String errorMessage(HttpResponse response) throws IOException {
        String text = response.bodyText(ERROR_BODY_LIMIT).trim();
        if (text.startsWith("{")) {
            try {
                JsonNode node = json.readTree(text);
                if (node.hasNonNull("message")) {
                    return node.get("message").asText();
                }
            } catch (JsonProcessingException e) {
                // not the engine's JSON: show the text as it is
            }
        }
        return text.isEmpty() ? "HTTP " + response.status() + " " + response.reason() : text;
    }

    /** An I/O failure after the connection was made (send() already turned connect failures into unreachable). */
    private static DockerException io(String call, IOException e) {
        return new DockerException(call + ": " + e.getMessage(), e);
    }

    private static void closeQuietly(HttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    private static Query labelQuery(List<String> labels, Query query) {
        if (labels != null && !labels.isEmpty()) {
            try {
                query.add("filters", DockerJson.MAPPER.writeValueAsString(Map.of("label", labels)));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return query;
    }

    /** Percent-encodes one path value; slashes stay, as image references contain them. */
    static String segment(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/")
                .replace("%3A", ":").replace("%40", "@");
    }

    /** A query string built in order; values are percent-encoded. */
    private static final class Query {
        private final StringBuilder text = new StringBuilder();

        Query add(String name, Object value) {
            text.append(text.length() == 0 ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}

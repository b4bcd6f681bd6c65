package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.ExecInspect;
import com.mlreef.offline.docker.model.ExecSpec;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ImageSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.VersionInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.docker.transport.HttpRequest;
import com.mlreef.offline.docker.transport.HttpResponse;
import com.mlreef.offline.docker.transport.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@link DockerEngine} over an {@link HttpTransport}; the API version is negotiated on the first call, each endpoint
 * is served by the group it belongs to.
 */
public final class DockerClient implements DockerEngine {
    /** The oldest API this tool is written for (Docker Engine 20.10). */
    public static final ApiVersion MINIMUM_API = ApiVersion.parse("1.41");

    private final EngineExchange engine;
    private final ImageEndpoints images;
    private final VolumeEndpoints volumes;
    private final NetworkEndpoints networks;
    private final ContainerEndpoints containers;
    private volatile String apiVersion;

    public DockerClient(HttpTransport transport) {
        this.engine = new EngineExchange(transport, this::apiVersion);
        this.images = new ImageEndpoints(engine);
        this.volumes = new VolumeEndpoints(engine);
        this.networks = new NetworkEndpoints(engine);
        this.containers = new ContainerEndpoints(engine);
    }

    @Override
    public String address() {
        return engine.address();
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
        try (HttpResponse response = engine.send(HttpRequest.get("/version"))) {
            String contentType = String.valueOf(response.header("Content-Type"));
            if (response.status() != 200 || !contentType.contains("json")) {
                throw notDocker("GET /version answered HTTP " + response.status() + " " + contentType, null);
            }
            VersionInfo info;
            try {
                info = DockerJson.MAPPER.readValue(response.body(), VersionInfo.class);
            } catch (JsonProcessingException e) {
                throw notDocker("GET /version did not answer with the engine's JSON", e);
            }
            if (info.apiVersion() == null) {
                throw notDocker("GET /version has no ApiVersion", null);
            }
            return info;
        } catch (IOException e) {
            throw EngineErrors.io(call, e);
        }
    }

    private EngineUnreachableException notDocker(String detail, Throwable cause) {
        return EngineErrors.notDocker(address(), detail, cause);
    }

    @Override
    public Usage usage() {
        return engine.usage();
    }

    /** Percent-encodes one path value; slashes stay, as image references contain them. */
    static String segment(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/")
                .replace("%3A", ":").replace("%40", "@");
    }

    // system

    @Override
    public void ping() {
        String call = "pinging the engine";
        try (HttpResponse response = engine.send(HttpRequest.get("/_ping"))) {
            String body = response.bodyText(64).trim();
            if (response.status() != 200 || !body.equals("OK")) {
                throw notDocker("GET /_ping answered HTTP " + response.status() + " '" + body + "'", null);
            }
        } catch (IOException e) {
            throw EngineErrors.io(call, e);
        }
    }

    @Override
    public VersionInfo version() {
        return engine.call("reading the engine version", "GET", "/version", null, VersionInfo.class);
    }

    @Override
    public SystemInfo info() {
        return engine.call("reading the engine info", "GET", "/info", null, SystemInfo.class);
    }

    @Override
    public DiskUsage diskUsage() {
        return engine.call("reading disk usage", "GET", "/system/df", null, DiskUsage.class);
    }

    // images

    @Override
    public List<ImageSummary> listImages() {
        return images.list();
    }

    @Override
    public ImageInspect inspectImage(String name) {
        return images.inspect(name);
    }

    @Override
    public String registryDigest(String reference, String registryAuth) {
        return images.registryDigest(reference, registryAuth);
    }

    @Override
    public void pullImage(String reference, String registryAuth, ProgressListener progress) {
        images.pull(reference, registryAuth, progress);
    }

    @Override
    public String importImage(InputStream rootfsTar, String repository, String tag) {
        return images.importImage(rootfsTar, repository, tag);
    }

    @Override
    public String buildImage(BuildOptions options, BodyWriter context, ProgressListener progress) {
        return images.build(options, context, progress);
    }

    @Override
    public InputStream saveImages(List<String> names) {
        return images.save(names);
    }

    @Override
    public List<String> loadImages(InputStream archive, long length, ProgressListener progress) {
        return images.load(archive, length, progress);
    }

    @Override
    public void tagImage(String source, String repository, String tag) {
        images.tag(source, repository, tag);
    }

    @Override
    public void removeImage(String name, boolean force) {
        images.remove(name, force);
    }

    // volumes

    @Override
    public List<Volume> listVolumes(List<String> labelFilters) {
        return volumes.list(labelFilters);
    }

    @Override
    public Volume createVolume(String name, String driver, Map<String, String> options, Map<String, String> labels) {
        return volumes.create(name, driver, options, labels);
    }

    @Override
    public Volume inspectVolume(String name) {
        return volumes.inspect(name);
    }

    @Override
    public void removeVolume(String name) {
        volumes.remove(name);
    }

    // networks

    @Override
    public List<Network> listNetworks() {
        return networks.list();
    }

    @Override
    public String createNetwork(NetworkCreate network) {
        return networks.create(network);
    }

    @Override
    public Network inspectNetwork(String nameOrId) {
        return networks.inspect(nameOrId);
    }

    @Override
    public void removeNetwork(String nameOrId) {
        networks.remove(nameOrId);
    }

    @Override
    public void connectNetwork(String network, String container, List<String> aliases) {
        networks.connect(network, container, aliases);
    }

    // containers

    @Override
    public void renameContainer(String id, String newName) {
        containers.rename(id, newName);
    }

    @Override
    public String createContainer(String name, ContainerSpec spec) {
        return containers.create(name, spec);
    }

    @Override
    public void startContainer(String id) {
        containers.start(id);
    }

    @Override
    public void unpauseContainer(String id) {
        containers.unpause(id);
    }

    @Override
    public void stopContainer(String id, Integer timeoutSeconds) {
        containers.stop(id, timeoutSeconds);
    }

    @Override
    public void restartContainer(String id, Integer timeoutSeconds) {
        containers.restart(id, timeoutSeconds);
    }

    @Override
    public void removeContainer(String id, boolean force, boolean unnamedVolumes) {
        containers.remove(id, force, unnamedVolumes);
    }

    @Override
    public ContainerInspect inspectContainer(String id) {
        return containers.inspect(id);
    }

    @Override
    public List<ContainerSummary> listContainers(List<String> labelFilters, boolean all) {
        return containers.list(labelFilters, all);
    }

    @Override
    public long waitContainer(String id, String condition) {
        return containers.waitFor(id, condition);
    }

    @Override
    public void logs(String id, LogOptions options, OutputSink sink) {
        containers.logs(id, options, sink);
    }

    // exec

    @Override
    public String createExec(String containerId, ExecSpec spec) {
        return containers.createExec(containerId, spec);
    }

    @Override
    public void startExec(String execId, OutputSink sink) {
        containers.startExec(execId, sink);
    }

    @Override
    public ExecInspect inspectExec(String execId) {
        return containers.inspectExec(execId);
    }

    // archive

    @Override
    public InputStream getArchive(String containerId, String path) {
        return containers.getArchive(containerId, path);
    }

    @Override
    public void putArchive(String containerId, String directory, InputStream tar, long length, boolean keepOwners) {
        containers.putArchive(containerId, directory, tar, length, keepOwners);
    }
}

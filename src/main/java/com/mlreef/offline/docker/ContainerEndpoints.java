package com.mlreef.offline.docker;

import static com.mlreef.offline.docker.DockerClient.segment;

import com.fasterxml.jackson.core.type.TypeReference;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.ExecInspect;
import com.mlreef.offline.docker.model.ExecSpec;
import com.mlreef.offline.docker.model.IdResponse;
import com.mlreef.offline.docker.model.WaitResult;
import com.mlreef.offline.docker.transport.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** The container endpoints of {@link DockerEngine}, with a container's logs, execs and archives. */
final class ContainerEndpoints {
    private final EngineExchange engine;

    ContainerEndpoints(EngineExchange engine) {
        this.engine = engine;
    }

    void rename(String id, String newName) {
        engine.call("renaming container " + id + " to " + newName, "POST", "/containers/" + segment(id) + "/rename"
                + new Query().add("name", newName), null, Void.class);
    }

    String create(String name, ContainerSpec spec) {
        Query query = name == null ? new Query() : new Query().add("name", name);
        return engine.call("creating container " + (name == null ? "" : name), "POST", "/containers/create" + query,
                spec, IdResponse.class).value();
    }

    void start(String id) {
        engine.call("starting container " + id, "POST", "/containers/" + segment(id) + "/start", null, Void.class);
    }

    void unpause(String id) {
        engine.call("unpausing container " + id, "POST", "/containers/" + segment(id) + "/unpause", null, Void.class);
    }

    void stop(String id, Integer timeoutSeconds) {
        engine.call("stopping container " + id, "POST", "/containers/" + segment(id) + "/stop"
                + timeout(timeoutSeconds), null, Void.class);
    }

    void restart(String id, Integer timeoutSeconds) {
        engine.call("restarting container " + id, "POST", "/containers/" + segment(id) + "/restart"
                + timeout(timeoutSeconds), null, Void.class);
    }

    /** {@code ?t=N}, or nothing: the container's own stop timeout. */
    private static String timeout(Integer seconds) {
        return seconds == null ? "" : new Query().add("t", seconds).toString();
    }

    void remove(String id, boolean force, boolean unnamedVolumes) {
        engine.call("removing container " + id, "DELETE", "/containers/" + segment(id)
                + new Query().add("force", force).add("v", unnamedVolumes), null, Void.class);
    }

    ContainerInspect inspect(String id) {
        return engine.call("inspecting container " + id, "GET", "/containers/" + segment(id) + "/json", null,
                ContainerInspect.class);
    }

    List<ContainerSummary> list(List<String> labelFilters, boolean all) {
        return engine.call("listing containers", "GET", "/containers/json" + new Query().add("all", all)
                .labels(labelFilters), null, new TypeReference<List<ContainerSummary>>() { });
    }

    long waitFor(String id, String condition) {
        WaitResult result = engine.call("waiting for container " + id, "POST",
                "/containers/" + segment(id) + "/wait" + new Query().add("condition", condition), null, WaitResult.class);
        if (result.error() != null && result.error().message() != null && !result.error().message().isEmpty()) {
            throw new ApiException("waiting for container " + id, 0, result.error().message());
        }
        return result.statusCode() == null ? -1 : result.statusCode();
    }

    void logs(String id, LogOptions options, OutputSink sink) {
        boolean tty = Boolean.TRUE.equals(inspect(id).config().tty());
        Query query = new Query().add("stdout", true).add("stderr", true).add("follow", options.follow())
                .add("timestamps", options.timestamps()).add("tail", options.tail() < 0 ? "all" : options.tail());
        if (options.since() > 0) {
            query.add("since", options.since());
        }
        String call = "reading the logs of container " + id;
        try (InputStream in = engine.open(call, "GET", "/containers/" + segment(id) + "/logs" + query, null)) {
            if (tty) {
                StreamDemultiplexer.copyRaw(in, sink);
            } else {
                StreamDemultiplexer.copy(in, sink);
            }
        } catch (IOException e) {
            throw EngineErrors.io(call, e);
        }
    }

    // exec

    String createExec(String containerId, ExecSpec spec) {
        return engine.call("creating an exec in container " + containerId, "POST",
                "/containers/" + segment(containerId) + "/exec", spec, IdResponse.class).value();
    }

    void startExec(String execId, OutputSink sink) {
        String call = "running exec " + execId;
        try (InputStream in = engine.open(call, "POST", "/exec/" + segment(execId) + "/start",
                Map.of("Detach", false, "Tty", false))) {
            StreamDemultiplexer.copy(in, sink);
        } catch (IOException e) {
            throw EngineErrors.io(call, e);
        }
    }

    ExecInspect inspectExec(String execId) {
        return engine.call("inspecting exec " + execId, "GET", "/exec/" + segment(execId) + "/json", null,
                ExecInspect.class);
    }

    // archive

    InputStream getArchive(String containerId, String path) {
        return engine.open("copying " + path + " out of container " + containerId, "GET",
                "/containers/" + segment(containerId) + "/archive" + new Query().add("path", path), null);
    }

    void putArchive(String containerId, String directory, InputStream tar, long length, boolean keepOwners) {
        Query query = new Query().add("path", directory);
        if (keepOwners) {
            query.add("copyUIDGID", "true");
        }
        engine.exchange("copying into " + directory + " of container " + containerId, engine.request("PUT",
                "/containers/" + segment(containerId) + "/archive" + query, Map.of(),
                RequestBody.stream(tar, length, "application/x-tar")), EngineExchange::discard);
    }
}

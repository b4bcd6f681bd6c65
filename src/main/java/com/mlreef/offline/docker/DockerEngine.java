package com.mlreef.offline.docker;

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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The Docker Engine API as this tool uses it: one method per endpoint. Failures are {@link DockerException}s:
 * {@link NotFoundException} (404), {@link ConflictException} (409), {@link ApiException} (other statuses and errors
 * inside progress streams) and {@link EngineUnreachableException} (nothing, or not a Docker API, at the address).
 */
public interface DockerEngine {

    /** What an inspection answers, or null when the engine has no such object (404). */
    static <T> T orNull(java.util.function.Supplier<T> inspect) {
        try {
            return inspect.get();
        } catch (NotFoundException e) {
            return null;
        }
    }

    /** How many calls this client made and how long they took, each from its request to the end of its answer. */
    record Usage(long calls, long nanos) {
    }

    /** The calls made so far (none for an engine that does not count them). */
    default Usage usage() {
        return new Usage(0, 0);
    }

    /** The address, as the user would write it. */
    String address();

    /** The API version used for every call (negotiated with the engine on first use). */
    String apiVersion();

    // system

    /** {@code GET /_ping}. */
    void ping();

    /** {@code GET /version}. */
    VersionInfo version();

    /** {@code GET /info}. */
    SystemInfo info();

    /** {@code GET /system/df}: disk use, of which this tool reads the volumes' sizes (the engine walks them: slow). */
    DiskUsage diskUsage();

    // images

    /** {@code GET /images/json}. */
    List<ImageSummary> listImages();

    /** {@code GET /images/{name}/json}. */
    ImageInspect inspectImage(String name);

    /**
     * {@code GET /distribution/{name}/json}: the digest the registry gives for a reference, without pulling.
     * Compared with an image's {@code RepoDigests} it tells whether a pull would bring anything new.
     *
     * @param registryAuth the {@code X-Registry-Auth} value (see {@link RegistryAuth}), or null for none
     */
    String registryDigest(String reference, String registryAuth);

    /**
     * {@code POST /images/create?fromImage=}: pulls a reference, reporting each progress message as it arrives.
     *
     * @param registryAuth the {@code X-Registry-Auth} value (see {@link RegistryAuth}), or null for none
     */
    void pullImage(String reference, String registryAuth, ProgressListener progress);

    /** Pulls a reference without credentials. */
    default void pullImage(String reference, ProgressListener progress) {
        pullImage(reference, null, progress);
    }

    /** {@code POST /images/create?fromSrc=-}: makes a one-layer image from a root file system tar. Returns its ID. */
    String importImage(InputStream rootfsTar, String repository, String tag);

    /** Writes a request body as it is produced (a build context tar), never holding it whole. */
    @FunctionalInterface
    interface BodyWriter {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    /**
     * {@code POST /build} with the classic builder: the context tar is written into the request as it is made, each
     * progress message (the builder's {@code stream} lines) handed over as it arrives; an {@code error} in the stream
     * is thrown as an {@link ApiException}. The steps' containers are removed, also after a failed step.
     *
     * @return the built image's ID
     */
    String buildImage(BuildOptions options, BodyWriter context, ProgressListener progress);

    /** {@code GET /images/get?names=}: the docker-archive of the images, streamed; the caller closes it. */
    InputStream saveImages(List<String> names);

    /**
     * {@code POST /images/load}: streams a docker-archive to the engine.
     *
     * @param length the archive's size, or -1 to send it chunked
     * @return what the engine reports as loaded (references, or image IDs for untagged images)
     */
    List<String> loadImages(InputStream archive, long length, ProgressListener progress);

    /** {@code POST /images/{name}/tag}. */
    void tagImage(String source, String repository, String tag);

    /** {@code DELETE /images/{name}}. */
    void removeImage(String name, boolean force);

    // volumes

    /** {@code GET /volumes}, optionally filtered by labels ({@code key} or {@code key=value}). */
    List<Volume> listVolumes(List<String> labelFilters);

    /** {@code POST /volumes/create}. */
    default Volume createVolume(String name, Map<String, String> labels) {
        return createVolume(name, null, null, labels);
    }

    /**
     * {@code POST /volumes/create}.
     * @param driver  null for the engine's default (local)
     * @param options the driver's options, or null
     */
    Volume createVolume(String name, String driver, Map<String, String> options, Map<String, String> labels);

    /** {@code GET /volumes/{name}}. */
    Volume inspectVolume(String name);

    /** {@code DELETE /volumes/{name}}: only ever called when the user asked for exactly that. */
    void removeVolume(String name);

    // networks

    /** {@code GET /networks}. */
    List<Network> listNetworks();

    /** {@code POST /networks/create}. Returns the network's ID. */
    default String createNetwork(String name, String driver, Map<String, String> labels) {
        return createNetwork(NetworkCreate.of(name, driver, labels));
    }

    /** {@code POST /networks/create}; returns the network's ID. */
    String createNetwork(NetworkCreate network);

    /** {@code GET /networks/{id}}. */
    Network inspectNetwork(String nameOrId);

    /** {@code DELETE /networks/{id}}. */
    void removeNetwork(String nameOrId);

    /** {@code POST /networks/{id}/connect}: joins a container to a further network, reachable under the aliases. */
    void connectNetwork(String network, String container, List<String> aliases);

    // containers

    /** {@code POST /containers/create?name=}. Returns the container's ID. */
    String createContainer(String name, ContainerSpec spec);

    /** {@code POST /containers/{id}/start}; a running container is left as it is (a paused one is refused). */
    void startContainer(String id);

    /** {@code POST /containers/{id}/unpause}. */
    void unpauseContainer(String id);

    /**
     * {@code POST /containers/{id}/stop}; a stopped container is left as it is.
     * @param timeoutSeconds seconds it has to stop before it is killed; null for its own (its stop timeout, else 10)
     */
    void stopContainer(String id, Integer timeoutSeconds);

    /**
     * {@code POST /containers/{id}/restart}.
     * @param timeoutSeconds seconds it has to stop before it is killed; null for its own (its stop timeout, else 10)
     */
    void restartContainer(String id, Integer timeoutSeconds);

    /** {@code POST /containers/{id}/rename?name=}. */
    void renameContainer(String id, String newName);

    /** {@code DELETE /containers/{id}}; its volumes are kept. */
    default void removeContainer(String id, boolean force) {
        removeContainer(id, force, false);
    }

    /**
     * {@code DELETE /containers/{id}}.
     * @param unnamedVolumes also delete its unnamed volumes (an image's VOLUME) that no other container uses; named
     *                       volumes are always kept
     */
    void removeContainer(String id, boolean force, boolean unnamedVolumes);

    /** {@code GET /containers/{id}/json}. */
    ContainerInspect inspectContainer(String id);

    /** {@code GET /containers/json?all=1&filters={"label":[...]}}. */
    List<ContainerSummary> listContainers(List<String> labelFilters, boolean all);

    /** {@code POST /containers/{id}/wait?condition=}: blocks until the condition holds; returns the exit code. */
    long waitContainer(String id, String condition);

    /** {@code GET /containers/{id}/logs}: streams stdout and stderr to the sink until the end (or forever with follow). */
    void logs(String id, LogOptions options, OutputSink sink);

    // exec

    /** {@code POST /containers/{id}/exec}. Returns the exec's ID. */
    String createExec(String containerId, ExecSpec spec);

    /** {@code POST /exec/{id}/start}, without a TTY: streams its output until the command ends. */
    void startExec(String execId, OutputSink sink);

    /** {@code GET /exec/{id}/json}: running state and exit code. */
    ExecInspect inspectExec(String execId);

    // archive

    /** {@code GET /containers/{id}/archive?path=}: a tar of the path, streamed; the caller closes it. */
    InputStream getArchive(String containerId, String path);

    /** Whether the container's file system holds {@code path}: its archive can be read. */
    default boolean hasPath(String containerId, String path) {
        try (InputStream in = getArchive(containerId, path)) {
            in.transferTo(OutputStream.nullOutputStream());
            return true;
        } catch (NotFoundException | IOException e) {
            return false;
        }
    }

    /** {@code PUT /containers/{id}/archive?path=}: unpacks a tar into the directory, streamed, owned by root. */
    default void putArchive(String containerId, String directory, InputStream tar, long length) {
        putArchive(containerId, directory, tar, length, false);
    }

    /**
     * {@code PUT /containers/{id}/archive?path=}: unpacks a tar into the directory, streamed.
     * @param keepOwners the owners the tar gives its files ({@code copyUIDGID}); else root owns them
     */
    void putArchive(String containerId, String directory, InputStream tar, long length, boolean keepOwners);
}

package com.mlreef.offline.backup;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The helper containers through which the engine's archive API reads and writes volumes: created, never started,
 * of an empty image made here, with the volumes at /volumes/NAME.
 */
final class ArchiveContainers {
    /** Where the helper container mounts each volume: {@code /volumes/NAME}, so archive paths match the file's. */
    static final String MOUNTS = "/volumes";
    private static final String HELPER_IMAGE = "mlreef-offline/empty";
    private static final String HELPER_TAG = "1";

    private final DockerEngine engine;
    private final Console console;

    ArchiveContainers(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /**
     * A created, never started, container of the empty helper image with the volumes at /volumes/NAME, under a name
     * of its own. Other helpers are left alone, whatever their stack: they may be another command's, at work on this
     * engine from another host (a restore's is its journal). Should the creation fail, a container it may have left
     * under that name is removed; named volumes are never removed with a container.
     */
    String create(String kind, String stack, List<String> volumes, boolean readOnly, Map<String, String> labels) {
        String image = helperImage();
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(StackLabels.HELPER_LABEL, kind);
        List<String> binds = volumes.stream().map(v -> v + ":" + MOUNTS + "/" + v + (readOnly ? ":ro" : ""))
                .toList();
        ContainerSpec spec = new ContainerSpec(image, List.of("/never-started"), null, null, all, null, null, null,
                null, false, new ContainerSpec.HostConfig(binds, null, null, "none"), null);
        String name = "mlreef-offline-" + kind + (stack.isEmpty() ? "" : "-" + stack) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        try {
            return engine.createContainer(name, spec);
        } catch (RuntimeException e) {
            // the engine may have made it before the answer failed (a cut connection, a timeout)
            try {
                engine.removeContainer(name, true);
            } catch (com.mlreef.offline.docker.NotFoundException gone) {
                // it was not made
            } catch (RuntimeException left) {
                e.addSuppressed(left);
                console.warn("the helper container " + name + " may be left: 'docker rm " + name + "' removes it");
            }
            throw e;
        }
    }

    /** The empty image of helper containers: made from an empty root file system when the engine lacks it. */
    private String helperImage() {
        String reference = HELPER_IMAGE + ":" + HELPER_TAG;
        if (DockerEngine.orNull(() -> engine.inspectImage(reference)) == null) {
            engine.importImage(new ByteArrayInputStream(new byte[1024]), HELPER_IMAGE, HELPER_TAG);
        }
        return reference;
    }

    /** Removes a helper container, and its image once no helper uses it. */
    void remove(String id) {
        DockerEngine.orNull(() -> {
            engine.removeContainer(id, true);
            return null;
        });
        if (engine.listContainers(List.of(StackLabels.HELPER_LABEL), true).isEmpty()) {
            try {
                engine.removeImage(HELPER_IMAGE + ":" + HELPER_TAG, false);
            } catch (RuntimeException e) {
                console.debug("helper image kept: " + e.getMessage());
            }
        }
    }
}

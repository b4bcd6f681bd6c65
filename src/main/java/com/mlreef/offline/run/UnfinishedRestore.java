package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import java.util.List;
import java.util.Set;

/** The volumes an interrupted restore was filling: its helper container still holds them. */
public final class UnfinishedRestore {
    private UnfinishedRestore() {
    }

    /**
     * What an interrupted restore left among the volumes (its helper container, which still holds them, names it), or
     * null: "a restore into volumes a, b was interrupted (container NAME)".
     */
    public static String among(DockerEngine engine, Set<String> volumes) {
        for (ContainerSummary helper : engine.listContainers(List.of(StackLabels.HELPER_LABEL + "=restore"), true)) {
            List<String> held = helper.mounts() == null ? List.of() : helper.mounts().stream()
                    .map(ContainerInspect.Mount::name).filter(volumes::contains).distinct().toList();
            if (!held.isEmpty()) {
                return "a restore into volume" + (held.size() == 1 ? " " : "s ") + String.join(", ", held)
                        + " was interrupted (its container " + helper.name() + " holds them)";
            }
        }
        return null;
    }
}

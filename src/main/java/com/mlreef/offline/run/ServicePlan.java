package com.mlreef.offline.run;

import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;

/**
 * What run does with one service's container.
 *
 * @param previousId  a container that an interrupted replacement left as NAME-previous: put back if the new one
 *                    fails, removed once it is ready
 * @param renamedFrom the name the service's container was given by hand, or null: it gets its name back
 * @param why         why the container is replaced (or started: null when it was found stopped)
 */
public record ServicePlan(StackSpec.Service service, String container, Action action, String existingId,
                          ContainerSpec spec, String previousId, String imageId, String renamedFrom, String why) {

    /** What a service's container needs. */
    public enum Action { CREATE, START, UNPAUSE, KEEP, REPLACE }

    /** The plan's line for the container. */
    String line() {
        return switch (action) {
            case CREATE -> "create container " + container;
            case START -> "start  container " + container + " (" + (why == null ? "stopped" : why) + ")";
            case UNPAUSE -> "unpause container " + container + " (paused)";
            case KEEP -> "keep   container " + container + " (running, unchanged)";
            case REPLACE -> "replace container " + container + " (" + why + ")";
        };
    }

    /** The name an old container waits under while its successor starts. */
    static String previousName(String container) {
        return container + StackLabels.PREVIOUS;
    }
}

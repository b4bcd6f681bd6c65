package com.mlreef.offline.stackfile;

/**
 * What run leaves on the engine's objects and in containers, which status, logs, down, backup and the next run read:
 * one place for every label and mark, whichever stack file the objects were made from.
 */
public final class StackLabels {
    /** Label put on everything the tool creates; its value is the stack's name. */
    public static final String STACK_LABEL = "com.mlreef.offline.stack";
    /** The service a container runs. */
    public static final String SERVICE_LABEL = "com.mlreef.offline.service";
    /** The hash of a container's configuration: a change replaces the container. */
    public static final String CONFIG_LABEL = "com.mlreef.offline.config";
    /** The services a container depends on, with their conditions: "db:service_healthy,job:service_started". */
    public static final String DEPENDS_LABEL = "com.mlreef.offline.depends-on";
    /** The bundle a container's image came from. */
    public static final String BUNDLE_LABEL = "com.mlreef.offline.bundle";
    /**
     * On a container that mounts files of its stack folder: a hash of what they hold, so that a changed file (which
     * a running container would not see: a file mount keeps the file it was given) replaces the container.
     */
    public static final String FILES_LABEL = "com.mlreef.offline.files";
    /** What a container being replaced is renamed with until its successor is ready. */
    public static final String PREVIOUS = "-previous";

    /** Backup's and restore's helper containers: the value says which ("backup", "restore"). */
    public static final String HELPER_LABEL = "com.mlreef.offline.helper";
    /** The backup file a restore's helper container fills the volumes from. */
    public static final String BACKUP_LABEL = "com.mlreef.offline.backup";
    /** The volumes a restore's helper container holds. */
    public static final String VOLUMES_LABEL = "com.mlreef.offline.volumes";

    /** Where a container records that its after-ready commands ran (in its own file system, gone with it). */
    public static final String AFTER_READY_MARK = ".mlreef-offline-after-ready";
    /** Where run records that a one-shot service's container ran to completion (its exit was not a stop). */
    public static final String COMPLETED_MARK = ".mlreef-offline-completed";

    private StackLabels() {
    }
}

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
    /**
     * On the containers of a bundle's stack whose carried files run put elsewhere than the default stack folder
     * (--project-dir): that folder, which down and the other commands use too, and the next run without
     * --project-dir.
     */
    public static final String FOLDER_LABEL = "com.mlreef.offline.stack-folder";
    /** On a stack's containers when run read its variables from files given with --env-file: their paths, a line each. */
    public static final String ENV_FILES_LABEL = "com.mlreef.offline.env-files";
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

    /**
     * What run recorded on a stack's containers about where it read the stack: the stack folder (null: the default
     * one) and the variables files given with --env-file (none: the project's own).
     */
    public record Recorded(java.nio.file.Path folder, java.util.List<java.nio.file.Path> envFiles) {
        /**
         * From the labels of the stack's containers, newest first: the newest that records anything decides (a run
         * that records nothing replaces every container that did, its labels being part of their configuration).
         */
        public static Recorded of(java.util.List<java.util.Map<String, String>> labels) {
            for (java.util.Map<String, String> l : labels) {
                String folder = l == null ? null : l.get(FOLDER_LABEL);
                String files = l == null ? null : l.get(ENV_FILES_LABEL);
                if (folder != null || files != null) {
                    return new Recorded(folder == null ? null : java.nio.file.Path.of(folder), files == null
                            ? java.util.List.of() : java.util.Arrays.stream(files.split("\n")).filter(f -> !f.isEmpty())
                            .map(java.nio.file.Path::of).toList());
                }
            }
            return new Recorded(null, java.util.List.of());
        }

        /** The labels that record {@code folder} (null: the default one) and {@code envFiles}. */
        public static java.util.Map<String, String> labels(java.nio.file.Path folder,
                                                           java.util.List<java.nio.file.Path> envFiles) {
            java.util.Map<String, String> labels = new java.util.TreeMap<>();
            if (folder != null) {
                labels.put(FOLDER_LABEL, folder.toString());
            }
            if (!envFiles.isEmpty()) {
                labels.put(ENV_FILES_LABEL, String.join("\n", envFiles.stream().map(Object::toString).toList()));
            }
            return labels;
        }
    }
}

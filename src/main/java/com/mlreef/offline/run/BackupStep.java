package com.mlreef.offline.run;

import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.ui.Sizes;
import java.nio.file.Path;
import java.util.List;

/**
 * The backup of a stack's volumes that comes before the first container a run replaces or removes, with the stack's
 * containers stopped; or, with --no-backup, the note that none is made.
 *
 * @param target   the backup file (null when skipped)
 * @param volumes  the stack's volumes, as 'backup' takes them
 * @param bytes    what the volumes hold, as the engine counts it (the estimate of the file's size); -1 unknown
 * @param stopping the stack's containers that run, stopped for the backup, dependents first
 * @param orphans  the running containers among them that the run leaves as they are: started again after it
 * @param before   the first replacement or removal, as the plan says it
 */
public record BackupStep(Path target, List<Volume> volumes, long bytes, List<ContainerSummary> stopping,
                         List<ContainerSummary> orphans, String before) {

    /** Whether --no-backup skips it. */
    public boolean skipped() {
        return target == null;
    }

    /** The volumes' names. */
    public List<String> names() {
        return volumes.stream().map(Volume::name).toList();
    }

    /** The plan's line for it. */
    String line() {
        if (skipped()) {
            return "no backup of volumes " + String.join(", ", names()) + " before " + before + " (--no-backup)";
        }
        return "back up volumes " + String.join(", ", names()) + " (" + (bytes < 0 ? "size unknown" : "about "
                + Sizes.bytes(bytes)) + ") into " + target + ", the stack stopped for it, before " + before;
    }
}

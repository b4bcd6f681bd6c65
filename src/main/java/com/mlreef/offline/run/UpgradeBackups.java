package com.mlreef.offline.run;

import com.mlreef.offline.docker.model.Volume;
import java.nio.file.Path;
import java.util.List;

/**
 * The backups run makes of a stack's volumes before it replaces or removes a container of it: where they go, whether
 * they are skipped (--no-backup), and what writes one.
 *
 * @param dir    the folder of the backups (made when missing)
 * @param skip   whether no backup is made (the plan says so, with a warning)
 * @param writer what writes a backup file, as 'backup --stop' writes one
 */
public record UpgradeBackups(Path dir, boolean skip, Writer writer) {

    /** Writes a backup file of volumes whose containers are stopped. */
    public interface Writer {
        /**
         * Writes the stack's volumes into {@code target} (which does not exist; its folder does), with its sha256
         * beside it; the file appears under its name only when complete. Returns its sha256.
         */
        String write(String stack, List<Volume> volumes, Path target);
    }
}

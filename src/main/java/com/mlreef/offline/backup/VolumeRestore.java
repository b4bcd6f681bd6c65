package com.mlreef.offline.backup;

import com.mlreef.offline.backup.VolumeBackup.Manifest;
import com.mlreef.offline.backup.VolumeBackup.Summary;
import com.mlreef.offline.backup.VolumeBackup.VolumeEntry;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Puts a backup's volumes back: only into volumes that are missing or empty, after the whole file was read; an
 * interrupted restore of the same backup is finished through the helper container it left.
 */
final class VolumeRestore {
    private final DockerEngine engine;
    private final Console console;
    private final ArchiveContainers helpers;

    VolumeRestore(DockerEngine engine, Console console, ArchiveContainers helpers) {
        this.engine = engine;
        this.console = console;
        this.helpers = helpers;
    }

    Summary restore(Path file) {
        Manifest manifest = BackupReader.manifest(file);
        List<String> names = manifest.names();
        List<String> users = VolumeBackup.usedBy(engine, Set.copyOf(names));
        if (!users.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "running containers use volumes of the backup ("
                    + String.join(", ", users) + "): stop them first ('mlreef-offline stop', or 'down' to remove the"
                    + " containers); nothing was changed");
        }
        ContainerSummary journal = interrupted(manifest);
        refuseData(names, journal);
        // the whole file, before anything changes: a damaged one changes nothing
        BackupReader.Checked checked = BackupReader.check(file, console);
        if (!checked.manifest().id().equals(manifest.id())) {
            throw new ToolException(ExitCode.FAILED, file + " changed while it was read; nothing was changed");
        }
        createVolumes(manifest);
        write(file, manifest, journal);
        return new Summary(names.size(), checked.entries(), BackupReader.sizeOf(file), checked.sha256());
    }

    /** Refuses volumes that hold data, except those an interrupted restore of this backup was writing. */
    private void refuseData(List<String> names, ContainerSummary journal) {
        Set<String> resumed = journal == null ? Set.of() : Set.copyOf(names);
        List<String> present = new ArrayList<>();
        for (String name : names) {
            if (!resumed.contains(name) && DockerEngine.orNull(() -> engine.inspectVolume(name)) != null) {
                present.add(name);
            }
        }
        List<String> holdingData = holdingData(present);
        if (!holdingData.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "volume" + (holdingData.size() == 1 ? " " : "s ")
                    + String.join(", ", holdingData) + (holdingData.size() == 1 ? " holds" : " hold") + " data:"
                    + " restore writes only into volumes that are missing or empty, so it never mixes a backup into"
                    + " data or replaces any; to replace the data with the backup, delete the volumes first"
                    + " ('mlreef-offline down --volumes' asks, then deletes the stack's), then restore; nothing was"
                    + " changed");
        }
    }

    private void createVolumes(Manifest manifest) {
        for (VolumeEntry v : manifest.volumes()) {
            Volume existing = DockerEngine.orNull(() -> engine.inspectVolume(v.name()));
            if (existing == null) {
                engine.createVolume(v.name(), v.driver(), v.options().isEmpty() ? null : v.options(), v.labels());
                console.info("created volume " + v.name());
            } else if (!(existing.labels() == null ? Map.of() : existing.labels()).entrySet()
                    .containsAll(v.labels().entrySet())) {
                // the engine does not change a volume's labels
                console.warn("volume " + v.name() + " exists without the labels the backup gives it (made outside"
                        + " mlreef-offline?): its data is restored, but backup, status and down --volumes do not take"
                        + " it for " + (manifest.stack().isEmpty() ? "the stack's" : "stack " + manifest.stack() + "'s"));
            }
        }
    }

    /** Unpacks the file's archive into the volumes through the restore's helper container, its journal. */
    private void write(Path file, Manifest manifest, ContainerSummary journal) {
        List<String> names = manifest.names();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(StackLabels.BACKUP_LABEL, manifest.id());
        labels.put(StackLabels.VOLUMES_LABEL, String.join(",", names));
        // the journal of an interrupted restore of this backup is used again: there is no moment without one
        String helper = journal != null ? journal.id() : helpers.create("restore", manifest.stack(), names, false,
                labels);
        try (Progress progress = Progress.start(console, "restore", BackupReader.sizeOf(file));
             BackupReader reader = BackupReader.open(file, progress)) {
            // the engine's own tar, as backup took it: unpacked by the engine into the volumes, byte for byte
            engine.putArchive(helper, "/", reader.rest, -1, true);
        } catch (DockerException e) {
            throw new ToolException(ExitCode.FAILED, e.getMessage() + ": volumes " + String.join(", ", names)
                    + " are partly restored; run the same restore again, or give it up with 'mlreef-offline down"
                    + (manifest.stack().isEmpty() ? "" : " --stack " + manifest.stack()) + " --volumes'", e);
        }
        helpers.remove(helper); // the journal: only once every volume is complete
    }

    /**
     * The helper container of an interrupted restore of this backup, or null: it mounts the backup's volumes, which
     * it was writing, and may write them again. An interrupted restore of another backup into the same volumes is
     * refused.
     */
    private ContainerSummary interrupted(Manifest manifest) {
        ContainerSummary journal = null;
        for (ContainerSummary c : engine.listContainers(List.of(StackLabels.HELPER_LABEL + "=restore"), true)) {
            List<String> theirs = List.of(c.labels().getOrDefault(StackLabels.VOLUMES_LABEL, "").split(","));
            List<String> shared = manifest.names().stream().filter(theirs::contains).toList();
            if (manifest.id().equals(c.labels().get(StackLabels.BACKUP_LABEL))) {
                journal = c;
                console.info("finishing the restore of " + String.join(", ", theirs) + " that was interrupted");
            } else if (!shared.isEmpty()) {
                throw new ToolException(ExitCode.FAILED, "an interrupted restore of another backup left volume"
                        + (shared.size() == 1 ? " " : "s ") + String.join(", ", shared) + " partly written: run"
                        + " that restore again, or delete the volume" + (shared.size() == 1 ? "" : "s") + " ('docker"
                        + " rm " + c.name() + "', then 'mlreef-offline down --volumes'), then restore this one;"
                        + " nothing was changed");
            }
        }
        return journal;
    }

    /** Which of the volumes hold anything, looked at through a helper container that mounts them read-only. */
    private List<String> holdingData(List<String> volumes) {
        if (volumes.isEmpty()) {
            return List.of();
        }
        List<String> holding = new ArrayList<>();
        String probe = helpers.create("probe", "", volumes, true, Map.of());
        try {
            for (String volume : volumes) {
                try (TarArchiveInputStream in = new TarArchiveInputStream(engine.getArchive(probe,
                        ArchiveContainers.MOUNTS + "/" + volume))) {
                    in.getNextEntry(); // the volume's own folder
                    if (in.getNextEntry() != null) {
                        holding.add(volume);
                    }
                } catch (IOException e) {
                    throw new ToolException(ExitCode.FAILED, "cannot look into volume " + volume + ": "
                            + IoReason.of(e), e);
                }
            }
        } finally {
            helpers.remove(probe);
        }
        return holding;
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Carries out a {@link BackupStep}: stops the stack's running containers, has the volumes written into the backup
 * file, starts again the containers the run leaves as they are, and removes the stack's older automatic backups. A
 * backup that fails starts the stack again and fails the run before it changed anything else; the services' own
 * containers are started again by the run, each waited for as usual.
 */
final class BackupApplier {
    private final DockerEngine engine;
    private final Console console;
    /** The containers stopped for the backup, by ID, that nothing started again yet. */
    private final Set<String> stopped = new LinkedHashSet<>();
    private UpgradeBackups.Writer writer;

    BackupApplier(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** What writes the backups. */
    void writer(UpgradeBackups.Writer writer) {
        this.writer = writer;
    }

    /** Whether the container ran until the backup stopped it. */
    boolean stoppedForBackup(String id) {
        return stopped.contains(id);
    }

    /**
     * Makes the backup; {@code note} is told what an interruption leaves meanwhile (null once it is made).
     */
    void apply(String stack, BackupStep step, Consumer<String> note) {
        Path dir = step.target().toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            BackupFiles.removePartial(dir, stack).forEach(p -> console.info("removed " + p + ", what an"
                    + " interrupted backup before an upgrade left"));
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot make the backup before the upgrade in " + dir + ": "
                    + IoReason.of(e) + "; give --backup-dir DIR; nothing was changed", e);
        }
        note.accept("the stack's containers were stopped for the backup before the upgrade, which was not finished"
                + " (" + step.target().getFileName() + ".partial, if there, is removed by the next run); nothing else"
                + " was changed: run the same command again");
        String sha256;
        try {
            for (ContainerSummary c : step.stopping()) {
                engine.stopContainer(c.id(), null);
                stopped.add(c.id());
                console.info("stopped " + c.name() + " for the backup");
            }
            console.info("backing up volumes " + String.join(", ", step.names()) + " of stack " + stack + " into "
                    + step.target());
            sha256 = writer.write(stack, step.volumes(), step.target());
        } catch (ToolException | DockerException e) {
            String again = startAgain();
            throw new ToolException(ExitCode.FAILED, "the backup before the upgrade failed: " + e.getMessage()
                    + again + "; nothing else was changed (--no-backup skips the backup: not advised)", e);
        } finally {
            note.accept(null);
        }
        step.orphans().forEach(c -> start(c.id(), c.name()));
        rotate(dir, stack);
        console.info("backup of stack " + stack + " before the upgrade: " + step.target() + " (" + size(step.target())
                + "; 'mlreef-offline restore " + step.target() + "' puts it back into deleted volumes)");
        console.result("backup " + step.target() + " sha256 " + sha256);
    }

    /**
     * Starts again the containers stopped for the backup that do not run now (a run that failed after it); says how
     * that went ("; ..."), or "" when there were none.
     */
    String startAgain() {
        List<String> started = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String id : List.copyOf(stopped)) {
            ContainerInspect c = DockerEngine.orNull(() -> engine.inspectContainer(id));
            if (c == null || Boolean.TRUE.equals(c.state().running())) {
                stopped.remove(id);
                continue;
            }
            String name = c.name() == null ? id : c.name().replaceFirst("^/", "");
            try {
                start(id, name);
                started.add(name);
            } catch (DockerException e) {
                failed.add(name + " (" + e.getMessage() + ")");
            }
        }
        return (started.isEmpty() ? "" : "; started again, as before the backup: " + String.join(", ", started))
                + (failed.isEmpty() ? "" : "; stopped for the backup and not started again: " + String.join(", ",
                failed) + " ('mlreef-offline start' starts them)");
    }

    private void start(String id, String name) {
        engine.startContainer(id);
        stopped.remove(id);
        console.info("started " + name + " again after the backup");
    }

    private void rotate(Path dir, String stack) {
        try {
            BackupFiles.rotate(dir, stack, BackupFiles.KEPT).forEach(p -> console.info("removed " + p + ", an older"
                    + " backup before an upgrade (the last " + BackupFiles.KEPT + " are kept)"));
        } catch (IOException e) {
            console.warn("older backups before an upgrade in " + dir + " were not removed: " + IoReason.of(e));
        }
    }

    private static String size(Path file) {
        try {
            return Sizes.bytes(Files.size(file));
        } catch (IOException e) {
            return "size unknown";
        }
    }
}

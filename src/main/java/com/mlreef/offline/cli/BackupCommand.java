package com.mlreef.offline.cli;

import com.mlreef.offline.backup.VolumeBackup;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.run.UnfinishedRestore;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "backup", mixinStandardHelpOptions = true, description = "Save the stack's volumes (those 'run'"
        + " made for it) into one tar file, to put back with 'restore' here or on another host.", footer = {"",
            "The stack must be stopped, so that nothing writes while its volumes are read: --stop stops it for"
            + " the backup and starts it again after. The engine reads the volumes through a container that is"
            + " created and never started.",
            "The file's name gives its compression: .tar, .tar.gz or .tar.zst. It is written under a temporary"
            + " name and appears only when complete; an existing file is never written over.", "",
            "Examples:", "  mlreef-offline backup --stop",
            "  mlreef-offline backup -o /backups/mlreef.tar   # no compression", "",
            MlreefOffline.EXIT_CODES})
public final class BackupCommand extends BaseCommand {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    @Mixin
    StackOptions.Usual stack;

    @Mixin
    StopTime time;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The backup file (default:"
            + " STACK-volumes-DATE-TIME.tar.zst in the current folder, the time in UTC).")
    Path output;

    @Option(names = "--stop", description = "Stop the stack's running containers for the backup, and start them"
            + " again after it.")
    boolean stop;

    @Override
    protected int execute(Console console) throws Exception {
        if (output != null) {
            VolumeBackup.checkTarget(output); // before the engine is asked anything
        }
        StackControl control = stack.control(console);
        String name = stackOrVolumes(control);
        Path target = output != null ? output : Path.of(name + "-volumes-"
                + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + ".tar.zst");
        VolumeBackup.checkTarget(target);
        VolumeBackup backup = new VolumeBackup(stack.engine.engine(), console);
        // the services --stop stopped, until they run again: an interruption starts them again too
        AtomicReference<List<String>> stopped = new AtomicReference<>();
        VolumeBackup.Guard guard = new VolumeBackup.Guard();
        VolumeBackup.Summary summary = HostLock.hold(console, stack.engine, () -> "interrupted: "
                + (guard.abandon() ? "the backup was written: " + target : "no backup was written (" + target
                + AtomicFile.PARTIAL + ", if there, holds what was written so far: delete it)")
                + startAgain(control, name, stopped.getAndSet(null)),
                () -> backUp(console, control, backup, name, target, stopped, guard));
        console.info("backup of stack " + name + ": " + summary.volumes() + " volume"
                + (summary.volumes() == 1 ? "" : "s") + ", " + Sizes.bytes(summary.bytes()) + " written; its sha256"
                + " is in " + VolumeBackup.sumsOf(target) + " (restore checks it)");
        console.result(target + " sha256 " + summary.sha256());
        return ExitCode.OK;
    }

    /** Under the host's lock: the stack's volumes into {@code target}, with the stack stopped for it if --stop. */
    private VolumeBackup.Summary backUp(Console console, StackControl control, VolumeBackup backup, String name,
                                        Path target, AtomicReference<List<String>> stopped, VolumeBackup.Guard guard) {
        List<Volume> volumes = volumes(console, backup, name);
        Set<String> names = volumes.stream().map(Volume::name).collect(Collectors.toSet());
        List<String> running = runningServices(control, name);
        List<String> users = backup.usedBy(names);
        if (!users.isEmpty() && !stop) {
            throw new ToolException(ExitCode.FAILED, "running containers use the volumes ("
                    + String.join(", ", users) + "): a copy of volumes being written can be"
                    + " inconsistent; stop the stack first ('mlreef-offline stop'), or give --stop to"
                    + " stop it for the backup and start it again after");
        }
        if (!users.isEmpty()) {
            stopped.set(running);
            control.stop(name, List.of(), time.seconds());
        }
        try {
            List<String> others = backup.usedBy(names);
            if (!others.isEmpty()) {
                throw new ToolException(ExitCode.FAILED, "containers outside the stack use its"
                        + " volumes (" + String.join(", ", others) + "): stop them, then back up");
            }
            console.info("backing up " + volumes.size() + " volume" + (volumes.size() == 1 ? "" : "s")
                    + " of stack " + name + " (" + String.join(", ", names.stream().sorted().toList())
                    + ") into " + target);
            return backup.backup(name, volumes, target, new VersionProvider().getVersion()[0],
                    Runtime.getRuntime().availableProcessors(), guard);
        } finally {
            String started = startAgain(control, name, stopped.getAndSet(null));
            if (started.contains("could not")) {
                console.warn(started.substring(2)); // the backup's own outcome follows
            }
        }
    }

    /**
     * The stack's volumes, refused when there are none or an interrupted restore half wrote them; those its
     * containers use that run did not make are named, as they are not carried.
     */
    private List<Volume> volumes(Console console, VolumeBackup backup, String name) {
        List<Volume> volumes = backup.volumes(name);
        if (volumes.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "stack " + name + " has no volumes: nothing to"
                    + " back up");
        }
        Set<String> names = volumes.stream().map(Volume::name).collect(Collectors.toSet());
        String unfinished = UnfinishedRestore.among(stack.engine.engine(), names);
        if (unfinished != null) {
            throw new ToolException(ExitCode.FAILED, unfinished + ": its volumes are half written;"
                    + " run that restore again to finish it first");
        }
        List<String> left = backup.notCarried(name, names);
        if (!left.isEmpty()) {
            console.warn("not in the backup: volume" + (left.size() == 1 ? " " : "s ")
                    + String.join(", ", left) + ", which the stack's containers use but run did not"
                    + " make for it (made by hand or by the original installer; 'docker volume"
                    + " inspect' tells); copy " + (left.size() == 1 ? "it" : "them") + " on its own");
        }
        return volumes;
    }

    /**
     * Starts again the services --stop stopped (after the backup, or at an interruption), and says how that went
     * ("; ..."), or "" when there were none.
     */
    private static String startAgain(StackControl control, String stack, List<String> services) {
        if (services == null || services.isEmpty()) {
            return "";
        }
        try {
            control.start(stack, services);
            return "; the stack, stopped for the backup, was started again";
        } catch (RuntimeException e) {
            return "; the stack was stopped for the backup and could not be started again (" + e.getMessage()
                    + "): 'mlreef-offline start --stack " + stack + "' starts it";
        }
    }

    /** The services whose containers run now (paused or restarting too): those that --stop starts again. */
    private static List<String> runningServices(StackControl control, String stack) {
        return control.status(stack).containers().stream()
                .filter(c -> Set.of("running", "paused", "restarting").contains(c.state()))
                .map(StackControl.ContainerStatus::service).distinct().toList();
    }

    /**
     * The stack as the lifecycle commands find it; without a name, after 'down' (no containers), the only stack
     * whose volumes are here.
     */
    private String stackOrVolumes(StackControl control) {
        try {
            return stack.stack(control);
        } catch (ToolException e) {
            if (stack.given()) {
                throw e;
            }
            List<String> stacks = stack.engine.engine().listVolumes(List.of(StackLabels.STACK_LABEL)).stream()
                    .map(v -> v.labels().get(StackLabels.STACK_LABEL)).distinct().sorted().toList();
            if (stacks.size() != 1) {
                throw new ToolException(ExitCode.USAGE, stacks.isEmpty() ? e.getMessage() : "no stack has"
                        + " containers here, and the volumes of several are (" + String.join(", ", stacks)
                        + "); name one with --stack");
            }
            return stacks.get(0);
        }
    }
}

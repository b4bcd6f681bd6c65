package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.lifecycle.StackFolderRemoval;
import com.mlreef.offline.run.StackFolder;
import com.mlreef.offline.stackfile.ProjectDirRecord;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "down", mixinStandardHelpOptions = true, description = {
        "Remove the stack's containers and networks. Volumes and images are kept: 'run' brings the stack back with"
            + " its data.",
        "--volumes also deletes the stack's volumes and its containers' unnamed volumes ('- /PATH', an image's"
            + " VOLUME), with all their data, once you type the stack's name (or with --yes). Volumes the stack did"
            + " not make are kept.",
        "The stack folder, where run keeps the files the bundle carries (/var/lib/mlreef-offline/stacks/NAME, or"
            + " the --project-dir run was given, which run records on the containers and in"
            + " /var/lib/mlreef-offline/stacks/NAME.project-dir for the next run), is kept; --volumes asks before"
            + " it removes it too, with any edits made there (--yes: without asking; without a terminal and --yes it"
            + " is kept, and down says so), and forgets that record. A --project-dir that was there before run is"
            + " never removed.",
        "Without --volumes, unnamed volumes (a stack's anonymous volumes, '- /PATH', and an image's VOLUME) are"
            + " kept with their data, which the next run does not use: down names them and the command that deletes"
            + " them."},
        footer = {"", "Examples:", "  mlreef-offline down", "  mlreef-offline down --volumes      # asks first",
            "", MlreefOffline.EXIT_CODES})
public final class DownCommand extends BaseCommand {
    @Mixin
    StackOptions.Usual stack;

    @Mixin
    StopTime time;

    @Option(names = "--volumes", description = "Also delete the stack's volumes and all their data.")
    boolean volumes;

    @Option(names = "--yes", description = "With --volumes: do not ask.")
    boolean yes;

    @Option(names = "--project-dir", paramLabel = "DIR", description = "The stack folder (default: the one the last"
            + " run recorded on the containers, else in /var/lib/mlreef-offline/stacks/NAME.project-dir, else"
            + " /var/lib/mlreef-offline/stacks/NAME); only --volumes removes it, and only if run made it.")
    Path projectDir;

    @Override
    protected int execute(Console console) throws IOException {
        if (yes && !volumes) {
            throw new ToolException(ExitCode.USAGE, "--yes answers the question of --volumes, which was not given;"
                    + " down without --volumes asks nothing and keeps the volumes");
        }
        StackControl control = stack.control(console);
        String name;
        try {
            name = stack.stack(control);
        } catch (StackControl.NoSuchStack e) {
            console.info(e.getMessage() + ": nothing to remove"); // down twice is not an error
            return ExitCode.OK;
        }
        var names = volumes ? control.status(name).volumes().stream().map(StackControl.VolumeStatus::name).toList()
                : List.<String>of();
        if (!names.isEmpty() && !yes) {
            confirm(console, name, names);
        }
        Path folder = folder(control, name, console);
        boolean removeFolder = volumes && Files.isDirectory(folder) && removable(console, folder, name)
                && (yes || confirmFolder(console, folder));
        boolean deleteVolumes = volumes;
        HostLock.changing(console, stack.engine, "removed", () -> {
            control.down(name, deleteVolumes, time.seconds());
            if (removeFolder) {
                StackFolderRemoval.remove(folder);
                console.info("removed the stack folder " + folder);
            } else if (!volumes && Files.isDirectory(folder)) {
                // the containers that recorded it are gone: the record beside the stack folders keeps it
                console.info("kept the stack folder " + folder + " with the stack's files (" + (folder.equals(
                        ProjectFolder.STACKS.resolve(name)) ? "" : "the next run uses it again, as recorded in "
                        + ProjectDirRecord.standard().file(name) + ";") + " 'down --volumes' asks before it removes"
                        + " it)");
            }
            if (volumes) {
                ProjectDirRecord.standard().forget(name); // the stack is gone: the next run starts afresh
            }
            return null;
        });
        return ExitCode.OK;
    }

    /**
     * --project-dir, else the stack folder the last run recorded on the containers, else the one an earlier run's
     * --project-dir left in its record, else the default one.
     */
    private Path folder(StackControl control, String name, Console console) {
        if (projectDir != null) {
            return projectDir.toAbsolutePath().normalize();
        }
        Path recorded = control.recorded(name).folder();
        if (recorded != null) {
            return recorded;
        }
        Path remembered = ProjectDirRecord.standard().read(name, console::warn);
        return remembered != null ? remembered : ProjectFolder.STACKS.resolve(name);
    }

    /** Whether the folder may go: the default one, or one run made; a folder that was there before run stays. */
    private static boolean removable(Console console, Path folder, String name) {
        if (StackFolder.removable(folder, name)) {
            return true;
        }
        console.info("kept the stack folder " + folder + ": it was there before run put the stack's files in it"
                + " (remove what you no longer need yourself)");
        return false;
    }

    /** Asks on a terminal before the stack folder goes; without one it is kept, and said so. */
    private static boolean confirmFolder(Console console, Path folder) {
        if (System.console() == null) {
            console.info("kept the stack folder " + folder + " (no terminal to ask; --yes removes it)");
            return false;
        }
        console.err().print("Also remove the stack folder " + folder + " with its files, edits made there too?"
                + " [y/N] ");
        console.err().flush();
        String answer = System.console().readLine();
        boolean agreed = answer != null && answer.strip().equalsIgnoreCase("y");
        if (!agreed) {
            console.info("kept the stack folder " + folder);
        }
        return agreed;
    }

    /** Asks for the stack's name before its volumes are deleted; anything else removes nothing. */
    private static void confirm(Console console, String name, List<String> names) throws IOException {
        console.err().print("This deletes the volume" + (names.size() == 1 ? " " : "s ")
                + String.join(", ", names) + " with all " + (names.size() == 1 ? "its" : "their")
                + " data. Type the stack's name (" + name
                + ") to confirm: ");
        console.err().flush();
        String answer;
        try (OnInterrupt interrupted = new OnInterrupt(console, () -> "interrupted: nothing was removed")) {
            answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (answer == null && OnInterrupt.shuttingDown()) {
            // the signal's shutdown ended the read, and may end the process before the hook says so
            throw new ToolException(ExitCode.INTERRUPTED, "interrupted: nothing was removed");
        }
        if (answer == null) {
            console.err().println();
            throw new ToolException(ExitCode.FAILED, "not confirmed (no answer on standard input; --yes "
                    + "deletes without asking): nothing was removed");
        }
        if (!answer.strip().equals(name)) {
            if (System.console() == null) {
                console.err().println(); // the answer was not echoed: the error starts its own line
            }
            throw new ToolException(ExitCode.FAILED, "not confirmed: nothing was removed");
        }
    }
}

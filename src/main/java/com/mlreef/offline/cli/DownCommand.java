package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "down", mixinStandardHelpOptions = true, description = {
        "Remove the stack's containers and networks. Volumes and images are kept: 'run' brings the stack back with"
            + " its data.",
        "--volumes also deletes the stack's volumes and its containers' unnamed volumes (an image's VOLUME), with"
            + " all their data, once you type the stack's name (or with --yes). Volumes the stack did not make are"
            + " kept."},
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
        boolean deleteVolumes = volumes;
        HostLock.changing(console, stack.engine, "removed", () -> {
            control.down(name, deleteVolumes, time.seconds());
            return null;
        });
        return ExitCode.OK;
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

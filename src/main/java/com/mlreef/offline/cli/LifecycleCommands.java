package com.mlreef.offline.cli;

import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.stack.StackControl;
import com.mlreef.offline.stack.StackFile;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.Table;
import com.mlreef.offline.ui.ToolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands for a running stack, found by the label run puts on its containers, networks and volumes. */
public final class LifecycleCommands {
    private LifecycleCommands() {
    }

    /** Which stack: --stack, -f's or -d's stack, else the only one on the engine. */
    abstract static class OnStack extends BaseCommand {
        @Mixin
        EngineOptions engine;

        @Option(names = "--stack", paramLabel = "NAME", description = "The stack (default: the only one that runs here).")
        String stack;

        // not -f: logs -f is --follow, as in docker
        @Option(names = "--file", paramLabel = "STACK", description = "The stack of this stack file.")
        Path file;

        @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "The stack of this bundle folder.")
        Path dir;

        StackControl control() {
            return new StackControl(engine.engine(), output.console());
        }

        /** The stack's name: as given, else found by the label run puts on containers. */
        String stack(StackControl control) {
            if (stack != null) {
                return stack;
            }
            if (file != null) {
                return StackFile.load(file, System.getenv(), s -> { }).spec().name();
            }
            if (dir != null) {
                return StackControl.stackOf(dir);
            }
            return control.resolve(null);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {
            "Show the stack's containers (state, health, uptime, image, ports, the bundle they came from) and volumes."},
            footer = {"", "Examples:", "  mlreef-offline status", "  mlreef-offline status --json | jq '.containers[].state'"})
    public static final class Status extends OnStack {
        @Option(names = "--json", description = "Print the status as JSON on stdout.")
        boolean json;

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            StackControl.Status status = control.status(stack(control));
            if (json) {
                console.result(JsonOutput.of(status));
                return ExitCode.OK;
            }
            Table containers = new Table("SERVICE", "CONTAINER", "STATE", "HEALTH", "STATUS", "IMAGE", "PORTS",
                    "BUNDLE");
            status.containers().forEach(c -> containers.row(c.service(), c.container(), c.state(), c.health(),
                    c.status(), c.image(), String.join(" ", c.ports()), c.bundle() == null ? "" : c.bundle()));
            console.out().print(containers.render());
            if (!status.volumes().isEmpty()) {
                Table volumes = new Table("VOLUME", "SIZE", "MOUNTPOINT");
                status.volumes().forEach(v -> volumes.row(v.name(), v.size() < 0 ? "?" : Sizes.bytes(v.size()),
                        v.mountpoint()));
                console.out().println();
                console.out().print(volumes.render());
            }
            console.out().flush();
            long running = status.containers().stream().filter(c -> c.state().equals("running")).count();
            console.info("stack " + status.stack() + ": " + running + " of " + status.containers().size()
                    + " containers running");
            return ExitCode.OK;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a service's logs (all services'"
            + " without SERVICE).", footer = {"", "Examples:", "  mlreef-offline logs mlreef --tail 100",
                "  mlreef-offline logs -f mlreef"})
    public static final class Logs extends OnStack {
        @Parameters(arity = "0..1", paramLabel = "SERVICE", description = "The service (default: all).")
        String service;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
        boolean follow;

        @Option(names = "--tail", paramLabel = "N", defaultValue = "-1", description = "Only the last N lines.")
        int tail;

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            control.logs(stack(control), service, new LogOptions(follow, tail, 0, false),
                    StackControl.consoleSink(console));
            return ExitCode.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the stack's containers (they keep"
            + " their data; 'start' starts them again).")
    public static final class Stop extends OnStack {
        @Override
        protected int execute(Console console) {
            StackControl control = control();
            control.stop(stack(control));
            return ExitCode.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the stack's stopped containers.")
    public static final class Start extends OnStack {
        @Override
        protected int execute(Console console) {
            StackControl control = control();
            control.start(stack(control));
            return ExitCode.OK;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart the stack's containers.")
    public static final class Restart extends OnStack {
        @Override
        protected int execute(Console console) {
            StackControl control = control();
            control.restart(stack(control));
            return ExitCode.OK;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = {
            "Remove the stack's containers and networks. Volumes and images are kept: 'run' brings the stack back with"
                + " its data.",
            "--volumes also deletes the stack's volumes, with all their data, once you type the stack's name (or with"
                + " --yes)."},
            footer = {"", "Examples:", "  mlreef-offline down", "  mlreef-offline down --volumes      # asks first"})
    public static final class Down extends OnStack {
        @Option(names = "--volumes", description = "Also delete the stack's volumes and all their data.")
        boolean volumes;

        @Option(names = "--yes", description = "With --volumes: do not ask.")
        boolean yes;

        @Override
        protected int execute(Console console) throws IOException {
            StackControl control = control();
            String name = stack(control);
            if (volumes && !yes) {
                var names = control.status(name).volumes().stream().map(StackControl.VolumeStatus::name).toList();
                console.err().print("This deletes the volumes " + String.join(", ", names) + " with all their data."
                        + " Type the stack's name (" + name + ") to confirm: ");
                console.err().flush();
                String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (answer == null || !answer.strip().equals(name)) {
                    throw new ToolException(ExitCode.FAILED, "not confirmed: nothing was removed");
                }
            }
            control.down(name, volumes);
            return ExitCode.OK;
        }
    }
}

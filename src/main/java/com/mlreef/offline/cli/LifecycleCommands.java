package com.mlreef.offline.cli;

import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.lifecycle.StackFinder;
import com.mlreef.offline.run.RunLock;
import com.mlreef.offline.stackfile.StackFile;
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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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

        @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "The stack of this bundle folder.")
        Path dir;

        /** The stack file given: -f or --file, except for logs, whose -f is --follow as in docker. */
        abstract Path file();

        StackControl control() {
            return new StackControl(engine.engine(), output.console());
        }

        /** The stack's name: as given (it must exist), else found by the label run puts on containers. */
        String stack(StackControl control) {
            Path file = file();
            if ((stack != null ? 1 : 0) + (file != null ? 1 : 0) + (dir != null ? 1 : 0) > 1) {
                throw new ToolException(ExitCode.USAGE, "name the stack once: --stack, --file or -d");
            }
            if (stack != null && stack.isBlank()) {
                throw new ToolException(ExitCode.USAGE, "--stack: an empty name (is a variable unset?)");
            }
            if (file != null) {
                return control.resolve(StackFile.load(file, System.getenv(), s -> { }).spec().name());
            }
            if (dir != null) {
                return control.resolve(StackFinder.stackOf(dir));
            }
            return control.resolve(stack);
        }
    }

    /**
     * Makes a change under the host's lock, which a run (or another such command) holds while it changes the stacks on
     * this host; an interruption says {@code interruption}, or that nothing was changed while waiting for the lock.
     */
    static <T> T underHostLock(Console console, EngineOptions engine, Supplier<String> interruption,
                               Supplier<T> change) {
        try (OnInterrupt interrupted = OnInterrupt.underLock(console, interruption);
             RunLock lock = RunLock.acquire(RunLock.defaultPath(), console, engine.socket())) {
            interrupted.changing();
            return change.get();
        }
    }

    /** Refuses an empty SERVICE argument before the lock is waited for. */
    static void named(List<String> services) {
        if (services.stream().anyMatch(String::isBlank)) {
            throw new ToolException(ExitCode.USAGE, "SERVICE: an empty name (is a variable unset?)");
        }
    }

    /** A command that takes -f for the stack file, as run, export and doctor do. */
    abstract static class OnStackFile extends OnStack {
        @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "The stack of this stack file.")
        Path file;

        @Override
        Path file() {
            return file;
        }
    }

    /**
     * A command that changes containers: it waits for a run (or another such command) that is changing the stacks on
     * this host, so that neither undoes half of what the other does.
     */
    abstract static class ChangingStack extends OnStackFile {
        /**
         * Makes a change under the host's lock; an interruption says whether it changed anything.
         *
         * @param done what the change does to the containers, as in "partly {@code done}": stopped, removed
         */
        <T> T locked(Console console, String done, Supplier<T> change) {
            return underHostLock(console, engine, () -> "interrupted: the stack's containers may be partly " + done
                    + " ('mlreef-offline status' shows them); run the same command again to finish", change);
        }

        /** Fails when the stack has no containers (after down): there is nothing to start. */
        static void needsContainers(int containers, String stack) {
            if (containers == 0) {
                throw new ToolException(ExitCode.FAILED, "stack " + stack + " has no containers (after down); 'run'"
                        + " creates them again");
            }
        }

        /** With -f or -d, which tell the services there should be: names those left without a container. */
        void warnMissing(Console console, StackControl control, String stack, List<String> services) {
            if (file == null && dir == null || !services.isEmpty()) {
                return; // a service named without a container is an error already
            }
            StackControl.missing(control.status(stack), StackFinder.specOf(file, dir)).forEach(m -> console.warn(
                    "service " + m.service() + " has no container (" + m.container() + " was removed?); 'run' creates"
                    + " it"));
        }
    }

    /** A command that stops containers: they stop at the same time, each given {@code -t} seconds. */
    abstract static class StoppingStack extends ChangingStack {
        @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds each container has to stop"
                + " (after SIGTERM) before it is killed; the containers stop at the same time, in waves by"
                + " depends_on (default: the"
                + " service's stop_grace_period, else " + StackControl.STOP_SECONDS + ").")
        Integer time;

        Integer seconds() {
            if (time != null && (time < 0 || time > 3600)) {
                throw new ToolException(ExitCode.USAGE, "-t/--time: " + time + " is not a number of seconds from 0 to"
                        + " 3600");
            }
            return time;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = {
            "Show the stack's containers (state, health, uptime, image, ports, the bundle they came from) and volumes."},
            footer = {"", "Exit codes: 0 every container runs (and is healthy, where it has a healthcheck; a one-shot"
                + " service that run saw complete counts as done), 1 one is stopped, unhealthy or missing, an"
                + " interrupted run left something unfinished (a replacement, after-ready commands), or the"
                + " stack has no containers, 2 bad usage, 3 no Docker Engine reachable. --json has the same as"
                + " \"ok\".",
                "", "Examples:", "  mlreef-offline status",
                "  mlreef-offline status >/dev/null || echo 'not all up'",
                "  mlreef-offline status --json | jq '.containers[].state'"})
    public static final class Status extends OnStackFile {
        @Option(names = "--json", description = "Print the status as JSON on stdout.")
        boolean json;

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            StackControl.Status status = control.status(stack(control));
            if ((file != null || dir != null) && !status.containers().isEmpty()) {
                // the stack file or bundle tells which services there should be: a container removed by hand shows
                List<StackControl.ContainerStatus> rows = new ArrayList<>(status.containers());
                rows.addAll(StackControl.missing(status, StackFinder.specOf(file, dir)));
                status = new StackControl.Status(status.stack(), rows, status.volumes());
            }
            int exit = status.ok() ? ExitCode.OK : ExitCode.FAILED;
            if (json) {
                console.result(JsonOutput.of(status));
                return exit;
            }
            Table containers = new Table("SERVICE", "CONTAINER", "STATE", "HEALTH", "STATUS", "IMAGE", "PORTS",
                    "BUNDLE");
            status.containers().forEach(c -> containers.row(c.service(), c.container(), c.state(), c.health(),
                    c.status(), c.image(), String.join(" ", c.ports()), c.bundle() == null ? "" : c.bundle()));
            if (!status.containers().isEmpty()) {
                console.out().print(containers.render());
            }
            if (!status.volumes().isEmpty()) {
                Table volumes = new Table("VOLUME", "SIZE", "MOUNTPOINT");
                status.volumes().forEach(v -> volumes.row(v.name(), v.size() < 0 ? "?" : Sizes.bytes(v.size()),
                        v.mountpoint()));
                if (!status.containers().isEmpty()) {
                    console.out().println();
                }
                console.out().print(volumes.render());
            }
            console.out().flush();
            long running = status.containers().stream().filter(c -> c.state().equals("running")).count();
            long missing = status.containers().stream().filter(c -> c.state().equals("missing")).count();
            long parked = status.containers().stream().filter(StackControl.ContainerStatus::parked).count();
            long unfinished = status.containers().stream().filter(c -> c.unfinished() != null).count();
            long done = status.containers().stream().filter(StackControl.ContainerStatus::done).count();
            long unhealthy = status.containers().stream().filter(c -> !c.parked() && "unhealthy".equals(c.health()))
                    .count();
            console.info("stack " + status.stack() + ": " + (status.containers().isEmpty()
                    ? "no containers (after down; 'run' brings them back)"
                    : running + " of " + (status.containers().size() - parked - done) + " containers running"
                    + (unhealthy == 0 ? "" : ", " + unhealthy + " of them unhealthy")
                    + (done == 0 ? "" : "; " + done + " one-shot " + (done == 1 ? "service" : "services") + " done")
                    + (missing == 0 ? "" : "; " + missing + " missing ('run' creates " + (missing == 1 ? "it" : "them")
                    + ")") + (parked == 0 ? "" : "; " + parked + " kept as the predecessor of a replacement that"
                    + " 'run' has to finish") + (unfinished == 0 ? "" : "; " + unfinished + " left unfinished by an"
                    + " interrupted run: run it again")));
            return exit;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a service's logs (all services'"
            + " without SERVICE, one after another, each line starting with its service as in Compose).", footer = {"",
                "Examples:", "  mlreef-offline logs mlreef --tail 100", "  mlreef-offline logs -f mlreef",
                "  mlreef-offline logs -f --tail 0          # every service's new lines",
                "  mlreef-offline logs --since 30m -t mlreef",
                "", MlreefOffline.EXIT_CODES + " 141: its reader went away (logs -f | head)."})
    public static final class Logs extends OnStack {
        /** The exit code of a command whose output pipe was closed, as a shell gives one killed by SIGPIPE. */
        static final int OUTPUT_CLOSED = 141;

        /** Standard output cannot be written any more. */
        static final class OutputClosed extends RuntimeException {
            OutputClosed() {
                super("standard output is closed", null, false, false);
            }
        }

        @Option(names = "--file", paramLabel = "STACK", description = "The stack of this stack file.")
        Path file;

        @Override
        Path file() {
            return file;
        }

        @Parameters(arity = "0..1", paramLabel = "SERVICE", description = "The service (default: all).")
        String service;

        @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C (of all services"
                + " at once, line by line as they come, without SERVICE).")
        boolean follow;

        @Option(names = "--since", paramLabel = "WHEN", description = "Only lines since a time ago (10m, 2h, 1h30m),"
                + " a moment (2026-11-29T10:00:00Z; without an offset, local time; 2026-11-29: its midnight) or a unix"
                + " time.")
        String since;

        @Option(names = {"-t", "--timestamps"}, description = "Start each line with the time the engine received it.")
        boolean timestamps;

        @Option(names = "--tail", paramLabel = "N", defaultValue = "all", description = "Only the last N lines "
                + "(default: all).")
        String tail;

        @Override
        protected int execute(Console console) {
            int lines = -1;
            if (!tail.equals("all")) {
                if (!tail.matches("[0-9]{1,9}")) {
                    throw new ToolException(ExitCode.USAGE, "--tail: '" + tail + "' is not a number of lines (or all)");
                }
                lines = Integer.parseInt(tail);
            }
            if (service != null) {
                named(List.of(service));
            }
            StackControl control = control();
            long from = since == null ? 0 : since(since, java.time.Instant.now(), java.time.ZoneId.systemDefault());
            OutputSink sink = OutputSink.to(console.out(), console.err());
            // a signal ends the process only once this command returns: the read it waits in is interrupted
            Thread reading = Thread.currentThread();
            java.util.concurrent.atomic.AtomicBoolean ending = new java.util.concurrent.atomic.AtomicBoolean();
            try (OnInterrupt interrupted = new OnInterrupt(console, () -> {
                ending.set(true);
                reading.interrupt();
                return null;
            })) {
                control.logs(stack(control), service, new LogOptions(follow, lines, from, timestamps),
                        (stream, bytes, offset, length) -> {
                            sink.write(stream, bytes, offset, length);
                            if (stream == OutputSink.Stream.STDOUT && console.out().checkError()) {
                                throw new OutputClosed();
                            }
                        });
            } catch (OutputClosed e) {
                // the reader went away (logs -f | head): done, as docker logs is, without a word
                return OUTPUT_CLOSED;
            } catch (RuntimeException e) {
                if (ending.get()) {
                    Thread.interrupted(); // done with it: Quarkus' own stop must not see it
                    return ExitCode.INTERRUPTED; // the signal's own exit code is the process's
                }
                throw e;
            }
            return ExitCode.OK;
        }
    }

    /**
     * The unix time in seconds of --since, as docker logs reads it: a duration before {@code now}, a unix time, or a
     * moment (without an offset, in {@code zone}; a date alone: its midnight).
     */
    static long since(String text, java.time.Instant now, java.time.ZoneId zone) {
        if (text.matches("[0-9]{1,18}(\\.[0-9]{1,9})?")) { // a bare number is a unix time, as for docker logs
            return Long.parseLong(text.replaceFirst("\\..*", ""));
        }
        java.time.Duration ago = com.mlreef.offline.stackfile.StackFile.parseDuration(text);
        if (ago != null) {
            return Math.max(1, now.minus(ago).getEpochSecond());
        }
        for (java.util.function.Function<String, Long> form : List.<java.util.function.Function<String, Long>>of(
                t -> java.time.OffsetDateTime.parse(t).toEpochSecond(),
                t -> java.time.LocalDateTime.parse(t).atZone(zone).toEpochSecond(),
                t -> java.time.LocalDate.parse(t).atStartOfDay(zone).toEpochSecond())) {
            try {
                return form.apply(text);
            } catch (java.time.format.DateTimeParseException e) {
                // the next form
            }
        }
        throw new ToolException(ExitCode.USAGE, "--since: '" + text + "' is neither a time ago (10m, 2h, 1h30m), nor"
                + " a moment (2026-11-29T10:00:00Z, 2026-11-29T10:00:00, 2026-11-29), nor a unix time");
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the stack's containers (they keep"
            + " their data; 'start' starts them again).", footer = {"", "Examples:", "  mlreef-offline stop",
                "  mlreef-offline stop -t 60 mlreef      # one service, a minute to stop",
                "  mlreef-offline stop --stack demo", "", MlreefOffline.EXIT_CODES})
    public static final class Stop extends StoppingStack {
        @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Only these services (default: all).")
        List<String> services = new ArrayList<>();

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            named(services);
            String name = stack(control);
            if (locked(console, "stopped", () -> control.stop(name, services, seconds())) == 0) {
                console.info("stack " + name + " has no containers (after down): nothing to stop");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the stack's stopped containers.",
            footer = {"", "Examples:", "  mlreef-offline start", "  mlreef-offline start mlreef",
                "  mlreef-offline start -d mlreef-images-tar   # names those with no container", "",
                MlreefOffline.EXIT_CODES})
    public static final class Start extends ChangingStack {
        @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Only these services (default: all).")
        List<String> services = new ArrayList<>();

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            named(services);
            String name = stack(control);
            needsContainers(locked(console, "started", () -> control.start(name, services)), name);
            warnMissing(console, control, name, services);
            return ExitCode.OK;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart the stack's containers.",
            footer = {"", "Examples:", "  mlreef-offline restart", "  mlreef-offline restart -t 30 mlreef", "",
                MlreefOffline.EXIT_CODES})
    public static final class Restart extends StoppingStack {
        @Parameters(paramLabel = "SERVICE", arity = "0..*", description = "Only these services (default: all).")
        List<String> services = new ArrayList<>();

        @Override
        protected int execute(Console console) {
            StackControl control = control();
            named(services);
            String name = stack(control);
            needsContainers(locked(console, "restarted", () -> control.restart(name, services, seconds())), name);
            warnMissing(console, control, name, services);
            return ExitCode.OK;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = {
            "Remove the stack's containers and networks. Volumes and images are kept: 'run' brings the stack back with"
                + " its data.",
            "--volumes also deletes the stack's volumes and its containers' unnamed volumes (an image's VOLUME), with"
                + " all their data, once you type the stack's name (or with --yes). Volumes the stack did not make are"
                + " kept."},
            footer = {"", "Examples:", "  mlreef-offline down", "  mlreef-offline down --volumes      # asks first",
                "", MlreefOffline.EXIT_CODES})
    public static final class Down extends StoppingStack {
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
            StackControl control = control();
            String name;
            try {
                name = stack(control);
            } catch (StackControl.NoSuchStack e) {
                console.info(e.getMessage() + ": nothing to remove"); // down twice is not an error
                return ExitCode.OK;
            }
            var names = volumes ? control.status(name).volumes().stream().map(StackControl.VolumeStatus::name).toList()
                    : List.<String>of();
            if (!names.isEmpty() && !yes) {
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
            boolean deleteVolumes = volumes;
            locked(console, "removed", () -> {
                control.down(name, deleteVolumes, seconds());
                return null;
            });
            return ExitCode.OK;
        }
    }
}

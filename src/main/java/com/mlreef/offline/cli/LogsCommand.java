package com.mlreef.offline.cli;

import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true, description = "Show a service's logs (all services'"
        + " without SERVICE, one after another, each line starting with its service as in Compose).", footer = {"",
            "Examples:", "  mlreef-offline logs mlreef --tail 100", "  mlreef-offline logs -f mlreef",
            "  mlreef-offline logs -f --tail 0          # every service's new lines",
            "  mlreef-offline logs --since 30m -t mlreef",
            "", MlreefOffline.EXIT_CODES + " 141: its reader went away (logs -f | head)."})
public final class LogsCommand extends BaseCommand {
    /** The exit code of a command whose output pipe was closed, as a shell gives one killed by SIGPIPE. */
    static final int OUTPUT_CLOSED = 141;

    /** Standard output cannot be written any more. */
    static final class OutputClosed extends RuntimeException {
        OutputClosed() {
            super("standard output is closed", null, false, false);
        }
    }

    @Mixin
    StackOptions.ForLogs stack;

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
            StackServices.check(List.of(service));
        }
        StackControl control = stack.control(console);
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
            control.logs(stack.stack(control), service, new LogOptions(follow, lines, from, timestamps),
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
}

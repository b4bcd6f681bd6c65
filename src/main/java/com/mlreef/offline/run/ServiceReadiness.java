package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ExecInspect;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Waits until a service's {@code x-offline.ready} rule holds: a line in its log, a healthy healthcheck, or an HTTP
 * answer. Fails when the container stops or the time runs out, printing its last log lines.
 */
final class ServiceReadiness {
    static final int LAST_LINES = 30;
    private static final long POLL_MILLIS = 500;
    private static final long REPORT_NANOS = 10_000_000_000L;

    private final DockerEngine engine;
    private final Console console;

    ServiceReadiness(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** Waits until the service is ready (see {@link #ready}) and says so. */
    void await(String container, StackSpec.Service service, Duration timeout, long since) {
        console.info(service.name() + " is ready: " + ready(container, service, timeout, since));
    }

    /**
     * Waits until the service's rule holds, and tells how it was seen ("its log says ..."). A restart policy keeps a
     * failing container restarting: the waiting lines and the failure say how often it exited, and with what.
     *
     * @param since the container's start (unix seconds): log lines before it do not count; 0 for its last start
     */
    String ready(String container, StackSpec.Service service, Duration timeout, long since) {
        Waiting waiting = new Waiting(container, service, timeout, since);
        while (true) {
            ContainerInspect inspect = engine.inspectContainer(container);
            String seen = waiting.seen(inspect);
            if (seen != null) {
                return seen;
            }
            waiting.goOn(inspect);
        }
    }

    /** One wait for a service's rule: what has been seen of the container so far. */
    private final class Waiting {
        private final String container;
        private final StackSpec.Service service;
        private final StackSpec.ReadyRule rule;
        private final Duration timeout;
        private final long start = System.nanoTime();
        private final long deadline;
        private long lastReport = start;
        private long since;
        private long logSince;
        private Integer firstRestarts;
        private String unhealthy = "";
        private Integer lastExit; // the engine resets the exit code when it restarts the container: kept when seen

        Waiting(String container, StackSpec.Service service, Duration timeout, long since) {
            this.container = container;
            this.service = service;
            this.rule = service.ready();
            this.timeout = timeout;
            this.deadline = start + timeout.toNanos();
            this.since = since;
            this.logSince = since;
        }

        /** How the service was seen ready, or null: not yet. Fails when it stopped without completing. */
        String seen(ContainerInspect inspect) {
            if (Boolean.TRUE.equals(inspect.state().restarting())) {
                lastExit = inspect.state().exitCode();
            }
            if (!Boolean.TRUE.equals(inspect.state().running()) && !Boolean.TRUE.equals(inspect.state().restarting())) {
                String completed = completed(container, service, inspect, logSince > 0 ? logSince : startedAt(inspect));
                if (completed != null) {
                    return completed;
                }
                throw failure(container, service.name() + " stopped (exit code " + inspect.state().exitCode()
                        + ") before it was ready");
            }
            if (firstRestarts == null) {
                firstRestarts = inspect.restartCount() == null ? 0 : inspect.restartCount();
                if (logSince <= 0) {
                    logSince = startedAt(inspect);
                    since = logSince;
                }
            }
            if (rule == null || rule.running()) {
                return "running";
            }
            return ruleHolds(inspect);
        }

        private String ruleHolds(ContainerInspect inspect) {
            if (rule.log() != null) {
                long now = System.currentTimeMillis() / 1000;
                if (logContains(container, logSince, rule.log())) {
                    return "its log says '" + rule.log() + "'";
                }
                logSince = Math.max(since, now - 1);
            } else if (rule.healthcheck()) {
                ContainerInspect.Health health = inspect.state().health();
                if (health == null) {
                    throw failure(container, service.name() + " has no healthcheck to wait for: neither the service"
                            + " nor its image " + service.image() + " defines one");
                }
                if ("healthy".equals(health.status())) {
                    return "its healthcheck passes";
                }
                if ("unhealthy".equals(health.status())) {
                    String probe = health.lastProbe();
                    if (rule.byDependency()) { // Compose's service_healthy fails here too
                        throw failure(container, service.name() + " is unhealthy" + probe + "; a service depends on"
                                + " it as " + StackSpec.HEALTHY);
                    }
                    unhealthy = "; its healthcheck says unhealthy" + probe;
                }
            } else if (rule.http() != null && answers(rule.http())) {
                return rule.http() + " answers";
            }
            return null;
        }

        /** Fails when the time is up, says how long it has waited every 10 s, and waits for the next look. */
        void goOn(ContainerInspect inspect) {
            int restarts = (inspect.restartCount() == null ? 0 : inspect.restartCount()) - firstRestarts;
            String restarting = restarts > 0 || Boolean.TRUE.equals(inspect.state().restarting())
                    ? "; it exited " + (restarts <= 1 ? "once" : restarts + " times") + " meanwhile"
                    + (lastExit == null ? "" : " (last exit code " + lastExit + ")") + " and its restart policy"
                    + " restarts it" : "";
            long now = System.nanoTime();
            if (now >= deadline) {
                throw failure(container, service.name() + " did not become ready within " + format(timeout) + " ("
                        + describe(rule) + ")" + restarting + unhealthy);
            }
            if (now - lastReport >= REPORT_NANOS) {
                lastReport = now;
                console.info("  waiting for " + service.name() + " (" + describe(rule) + "): "
                        + Sizes.seconds(now - start).replace(".00 s", " s") + " of " + format(timeout) + restarting
                        + unhealthy);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolException(ExitCode.INTERRUPTED, "interrupted while waiting for " + service.name());
            }
        }
    }

    /**
     * How a one-shot service that exited 0, which its restart policy does not restart, counts as ready: it ran to
     * completion and its ready rule, if any, is a log line it printed. Null when the exit is a failure.
     */
    private String completed(String container, StackSpec.Service service, ContainerInspect inspect, long since) {
        StackSpec.ReadyRule rule = service.ready();
        if (restartedByPolicy(service) || !Integer.valueOf(0).equals(inspect.state().exitCode()) || rule != null && !rule.exited()
                && !rule.running() && (rule.log() == null || !logContains(container, since, rule.log()))) {
            return null;
        }
        if (!service.afterReady().isEmpty()) {
            throw failure(container, service.name() + " ran to completion (exit code 0), but its after-ready commands"
                    + " run in the container and need it running");
        }
        markCompletion(container);
        return (rule == null || rule.log() == null ? "" : "its log says '" + rule.log() + "'; ")
                + "it ran to completion (exit code 0)";
    }

    /**
     * Marks a one-shot service's container that has exited with 0 since run saw it ready (its log line came before its
     * end) as run would have, had it seen the exit: status counts it done, not stopped.
     */
    void markCompleted(String container, StackSpec.Service service) {
        if (restartedByPolicy(service) || !service.afterReady().isEmpty()) {
            return;
        }
        ContainerInspect inspect = DockerEngine.orNull(() -> engine.inspectContainer(container));
        if (inspect != null && "exited".equals(inspect.state().status())
                && Integer.valueOf(0).equals(inspect.state().exitCode())
                && !engine.hasPath(inspect.id(), "/" + StackLabels.COMPLETED_MARK)) {
            markCompletion(inspect.id());
        }
    }

    /** Whether the service's restart policy starts it again whenever it exits: then no exit is a completion. */
    private static boolean restartedByPolicy(StackSpec.Service service) {
        return "always".equals(service.restart()) || "unless-stopped".equals(service.restart());
    }

    /** For status: this exit was a completion, not a stop (a read-only container keeps no mark). */
    private void markCompletion(String container) {
        try {
            mark(container, StackLabels.COMPLETED_MARK, "ran to completion\n");
        } catch (DockerException e) {
            // status then judges by its restart policy alone
        }
    }

    /** The container's last start (unix seconds), or 0 (its whole log) when the engine does not say. */
    private static long startedAt(ContainerInspect inspect) {
        try {
            return Instant.parse(inspect.state().startedAt()).getEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Whether the container's log since {@code since} holds {@code text}; streamed, nothing but a line's end kept. */
    private boolean logContains(String container, long since, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        Map<OutputSink.Stream, byte[]> carried = new EnumMap<>(OutputSink.Stream.class);
        boolean[] found = {false};
        engine.logs(container, new LogOptions(false, -1, since, false), (stream, bytes, off, len) -> {
            if (found[0]) {
                return;
            }
            byte[] carry = carried.getOrDefault(stream, new byte[0]);
            byte[] window = new byte[carry.length + len];
            System.arraycopy(carry, 0, window, 0, carry.length);
            System.arraycopy(bytes, off, window, carry.length, len);
            found[0] = indexOf(window, needle) >= 0;
            int keep = Math.min(window.length, needle.length - 1);
            carried.put(stream, Arrays.copyOfRange(window, window.length - keep, window.length));
        });
        return found[0];
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String describe(StackSpec.ReadyRule rule) {
        if (rule == null || rule.running()) {
            return "running";
        }
        if (rule.log() != null) {
            return "log line '" + rule.log() + "'";
        }
        return rule.healthcheck() ? "healthcheck" : rule.exited() ? "its exit with code 0" : "answer from " + rule.http();
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 && s >= 60 ? (s / 60) + "m" : s + "s";
    }

    private String logs(String container, LogOptions options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputSink sink = (stream, bytes, off, len) -> out.write(bytes, off, len);
        engine.logs(container, options, sink);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean answers(String url) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() < 500;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Prints the container's last log lines to stderr and makes the error. */
    ToolException failure(String container, String message) {
        String logs = "; its last log lines are above";
        try {
            String name = engine.inspectContainer(container).name();
            String tail = logs(container, LogOptions.tail(LAST_LINES));
            console.err().println("--- last " + LAST_LINES + " log lines of " + (name == null ? container
                    : name.replaceFirst("^/", "")) + ":");
            tail.lines().forEach(l -> console.err().println("  " + l));
            console.err().println("---");
        } catch (NotFoundException e) {
            logs = "; the container is gone";
        } catch (DockerException e) {
            logs = "; its log cannot be read (" + e.getMessage() + ")"; // logging driver none keeps none
        }
        return new ToolException(ExitCode.FAILED, message + logs);
    }



    /** Whether the container's after-ready commands have all run (or it has none). */
    boolean afterReadyDone(String container, StackSpec.Service service) {
        return service.afterReady().isEmpty() || engine.hasPath(container, "/" + StackLabels.AFTER_READY_MARK);
    }


    /**
     * Runs a service's after-ready commands in it, streaming their output; a non-zero exit fails. Once all ran, the
     * container is marked, so that a run interrupted before then runs them again and a later run does not.
     */
    void afterReady(String container, StackSpec.Service service) {
        if (service.afterReady().isEmpty()) {
            return;
        }
        for (int i = 0; i < service.afterReady().size(); i++) {
            List<String> command = service.afterReady().get(i);
            // each command's exec is noted in the container before it starts: a run interrupted meanwhile leaves it
            // going, and the next run waits for it, or takes its success, instead of doing the setup twice
            String mark = StackLabels.AFTER_READY_MARK + "-" + (i + 1);
            Noted noted = notedExec(container, mark);
            ExecInspect earlier = noted == null || noted.exit() != null ? null
                    : DockerEngine.orNull(() -> engine.inspectExec(noted.exec()));
            Integer exit;
            if (noted != null && Integer.valueOf(0).equals(noted.exit())) {
                console.info(String.join(" ", command) + " ran in " + service.name() + " to its end (exit code 0) in"
                        + " an earlier run");
                exit = 0;
            } else if (earlier != null && Boolean.TRUE.equals(earlier.running())) {
                console.info(String.join(" ", command) + " still runs in " + service.name() + ", started by an"
                        + " earlier run; waiting for it to end");
                exit = awaitExec(earlier.id());
            } else if (earlier != null && Integer.valueOf(0).equals(earlier.exitCode())) {
                console.info(String.join(" ", command) + " ran in " + service.name() + " to its end (exit code 0),"
                        + " started by an earlier run");
                exit = 0;
            } else {
                if (noted != null && noted.exit() == null && earlier == null) {
                    // the engine forgets an ended exec within minutes (seen: 6 to 9 on Engine 20.10), and every
                    // exec when it restarts
                    console.warn(String.join(" ", command) + " was started in " + service.name() + " by an earlier"
                            + " run that did not see it end, and the engine no longer knows how it ended: it runs"
                            + " again");
                }
                console.info("running " + String.join(" ", command) + " in " + service.name());
                String exec = engine.createExec(container, com.mlreef.offline.docker.model.ExecSpec.of(command));
                mark(container, mark, exec + "\n");
                engine.startExec(exec, OutputSink.to(console.out(), console.err()));
                exit = engine.inspectExec(exec).exitCode();
                // seen to end: the next run need not ask the engine, which forgets an exec within minutes
                mark(container, mark, exec + " " + exit + "\n");
            }
            if (exit != null && (exit == 126 || exit == 127)) {
                // the engine's (or a shell's) answer for a program that is missing or cannot be executed
                throw new ToolException(ExitCode.FAILED, "'" + String.join(" ", command) + "' in " + service.name()
                        + " could not be run (exit " + exit + ": the program is missing or not executable in the"
                        + " container); correct the after-ready command in the stack file");
            }
            if (exit == null || exit != 0) {
                throw new ToolException(ExitCode.FAILED, "'" + String.join(" ", command) + "' in " + service.name()
                        + " exited with " + exit + "; run the same 'mlreef-offline run' command again to retry it");
            }
        }
        mark(container, StackLabels.AFTER_READY_MARK, "after-ready commands done\n");
    }

    /** An exec an earlier run noted, with its exit code when that run saw it end (else null). */
    private record Noted(String exec, Integer exit) {
    }

    /** The exec an earlier run noted under {@code mark} in the container ("ID" or "ID EXIT"), or null. */
    private Noted notedExec(String container, String mark) {
        String text;
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                engine.getArchive(container, "/" + mark))) {
            if (tar.getNextEntry() == null) {
                return null;
            }
            text = new String(tar.readNBytes(128), StandardCharsets.UTF_8).strip();
        } catch (NotFoundException | IOException e) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9a-f]{64})(?: (-?[0-9]{1,4}))?").matcher(text);
        return m.matches() ? new Noted(m.group(1), m.group(2) == null ? null : Integer.valueOf(m.group(2))) : null;
    }

    /** Waits for an exec to end; its exit code. */
    private Integer awaitExec(String id) {
        try {
            while (true) {
                ExecInspect exec = engine.inspectExec(id);
                if (!Boolean.TRUE.equals(exec.running())) {
                    return exec.exitCode();
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ExitCode.INTERRUPTED, "interrupted; run the same command again to finish");
        }
    }

    /** Writes the file {@code name} into the container's root: a mark that lives and goes with the container. */
    private void mark(String container, String name, String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] tar = out.toByteArray();
        engine.putArchive(container, "/", new java.io.ByteArrayInputStream(tar), tar.length);
    }
}

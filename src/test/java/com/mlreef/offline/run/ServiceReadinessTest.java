package com.mlreef.offline.run;

import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ToolException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * When a service whose container has already exited counts as ready: a one-shot service that ran to completion. On a
 * fake engine, so that the container is seen exited at the first look (on a real engine that depends on timing).
 */
class ServiceReadinessTest {

    /** A container that exited with {@code exitCode} and logged {@code log}. */
    public static class Exited {
        private final int exitCode;
        private final String log;

        Exited(int exitCode, String log) {
            this.exitCode = exitCode;
            this.log = log;
        }

        public ContainerInspect inspectContainer(String id) {
            return new ContainerInspect(id, "/s-job", "img", null, new ContainerInspect.State("exited", false, false,
                    false, false, exitCode, "", "2026-11-29T10:00:00Z", null, null), null, null, null, List.of(), 0);
        }

        public void logs(String id, LogOptions options, OutputSink sink) throws Exception {
            byte[] bytes = (log + "\n").getBytes(StandardCharsets.UTF_8);
            sink.write(OutputSink.Stream.STDOUT, bytes, 0, bytes.length);
        }

        /** The mark that the container ran to completion. */
        public void putArchive(String id, String directory, java.io.InputStream tar, long length) {
            marked = true;
        }

        boolean marked;
    }

    private static String ready(Exited engine, String restart, StackSpec.ReadyRule rule, List<List<String>> after) {
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false, false);
        StackSpec.Service service = new StackSpec.Service("job", "img", null, null, List.of(), List.of(), Map.of(),
                List.of(), restart, null, Map.of(), rule, after, Map.of(), StackSpec.ContainerOptions.NONE);
        return new ServiceReadiness(FakeEngine.of(engine), console).ready("id", service, Duration.ofSeconds(5), 0);
    }

    /** A container that exits with 3 at once and is restarted by its policy: seen restarting, then running again. */
    public static class Restarted {
        private int looks;

        public ContainerInspect inspectContainer(String id) {
            boolean restarting = looks++ == 0;
            return new ContainerInspect(id, "/s-web", "img", null, new ContainerInspect.State(restarting
                    ? "restarting" : "running", !restarting, false, restarting, false, restarting ? 3 : 0, "",
                    "2026-11-29T10:00:00Z", null, null), null, null, null, List.of(), restarting ? 0 : 1);
        }

        public void logs(String id, LogOptions options, OutputSink sink) {
            byte[] bytes = "starting\n".getBytes(StandardCharsets.UTF_8);
            sink.write(OutputSink.Stream.STDOUT, bytes, 0, bytes.length);
        }
    }

    @Test
    void aContainerRestartedMeanwhileIsNamedWithTheExitCodeItRestartedAfter() {
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false, false);
        StackSpec.Service service = new StackSpec.Service("web", "img", null, null, List.of(), List.of(), Map.of(),
                List.of(), "always", null, Map.of(), new StackSpec.ReadyRule("ready", false, null, Duration.ofSeconds(1)),
                List.of(), Map.of(), StackSpec.ContainerOptions.NONE);
        String failed = assertThrows(ToolException.class, () -> new ServiceReadiness(FakeEngine.of(new Restarted()),
                console).ready("id", service, Duration.ofSeconds(1), 0)).getMessage();
        assertTrue(failed.contains("web did not become ready within 1s (log line 'ready'); it exited once"
                + " meanwhile (last exit code 3) and its restart policy restarts it"), failed);
    }

    @Test
    void aOneShotThatExitedZeroRanToCompletion() {
        Exited marked = new Exited(0, "done");
        assertEquals("it ran to completion (exit code 0)", ready(marked, "no", null, List.of()));
        assertTrue(marked.marked, "marked as completed, for status");
        assertEquals("it ran to completion (exit code 0)", ready(new Exited(0, "done"), "on-failure:3", null, List.of()));
        assertEquals("its log says 'done'; it ran to completion (exit code 0)", ready(new Exited(0, "all done"), "no",
                new StackSpec.ReadyRule("done", false, null, Duration.ofSeconds(5)), List.of()));
        // a service another depends on as service_completed_successfully
        assertEquals("it ran to completion (exit code 0)", ready(new Exited(0, "bye"), "no",
                new StackSpec.ReadyRule(null, false, null, true, true, Duration.ofSeconds(5)), List.of()));
    }

    @Test
    void anExitThatIsNotACompletionFails() {
        String failed = assertThrows(ToolException.class, () -> ready(new Exited(3, "boom"), "no", null, List.of()))
                .getMessage();
        assertTrue(failed.startsWith("job stopped (exit code 3) before it was ready"), failed);
        assertTrue(assertThrows(ToolException.class, () -> ready(new Exited(0, "bye"), "unless-stopped", null,
                List.of())).getMessage().startsWith("job stopped (exit code 0)"), "a service meant to keep running");
        assertTrue(assertThrows(ToolException.class, () -> ready(new Exited(0, "other"), "no",
                new StackSpec.ReadyRule("done", false, null, Duration.ofSeconds(5)), List.of())).getMessage()
                .startsWith("job stopped (exit code 0)"), "its ready line never came");
        assertTrue(assertThrows(ToolException.class, () -> ready(new Exited(1, "failed"), "no",
                new StackSpec.ReadyRule(null, false, null, true, true, Duration.ofSeconds(5)), List.of())).getMessage()
                .startsWith("job stopped (exit code 1) before it was ready"), "it did not complete successfully");
        assertTrue(assertThrows(ToolException.class, () -> ready(new Exited(0, "done"), "no", null,
                List.of(List.of("setup")))).getMessage().contains("its after-ready commands run in the container and"
                + " need it running"));
    }

    /** A running container whose healthcheck failed. */
    public static class Unhealthy extends Exited {
        Unhealthy() {
            super(0, "starting");
        }

        @Override
        public ContainerInspect inspectContainer(String id) {
            return new ContainerInspect(id, "/s-db", "img", null, new ContainerInspect.State("running", true, false,
                    false, false, 0, "", "2026-11-29T10:00:00Z", null, new ContainerInspect.Health("unhealthy", 3,
                    List.of(new ContainerInspect.Probe(1, "pg_isready: no response\n")))), null, null, null,
                    List.of(), 0);
        }
    }

    @Test
    void anUnhealthyDependencyFailsAtOnceAndAnUnhealthyServiceSaysSoWhileItIsWaitedFor() {
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()), false, false);
        ServiceReadiness readiness = new ServiceReadiness(FakeEngine.of(new Unhealthy()), console);
        StackSpec.Service db = new StackSpec.Service("db", "img", null, null, List.of(), List.of(), Map.of(),
                List.of(), "no", null, Map.of(), new StackSpec.ReadyRule(null, true, null, false, true,
                Duration.ofMinutes(5)), List.of(), Map.of(), StackSpec.ContainerOptions.NONE);
        String failed = assertThrows(ToolException.class, () -> readiness.ready("id", db, Duration.ofMinutes(5), 0))
                .getMessage();
        assertTrue(failed.startsWith("db is unhealthy (last probe: exit code 1: pg_isready: no response); a service"
                + " depends on it as service_healthy"), failed);
        String timedOut = assertThrows(ToolException.class, () -> readiness.ready("id", db.withReady(
                new StackSpec.ReadyRule(null, true, null, Duration.ofSeconds(1))), Duration.ofSeconds(1), 0)).getMessage();
        assertTrue(timedOut.startsWith("db did not become ready within 1s (healthcheck); its healthcheck says unhealthy"
                + " (last probe: exit code 1: pg_isready: no response)"), timedOut);
    }

    /** A container whose first after-ready command an earlier run started, as an engine that has since forgotten it. */
    public static class ForgottenExec {
        final List<String> execs = new java.util.ArrayList<>();
        final List<String> marks = new java.util.ArrayList<>();
        private static final String EARLIER = "e".repeat(64);

        public java.io.InputStream getArchive(String id, String path) throws java.io.IOException {
            // the first command's exec the engine forgot; the second's, seen to end with 0 by the earlier run
            String text = path.equals("/" + StackLabels.AFTER_READY_MARK + "-1") ? EARLIER + "\n"
                    : path.equals("/" + StackLabels.AFTER_READY_MARK + "-2") ? "d".repeat(64) + " 0\n" : null;
            if (text == null) {
                throw new com.mlreef.offline.docker.NotFoundException("GET archive", "no such file");
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(path.substring(1));
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                entry.setSize(bytes.length);
                tar.putArchiveEntry(entry);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
            return new java.io.ByteArrayInputStream(out.toByteArray());
        }

        public com.mlreef.offline.docker.model.ExecInspect inspectExec(String id) {
            if (!id.equals("f".repeat(64))) {
                throw new com.mlreef.offline.docker.NotFoundException("GET exec", "No such exec instance");
            }
            return new com.mlreef.offline.docker.model.ExecInspect(id, false, 0, 1, "c", null);
        }

        public String createExec(String container, com.mlreef.offline.docker.model.ExecSpec spec) {
            execs.add(String.join(" ", spec.cmd()));
            return "f".repeat(64);
        }

        public void startExec(String id, OutputSink sink) {
        }

        public void putArchive(String id, String directory, java.io.InputStream tar, long length) {
            try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(tar)) {
                marks.add(in.getNextEntry().getName());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void anAfterReadyCommandIsNotRunAgainOnceSeenToEndWellAndRunsAgainWithAWarningWhenNobodyKnowsHowItEnded() {
        ForgottenExec engine = new ForgottenExec();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, false);
        StackSpec.Service app = new StackSpec.Service("app", "img", null, null, List.of(), List.of(), Map.of(),
                List.of(), "no", null, Map.of(), null, List.of(List.of("/setup"), List.of("/check")), Map.of(),
                StackSpec.ContainerOptions.NONE);
        new ServiceReadiness(FakeEngine.of(engine), console).afterReady("c", app);
        assertEquals(List.of("/setup"), engine.execs, "the second ended with 0 before: not again");
        assertEquals(List.of(StackLabels.AFTER_READY_MARK + "-1", StackLabels.AFTER_READY_MARK + "-1",
                StackLabels.AFTER_READY_MARK), engine.marks, "noted before it starts and once it ended");
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("/setup was started in app by an earlier run that did not see it end, and the engine"
                + " no longer knows how it ended: it runs again"), said);
        assertTrue(said.contains("/check ran in app to its end (exit code 0) in an earlier run"), said);
    }
}

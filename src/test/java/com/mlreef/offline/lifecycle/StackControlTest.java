package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.run.StackRunner;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** What the lifecycle commands say and do, on a fake engine with one running and one stopped container. */
class StackControlTest {
    private static final Map<String, String> LABELS = Map.of(StackLabels.STACK_LABEL, "s",
            StackLabels.SERVICE_LABEL, "web");

    public static class Engine {
        final List<String> calls = new ArrayList<>();

        public List<ContainerSummary> listContainers(List<String> labels, boolean all) {
            return List.of(
                    new ContainerSummary("id-up", List.of("/s-up"), "img", "sha256:1", "running", "Up", 0L, LABELS,
                            List.of(new ContainerSummary.Port("0.0.0.0", 80, 8080, "tcp"),
                                    new ContainerSummary.Port("::", 80, 8080, "tcp"),
                                    new ContainerSummary.Port("127.0.0.1", 9090, 19090, "tcp"),
                                    new ContainerSummary.Port("::1", 53, 10053, "udp"),
                                    new ContainerSummary.Port(null, 7000, null, "tcp")), null),
                    new ContainerSummary("id-down", List.of("/s-down"), "img", "sha256:1", "exited", "Exited", 0L,
                            LABELS, List.of(), null));
        }

        public ContainerInspect inspectContainer(String id) {
            return new ContainerInspect(id, id, "img", null, new ContainerInspect.State("running", true, false, false,
                    false, 0, "", null, null, null), null, null, null, List.of(), 0);
        }

        public List<Volume> listVolumes(List<String> labels) {
            return List.of();
        }

        public void stopContainer(String id, Integer seconds) {
            calls.add("stop " + id);
        }

        public void startContainer(String id) {
            calls.add("start " + id);
        }

        /** The marks run leaves in a container's file system: none. */
        public java.io.InputStream getArchive(String id, String path) {
            throw new com.mlreef.offline.docker.NotFoundException("GET archive", "no such file: " + path);
        }
    }

    /**
     * What interrupted runs leave: an old container parked without its successor, and a container whose after-ready
     * commands began but did not finish.
     */
    public static class Interrupted extends Engine {
        @Override
        public List<ContainerSummary> listContainers(List<String> labels, boolean all) {
            return List.of(
                    new ContainerSummary("id-prev", List.of("/s-app-previous"), "img", "sha256:1", "exited",
                            "Exited (137)", 1L, with(LABELS, Map.of(StackLabels.SERVICE_LABEL, "app")), List.of(), null),
                    new ContainerSummary("id-web", List.of("/s-web"), "img", "sha256:1", "running", "Up", 2L,
                            LABELS, List.of(), null));
        }

        private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
            Map<String, String> both = new java.util.HashMap<>(a);
            both.putAll(b);
            return both;
        }

        @Override
        public java.io.InputStream getArchive(String id, String path) {
            if (id.equals("id-web") && path.equals("/" + StackLabels.AFTER_READY_MARK + "-1")) {
                return new java.io.ByteArrayInputStream(new byte[1024]);
            }
            return super.getArchive(id, path);
        }
    }

    @Test
    void whatAnInterruptedRunLeftUnfinishedIsNotOk() {
        StackControl.Status status = new StackControl(FakeEngine.of(new Interrupted()), console).status("s");
        assertEquals(false, status.ok());
        Map<String, StackControl.ContainerStatus> rows = new java.util.TreeMap<>();
        status.containers().forEach(c -> rows.put(c.container(), c));
        assertEquals(List.of("s-app-previous", "s-web"), List.copyOf(rows.keySet()));
        assertEquals("the old container of an unfinished replacement of app: 'run' finishes it",
                rows.get("s-app-previous").unfinished());
        assertEquals("its after-ready commands did not finish: 'run' finishes them", rows.get("s-web").unfinished());
        assertEquals("Up; its after-ready commands did not finish: 'run' finishes them", rows.get("s-web").status());
    }

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(new PrintStream(OutputStream.nullOutputStream()),
            new PrintStream(err, true), false, false);

    /** Two stacks' containers. */
    public static class TwoStacks {
        public List<ContainerSummary> listContainers(List<String> labels, boolean all) {
            return List.of(new ContainerSummary("a", List.of("/a-web"), "img", "sha256:1", "running", "Up", 0L,
                            Map.of(StackLabels.STACK_LABEL, "a"), List.of(), null),
                    new ContainerSummary("b", List.of("/b-web"), "img", "sha256:1", "running", "Up", 0L,
                            Map.of(StackLabels.STACK_LABEL, "b"), List.of(), null));
        }
    }

    @Test
    void withSeveralStacksWhichOneIsTheUsersToSay() {
        ToolException e = assertThrows(ToolException.class,
                () -> new StackControl(FakeEngine.of(new TwoStacks()), console).resolve(null));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertEquals("several stacks run here (a, b); name one with --stack", e.getMessage());
        assertEquals("b", new StackControl(FakeEngine.of(new TwoStacks()), console).resolve("b"));
    }

    @Test
    void portsAreShownWithTheAddressTheyArePublishedOn() {
        StackControl.Status status = new StackControl(FakeEngine.of(new Engine()), console).status("s");
        assertEquals(List.of("8080->80/tcp", "127.0.0.1:19090->9090/tcp", "[::1]:10053->53/udp"),
                status.containers().stream().filter(c -> c.container().equals("s-up")).findFirst().orElseThrow()
                        .ports(), "every address once, without it; one address with it; unpublished ports left out");
    }

    @Test
    void stopAndStartSayWhatWasAlreadySo() {
        Engine engine = new Engine();
        StackControl control = new StackControl(FakeEngine.of(engine), console);
        assertEquals(2, control.stop("s", List.of(), 10));
        assertEquals(2, control.start("s", List.of()));
        assertEquals(List.of("stop id-up", "start id-down"), engine.calls);
        String said = err.toString();
        assertTrue(said.contains("stopping 1 container (each has up to 10 s to stop after SIGTERM, then it is killed)"),
                said);
        assertTrue(said.contains("stopped s-up") && said.contains("s-down: already stopped")
                && said.contains("started s-down") && said.contains("s-up: already running"), said);
    }

    @Test
    void aServiceNamedForStopMustHaveAContainer() {
        StackControl control = new StackControl(FakeEngine.of(new Engine()), console);
        String removed = "stack s has no container of service db (it has containers of: web; if the stack has such a"
                + " service, 'run' creates its container)";
        assertEquals(removed, org.junit.jupiter.api.Assertions.assertThrows(com.mlreef.offline.ui.ToolException.class,
                () -> control.stop("s", List.of("db"), 10)).getMessage());
        assertEquals(removed, org.junit.jupiter.api.Assertions.assertThrows(com.mlreef.offline.ui.ToolException.class,
                () -> control.logs("s", "db", com.mlreef.offline.docker.LogOptions.tail(5), (st, b, o, l) -> { }))
                .getMessage(), "logs says the same");
    }

    @Test
    void aServiceWhoseContainerWasRemovedByHandIsShownMissing() {
        StackControl.Status status = new StackControl(FakeEngine.of(new Engine()), console).status("s");
        StackSpec spec = StackFile.parse("name: s\nservices:\n  web:\n    image: w:1\n  db:\n    image: d:1\n",
                "test", null, Map.of(), w -> { });
        List<StackControl.ContainerStatus> missing = StackControl.missing(status, spec);
        assertEquals(1, missing.size(), missing.toString());
        assertEquals("db", missing.get(0).service());
        assertEquals("s-db", missing.get(0).container());
        assertEquals("missing", missing.get(0).state());
    }

    @Test
    void eachLineOfSeveralServicesLogsStartsWithItsServiceAndIsWrittenWhole() throws Exception {
        StringBuilder out = new StringBuilder();
        com.mlreef.offline.docker.OutputSink into = (stream, bytes, off, len) ->
                out.append(stream == com.mlreef.offline.docker.OutputSink.Stream.STDERR ? "!" : "")
                        .append(new String(bytes, off, len, java.nio.charset.StandardCharsets.UTF_8));
        StackControl.Lines sink = new StackControl.Lines("db  | ", into, out);
        for (String piece : List.of("one\ntw", "o\n", "", "three\nfour")) {
            byte[] b = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            sink.write(com.mlreef.offline.docker.OutputSink.Stream.STDOUT, b, 0, b.length);
        }
        byte[] err = "oops\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink.write(com.mlreef.offline.docker.OutputSink.Stream.STDERR, err, 0, err.length);
        sink.finish();
        assertEquals("db  | one\ndb  | two\ndb  | three\n!db  | !oops\ndb  | four\n", out.toString(),
                "a last line without its end is ended");
        out.setLength(0);
        byte[] longLine = ("x".repeat(100_000) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int at = 0; at < longLine.length; at += 16_384) { // as the engine's frames cut it
            sink.write(com.mlreef.offline.docker.OutputSink.Stream.STDOUT, longLine, at,
                    Math.min(16_384, longLine.length - at));
        }
        assertEquals("db  | " + "x".repeat(100_000) + "\n", out.toString(), "a long line stays whole");
        out.setLength(0);
        byte[] endless = "y".repeat(3 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink.write(com.mlreef.offline.docker.OutputSink.Stream.STDOUT, endless, 0, endless.length);
        sink.finish();
        assertEquals("y".repeat(3 << 20), out.toString().replace("\ndb  | ", "").replaceFirst("^db  \\| ", "")
                .strip(), "a line too long to keep is written in parts");
        assertTrue(out.toString().lines().allMatch(l -> l.startsWith("db  | ")), "each part a line with its prefix");

        // two containers followed at once, their lines cut anywhere: no line mixes the two
        out.setLength(0);
        List<Thread> writers = new java.util.ArrayList<>();
        for (String service : List.of("web", "db ")) {
            StackControl.Lines lines = new StackControl.Lines(service + " | ", into, out);
            writers.add(new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    byte[] b = (service.strip() + " line " + i + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    int cut = i % (b.length - 1) + 1;
                    lines.write(com.mlreef.offline.docker.OutputSink.Stream.STDOUT, b, 0, cut);
                    lines.write(com.mlreef.offline.docker.OutputSink.Stream.STDOUT, b, cut, b.length - cut);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        List<String> written = out.toString().lines().toList();
        assertEquals(4000, written.size());
        assertTrue(written.stream().allMatch(l -> l.matches("(web \\| web|db  \\| db) line [0-9]+")),
                written.stream().filter(l -> !l.matches("(web \\| web|db  \\| db) line [0-9]+")).findFirst()
                        .orElse(""));
    }

    private static ContainerSummary container(String service, String dependsOn) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of(StackLabels.STACK_LABEL, "s",
                StackLabels.SERVICE_LABEL, service));
        if (dependsOn != null) {
            labels.put(StackLabels.DEPENDS_LABEL, dependsOn);
        }
        return new ContainerSummary("id-" + service, List.of("/s-" + service), "img", "sha256:1", "exited", "Exited",
                0L, labels, List.of(), null);
    }

    @Test
    void startGoesInWavesOfDependsOn() {
        ContainerSummary web = container("web", "db:service_healthy,job:service_completed_successfully");
        ContainerSummary job = container("job", "db:service_started");
        ContainerSummary db = container("db", null);
        ContainerSummary cache = container("cache", null);
        assertEquals(List.of(List.of(db, cache), List.of(job), List.of(web)),
                StackControl.waves(List.of(web, job, db, cache)));
        assertEquals(List.of(List.of(web)), StackControl.waves(List.of(web)), "a dependency not asked for is not waited for");
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import com.mlreef.offline.ui.Console;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.mlreef.offline.testing.DockerCli.docker;


/**
 * {@code run} and the lifecycle commands as a user runs them, on a busybox stack that behaves like Nautilus (three
 * named volumes, a ready line after a few seconds, published ports, the docker socket, an after-ready command, a
 * second service on the same network, an extra image), bundled by {@code export}.
 */
class RunIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;
    private static String app;

    @TempDir
    static Path tmp;

    private String stack;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "runbase");
        app = created.image(TestEngine.unique("runapp") + ":1");
        TestImages.build("FROM " + base + "\nRUN mkdir -p /www && echo '<h1>run test</h1>' > /www/index.html\n", app);
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
            stack = null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A bundle of the test stack, exported; {@code ready} is the log line the app service waits for. */
    private Path bundle(String ready, int webPort, int otherPort) throws Exception {
        return bundle(app, ready, webPort, otherPort);
    }

    /** The same, with another image for the app service; the stack keeps its name within a test. */
    private Path bundle(String appImage, String ready, int webPort, int otherPort) throws Exception {
        if (stack == null) {
            stack = TestEngine.unique("run").replace("mlro-test-", "mlrot");
        }
        String text = """
                name: %1$s
                x-offline:
                  images:
                    - %3$s
                services:
                  app:
                    image: %2$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; n=$$(cat /data/count 2>/dev/null || echo 0); echo $$((n+1)) > /data/count; httpd -p 8080 -h /www; sleep 2; echo 'service is ready'; while true; do sleep 1; done"]
                    restart: unless-stopped
                    ports:
                      - "%4$d:8080"
                      - "%5$d:9090"
                    volumes:
                      - /var/run/docker.sock:/var/run/docker.sock
                      - %1$s-data:/data
                      - %1$s-etc:/etc/app
                      - %1$s-db:/var/db
                    environment:
                      PIP_SERVER: ${PIP_SERVER:-}
                      MODE: test
                    networks:
                      - %1$s-net
                    x-offline:
                      ready: { log: "%6$s", timeout: 1m }
                      after-ready:
                        - ["sh", "-c", "sleep 1; echo setup done > /data/setup.txt"]
                  worker:
                    image: %3$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    networks:
                      - %1$s-net
                volumes:
                  %1$s-data: {}
                  %1$s-etc: {}
                  %1$s-db: {}
                networks:
                  %1$s-net:
                    driver: bridge
                """.formatted(stack, appImage, base, webPort, otherPort, ready);
        Path file = tmp.resolve(stack + ".yaml");
        Files.writeString(file, text);
        Path dir = tmp.resolve(stack + "-bundle-" + TestEngine.unique("b"));
        CliProcess.Result r = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString(), "--compress", "zstd");
        assertEquals(0, r.exit(), r.toString());
        return dir;
    }

    /** Starts the tool and returns once its stderr says {@code text} (within a minute). */
    private Process startUntil(String text, String... args) throws Exception {
        return startUntil(Files.createDirectories(tmp.resolve(TestEngine.unique("logs"))), text, args);
    }

    /** The same, its stdout and stderr in {@code logs}. */
    private Process startUntil(Path logs, String text, String... args) throws Exception {
        Process process = CliProcess.start(logs, args);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.readString(logs.resolve("stderr.txt")).contains(text)) {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, "'" + text + "' not said: "
                    + Files.readString(logs.resolve("stderr.txt")));
            Thread.sleep(5);
        }
        return process;
    }

    /** A running test stack and the app's next version: the image, the ports, the running container. */
    private record Upgrade(String next, int web, int other, String firstId) {
    }

    /** Runs the test stack on two free ports and builds the app's next version. */
    private Upgrade runAndBuildNext(String version) throws Exception {
        int web = freePort();
        int other = freePort();
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", bundle("service is ready", web, other).toString()).exit());
        String next = created.image(TestEngine.unique("runapp" + version) + ":" + version);
        TestImages.build("FROM " + app + "\nRUN echo v" + version + " > /version\n", next);
        return new Upgrade(next, web, other, engine.inspectContainer(stack + "-app").id());
    }

    private String file(String container, String path) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(engine.getArchive(container, path))) {
            tar.getNextEntry();
            return new String(tar.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    void runStartsTheStackAndARunAgainChangesNothing() throws Exception {
        int web = freePort();
        Path dir = bundle("service is ready", web, freePort());
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-s", "localhost:8080");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("app is ready: its log says 'service is ready'"), r.toString());
        assertTrue(r.out().contains("stack " + stack + " is running"), r.toString());

        ContainerInspect app = engine.inspectContainer(stack + "-app");
        assertTrue(app.state().running());
        assertEquals("unless-stopped", app.hostConfig().restartPolicy().name());
        assertEquals(stack, app.config().labels().get("com.mlreef.offline.stack"));
        assertEquals("app", app.config().labels().get("com.mlreef.offline.service"));
        String gateway = engine.inspectNetwork(stack + "-net").gateway();
        assertTrue(app.config().env().contains("PIP_SERVER=http://" + gateway + ":8080"), app.config().env().toString());
        assertTrue(app.config().env().contains("MODE=test"));
        assertEquals(List.of(new ContainerSpec.PortBinding("", String.valueOf(web))),
                app.hostConfig().portBindings().get("8080/tcp"));
        List<String> volumes = app.mounts().stream().filter(m -> "volume".equals(m.type())).map(ContainerInspect.Mount::name)
                .sorted().toList();
        assertEquals(List.of(stack + "-data", stack + "-db", stack + "-etc"), volumes);
        assertTrue(app.mounts().stream().anyMatch(m -> "/var/run/docker.sock".equals(m.destination())));
        assertEquals("setup done", file(app.id(), "/data/setup.txt"), "the after-ready command ran");
        assertTrue(engine.inspectContainer(stack + "-worker").state().running());

        long t0 = System.nanoTime();
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-s", "localhost:8080");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.err().contains("loaded "), again.toString());
        assertTrue(again.err().contains(stack + "-app: running, unchanged"), again.toString());
        assertEquals(app.id(), engine.inspectContainer(stack + "-app").id(), "not recreated");
        System.out.println("second run took " + ms + " ms (process, JVM start included)");
        CliProcess.Result inherited = CliProcess.run(Map.of("PIP_SERVER", "localhost:8080"), "run", "-d",
                dir.toString());
        assertEquals(0, inherited.exit(), inherited.toString());
        assertTrue(inherited.err().contains("PIP_SERVER from the environment is taken as -s http://localhost:8080"),
                inherited.toString());
        assertTrue(inherited.err().contains(stack + "-app: running, unchanged"), "rewritten as -s is: " + inherited);

        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().matches("(?s).*app\\s+" + stack + "-app\\s+running.*"), status.toString());
        assertTrue(status.out().contains(stack + "-data"), status.toString());
        CliProcess.Result byBundle = CliProcess.run(Map.of(), "status", "-d", dir.toString());
        assertEquals(0, byBundle.exit(), byBundle.toString());
        String bundleId = com.mlreef.offline.bundle.BundleFiles.read(dir).id();
        assertTrue(byBundle.out().matches("(?s).*app\\s+" + stack + "-app\\s+running.*" + bundleId + ".*"),
                "the stack found from its bundle; the bundle each container came from: " + byBundle);
        CliProcess.Result json = CliProcess.run(Map.of(), "status", "--stack", stack, "--json");
        assertEquals(0, json.exit(), json.toString());
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertEquals(3, report.get("volumes").size(), json.out());
        for (var volume : report.get("volumes")) {
            assertTrue(volume.get("size").asLong() >= 0, "the engine gives each volume's size: " + json.out());
        }
        assertEquals("running", report.get("containers").get(0).get("state").asText(), json.out());
        assertTrue(report.get("ok").asBoolean(), json.out());
        // the worker exits 0 when stopped, as many daemons do: stopped is not done
        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack, "worker").exit());
        CliProcess.Result stopped = CliProcess.run(Map.of(), "status", "--stack", stack, "--json");
        assertEquals(1, stopped.exit(), "a stopped container: " + stopped);
        assertFalse(new com.fasterxml.jackson.databind.ObjectMapper().readTree(stopped.out()).get("ok").asBoolean());
        assertEquals(0, CliProcess.run(Map.of(), "start", "--stack", stack, "worker").exit());
        CliProcess.Result logs = CliProcess.run(Map.of(), "logs", "--stack", stack);
        assertEquals(0, logs.exit(), logs.toString());
        assertTrue(logs.out().lines().anyMatch(l -> l.equals("app    | service is ready")),
                "each line starts with its service: " + logs);
        CliProcess.Result recent = CliProcess.run(Map.of(), "logs", "--stack", stack, "--since", "1h", "-t", "app");
        assertTrue(recent.out().lines().anyMatch(l -> l.matches("20[0-9-]+T[0-9:.]+Z service is ready")),
                "--since 1h, with the engine's times: " + recent);
        CliProcess.Result future = CliProcess.run(Map.of(), "logs", "--stack", stack, "--since",
                java.time.Instant.now().plusSeconds(3600).toString());
        assertEquals("", future.out(), future.toString());
        // a moment without an offset is local time, in the zone TZ names (UTC+14 and UTC-12: a wrong zone shows all
        // or nothing)
        String hourAgo = java.time.LocalDateTime.now(java.time.ZoneId.of("Pacific/Kiritimati")).minusHours(1)
                .withNano(0).toString();
        CliProcess.Result east = CliProcess.run(Map.of("TZ", "Pacific/Kiritimati"), "logs", "--stack", stack,
                "--since", hourAgo, "app");
        assertTrue(east.out().lines().anyMatch(l -> l.endsWith("service is ready")), "since " + hourAgo + ": " + east);
        String hourAhead = java.time.LocalDateTime.now(java.time.ZoneId.of("Etc/GMT+12")).plusHours(1).withNano(0)
                .toString();
        CliProcess.Result west = CliProcess.run(Map.of("TZ", "Etc/GMT+12"), "logs", "--stack", stack, "--since",
                hourAhead, "app");
        assertEquals(0, west.exit(), west.toString());
        assertEquals("", west.out(), "since " + hourAhead + ": " + west);
        // -f without a service follows them all at once
        Path followed = Files.createDirectories(tmp.resolve(TestEngine.unique("follow")));
        Process follow = CliProcess.start(followed, "logs", "-f", "-t", "--stack", stack);
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.readString(followed.resolve("stdout.txt")).lines()
                    .anyMatch(l -> l.matches("app    \\| 20[0-9-]+T[0-9:.]+Z service is ready"))) {
                assertTrue(follow.isAlive() && System.nanoTime() < deadline, "not followed: "
                        + Files.readString(followed.resolve("stderr.txt")));
                Thread.sleep(20);
            }
            Thread.sleep(500);
            assertTrue(follow.isAlive(), "still following");
        } finally {
            follow.destroyForcibly().waitFor();
        }
    }

    @Test
    void aPausedContainerIsUnpausedByRunAndStartAndStoppedByStopAsARestartingOneIs() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        String app = stack + "-app";
        docker("pause", app);
        CliProcess.Result plan = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--dry-run");
        assertTrue(plan.out().contains("unpause container " + app + " (paused)"), plan.toString());
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains("unpaused " + app), again.toString());
        assertFalse(engine.inspectContainer(app).state().paused(), "run left it paused: " + again);
        docker("pause", app);
        CliProcess.Result start = CliProcess.run(Map.of(), "start", "--stack", stack, "app");
        assertEquals(0, start.exit(), start.toString());
        assertFalse(engine.inspectContainer(app).state().paused(), "start left it paused: " + start);
        docker("pause", app);
        CliProcess.Result stop = CliProcess.run(Map.of(), "stop", "--stack", stack);
        assertEquals(0, stop.exit(), stop.toString());
        assertEquals("exited", engine.inspectContainer(app).state().status(), "stop passed it by: " + stop);

        // a service that fails at once and is restarted by its policy, again and again
        Path file = tmp.resolve(stack + "-loop.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n  loop:\n    image: " + base + "\n    command: [\"sh\","
                + " \"-c\", \"exit 3\"]\n    restart: always\n");
        CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString(), "--timeout", "3s");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"restarting".equals(engine.inspectContainer(stack + "-loop").state().status())) {
            assertTrue(System.nanoTime() < deadline, "never seen restarting");
            Thread.sleep(50);
        }
        CliProcess.Result loop = CliProcess.run(Map.of(), "stop", "--stack", stack, "loop");
        assertEquals(0, loop.exit(), loop.toString());
        Thread.sleep(3000);
        assertEquals("exited", engine.inspectContainer(stack + "-loop").state().status(), "stop passed it by: " + loop);
    }

    @Test
    void logsFollowingEveryServiceEndsWhenItsReaderGoesAway() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-tick.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n" + Stream.of("tick", "tock").map(s -> "  " + s
                + ":\n    image: " + base + "\n    command: [sh, -c, 'while true; do echo " + s + "; sleep 0.2; done']\n")
                .collect(java.util.stream.Collectors.joining()));
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
        List<String> command = new java.util.ArrayList<>(CliProcess.command());
        command.addAll(List.of("logs", "-f", "--stack", stack));
        Process follow = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(follow.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (seen.size() < 2) {
                String line = lines.readLine();
                assertTrue(line != null && line.matches("(tick \\| tick|tock \\| tock)"), "a whole line: " + line);
                seen.add(line);
            }
            follow.getInputStream().close(); // as head does once it has its lines
            assertTrue(follow.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "still following, with no reader");
            assertEquals(141, follow.exitValue(), "as a shell names a command ended by a closed pipe");
        } finally {
            follow.destroyForcibly();
        }
        // SIGTERM while lines keep coming, of one service and of all: the read waited in ends
        for (String[] args : List.of(new String[] {"logs", "-f", "--stack", stack, "tick"},
                new String[] {"logs", "-f", "--stack", stack})) {
            assertEndsOnSignal("TERM", 143, args);
        }
        // Ctrl-C and a terminal that hangs up end it too, each with the exit code a shell gives it
        assertEndsOnSignal("INT", 130, "logs", "-f", "--stack", stack, "tick");
        assertEndsOnSignal("HUP", 129, "logs", "-f", "--stack", stack, "tick");
    }

    /** Starts the tool, sends it {@code signal} once it wrote output, and expects it to end quietly with {@code exit}. */
    private void assertEndsOnSignal(String signal, int exit, String... args) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve(TestEngine.unique("follow")));
        Process followed = CliProcess.start(logs, args);
        try {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Files.size(logs.resolve("stdout.txt")) == 0) {
                assertTrue(followed.isAlive() && System.nanoTime() < deadline, Files.readString(logs.resolve(
                        "stderr.txt")));
                Thread.sleep(20);
            }
            Process kill = new ProcessBuilder("kill", "-s", signal, String.valueOf(followed.pid())).start();
            assertEquals(0, kill.waitFor(), "kill -s " + signal);
            assertTrue(followed.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "SIG" + signal + " did not end "
                    + List.of(args));
            assertEquals(exit, followed.exitValue(), Files.readString(logs.resolve("stderr.txt")));
            assertEquals("", Files.readString(logs.resolve("stderr.txt")), "nothing but the end");
        } finally {
            followed.destroyForcibly();
        }
    }

    @Test
    void aFolderOfPlainTarsRunsEachImageOfATarOfSeveralByAnySpellingAndRefusesATagTwoFilesGiveTwoImages()
            throws Exception {
        stack = TestEngine.unique("run").replace("mlro-test-", "mlrot");
        String one = created.image(TestEngine.unique("runone") + ":1");
        String two = created.image(TestEngine.unique("runtwo") + ":1");
        TestImages.build("FROM " + base + "\nRUN echo one > /which\n", one);
        TestImages.build("FROM " + base + "\nRUN echo two > /which\n", two);
        String oneId = engine.inspectImage(one).id();
        String twoId = engine.inspectImage(two).id();
        Path plain = Files.createDirectories(tmp.resolve(TestEngine.unique("plain")));
        docker("save", "-o", plain.resolve("both.tar").toString(), one, two);
        docker("rmi", one, two);
        Path file = tmp.resolve(stack + "-plain.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n"
                + "  a:\n    image: docker.io/library/" + one + "\n    command: [sleep, '3600']\n"
                + "  b:\n    image: " + twoId + "\n    command: [sleep, '3600']\n");
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", plain.toString(), "-f", file.toString());
        assertEquals(0, r.exit(), "one tar of two images, named in the engine's full form and by ID: " + r);
        assertEquals(oneId, engine.inspectContainer(stack + "-a").image());
        assertEquals(twoId, engine.inspectContainer(stack + "-b").image());

        // a second file that tags the same name as another image: whichever loaded last would win
        Path twice = Files.createDirectories(tmp.resolve(TestEngine.unique("twice")));
        Files.copy(plain.resolve("both.tar"), twice.resolve("a.tar"));
        docker("tag", twoId, one);
        docker("save", "-o", twice.resolve("b.tar").toString(), one);
        docker("tag", oneId, one);
        CliProcess.Result both = CliProcess.run(Map.of(), "run", "-d", twice.toString(), "-f", file.toString());
        assertEquals(1, both.exit(), both.toString());
        assertTrue(both.err().contains("error: " + one + " is tagged in both a.tar and b.tar, as different images ("
                + oneId + ", " + twoId + ")"), both.toString());
        assertEquals(oneId, engine.inspectImage(one).id(), "nothing was loaded");
    }

    @Test
    void dataSurvivesStopStartAndDownThenRun() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        assertEquals("1", file(stack + "-app", "/data/count"));

        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack).exit());
        assertFalse(engine.inspectContainer(stack + "-app").state().running());
        assertEquals(0, CliProcess.run(Map.of(), "start", "--stack", stack).exit());
        Thread.sleep(1000);
        assertEquals("2", file(stack + "-app", "/data/count"));

        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack);
        assertEquals(0, down.exit(), down.toString());
        assertTrue(down.err().contains("kept volumes"), down.toString());
        assertTrue(assertMissing(stack + "-app"));
        engine.inspectVolume(stack + "-data");
        CliProcess.Result startAfterDown = CliProcess.run(Map.of(), "start", "--stack", stack);
        assertEquals(1, startAfterDown.exit(), startAfterDown.toString());
        assertEquals("error: stack " + stack + " has no containers (after down); 'run' creates them again",
                startAfterDown.err().strip());

        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, again.exit(), again.toString());
        assertEquals("3", file(stack + "-app", "/data/count"), "the volume kept its data");

        // stop waits for a command that holds the host's lock, as a run does while it changes the stacks
        Process stop;
        try (RunLock held = RunLock.acquire(RunLock.defaultPath(), new Console(new PrintStream(
                OutputStream.nullOutputStream()), new PrintStream(OutputStream.nullOutputStream()), false, false),
                Path.of("/var/run/docker.sock"))) {
            stop = startUntil("is changing the stacks on this host", "stop", "--stack", stack);
            assertTrue(engine.inspectContainer(stack + "-app").state().running(), "not stopped while the lock is held");
        }
        assertEquals(0, stop.waitFor());
        assertFalse(engine.inspectContainer(stack + "-app").state().running());

        CliProcess.Result refused = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes");
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("\nerror: not confirmed (no answer on standard input; --yes deletes without"
                + " asking): nothing was removed"), "the error on a line of its own: " + refused);
        engine.inspectVolume(stack + "-data");
    }

    private static boolean assertMissing(String container) {
        try {
            engine.inspectContainer(container);
            return false;
        } catch (NotFoundException e) {
            return true;
        }
    }

    @Test
    void anUpgradeReplacesTheContainerKeepsItsDataAndOneThatNeverGetsReadyIsRolledBack() throws Exception {
        Upgrade upgrade2 = runAndBuildNext("2");
        String app2 = upgrade2.next();
        String firstId = upgrade2.firstId();
        Path v2 = bundle(app2, "service is ready", upgrade2.web(), upgrade2.other());
        CliProcess.Result upgrade = CliProcess.run(Map.of(), "run", "-d", v2.toString());
        assertEquals(0, upgrade.exit(), upgrade.toString());
        assertTrue(upgrade.err().contains("replaced " + stack + "-app (the old container, " + stack + "-app-previous,"
                + " is removed); its volumes are kept"), upgrade.toString());
        ContainerInspect upgraded = engine.inspectContainer(stack + "-app");
        assertFalse(upgraded.id().equals(firstId), "a new container");
        assertEquals(engine.inspectImage(app2).id(), upgraded.image());
        assertEquals("2", file(upgraded.id(), "/data/count"), "the data of the first container is there");
        assertEquals("setup done", file(upgraded.id(), "/data/setup.txt"));

        Path v3 = bundle(app, "a line it never prints", upgrade2.web(), upgrade2.other());
        CliProcess.Result broken = CliProcess.run(Map.of(), "run", "-d", v3.toString(), "--timeout", "5s");
        assertEquals(1, broken.exit(), broken.toString());
        assertTrue(broken.err().contains("error: the new " + stack + "-app failed: app did not become ready within 5s"),
                "the error is the new container's failure: " + broken);
        assertTrue(broken.err().contains("; the previous container runs again, its volumes untouched"), broken.toString());
        ContainerInspect after = engine.inspectContainer(stack + "-app");
        assertEquals(upgraded.id(), after.id(), "the upgraded container is back");
        assertTrue(after.state().running());
        assertTrue(assertMissing(stack + "-app-previous"));

        // a container that was stopped comes back stopped
        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack).exit());
        CliProcess.Result stopped = CliProcess.run(Map.of(), "run", "-d", v3.toString(), "--timeout", "5s");
        assertEquals(1, stopped.exit(), stopped.toString());
        assertTrue(stopped.err().contains("; the previous container is back, stopped as it was"), stopped.toString());
        ContainerInspect back = engine.inspectContainer(stack + "-app");
        assertEquals(upgraded.id(), back.id());
        assertFalse(back.state().running());
    }

    @Test
    void aReplacementKilledWhileItsSuccessorIsNotReadyIsPutBackByTheNextRun() throws Exception {
        Upgrade upgrade3 = runAndBuildNext("3");
        String firstId = upgrade3.firstId();
        Path v3 = bundle(upgrade3.next(), "a line it never prints", upgrade3.web(), upgrade3.other());
        Process run = startUntil("the new container started", "run", "-d", v3.toString(), "--timeout", "5m");
        run.destroyForcibly();
        run.waitFor();
        assertEquals(firstId, engine.inspectContainer(stack + "-app-previous").id(), "the predecessor waits");
        CliProcess.Result start = CliProcess.run(Map.of(), "start", "--stack", stack);
        assertEquals(0, start.exit(), start.toString());
        assertTrue(start.err().contains(stack + "-app-previous: left stopped; the predecessor of " + stack + "-app, kept"
                + " until 'run' finishes replacing it"), start.toString());
        assertFalse(engine.inspectContainer(stack + "-app-previous").state().running(), "it would take the ports");
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
        assertTrue(status.out().lines().anyMatch(l -> l.contains(stack + "-app-previous") && l.contains("the"
                + " predecessor of")), status.toString());

        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", v3.toString(), "--timeout", "3s");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("error: the new " + stack + "-app failed: app did not become ready within 3s"),
                again.toString());
        ContainerInspect back = engine.inspectContainer(stack + "-app");
        assertEquals(firstId, back.id(), "the predecessor is back: " + again);
        assertTrue(back.state().running());
        assertTrue(assertMissing(stack + "-app-previous"));
    }

    /** Starts the tool, waits until its stderr says {@code text}, sends SIGTERM; its stderr, once it ended with 143. */
    private String terminatedAt(String text, String... args) throws Exception {
        Path logs = Files.createDirectories(tmp.resolve(TestEngine.unique("logs")));
        Process process = startUntil(logs, text, args);
        process.destroy();
        assertTrue(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(143, process.exitValue(), Files.readString(logs.resolve("stderr.txt")));
        return Files.readString(logs.resolve("stderr.txt"));
    }

    @Test
    void anInterruptionSaysWhatItLeaves() throws Exception {
        Upgrade upgrade = runAndBuildNext("5");
        Path v5 = bundle(upgrade.next(), "a line it never prints", upgrade.web(), upgrade.other());
        // the upgrade's successor runs, not yet ready: the old one waits (no backup first: it would stop the worker,
        // whose stop is interrupted below)
        Path logs = Files.createDirectories(tmp.resolve(TestEngine.unique("logs")));
        Process holder = startUntil(logs, "the new container started", "run", "-d", v5.toString(), "--timeout", "5m",
                "--no-backup");
        // meanwhile another run waits for the lock
        String waiting = terminatedAt("waiting for it to finish", "run", "-d", v5.toString());
        assertTrue(waiting.contains("interrupted while waiting for the lock: nothing was changed"), waiting);
        holder.destroy();
        assertTrue(holder.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        String upgrading = Files.readString(logs.resolve("stderr.txt"));
        assertTrue(upgrading.contains("interrupted: the stack may be partly applied; run the same command again to"
                + " finish (what is done is kept). the new " + stack + "-app runs but was not"
                + " seen ready yet; the old container waits, stopped, as " + stack + "-app-previous"), upgrading);

        // a stop that takes its time, and the prompt of down --volumes
        String stopping = terminatedAt("stopping", "stop", "--stack", stack, "-t", "20", "worker");
        assertTrue(stopping.contains("interrupted: the stack's containers may be partly stopped"), stopping);
        List<String> down = new java.util.ArrayList<>(CliProcess.command());
        down.addAll(List.of("down", "--stack", stack, "--volumes"));
        Path promptErr = tmp.resolve(TestEngine.unique("prompt"));
        Process asking = new ProcessBuilder(down).redirectError(promptErr.toFile()).start();
        try (java.io.OutputStream answer = asking.getOutputStream()) { // open: the prompt waits for an answer
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(promptErr).contains("to confirm: ")) {
                assertTrue(asking.isAlive() && System.nanoTime() < deadline, Files.readString(promptErr));
                Thread.sleep(5);
            }
            asking.destroy();
            assertTrue(asking.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        String prompt = Files.readString(promptErr);
        assertEquals(143, asking.exitValue(), prompt);
        // the signal ends the read: the prompt's answer is then missing, or the interruption is named
        assertTrue(prompt.contains("nothing was removed"), prompt);
        assertEquals(3, engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack)).size());
    }

    @Test
    void aContainerRenamedOrANetworkRemovedByHandIsMendedByTheNextRun() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        String workerId = engine.inspectContainer(stack + "-worker").id();
        engine.renameContainer(stack + "-worker", stack + "-worker-renamed");
        CliProcess.Result renamed = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, renamed.exit(), renamed.toString());
        assertTrue(renamed.err().contains("renamed container " + stack + "-worker-renamed to " + stack + "-worker"),
                renamed.toString());
        assertEquals(workerId, engine.inspectContainer(stack + "-worker").id(), "the same container, not a second one");
        assertTrue(assertMissing(stack + "-worker-renamed"));

        // the network removed while the containers were stopped: they cannot start; run makes both again
        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack).exit());
        engine.removeNetwork(stack + "-net");
        CliProcess.Result start = CliProcess.run(Map.of(), "start", "--stack", stack);
        assertEquals(1, start.exit(), start.toString());
        assertTrue(start.err().contains(stack + "-app cannot start: its network was removed by hand (")
                && start.err().contains("'mlreef-offline run' replaces it, keeping the volumes"), start.toString());
        CliProcess.Result restart = CliProcess.run(Map.of(), "restart", "--stack", stack);
        assertEquals(1, restart.exit(), restart.toString());
        assertTrue(restart.err().contains("cannot start: its network was removed by hand ("), restart.toString());
        CliProcess.Result plan = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--dry-run");
        assertTrue(plan.out().contains("replace container " + stack + "-app (its network " + stack + "-net was removed,"
                + " or it was disconnected from it, by hand)"), plan.toString());
        CliProcess.Result mended = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, mended.exit(), mended.toString());
        assertTrue(engine.inspectContainer(stack + "-app").state().running());
        assertTrue(engine.inspectContainer(stack + "-worker").state().running());
        assertEquals("2", file(stack + "-app", "/data/count"), "the volume's data was kept: " + mended);

        // disconnected by hand while stopped: start would leave it without its ports; run replaces it
        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack, "worker").exit());
        Process disconnect = new ProcessBuilder("docker", "network", "disconnect", stack + "-net", stack + "-worker")
                .inheritIO().start();
        assertEquals(0, disconnect.waitFor());
        CliProcess.Result noNetwork = CliProcess.run(Map.of(), "start", "--stack", stack, "worker");
        assertEquals(1, noNetwork.exit(), noNetwork.toString());
        assertTrue(noNetwork.err().contains(stack + "-worker is on no network (disconnected by hand?)"),
                noNetwork.toString());
        CliProcess.Result reconnected = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, reconnected.exit(), reconnected.toString());
        assertTrue(dockerInspect(stack + "-worker").get("NetworkSettings").get("Networks").has(stack + "-net"));
    }

    @Test
    void aRunKilledAtFourMomentsConvergesWhenRunAgain() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        // after the load, after the volumes, while waiting for the ready line, during the after-ready command
        for (String moment : List.of("loaded ", "created volume", "created and started " + stack + "-app",
                "running sh -c")) {
            if (moment.equals("loaded ")) {
                engine.removeImage(app, true);
            }
            Process run = startUntil(moment, "run", "-d", dir.toString());
            run.destroyForcibly();
            run.waitFor();
            CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString());
            assertEquals(0, again.exit(), "after a kill at '" + moment + "': " + again);
            ContainerInspect app = engine.inspectContainer(stack + "-app");
            assertTrue(app.state().running());
            assertEquals("setup done", file(app.id(), "/data/setup.txt"), "the after-ready command ran");
            assertTrue(engine.inspectContainer(stack + "-worker").state().running());
            // from scratch for the next moment
            CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
            assertEquals(0, down.exit(), down.toString());
        }
    }

    @Test
    void anAfterReadyCommandStartedByAKilledRunIsWaitedForOrTakenNotRunTwice() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-setup.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n  s:\n    image: " + base + "\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; echo up; while true; do sleep 1; done\"]\n"
                + "    x-offline:\n      ready: {log: up, timeout: 30s}\n      after-ready:\n"
                + "        - [sh, -c, 'echo start >> /setup.log; sleep 4; echo end >> /setup.log']\n"
                + "        - [sh, -c, 'echo second >> /setup.log']\n");
        // run again while the command still runs, and once it has ended
        for (String moment : List.of("start", "start\nend")) {
            Process run = startUntil("running sh -c", "run", "-d", dir.toString(), "-f", file.toString());
            awaitFile(stack + "-s", "/setup.log", "start");
            run.destroyForcibly();
            run.waitFor();
            CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
            assertEquals(1, status.exit(), "after-ready unfinished is not ok: " + status);
            assertTrue(status.out().contains("its after-ready commands did not finish: 'run' finishes them"),
                    status.toString());
            awaitFile(stack + "-s", "/setup.log", moment);
            CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.err().contains(moment.equals("start")
                    ? "still runs in s, started by an earlier run; waiting for it to end"
                    : "ran in s to its end (exit code 0), started by an earlier run"), again.toString());
            assertEquals("start\nend\nsecond", file(stack + "-s", "/setup.log"), "each command ran once");
            CliProcess.Result third = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
            assertEquals(0, third.exit(), third.toString());
            assertFalse(third.err().contains("running sh -c"), "done once, not again: " + third);
            assertEquals(0, CliProcess.run(Map.of(), "status", "--stack", stack).exit());
            assertEquals(0, CliProcess.run(Map.of(), "down", "--stack", stack).exit());
        }
    }

    /** Waits up to 20 s for a file in a container to hold {@code text}. */
    private void awaitFile(String container, String path, String text) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                if (file(container, path).equals(text)) {
                    return;
                }
            } catch (NotFoundException e) {
                // not written yet
            }
            assertTrue(System.nanoTime() < deadline, container + ":" + path + " never held '" + text + "'");
            Thread.sleep(50);
        }
    }

    @Test
    void aServiceThatNamesItsImageByDigestRunsFromTheBundle() throws Exception {
        // the engine keeps a digest only for an image it pulled: after a load, the digest names nothing
        String pushed = created.image("127.0.0.1:5000/" + TestEngine.unique("rundigest") + ":1");
        TestImages.build("FROM " + app + "\nRUN echo digest > /digest.txt\n", pushed);
        TestImages.push(pushed);
        ImageInspect image = engine.inspectImage(pushed);
        String byDigest = image.repoDigests().stream().filter(d -> d.startsWith(pushed.substring(0,
                pushed.lastIndexOf(':')) + "@")).findFirst().orElseThrow();
        Path dir = bundle(byDigest, "service is ready", freePort(), freePort());
        engine.removeImage(pushed, false);
        assertThrows(NotFoundException.class, () -> engine.inspectImage(image.id()), "the offline host lacks it");

        CliProcess.Result first = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, first.exit(), first.toString());
        ContainerInspect container = engine.inspectContainer(stack + "-app");
        assertTrue(container.state().running());
        assertEquals(image.id(), container.image());
        CliProcess.Result second = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(0, second.exit(), second.toString());
        assertFalse(second.err().contains("loaded"), "the image is there by its ID: " + second);
        assertTrue(second.err().contains(stack + "-app: running, unchanged"), second.toString());
    }

    @Test
    void aServiceTheStackNoLongerHasIsLeftWithAWarningOrRemovedOnRequest() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        String text = Files.readString(tmp.resolve(stack + ".yaml"));
        Path withoutWorker = tmp.resolve(stack + "-without-worker.yaml");
        Files.writeString(withoutWorker, text.replaceFirst("(?s)  worker:.*?(?=volumes:)", ""));

        CliProcess.Result left = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", withoutWorker.toString());
        assertEquals(0, left.exit(), left.toString());
        assertTrue(left.err().contains("warning: container " + stack + "-worker (service worker is no longer in the"
                + " stack) of stack " + stack + " is left as it is ('run --remove-orphans' removes it"), left.toString());
        assertTrue(engine.inspectContainer(stack + "-worker").state().running());

        CliProcess.Result removed = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", withoutWorker.toString(),
                "--remove-orphans");
        assertEquals(0, removed.exit(), removed.toString());
        assertTrue(removed.err().contains("removed container " + stack + "-worker"), removed.toString());
        assertTrue(assertMissing(stack + "-worker"));
        assertTrue(engine.inspectContainer(stack + "-app").state().running(), "the other services stay");

        // the bundle's stack still has the worker: status of the bundle shows its container missing
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "-d", dir.toString());
        assertEquals(1, status.exit(), "not all of the stack is up: " + status);
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("worker") && l.contains(stack + "-worker")
                && l.contains("missing")), status.toString());
        assertTrue(status.err().contains("1 missing ('run' creates it)"), status.toString());
        CliProcess.Result restart = CliProcess.run(Map.of(), "restart", "-d", dir.toString(), "-t", "1");
        assertEquals(0, restart.exit(), restart.toString());
        assertTrue(restart.err().contains("warning: service worker has no container (" + stack + "-worker was"
                + " removed?); 'run' creates it"), restart.toString());
    }

    @Test
    void downOfAStackWhoseNetworkAnotherStackJoinedNamesThatStack() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        String other = stack + "x";
        Path joining = tmp.resolve(other + ".yaml");
        Files.writeString(joining, "name: " + other + "\nservices:\n  joiner:\n    image: " + base + "\n"
                + "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n"
                + "    networks: [shared]\nnetworks:\n  shared:\n    name: " + stack + "-net\n    external: true\n");
        try {
            assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
            CliProcess.Result joined = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", joining.toString());
            assertEquals(0, joined.exit(), joined.toString());
            CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack);
            assertEquals(1, down.exit(), down.toString());
            assertTrue(down.err().contains("error: network " + stack + "-net is used by container " + other
                    + "-joiner (stack " + other + "): the rest of stack " + stack + " is down"), down.toString());
            assertTrue(assertMissing(stack + "-app") && assertMissing(stack + "-worker"), "the rest is down");
        } finally {
            CliProcess.run(Map.of(), "down", "--stack", other);
        }
    }

    @Test
    void theHealthcheckRuleTakesTheImagesOwnHealthcheckAndOneWithoutIsRefusedBeforeAnyContainer() throws Exception {
        String checked = created.image(TestEngine.unique("runhealthy") + ":1");
        TestImages.build("FROM " + app + "\nHEALTHCHECK --interval=1s CMD test -f /tmp/up\n", checked);
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-health.yaml");
        String service = "name: " + stack + "\nservices:\n  a:\n    image: %s\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; sleep 2; touch /tmp/up; while true; do sleep 1; done\"]\n"
                + "    x-offline:\n      ready: {healthcheck: true, timeout: 1m}\n";
        Files.writeString(file, service.formatted(app));
        CliProcess.Result none = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains("error: service a is waited for by its healthcheck (its ready: {healthcheck:"
                + " true}, or a depends_on with condition service_healthy), but neither the service nor its image " + app + " has one"), none.toString());
        assertTrue(assertMissing(stack + "-a"));

        Files.writeString(file, service.formatted(checked));
        CliProcess.Result own = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, own.exit(), own.toString());
        assertTrue(own.err().contains("a is ready: its healthcheck passes"), own.toString());
        assertEquals("healthy", engine.inspectContainer(stack + "-a").state().health().status());
    }

    @Test
    void aOneShotServiceThatExitsZeroCountsAsDoneAndOneThatFailsFailsTheRun() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-oneshot.yaml");
        String text = "name: " + stack + "\nservices:\n"
                + "  init:\n    image: " + base + "\n    command: [sh, -c, '%s']\n    volumes: ['seed:/data']\n"
                + "    x-offline:\n      ready: {log: seeded, timeout: 30s}\n"
                + "  reader:\n    image: " + base + "\n    volumes: ['seed:/data']\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; cat /data/seed; while true; do sleep 1; done\"]\n"
                + "    x-offline:\n      ready: {log: seeded, timeout: 30s}\n"
                + "volumes:\n  seed:\n    name: " + stack + "-seed\n";
        // init exits at once: whether run first sees it running or exited depends on timing (ServiceReadinessTest
        // covers the exited case alone)
        Files.writeString(file, text.formatted("echo seeded > /data/seed; echo seeded"));
        for (int i = 0; i < 2; i++) { // the second run starts the completed one-shot again, as compose up does
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("init is ready: its log says 'seeded'"), r.toString());
            assertTrue(r.err().contains("ready: its log says 'seeded'"), r.toString());
        }
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
        assertEquals(0, status.exit(), "a one-shot that ran to completion counts as up: " + status);
        assertTrue(status.err().contains("1 of 1 containers running; 1 one-shot service done"), status.toString());
        Files.writeString(file, text.formatted("echo failing; exit 3"));
        CliProcess.Result failed = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, failed.exit(), failed.toString());
        assertTrue(failed.err().contains("init stopped (exit code 3) before it was ready"), failed.toString());
    }

    @Test
    void anImagesUnnamedVolumeIsTakenOverByAReplacementAndDeletedByDownVolumes() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        String keeper = created.image(TestEngine.unique("runkeep") + ":1");
        TestImages.build("FROM " + base + "\nRUN mkdir /keep\nVOLUME /keep\n", keeper);
        String keeper2 = created.image(TestEngine.unique("runkeep") + ":2");
        TestImages.build("FROM " + keeper + "\nRUN echo 2 > /version\n", keeper2);
        Path file = tmp.resolve(stack + "-keep.yaml");
        String text = "name: " + stack + "\nservices:\n  keeper:\n    image: %s\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; n=$$(cat /keep/count 2>/dev/null || echo 0);"
                + " echo $$((n+1)) > /keep/count; echo counted; while true; do sleep 1; done\"]\n"
                + "    x-offline:\n      ready: {log: counted, timeout: 30s}\n";
        String container = stack + "-keeper";
        Files.writeString(file, text.formatted(keeper));
        CliProcess.Result first = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.err().contains("warning: service keeper: its image keeps /keep in an unnamed volume (the"
                + " image's VOLUME, which the stack does not mount)"), first.toString());
        String volume = unnamedVolume(container, "/keep");
        created.volume(volume);
        assertEquals("1", file(container, "/keep/count"));

        Files.writeString(file, text.formatted(keeper2));
        CliProcess.Result upgrade = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, upgrade.exit(), upgrade.toString());
        assertTrue(upgrade.err().contains(container + ": the new container keeps the unnamed volume at /keep"),
                upgrade.toString());
        assertTrue(upgrade.err().contains("replaced " + container), upgrade.toString());
        assertEquals(volume, unnamedVolume(container, "/keep"), "the successor mounts its predecessor's volume");
        assertEquals("2", file(container, "/keep/count"), "and sees its data");
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertTrue(again.err().contains(container + ": running, unchanged"), "the volume taken over is no change: "
                + again);

        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack);
        assertEquals(0, down.exit(), down.toString());
        assertTrue(down.err().contains("kept the unnamed volume of " + container + " at /keep, which run does not use"
                + " again ('docker volume rm " + volume + "' deletes it)"), down.toString());
        engine.inspectVolume(volume); // kept

        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
        String fresh = unnamedVolume(container, "/keep");
        assertFalse(fresh.equals(volume));
        // replaced once more: the successor mounts the volume by its name, which the engine's v=true would leave
        Files.writeString(file, text.formatted(keeper));
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
        assertEquals(fresh, unnamedVolume(container, "/keep"));
        CliProcess.Result downVolumes = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, downVolumes.exit(), downVolumes.toString());
        assertTrue(downVolumes.err().contains("removed container " + container + " and its unnamed volume at /keep"),
                downVolumes.toString());
        assertThrows(NotFoundException.class, () -> engine.inspectVolume(fresh));
        engine.inspectVolume(volume); // another container's, which down --volumes did not remove
    }

    @Test
    void composeKeysThatAreEngineFieldsReachTheContainerAndATtyContainersLogIsRead() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-engine.yaml");
        String service = "name: " + stack + "\nservices:\n  term:\n    image: " + base + "\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; echo on a tty; while true; do sleep 1; done\"]\n"
                + "    x-offline:\n      ready: {log: on a tty, timeout: 30s}\n";
        Files.writeString(file, service + """
                    tty: true
                    stdin_open: true
                    stop_signal: SIGTERM
                    domainname: example.com
                    security_opt: ["no-new-privileges:true"]
                    sysctls: {net.core.somaxconn: 1024}
                    dns: [10.0.0.53]
                    dns_search: corp.example
                    dns_opt: ["ndots:2"]
                    read_only: true
                    ipc: shareable
                    devices: ["/dev/null:/dev/xnull:rw"]
                    group_add: ["1234"]
                    pids_limit: 100
                    cpu_shares: 512
                    oom_score_adj: 100
                    mem_reservation: 64m
                    cpuset: "0"
                """);
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("term is ready: its log says 'on a tty'"), "a TTY's raw log is read: " + r);
        com.fasterxml.jackson.databind.JsonNode inspect = dockerInspect(stack + "-term");
        com.fasterxml.jackson.databind.JsonNode config = inspect.get("Config");
        com.fasterxml.jackson.databind.JsonNode host = inspect.get("HostConfig");
        assertTrue(config.get("Tty").asBoolean() && config.get("OpenStdin").asBoolean(), config.toString());
        assertEquals("SIGTERM", config.get("StopSignal").asText());
        assertEquals("example.com", config.get("Domainname").asText());
        assertEquals("[\"no-new-privileges:true\"]", host.get("SecurityOpt").toString());
        assertEquals("{\"net.core.somaxconn\":\"1024\"}", host.get("Sysctls").toString());
        assertEquals("[\"10.0.0.53\"]", host.get("Dns").toString());
        assertEquals("[\"corp.example\"]", host.get("DnsSearch").toString());
        assertEquals("[\"ndots:2\"]", host.get("DnsOptions").toString());
        assertTrue(host.get("ReadonlyRootfs").asBoolean());
        assertEquals("shareable", host.get("IpcMode").asText());
        assertEquals("[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/xnull\",\"CgroupPermissions\":\"rw\"}]",
                host.get("Devices").toString());
        assertEquals("[\"1234\"]", host.get("GroupAdd").toString());
        assertEquals(100, host.get("PidsLimit").asLong());
        assertEquals(512, host.get("CpuShares").asLong());
        assertEquals(100, host.get("OomScoreAdj").asLong());
        assertEquals(64L << 20, host.get("MemoryReservation").asLong());
        assertEquals("0", host.get("CpusetCpus").asText());
        CliProcess.Result logs = CliProcess.run(Map.of(), "logs", "--stack", stack, "term");
        assertEquals(0, logs.exit(), logs.toString());
        assertTrue(logs.out().contains("on a tty"), logs.toString());
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertTrue(again.err().contains(stack + "-term: running, unchanged"), again.toString());

        Files.writeString(file, service + "    runtime: no-such-runtime\n");
        CliProcess.Result runtime = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, runtime.exit(), runtime.toString());
        assertTrue(runtime.err().contains("error: service term asks for runtime no-such-runtime, but this engine has "),
                runtime.toString());
        assertTrue(runtime.err().contains("runc") && runtime.err().contains("; nothing was changed"), runtime.toString());
        assertEquals(inspect.get("Id").asText(), engine.inspectContainer(stack + "-term").id(), "not replaced");
        Files.writeString(file, service + "    cpuset: '0,99'\n");
        CliProcess.Result cpuset = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, cpuset.exit(), cpuset.toString());
        assertTrue(cpuset.err().contains("error: service term asks for cpuset: 0,99, but this host's CPUs are 0 to "),
                cpuset.toString());
    }

    @Test
    void networkAddressesAndVolumeDriverOptionsReachTheEngine() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        int octet = 100 + new java.util.Random().nextInt(150);
        String subnet = "10.231." + octet + ".0/24";
        Path file = tmp.resolve(stack + "-net.yaml");
        String text = "name: " + stack + "\nservices:\n  s:\n    image: " + base + "\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; echo up; while true; do sleep 1; done\"]\n"
                + "    networks: [back]\n    volumes: ['scratch:/scratch']\n"
                + "networks:\n  back:\n    name: " + stack + "-back\n    internal: true\n    labels: {tier: back}\n"
                + "    ipam:\n      config:\n        - {subnet: %s, gateway: 10.231." + octet + ".1}\n"
                + "volumes:\n  scratch:\n    name: " + stack + "-scratch\n    driver: %s\n"
                + "    driver_opts: {type: tmpfs, device: tmpfs, o: size=8m}\n";
        Files.writeString(file, text.formatted(subnet, "local"));
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, r.exit(), r.toString());
        com.fasterxml.jackson.databind.JsonNode network = dockerInspectOf("network", stack + "-back");
        assertEquals(subnet, network.at("/IPAM/Config/0/Subnet").asText(), network.toString());
        assertEquals("10.231." + octet + ".1", network.at("/IPAM/Config/0/Gateway").asText());
        assertTrue(network.get("Internal").asBoolean());
        assertEquals("back", network.at("/Labels/tier").asText());
        assertEquals(stack, network.at("/Labels/" + StackLabels.STACK_LABEL.replace("/", "~1")).asText());
        assertTrue(dockerInspect(stack + "-s").at("/NetworkSettings/Networks/" + stack + "-back/IPAddress").asText()
                .startsWith("10.231." + octet + "."));
        com.fasterxml.jackson.databind.JsonNode volume = dockerInspectOf("volume", stack + "-scratch");
        assertEquals("tmpfs", volume.at("/Options/type").asText(), volume.toString());
        assertEquals("size=8m", volume.at("/Options/o").asText());

        Files.writeString(file, text.formatted("10.232." + octet + ".0/24", "local").replace("gateway: 10.231.",
                "gateway: 10.232.").replace("size=8m", "size=16m"));
        CliProcess.Result changed = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, changed.exit(), changed.toString());
        assertTrue(changed.err().contains("warning: volume " + stack + "-scratch exists with another driver or"
                + " driver_opts than the stack gives; it is used as it is, with its data"), changed.toString());
        assertTrue(changed.err().contains("warning: network " + stack + "-back exists without subnet 10.232." + octet
                + ".0/24; it is used as it is (down, then run, makes it anew as the stack says)"), changed.toString());

        assertEquals(0, CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes").exit());
        Files.writeString(file, text.formatted(subnet, "no-such-driver"));
        CliProcess.Result driver = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, driver.exit(), driver.toString());
        assertTrue(driver.err().contains("error: volume " + stack + "-scratch: this engine has no volume driver"
                + " 'no-such-driver' (it has local"), driver.toString());
        assertTrue(driver.err().contains("; nothing was changed"), driver.toString());
        assertThrows(NotFoundException.class, () -> engine.inspectNetwork(stack + "-back"), "nothing was created");
    }

    /** The name of the unnamed volume a container has at {@code path}. */
    private static String unnamedVolume(String container, String path) {
        return engine.inspectContainer(container).mounts().stream()
                .filter(m -> m.unnamed() && path.equals(m.destination())).findFirst()
                .orElseThrow(() -> new AssertionError(container + " has no unnamed volume at " + path)).name();
    }

    /**
     * When the engine sent a container SIGTERM and when it died, since {@code since} (unix seconds), in nanoseconds of
     * the engine's clock: timings the engine keeps, whatever the load on the host running the tool.
     */
    private static long[] termAndDeath(String container, long since) throws Exception {
        Process p = new ProcessBuilder("docker", "events", "--since", String.valueOf(since), "--until",
                String.valueOf(System.currentTimeMillis() / 1000 + 1), "--filter", "container=" + container,
                "--format", "{{.Action}} {{.TimeNano}} {{index .Actor.Attributes \"signal\"}}")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), "docker events");
        long term = lines.stream().filter(l -> l.startsWith("kill ") && l.endsWith(" 15")).mapToLong(l -> Long.parseLong(
                l.split(" ")[1])).min().orElseThrow(() -> new AssertionError("no SIGTERM for " + container + ": " + lines));
        long death = lines.stream().filter(l -> l.startsWith("die ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .filter(t -> t >= term).min().orElseThrow(() -> new AssertionError("no death of " + container + ": "
                        + lines));
        return new long[] {term, death};
    }

    /** The engine's own inspection of a container, as {@code docker inspect} prints it. */
    private static com.fasterxml.jackson.databind.JsonNode dockerInspect(String container) throws Exception {
        return dockerInspectOf("container", container);
    }

    /** The same of a network or volume ({@code kind}: container, network, volume). */
    private static com.fasterxml.jackson.databind.JsonNode dockerInspectOf(String kind, String name) throws Exception {
        Process p = new ProcessBuilder("docker", kind, "inspect", "--format", "{{json .}}", name)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), "docker " + kind + " inspect " + name);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
    }

    @Test
    void composeSettingsReachTheContainerAndDependsOnOrdersTheStart() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path file = tmp.resolve(stack + "-settings.yaml");
        // web is written first but starts last: it reads what seed wrote, once db is healthy
        Files.writeString(file, """
                name: %1$s
                services:
                  web:
                    image: %2$s
                    depends_on:
                      seed: {condition: service_completed_successfully}
                      db: {condition: service_healthy}
                    entrypoint: [sh, -c]
                    command: ["trap '' TERM; cat /shared/seed; while true; do sleep 1; done"]
                    working_dir: /shared
                    user: "65534:65534"
                    hostname: web-host
                    extra_hosts: ["registry.local:10.1.2.3", "gw=host-gateway"]
                    cap_add: [net_admin]
                    cap_drop: [MKNOD]
                    shm_size: 64m
                    mem_limit: 256m
                    cpus: 0.5
                    init: true
                    stop_grace_period: 2s
                    logging: {driver: json-file, options: {max-size: 1m, max-file: 2}}
                    tmpfs: ["/scratch:size=8m"]
                    expose: ["7000-7001/udp"]
                    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
                    volumes: ["shared:/shared:ro"]
                    networks:
                      default: {aliases: [frontend]}
                      back: {aliases: [api, api2]}
                    x-offline:
                      ready: {log: seeded, timeout: 30s}
                  db:
                    image: %2$s
                    command: [sh, -c, "trap 'exit 0' TERM; sleep 2; touch /tmp/up; while true; do sleep 1; done"]
                    healthcheck: {test: [CMD, test, -f, /tmp/up], interval: 1s}
                  seed:
                    image: %2$s
                    command: [sh, -c, "sleep 2; echo seeded > /shared/seed"]
                    volumes: ["shared:/shared"]
                  probe:
                    image: %2$s
                    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    network_mode: host
                volumes:
                  shared: {name: %1$s-shared}
                networks:
                  back: {name: %1$s-back}
                """.formatted(stack, base));
        Path tooMany = tmp.resolve(stack + "-cpus.yaml");
        Files.writeString(tooMany, Files.readString(file).replace("cpus: 0.5", "cpus: 512"));
        CliProcess.Result refused = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", tooMany.toString());
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("error: service web asks for cpus: 512, but this host has "), refused.toString());
        assertTrue(assertMissing(stack + "-seed"), "refused before anything changed");

        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, r.exit(), r.toString());
        int seed = r.err().indexOf("created and started " + stack + "-seed");
        int db = r.err().indexOf("created and started " + stack + "-db");
        int web = r.err().indexOf("created and started " + stack + "-web");
        assertTrue(seed >= 0 && db > seed && web > db, "seed, then db, then web: " + r);
        assertTrue(r.err().contains("seed is ready: it ran to completion (exit code 0)"), r.toString());
        assertTrue(r.err().contains("db is ready: its healthcheck passes"), r.toString());
        assertTrue(r.err().contains("web is ready: its log says 'seeded'"), r.toString());

        com.fasterxml.jackson.databind.JsonNode c = dockerInspect(stack + "-web");
        com.fasterxml.jackson.databind.JsonNode config = c.get("Config");
        com.fasterxml.jackson.databind.JsonNode host = c.get("HostConfig");
        assertEquals("[\"sh\",\"-c\"]", config.get("Entrypoint").toString());
        assertEquals("/shared", config.get("WorkingDir").asText());
        assertEquals("65534:65534", config.get("User").asText());
        assertEquals("web-host", config.get("Hostname").asText());
        assertEquals(2, config.get("StopTimeout").asInt());
        assertTrue(config.get("ExposedPorts").has("7000/udp") && config.get("ExposedPorts").has("7001/udp"));
        assertEquals("[\"registry.local:10.1.2.3\",\"gw:host-gateway\"]", host.get("ExtraHosts").toString());
        assertEquals("[\"NET_ADMIN\"]", host.get("CapAdd").toString());
        assertEquals("[\"MKNOD\"]", host.get("CapDrop").toString());
        assertEquals(64L << 20, host.get("ShmSize").asLong());
        assertEquals(256L << 20, host.get("Memory").asLong());
        assertEquals(500_000_000L, host.get("NanoCpus").asLong());
        assertTrue(host.get("Init").asBoolean());
        assertEquals("{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"2\",\"max-size\":\"1m\"}}",
                host.get("LogConfig").toString());
        assertEquals("{\"/scratch\":\"size=8m\"}", host.get("Tmpfs").toString());
        assertEquals("[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024},{\"Name\":\"nproc\",\"Hard\":512,"
                + "\"Soft\":512}]", host.get("Ulimits").toString());
        com.fasterxml.jackson.databind.JsonNode networks = c.get("NetworkSettings").get("Networks");
        assertTrue(networks.get(stack + "_default").get("Aliases").toString().contains("\"frontend\""), networks.toString());
        assertTrue(networks.get(stack + "-back").get("Aliases").toString().contains("\"api\",\"api2\""),
                networks.toString());

        assertEquals("host", dockerInspect(stack + "-probe").get("HostConfig").get("NetworkMode").asText());

        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains(stack + "-web: running, unchanged"), "the settings read back the same: " + again);

        // web ignores SIGTERM: stop kills it once its stop_grace_period (2 s), not the default 10 s, is up
        long since = System.currentTimeMillis() / 1000 - 1;
        CliProcess.Result stop = CliProcess.run(Map.of(), "stop", "--stack", stack);
        assertEquals(0, stop.exit(), stop.toString());
        assertTrue(stop.err().contains("its stop_grace_period, 10 s unless the stack sets one,"), stop.toString());
        assertEquals(137, engine.inspectContainer(stack + "-web").state().exitCode(), "killed after its grace time");
        long[] webStop = termAndDeath(stack + "-web", since);
        assertTrue(webStop[1] - webStop[0] < 8_000_000_000L, "killed 2 s after SIGTERM, not the default 10 s: "
                + (webStop[1] - webStop[0]) / 1_000_000 + " ms");
        int stoppedWeb = stop.err().indexOf("stopped " + stack + "-web");
        assertTrue(stoppedWeb >= 0 && stoppedWeb < stop.err().indexOf("stopped " + stack + "-db"),
                "dependents stop first: " + stop);

        // start follows depends_on too: seed runs to completion and db is healthy before web starts
        CliProcess.Result start = CliProcess.run(Map.of(), "start", "--stack", stack);
        assertEquals(0, start.exit(), start.toString());
        int startedWeb = start.err().indexOf("started " + stack + "-web");
        int startedDb = start.err().indexOf("started " + stack + "-db");
        int startedSeed = start.err().indexOf("started " + stack + "-seed");
        assertTrue(startedDb >= 0 && startedSeed >= 0 && startedWeb > startedDb && startedWeb > startedSeed
                && start.err().indexOf("waiting for seed to be done (exit code 0) before " + stack + "-web") > 0,
                start.toString());
        assertEquals(0, engine.inspectContainer(stack + "-seed").state().exitCode());
        assertEquals("healthy", engine.inspectContainer(stack + "-db").state().health().status());

        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack).exit());
        engine.removeContainer(stack + "-db", true);
        CliProcess.Result withoutDb = CliProcess.run(Map.of(), "start", "--stack", stack);
        assertEquals(1, withoutDb.exit(), withoutDb.toString());
        assertTrue(withoutDb.err().contains(stack + "-web depends on db, which has no container (removed by hand?);"
                + " 'mlreef-offline run' creates it"), withoutDb.toString());
        assertFalse(engine.inspectContainer(stack + "-web").state().running());
    }

    @Test
    void aBindMountOfAMissingHostPathIsWarnedAbout() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        Path missing = tmp.resolve(stack + "-missing.sock");
        Path file = tmp.resolve(stack + "-bind.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n  a:\n    image: " + base + "\n"
                + "    command: [sleep, '600']\n    volumes: ['" + missing + ":/run/x.sock']\n");
        CliProcess.Result plan = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString(),
                "--dry-run");
        assertEquals(0, plan.exit(), plan.toString());
        assertTrue(plan.err().contains("warning: service a mounts host path " + missing + ", which does not exist on"
                + " this host: the engine will create an empty folder there"), plan.toString());
        CliProcess.Result doctor = CliProcess.run(Map.of(), "doctor", "-f", file.toString());
        assertTrue(doctor.out().contains("host path " + missing), doctor.toString());
        assertFalse(Files.exists(missing), "nothing was created");
    }

    @Test
    void aUserOfTheDockerGroupSharesTheHostsLockWithRoot() throws Exception {
        Path socket = Path.of("/var/run/docker.sock");
        Path lock = RunLock.defaultPath();
        int gid = (Integer) Files.getAttribute(socket, "unix:gid");
        List<String> engineUser = List.of("setpriv", "--reuid=65534", "--regid=65534", "--groups=" + gid, "--");
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        assertEquals(gid, Files.getAttribute(lock, "unix:gid"), "the lock belongs to the socket's group");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        CliProcess.Result stop = CliProcess.run(engineUser, Map.of("HOME", "/tmp"), "stop", "--stack", stack);
        assertEquals(0, stop.exit(), stop.toString());

        // a lock that only root may write, as an earlier version left it
        Files.setAttribute(lock, "unix:gid", 0);
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
        CliProcess.Result refused = CliProcess.run(engineUser, Map.of("HOME", "/tmp"), "start", "--stack", stack);
        assertEquals(1, refused.exit(), refused.toString());
        assertEquals("error: cannot take the lock " + lock + ": permission denied (user root made it without write"
                + " access for others, as an earlier mlreef-offline did); run this command as root once, which lets"
                + " every user of the engine share the lock, or remove the file", refused.err().strip());
        assertEquals(0, CliProcess.run(Map.of(), "start", "--stack", stack).exit(), "root takes it and shares it");
        CliProcess.Result shared = CliProcess.run(engineUser, Map.of("HOME", "/tmp"), "restart", "--stack", stack);
        assertEquals(0, shared.exit(), shared.toString());

        // a bundle file that user may not read is named before anything is planned
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path image;
        try (var files = Files.list(dir.resolve("images"))) {
            image = files.findFirst().orElseThrow();
        }
        Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
        CliProcess.Result unreadable = CliProcess.run(engineUser, Map.of("HOME", "/tmp"), "run", "-d", dir.toString(),
                "--dry-run");
        assertEquals(1, unreadable.exit(), unreadable.toString());
        assertTrue(unreadable.err().startsWith("error: cannot read " + image + ": permission denied"),
                unreadable.toString());
    }

    @Test
    void stopGivesEveryContainerItsGraceTimeAtOnce() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        StringBuilder text = new StringBuilder("name: " + stack + "\nservices:\n");
        for (int i = 0; i < 4; i++) { // a shell as the first process ignores SIGTERM: each waits out its -t
            text.append("  s").append(i).append(":\n    image: ").append(base).append("\n")
                    .append("    command: [sh, -c, 'while true; do sleep 1; done']\n");
        }
        Path file = tmp.resolve(stack + "-four.yaml");
        Files.writeString(file, text);
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
        long since = System.currentTimeMillis() / 1000 - 1;
        CliProcess.Result stop = CliProcess.run(Map.of(), "stop", "--stack", stack, "-t", "3");
        assertEquals(0, stop.exit(), stop.toString());
        long first = Long.MAX_VALUE;
        long last = 0;
        for (int i = 0; i < 4; i++) {
            ContainerInspect c = engine.inspectContainer(stack + "-s" + i);
            assertFalse(c.state().running());
            assertEquals(137, c.state().exitCode(), "killed once its 3 s were up");
            long[] events = termAndDeath(stack + "-s" + i, since);
            assertTrue(events[1] - events[0] >= 2_500_000_000L, "given its 3 s after SIGTERM");
            first = Math.min(first, events[0]);
            last = Math.max(last, events[0]);
        }
        // one after another, each SIGTERM would come 3 s after the one before: 9 s from the first to the last
        assertTrue(last - first < 6_000_000_000L, "SIGTERM to all four at once, not one after another: "
                + (last - first) / 1_000_000 + " ms from the first to the last");
        CliProcess.Result bad = CliProcess.run(Map.of(), "stop", "--stack", stack, "-t", "-1");
        assertEquals(2, bad.exit(), bad.toString());

        // one service alone, as in Compose
        CliProcess.Result one = CliProcess.run(Map.of(), "start", "--stack", stack, "s1");
        assertEquals(0, one.exit(), one.toString());
        assertTrue(engine.inspectContainer(stack + "-s1").state().running());
        assertFalse(engine.inspectContainer(stack + "-s2").state().running(), "the others stay stopped");
    }

    @Test
    void aVolumeOfAnotherStackOrMadeByHandIsNamedInThePlan() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString()).exit());
        String other = stack + "o";
        Path file = tmp.resolve(other + ".yaml");
        Files.writeString(file, "name: " + other + "\nservices:\n  a:\n    image: " + base + "\n"
                + "    command: [sleep, '600']\n    volumes: [shared:/data, byhand:/more]\n    networks: [byhand]\n"
                + "volumes:\n  shared:\n    name: " + stack + "-data\n  byhand:\n    name: " + other + "-byhand\n"
                + "networks:\n  byhand:\n    name: " + other + "-net\n");
        engine.createVolume(other + "-byhand", Map.of());
        engine.createNetwork(other + "-net", "bridge", Map.of());
        try {
            CliProcess.Result plan = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString(),
                    "--dry-run");
            assertEquals(0, plan.exit(), plan.toString());
            assertTrue(plan.err().contains("warning: volume " + stack + "-data belongs to stack " + stack + "; stack "
                    + other + " uses it too, with its data"), plan.toString());
            assertTrue(plan.out().contains("keep   volume " + other + "-byhand (made outside mlreef-offline; used with"
                    + " its data)"), plan.toString());
            assertTrue(plan.out().contains("keep   network " + other + "-net (made outside mlreef-offline; used as it"
                    + " is)"), plan.toString());
            assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
            CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", other, "--volumes", "--yes");
            assertEquals(0, down.exit(), down.toString());
            for (String kept : List.of(other + "-byhand", stack + "-data")) {
                assertTrue(down.err().contains("kept volume " + kept + ": stack " + other + " used it but did not make"
                        + " it ('docker volume rm " + kept + "' deletes it)"), down.toString());
                assertEquals(kept, engine.inspectVolume(kept).name(), "down --volumes deletes only the stack's own");
            }
            assertTrue(down.err().contains("kept network " + other + "-net: stack " + other + " used it but did not make"
                    + " it"), down.toString());
            assertEquals(other + "-net", engine.inspectNetwork(other + "-net").name());
        } finally {
            CliProcess.run(Map.of(), "down", "--stack", other);
            engine.removeVolume(other + "-byhand");
            engine.removeNetwork(other + "-net");
        }
    }

    @Test
    void aServiceThatNeverLogsItsReadyLineFailsWithinTheTimeoutShowingItsLogs() throws Exception {
        Path dir = bundle("a line it never prints", freePort(), freePort());
        long t0 = System.nanoTime();
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--timeout", "5s");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        assertEquals(1, r.exit(), r.toString());
        assertTrue(seconds < 30, "failed after " + seconds + " s");
        assertTrue(r.err().contains("app did not become ready within 5s (log line 'a line it never prints')"), r.toString());
        assertTrue(r.err().contains("--- last 30 log lines of"), r.toString());
        assertTrue(r.err().contains("service is ready"), "its log lines are shown: " + r);
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--timeout", "3s");
        assertEquals(1, again.exit(), "the unchanged container is still not ready: " + again);
        assertTrue(again.err().contains("app did not become ready within 3s"), again.toString());
    }

    @Test
    void aTakenHostPortFailsBeforeAnythingIsCreated() throws Exception {
        int taken = freePort();
        int web = freePort();
        Path dir = bundle("service is ready", web, taken);
        try (ServerSocket holder = new ServerSocket(taken)) {
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString());
            assertEquals(1, r.exit(), r.toString());
            assertEquals("error: host port " + taken + " that app publishes is in use by another program; nothing was"
                    + " changed. Free the port, or publish another one in the stack file (-f)", r.err().strip());
            CliProcess.Result dry = CliProcess.run(Map.of(), "run", "--dry-run", "-d", dir.toString());
            assertEquals(1, dry.exit(), "a dry run finds it too: " + dry);
            assertTrue(dry.out().contains("create container " + stack + "-app"), "after the plan: " + dry);
            assertTrue(dry.err().contains("error: host port " + taken + " that app publishes is in use by another"
                    + " program"), dry.toString());
            try (ServerSocket second = new ServerSocket(web)) {
                CliProcess.Result both = CliProcess.run(Map.of(), "run", "-d", dir.toString());
                assertEquals(1, both.exit(), both.toString());
                assertEquals("error: host port " + web + " that app publishes is in use by another program; host port "
                        + taken + " that app publishes is in use by another program; nothing was changed. Free the"
                        + " ports, or publish another one in the stack file (-f)", both.err().strip(),
                        "every taken port at once");
            }
        }
        assertTrue(assertMissing(stack + "-app"));
        assertTrue(engine.listVolumes(List.of("com.mlreef.offline.stack=" + stack)).isEmpty(), "no volume created");
        assertTrue(engine.listNetworks().stream().noneMatch(n -> n.name().equals(stack + "-net")), "no network created");
    }

    @Test
    void aBundleWhoseImageNamesTakeOtherValuesHereIsRefusedNotRunWithAnotherImage() throws Exception {
        stack = TestEngine.unique("run").replace("mlro-test-", "mlrot");
        Path file = tmp.resolve(stack + "-vars.yaml");
        Files.writeString(file, "name: " + stack + "\nservices:\n  s:\n    image: ${MLRO_IMAGE:-" + base + "}\n"
                + "    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n");
        Path dir = tmp.resolve(stack + "-bundle");
        CliProcess.Result export = CliProcess.run(Map.of("MLRO_IMAGE", app), "export", "-q", "--no-pull", "-f",
                file.toString(), "-o", dir.toString());
        assertEquals(0, export.exit(), export.toString());
        assertTrue(export.err().contains("warning: the stack's image names take MLRO_IMAGE=" + app + " from this host's"
                + " environment: set it the same on the offline host"), export.toString());
        CliProcess.Result elsewhere = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(1, elsewhere.exit(), elsewhere.toString());
        assertTrue(elsewhere.err().contains("error: stack " + stack + " runs " + base + " here, which the bundle does"
                + " not carry (it carries " + app + "): a ${VAR} in an image name takes this host's value"),
                elsewhere.toString());
        assertTrue(assertMissing(stack + "-s"), "nothing was changed, though the engine has " + base);
        // -f - reads the stack from standard input, once, though run reads its stack more than once
        CliProcess.Result piped = CliProcess.runIn(null, file, List.of(), Map.of("MLRO_IMAGE", app), "run",
                "--dry-run", "-d", dir.toString(), "-f", "-");
        assertEquals(0, piped.exit(), piped.toString());
        assertTrue(piped.out().contains("create container " + stack + "-s"), piped.toString());
        CliProcess.Result same = CliProcess.run(Map.of("MLRO_IMAGE", app), "run", "-d", dir.toString());
        assertEquals(0, same.exit(), same.toString());
        assertEquals(engine.inspectImage(app).id(), engine.inspectContainer(stack + "-s").image());
    }

    @Test
    void aPortThatMovesBetweenServicesAsksForTheStackStoppedAndThenMoves() throws Exception {
        Path dir = bundle("service is ready", freePort(), freePort());
        int one = freePort();
        int two = freePort();
        Path file = tmp.resolve(stack + "-swap.yaml");
        String text = "name: " + stack + "\nservices:\n"
                + "  a:\n    image: " + base + "\n    command: [httpd, -f, -p, '80']\n    ports: ['%d:80']\n"
                + "  b:\n    image: " + base + "\n    command: [httpd, -f, -p, '80']\n    ports: ['%d:80']\n";
        Files.writeString(file, text.formatted(one, two));
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString()).exit());
        Files.writeString(file, text.formatted(two, one));
        CliProcess.Result swapped = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(1, swapped.exit(), swapped.toString());
        assertTrue(swapped.err().contains("host port " + two + " that a publishes is in use by container " + stack
                + "-b of this stack"), swapped.toString());
        assertTrue(swapped.err().contains("nothing was changed. A port that moves from one service to another needs the"
                + " stack stopped first, as run replaces one service at a time: 'mlreef-offline stop --stack " + stack
                + "', then run again"), swapped.toString());
        assertEquals(0, CliProcess.run(Map.of(), "stop", "--stack", stack).exit());
        CliProcess.Result moved = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", file.toString());
        assertEquals(0, moved.exit(), moved.toString());
        assertEquals(String.valueOf(two), engine.inspectContainer(stack + "-a").hostConfig().portBindings()
                .get("80/tcp").get(0).hostPort());
        assertTrue(engine.inspectContainer(stack + "-b").state().running());
    }

    @Test
    void badInputIsOneLineAndNothingIsCreated() throws Exception {
        CliProcess.Result noDir = CliProcess.run(Map.of(), "run");
        assertEquals(2, noDir.exit(), noDir.toString());
        CliProcess.Result missing = CliProcess.run(Map.of(), "run", "-d", tmp.resolve("nowhere").toString());
        assertEquals(2, missing.exit(), "a folder that does not exist is bad usage");
        assertEquals("error: " + tmp.resolve("nowhere") + " does not exist", missing.err().strip());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliProcess.Result none = CliProcess.run(Map.of(), "run", "-d", empty.toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().strip().endsWith("holds no bundle.json and no image tars (*.tar, *.tar.gz, *.tgz, *.tar.zst)"), none.toString());
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        Files.writeString(corrupt.resolve("mlreef.tar"), "not a tar");
        CliProcess.Result bad = CliProcess.run(Map.of(), "run", "-d", corrupt.toString());
        assertEquals(1, bad.exit(), bad.toString());
        List<String> errors = bad.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), bad.toString());
        assertTrue(errors.get(0).startsWith("error: " + corrupt.resolve("mlreef.tar") + " "), bad.toString());

        Path dir = bundle("service is ready", freePort(), freePort());
        String json = Files.readString(dir.resolve("bundle.json"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("bundle.json"), json.replaceFirst("\"images/[^\"]+\"", "\"../x\""));
        CliProcess.Result escape = CliProcess.run(Map.of(), "run", "-d", outside.toString());
        assertEquals(1, escape.exit(), escape.toString());
        assertTrue(escape.err().contains("file '../x' is not a plain file name under images/"), escape.toString());

        CliProcess.Result images = CliProcess.run(Map.of(), "run", "-d", dir.resolve("images").toString());
        assertEquals(2, images.exit(), images.toString());
        assertEquals("error: " + dir.resolve("images") + " is the images folder of the bundle in " + dir + ": give -d "
                + dir, images.err().strip());

        Path badStack = tmp.resolve("bad-port.yaml");
        Files.writeString(badStack, "services:\n  a:\n    image: " + base + "\n    ports: ['80']\n");
        CliProcess.Result badFile = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", badStack.toString());
        assertEquals(2, badFile.exit(), badFile.toString());
        assertEquals(1, badFile.err().strip().lines().count(), "one line, no word of an interruption: " + badFile);

        CliProcess.Result pip = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-s", "ftp://x");
        assertEquals(2, pip.exit(), pip.toString());
        CliProcess.Result pipEnv = CliProcess.run(Map.of("PIP_SERVER", "notvalid"), "run", "-d", dir.toString());
        assertEquals(2, pipEnv.exit(), pipEnv.toString());
        assertTrue(pipEnv.err().startsWith("error: PIP_SERVER in the environment: 'notvalid' is not a pip server"),
                pipEnv.toString());
        Path noPip = tmp.resolve("no-pip.yaml");
        Files.writeString(noPip, "name: " + stack + "-nopip\nservices:\n  a:\n    image: " + base + "\n");
        CliProcess.Result unused = CliProcess.run(Map.of("PIP_SERVER", "notvalid"), "run", "-d", dir.toString(), "-f",
                noPip.toString(), "--dry-run");
        assertEquals(0, unused.exit(), unused.toString());
        assertFalse(unused.err().contains("PIP_SERVER") || unused.err().contains("-s"),
                "the environment's PIP_SERVER is no business of a stack without ${PIP_SERVER}: " + unused);

        Files.writeString(dir.resolve("bundle.json"), json.replace("MODE: test", "MODE: edited"));
        CliProcess.Result edited = CliProcess.run(Map.of(), "run", "-d", dir.toString());
        assertEquals(1, edited.exit(), edited.toString());
        assertEquals("error: " + dir.resolve("bundle.json") + " differs from its sha256 in SHA256SUMS: it was edited or"
                + " damaged; copy the bundle again, or to change the stack, give it with -f", edited.err().strip());
        assertTrue(assertMissing(stack + "-app"));
    }


    @Test
    void whatCannotBeCreatedIsRefusedInThePlanAndAStackWithoutNameKeepsTheOneItWasExportedWith() throws Exception {
        String name = TestEngine.unique("runplan").replace("mlro-test-", "mlrot");
        Path file = tmp.resolve(name + ".yaml"); // no name: key, so the stack is named after the file
        Files.writeString(file, """
                services:
                  a:
                    image: %s
                    command: ["sleep", "600"]
                """.formatted(base));
        Path dir = tmp.resolve(name + "-bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString());
        assertEquals(0, export.exit(), export.toString());
        CliProcess.Result plan = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--dry-run");
        assertEquals(0, plan.exit(), plan.toString());
        assertTrue(plan.out().contains("create network " + name + "_default"), plan.toString());
        assertTrue(plan.out().contains("create container " + name + "-a"), plan.toString());

        String[][] refused = {
            {"volumes:\n  gone:\n    external: true\n", "volumes: ['gone:/data']", "volume gone is external but does not exist"},
            {"networks:\n  ext:\n    name: %s-ext\n    external: true\n", "networks: [ext]", "is external but does not exist"},
            {"networks:\n  odd:\n    name: %s-odd\n    driver: no-such-driver\n", "networks: [odd]",
                "this engine has no network driver 'no-such-driver'"}};
        for (String[] c : refused) {
            Path bad = tmp.resolve(name + "-bad.yaml");
            Files.writeString(bad, "name: " + name + "\n" + c[0].formatted(name) + "services:\n  a:\n    image: " + base
                    + "\n    command: [sleep, '600']\n    " + c[1] + "\n");
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "-f", bad.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().strip().startsWith("error: ") && r.err().contains(c[2])
                    && r.err().strip().lines().count() == 1, r.toString());
            assertTrue(engine.listNetworks().stream().noneMatch(n -> n.name().startsWith(name)), "no network: " + r);
            assertTrue(assertMissing(name + "-a"));
        }

        CliProcess.Result unknown = CliProcess.run(Map.of(), "stop", "--stack", name);
        assertEquals(1, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().startsWith("error: this engine has no stack " + name), unknown.toString());
        CliProcess.Result twice = CliProcess.run(Map.of(), "status", "--stack", name, "-d", dir.toString());
        assertEquals(2, twice.exit(), twice.toString());
        CliProcess.Result tail = CliProcess.run(Map.of(), "logs", "--tail", "-5", "--stack", name);
        assertEquals(2, tail.exit(), tail.toString());
    }

    @Test
    void aDamagedFileIsNamedAsDamagedNotWithTheEnginesComplaint() throws Exception {
        String image = created.image(TestEngine.unique("rundamaged") + ":1");
        String marker = (TestEngine.unique("a layer this test damages") + " ").repeat(150); // not in a build cache
        TestImages.build("FROM " + base + "\nRUN echo '" + marker + "' > /damaged.txt\n", image);
        String name = TestEngine.unique("rundmg").replace("mlro-test-", "mlrot");
        stack = name; // taken down after the test, should a run succeed
        Path file = tmp.resolve(name + ".yaml");
        Files.writeString(file, "name: " + name + "\nservices:\n  a:\n    image: " + image
                + "\n    command: [sleep, '600']\n");
        Path dir = tmp.resolve(name + "-bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString());
        assertEquals(0, export.exit(), export.toString());
        engine.removeImage(image, true);
        // the reference names an older image, as on a host the bundle upgrades
        String older = engine.inspectImage(base).id();
        engine.tagImage(base, image.substring(0, image.lastIndexOf(':')), "1");
        String exported = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("bundle.json").toFile())
                .get("images").get(0).get("sha256").asText();
        Path tar;
        try (var files = Files.list(dir.resolve("images"))) {
            tar = files.findFirst().orElseThrow();
        }
        byte[] original = Files.readAllBytes(tar); // a few MB
        String text = new String(original, StandardCharsets.ISO_8859_1);
        // the layer's file (its text then a newline), and the image's config (its history quotes the RUN line; the
        // legacy per-layer json quotes it too, but the engine ignores that file)
        for (int at : new int[] {text.indexOf(marker + "\n"), text.indexOf("\"created_by\":\"/bin/sh -c echo '" + marker)}) {
            assertTrue(at > 0, "the text is in the file");
            byte[] bytes = original.clone();
            bytes[at + 100] ^= 1;
            Files.write(tar, bytes);
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString());
            assertEquals(1, r.exit(), r.toString());
            List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(List.of("error: " + tar + ": sha256 " + BundleVerifierSha.of(bytes) + " differs from"
                    + " bundle.json's " + exported + "; the file is damaged: export it again"), errors, r.toString());
            assertTrue(!r.err().contains("loading the whole file instead"), "a damaged file is not sent again: " + r);
            assertTrue(assertMissing(name + "-a"));
            assertEquals(older, engine.inspectImage(image).id(), "the reference names the older image, as before");
        }
    }

    /** The sha256 of bytes, in hex. */
    private static final class BundleVerifierSha {
        static String of(byte[] bytes) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        }
    }
}

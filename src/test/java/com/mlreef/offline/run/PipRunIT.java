package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --pip} on a real engine: the bundle's packages served by a container of the stack that runs this same
 * program, reached from inside the stack's containers (busybox wget) at the URL run passed as PIP_SERVER, and from a
 * container on the default bridge as ML jobs run; gone after {@code down}; back after an engine restart.
 */
class PipRunIT {
    private DockerClient engine;
    private Created created;
    private String stack;
    private String busybox;
    private Set<String> pipImagesBefore;

    @TempDir
    Path tmp;

    @BeforeEach
    void bundle() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        stack = TestEngine.unique("piprun");
        busybox = TestImages.busybox(engine, created, "piprun");
        pipImagesBefore = pipImages();
    }

    @AfterEach
    void tearDown() throws Exception {
        CliProcess.run(Map.of(), "down", "--stack", stack);
        created.close();
        for (String image : pipImages()) {
            if (!pipImagesBefore.contains(image)) { // made by this test's program
                engine.removeImage(image, true);
            }
        }
        deleteTree(Path.of("/var/lib/mlreef-offline/pip", stack));
    }

    private Set<String> pipImages() {
        return engine.listImages().stream().flatMap(i -> i.repoTags() == null ? java.util.stream.Stream.empty()
                : i.repoTags().stream()).filter(t -> t.startsWith(PipImage.REPOSITORY + ":"))
                .collect(Collectors.toSet());
    }

    /** A bundle of a one-service stack that takes $PIP_SERVER, with two package files; returns its folder. */
    private Path export() throws Exception {
        Path pkgs = Files.createDirectories(tmp.resolve("pkgs"));
        Files.writeString(pkgs.resolve("Demo_Lib-1.0-py3-none-any.whl"), "a wheel");
        Files.writeString(pkgs.resolve("other-2.0.tar.gz"), "an sdist");
        Path file = Files.writeString(tmp.resolve("stack.yaml"), "name: " + stack + "\nservices:\n  app:\n"
                + "    image: " + busybox + "\n    command: [\"sleep\", \"100000\"]\n    restart: unless-stopped\n"
                + "    environment:\n      PIP_SERVER: ${PIP_SERVER:-}\n    networks: [net]\n"
                + "networks:\n  net:\n    name: " + stack + "-net\n");
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result r = CliProcess.run(Map.of(), "export", "-f", file.toString(), "-o", bundle.toString(),
                "--no-pull", "--pip-dir", pkgs.toString());
        assertEquals(0, r.exit(), r.toString());
        return bundle;
    }

    /** A port free on the default bridge's gateway: other tests may serve on 8080. */
    private static int freePort(String gateway) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(gateway), 0));
            return s.getLocalPort();
        }
    }

    private String gateway() {
        return NetworkGateway.of(engine.inspectNetwork("bridge"), true).ip();
    }

    /** The stack's container's PIP_SERVER, as run passed it. */
    private String pipServerOf(String container) {
        return engine.inspectContainer(container).config().env().stream().filter(e -> e.startsWith("PIP_SERVER="))
                .map(e -> e.substring("PIP_SERVER=".length())).findFirst().orElse("");
    }

    private static Exec docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Exec(p.exitValue(), out);
    }

    private record Exec(int exit, String out) {
    }

    @Test
    void theIndexIsReachedAtPipServerFromTheStackAndFromTheDefaultBridgeAndGoesWithDown() throws Exception {
        Path bundle = export();
        String gateway = gateway();
        int port = freePort(gateway);
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--pip", "--pip-port",
                Integer.toString(port));
        assertEquals(0, r.exit(), r.toString());
        String url = "http://" + gateway + ":" + port + "/simple/";
        assertTrue(r.err().contains("served at " + url), r.toString());
        assertTrue(r.err().contains("pip is ready: " + url + " answers"), r.toString());
        assertEquals(url, pipServerOf(stack + "-app"));

        Exec inStack = docker("exec", stack + "-app", "sh", "-c", "wget -qO- \"$PIP_SERVER\"");
        assertEquals(0, inStack.exit(), inStack.out());
        assertTrue(inStack.out().contains("<a href=\"demo-lib/\">demo-lib</a>"), inStack.out());
        Exec page = docker("exec", stack + "-app", "sh", "-c", "wget -qO- \"${PIP_SERVER}other/\"");
        assertTrue(page.out().contains("other-2.0.tar.gz#sha256="), page.out());
        // an ML job container of a runner: on the default bridge, not on the stack's network
        Exec job = docker("run", "--rm", "--network", "bridge", busybox, "wget", "-qO-", url);
        assertEquals(0, job.exit(), job.out());
        assertTrue(job.out().contains("demo-lib"), job.out());

        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("pip ") && l.contains("running")), status.toString());
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--pip", "--pip-port",
                Integer.toString(port));
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains(stack + "-pip: running, unchanged"), again.toString());
        assertTrue(again.err().contains("(0 copied now)"), again.toString());

        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack);
        assertEquals(0, down.exit(), down.toString());
        assertTrue(down.err().contains("removed container " + stack + "-pip"), down.toString());
        Exec gone = docker("run", "--rm", "--network", "bridge", busybox, "wget", "-T", "5", "-qO-", url);
        assertNotEquals(0, gone.exit(), gone.out());
        assertFalse(gone.out().contains("demo-lib"), gone.out());

        // run again with --pip, then without: the index goes as a service dropped from the stack, unasked
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--pip", "--pip-port",
                Integer.toString(port)).exit());
        CliProcess.Result without = CliProcess.run(Map.of(), "run", "-d", bundle.toString());
        assertEquals(0, without.exit(), without.toString());
        assertTrue(without.err().contains("removed container " + stack + "-pip (service pip is no longer in the"
                + " stack: run without --pip"), without.toString());
        assertFalse(without.err().contains("left as it is"), without.toString());
        Exec dropped = docker("run", "--rm", "--network", "bridge", busybox, "wget", "-T", "5", "-qO-", url);
        assertNotEquals(0, dropped.exit(), dropped.out());
    }

    @Test
    void pipAndSTogetherAndABundleWithoutPackagesAreRefused() throws Exception {
        Path bundle = export();
        CliProcess.Result both = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--pip", "-s",
                "localhost:8080");
        assertEquals(2, both.exit(), both.toString());
        assertEquals("error: --pip and -s both give the pip server: give one of them", both.err().strip());
        CliProcess.Result none = CliProcess.run(Map.of(), "export", "-f", tmp.resolve("stack.yaml").toString(), "-o",
                bundle.toString(), "--no-pull");
        assertEquals(0, none.exit(), none.toString());
        CliProcess.Result empty = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--pip");
        assertEquals(2, empty.exit(), empty.toString());
        assertTrue(empty.err().contains("carries no Python packages; export it with --pip-dir"), empty.toString());
        assertTrue(engine.listContainers(List.of("com.mlreef.offline.stack=" + stack), true).isEmpty(),
                "nothing was started");
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --registry} against the real engine and the registry at 127.0.0.1:5000: the test stack's images are put
 * in the registry under a unique prefix, removed from the engine, and run brings the stack up from there with a bundle
 * folder that holds bundle.json only.
 */
class RunFromRegistryIT {
    private static final String REGISTRY = "127.0.0.1:5000";
    private static DockerClient engine;
    private static Created created;
    private static String base;
    private static String app;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "regrunbase");
        app = created.image(TestEngine.unique("regrunapp") + ":1");
        TestImages.build("FROM " + base + "\nRUN mkdir -p /www && echo '<h1>registry</h1>' > /www/index.html\n", app);
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @Test
    void runPullsTheStackFromTheRegistryOnAnEngineWithoutItsImages() throws Exception {
        String stack = TestEngine.unique("regrun").replace("mlro-test-", "mlrot");
        Path file = tmp.resolve(stack + ".yaml");
        Files.writeString(file, """
                name: %1$s
                services:
                  app:
                    image: %2$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; httpd -p 8080 -h /www; echo 'app is up'; while true; do sleep 1; done"]
                    x-offline:
                      ready: { log: "app is up", timeout: 1m }
                  worker:
                    image: %3$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(stack, app, base));
        Path dir = tmp.resolve(stack + "-bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString());
        assertEquals(0, export.exit(), export.toString());
        String appId = engine.inspectImage(app).id();
        String baseId = engine.inspectImage(base).id();
        String prefix = TestEngine.unique("p").replace("mlro-test-", "mlrot");
        RegistryLocation registry = RegistryLocation.parse("--registry", REGISTRY + "/" + prefix);
        for (String image : List.of(app, base)) {
            String mirrored = created.image(registry.reference(image));
            engine.tagImage(image, mirrored.substring(0, mirrored.lastIndexOf(':')), RegistryLocation.tag(image));
            TestImages.push(mirrored);
            engine.removeImage(mirrored, true);
        }
        engine.removeImage(app, true);
        engine.removeImage(base, true);
        assertThrows(NotFoundException.class, () -> engine.inspectImage(appId), "the engine has none of its images");
        assertThrows(NotFoundException.class, () -> engine.inspectImage(baseId));
        try (Stream<Path> files = Files.list(dir)) { // the image files are not needed: bundle.json is
            files.filter(f -> f.getFileName().toString().endsWith(".tar")).forEach(f -> f.toFile().delete());
        }
        try {
            fromRegistry(stack, dir, registry, appId, baseId);
        } finally {
            CliProcess.run(Map.of(), "down", "--stack", stack, "--yes");
        }
    }

    private void fromRegistry(String stack, Path dir, RegistryLocation registry, String appId, String baseId)
            throws Exception {
        CliProcess.Result dry = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--registry",
                registry.toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.toString());
        assertTrue(dry.out().contains("pull   " + app + " from " + registry.reference(app)), dry.toString());
        assertThrows(NotFoundException.class, () -> engine.inspectImage(appId), "a dry run pulls nothing");

        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--registry", registry.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("pulled " + registry.reference(app)), r.toString());
        assertTrue(r.out().contains("stack " + stack + " is running"), r.toString());
        ContainerInspect running = engine.inspectContainer(stack + "-app");
        assertTrue(running.state().running());
        assertEquals(appId, running.image());
        assertEquals(app, running.config().image(), "created from the original reference");
        assertEquals(baseId, engine.inspectImage(base).id(), "tagged with its own reference");
        created.image(registry.reference(app));
        created.image(registry.reference(base));

        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack);
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains(app), status.toString());

        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--registry",
                registry.toString());
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.err().contains("pulled "), again.toString());
        assertTrue(again.err().contains(stack + "-app: running, unchanged"), again.toString());
    }

    @Test
    void aRegistryThatIsNotHostPortPrefixIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        for (String bad : List.of("https://127.0.0.1:5000", "127.0.0.1:99999", "host/Upper", "bad host")) {
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", dir.toString(), "--registry", bad);
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().startsWith("error: --registry: '" + bad + "': "), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
        }
    }
}

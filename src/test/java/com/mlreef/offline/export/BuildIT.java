package com.mlreef.offline.export;

import static com.mlreef.offline.testing.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with build: exported on one host (its image built by the engine from a streamed context with a build
 * argument, a target stage and a .dockerignore), then its image and project folder removed, and run from the bundle
 * alone: the container holds what the build made.
 */
class BuildIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;

    @TempDir
    Path tmp;

    private String stack;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "build-base");
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
            if (DockerEngine.orNull(() -> engine.inspectImage(stack + "-app")) != null) {
                engine.removeImage(stack + "-app", true);
            }
        }
    }

    /** A Dockerfile whose stage "final" takes the argument and the context, and whose later stage fails. */
    private static String dockerfile(String from) {
        return """
                FROM %s AS final
                ARG GREETING
                COPY . /ctx/
                RUN echo "$GREETING" > /greeting
                FROM %s AS broken
                RUN exit 3
                """.formatted(from, base);
    }

    /** A project whose one service builds its image from the Dockerfile, the given stage. */
    private Path project(String target, String dockerfile) throws Exception {
        stack = "build" + UUID.randomUUID().toString().substring(0, 8);
        created.image(stack + "-app");
        Path p = Files.createDirectories(tmp.resolve("checkout"));
        Files.writeString(p.resolve("compose.yaml"), """
                name: %s
                services:
                  app:
                    build:
                      context: ./app
                      args: {GREETING: hello from build args}
                      target: %s
                      labels: {org.example.built-by: build-it}
                    command: ["sh", "-c", "cat /greeting; trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(stack, target));
        Path app = Files.createDirectories(p.resolve("app"));
        Files.writeString(app.resolve("Dockerfile"), dockerfile);
        Files.writeString(app.resolve(".dockerignore"), "# local only\nignored.txt\n**/*.tmp\n");
        Files.writeString(app.resolve("kept.txt"), "kept\n");
        Files.writeString(app.resolve("ignored.txt"), "must not be sent\n");
        Files.createDirectories(app.resolve("sub"));
        Files.writeString(app.resolve("sub/scratch.tmp"), "scratch\n");
        Files.writeString(app.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(app.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(app.resolve("link"), Path.of("kept.txt"));
        return p;
    }

    @Test
    void theBuiltImageRunsFromTheBundleAlone() throws Exception {
        Path checkout = project("final", dockerfile(base));
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", bundle.toString());
        assertEquals(0, export.exit(), export.toString());
        assertTrue(export.err().contains("service app: building " + stack + "-app from "), export.err());
        assertTrue(export.err().contains("app | Step 1/5 : FROM " + base + " AS final"), export.err());
        assertTrue(export.err().contains("service app: built " + stack + "-app"), export.err());
        assertFalse(export.err().contains("pulling"), "a built image is not pulled: " + export.err());
        assertTrue(docker("image", "inspect", "-f", "{{json .Config.Labels}}", stack + "-app")
                .contains("\"org.example.built-by\":\"build-it\""));
        assertEquals(0, CliProcess.run(Map.of(), "verify", "-d", bundle.toString()).exit());

        // the offline host: neither the image nor the project folder
        engine.removeImage(stack + "-app", true);
        assertNull(DockerEngine.orNull(() -> engine.inspectImage(stack + "-app")));
        try (Stream<Path> tree = Files.walk(checkout)) {
            tree.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        assertFalse(Files.exists(checkout));
        CliProcess.Result run = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir",
                tmp.resolve("stacks/" + stack).toString());
        assertEquals(0, run.exit(), run.toString());
        String container = stack + "-app";
        assertEquals("hello from build args", docker("exec", container, "cat", "/greeting").strip());
        assertTrue(docker("logs", container).contains("hello from build args"));
        assertEquals("kept", docker("exec", container, "cat", "/ctx/kept.txt").strip());
        assertEquals("kept.txt", docker("exec", container, "readlink", "/ctx/link").strip());
        assertEquals("750", docker("exec", container, "stat", "-c", "%a", "/ctx/run.sh").strip());
        assertEquals("absent", docker("exec", container, "sh", "-c", "test -e /ctx/ignored.txt && echo present"
                + " || echo absent").strip());
        assertEquals("absent", docker("exec", container, "sh", "-c", "test -e /ctx/sub/scratch.tmp && echo present"
                + " || echo absent").strip());
        assertEquals("present", docker("exec", container, "sh", "-c", "test -d /ctx/sub && echo present").strip());
    }

    @Test
    void aFailingBuildIsSaidInOneLineNamingTheService() throws Exception {
        // only the failing stage: the classic builder builds every stage up to the target
        Path checkout = project("broken", "FROM " + base + " AS broken\nRUN exit 3\n");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", tmp.resolve("bundle").toString());
        assertNotEquals(0, export.exit(), export.toString());
        String last = export.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("service app: building " + stack + "-app failed: The command '/bin/sh -c exit 3'"
                + " returned a non-zero code: 3"), export.err());
        assertFalse(Files.exists(tmp.resolve("bundle/bundle.json")));
        assertEquals("", docker("ps", "-a", "-q", "--filter", "ancestor=" + base).strip(),
                "the failed step's container is removed");
    }

    @Test
    void aMissingFromImageIsTheEnginesMessage() throws Exception {
        String missing = "127.0.0.1:5000/build-missing-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        Path checkout = project("final", dockerfile(missing));
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", tmp.resolve("bundle").toString());
        assertNotEquals(0, export.exit(), export.toString());
        String last = export.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.contains("service app: building " + stack + "-app failed: ") && last.contains(missing)
                && last.contains("the engine pulls the image FROM names when it lacks it"), export.err());
    }
}

package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 512 MiB image saved to a file and loaded back by a JVM limited to 64 MiB of heap: the stream never sits in
 * memory, and the file is byte for byte what {@code docker save} writes.
 */
class LargeImageSaveLoadIT {
    private static DockerClient engine;
    private static Created created;
    private static String image;

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildImage() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        String base = TestImages.busybox(engine, created, "bigbase");
        image = created.image(TestEngine.unique("big") + ":1");
        TestImages.build("FROM " + base + "\n"
                + "RUN head -c 268435456 /dev/urandom > /random.bin\n"
                + "RUN yes 'mlreef offline: a line of text that compresses well' | head -c 268435456 > /text.txt\n",
                image);
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @Test
    void saveIsByteIdenticalToDockerSaveAndLoadsBackWithSmallHeap() throws Exception {
        long size = engine.inspectImage(image).size();
        assertTrue(size >= 500_000_000L, "image size " + size);
        String id = engine.inspectImage(image).id();

        Path ours = dir.resolve("ours.tar");
        Map<String, String> saved = probe("save", image, ours.toString());
        assertEquals(String.valueOf(Files.size(ours)), saved.get("bytes"));
        assertTrue(Files.size(ours) > size, "the archive holds every layer");

        Path theirs = dir.resolve("docker-save.tar");
        Process docker = new ProcessBuilder("docker", "save", "-o", theirs.toString(), image)
                .redirectErrorStream(true).start();
        String dockerOutput = new String(docker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(docker.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, docker.exitValue(), "docker save: " + dockerOutput);
        assertEquals(Files.size(theirs), Files.size(ours));
        assertEquals(sha256(theirs), sha256(ours), "same bytes as docker save");
        Files.delete(theirs);

        engine.removeImage(image, false);
        Map<String, String> loaded = probe("load", ours.toString());
        assertEquals(image, loaded.get("loaded"));
        assertEquals(id, engine.inspectImage(image).id());
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return TestImages.sha256(in);
        }
    }

    /** Runs {@code SaveLoadProbe} in a JVM with -Xmx64m; a stream held in memory would fail with OutOfMemoryError. */
    private static Map<String, String> probe(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                "com.mlreef.offline.testing.SaveLoadProbe"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String> values = new HashMap<>();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.append(line).append('\n');
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "probe " + String.join(" ", args) + ":\n" + output);
        return values;
    }
}

package com.mlreef.offline.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stack printed in Compose form, as docker compose config prints it. */
class ResolvedYamlTest {
    @TempDir
    Path dir;

    @Test
    void valuesAreResolvedProfilesAppliedAndPathsAbsolute() throws Exception {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, """
                services:
                  web:
                    image: busybox:${TAG:-1}
                    command: [sh, -c, 'echo $$HOME ${GREETING}']
                    volumes: ['./conf:/conf:ro', '~/data:/data', 'vol:/vol']
                    env_file: app.env
                  debug:
                    image: busybox:1
                    profiles: [debug]
                volumes:
                  vol:
                x-note: ${NOT_RESOLVED}
                """);
        Files.writeString(dir.resolve("app.env"), "A=1\n");
        Files.writeString(dir.resolve(".env"), "GREETING=hi\n");
        String text = StackDocument.load(file, w -> { }).resolvedText(Map.of("HOME", "/home/op"), w -> { });
        String root = dir.toAbsolutePath().normalize().toString();
        assertTrue(text.startsWith("name: " + StackFile.nameFromFile(file) + "\n"), text);
        assertTrue(text.contains("image: busybox:1\n"), text);
        assertTrue(text.contains("- echo $$HOME hi\n"), text);
        assertTrue(text.contains("- " + root + "/conf:/conf:ro\n") && text.contains("- /home/op/data:/data\n"), text);
        assertTrue(text.contains("env_file: " + root + "/app.env\n"), text);
        assertTrue(!text.contains("debug:"), text);
        assertTrue(text.contains("x-note: ${NOT_RESOLVED}"), text);
        // read back, but for the absolute env_file, which docker compose takes and a stack file may not
        StackSpec again = StackFile.parse(text.replaceAll("(?m)^    env_file: .*\n", ""), "printed", "x", Map.of(),
                w -> { });
        assertEquals(List.of("sh", "-c", "echo $HOME hi"), again.services().get("web").command());
        assertEquals(List.of(root + "/conf", "/home/op/data", "vol"),
                again.services().get("web").mounts().stream().map(StackSpec.MountSpec::source).toList());
    }
}

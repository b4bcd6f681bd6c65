package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static com.mlreef.offline.testing.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compose's anonymous volumes, network_mode service:, links and deploy, as run creates their containers on the real
 * engine (seen with docker inspect), and across a replacement.
 */
class ComposeConstructsIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "ccbase");
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    private static Path bundle(String stack, String memory) throws Exception {
        Path file = tmp.resolve(stack + "-" + memory + ".yaml");
        Files.writeString(file, """
                name: %1$s
                services:
                  gateway:
                    image: %2$s
                    command: sleep 3600
                  sidecar:
                    image: %2$s
                    command: sleep 3600
                    network_mode: service:gateway
                  web:
                    image: %2$s
                    command: sleep 3600
                    links: ['gateway:upstream']
                    volumes: [/var/lib/cache]
                    deploy:
                      restart_policy: {condition: on-failure, max_attempts: 2}
                      resources:
                        limits: {memory: %3$s, cpus: '0.5'}
                """.formatted(stack, base, memory));
        Path dir = tmp.resolve(stack + "-" + memory + "-bundle");
        CliProcess.Result r = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString());
        assertEquals(0, r.exit(), r.toString());
        return dir;
    }

    private static String inspect(String container, String format) throws Exception {
        return docker("inspect", "-f", format, container).trim();
    }

    @Test
    void theContainersAreAsDockerComposeMakesThem() throws Exception {
        String stack = TestEngine.unique("cc");
        try {
            CliProcess.Result first = CliProcess.run(Map.of(), "run", "-d", bundle(stack, "64M").toString());
            assertEquals(0, first.exit(), first.toString());
            String gatewayId = inspect(stack + "-gateway", "{{.Id}}");
            assertEquals("container:" + gatewayId, inspect(stack + "-sidecar", "{{.HostConfig.NetworkMode}}"));
            assertEquals(String.valueOf(64 << 20), inspect(stack + "-web", "{{.HostConfig.Memory}}"));
            assertEquals("500000000", inspect(stack + "-web", "{{.HostConfig.NanoCpus}}"));
            assertEquals("on-failure 2", inspect(stack + "-web",
                    "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}"));
            String links = inspect(stack + "-web", "{{range .NetworkSettings.Networks}}{{.Links}}{{end}}");
            assertTrue(links.contains(stack + "-gateway:upstream"), links);
            String volume = inspect(stack + "-web",
                    "{{range .Mounts}}{{if eq .Destination \"/var/lib/cache\"}}{{.Name}}{{end}}{{end}}");
            assertTrue(volume.matches("[0-9a-f]{64}"), "an unnamed volume at /var/lib/cache: " + volume);
            assertEquals("ok", docker("exec", stack + "-web", "sh", "-c",
                    "echo ok > /var/lib/cache/mark && ping -c 1 -W 2 upstream >/dev/null && cat /var/lib/cache/mark")
                    .trim(), "the link's name resolves in web");

            CliProcess.Result second = CliProcess.run(Map.of(), "run", "-d", bundle(stack, "96M").toString());
            assertEquals(0, second.exit(), second.toString());
            assertEquals(String.valueOf(96 << 20), inspect(stack + "-web", "{{.HostConfig.Memory}}"));
            assertEquals(volume, inspect(stack + "-web",
                    "{{range .Mounts}}{{if eq .Destination \"/var/lib/cache\"}}{{.Name}}{{end}}{{end}}"),
                    "the replacement keeps the anonymous volume");
            assertEquals("ok", docker("exec", stack + "-web", "cat", "/var/lib/cache/mark").trim());
        } finally {
            CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
            assertEquals(0, down.exit(), down.toString());
        }
    }
}

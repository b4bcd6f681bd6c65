package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor} run as a user runs it (the built jar or native executable), against the real engine. */
class DoctorIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode check(JsonNode report, String name) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("check").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + report);
    }

    @Test
    void reportsTheRealEngineAsJson() throws Exception {
        DockerClient engine = TestEngine.client();
        CliProcess.Result r = CliProcess.run(Map.of(), "doctor", "--json");
        JsonNode report = JSON.readTree(r.out());
        assertEquals(report.get("ok").asBoolean() ? 0 : 1, r.exit(), r.toString());
        assertEquals("ok", check(report, "engine").get("status").asText(), r.toString());
        assertTrue(check(report, "engine version").get("detail").asText()
                .contains("Docker Engine " + engine.version().version()), r.toString());
        assertEquals(engine.info().driver(), check(report, "storage driver").get("detail").asText());
        assertTrue(check(report, "docker0 gateway").get("detail").asText().matches("\\d+\\.\\d+\\.\\d+\\.\\d+.*"));
        assertTrue(check(report, "docker root dir").get("detail").asText().contains("free"), r.toString());
        for (int port : List.of(2022, 80, 8081, 5050, 10080, 6000)) {
            check(report, "port " + port);
        }
        check(report, "daemon.json");
    }

    @Test
    void aBadDockerHostIsAFailedCheckWithTheReason() throws Exception {
        CliProcess.Result r = CliProcess.run(Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock"), "doctor");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().matches("(?s).*engine\\s+fail\\s+socket /nonexistent/docker.sock does not exist.*"), r.toString());
        assertTrue(r.err().contains("1 problem blocks a run"), r.toString());

        CliProcess.Result unsupported = CliProcess.run(Map.of("DOCKER_HOST", "npipe:////./pipe/docker_engine"), "doctor");
        assertEquals(2, unsupported.exit(), unsupported.toString());
        assertTrue(unsupported.err().startsWith("error: unsupported engine address npipe:"), unsupported.toString());
    }

    @Test
    void aStackPortTakenByAnotherContainerBlocksARun(@TempDir Path tmp) throws Exception {
        DockerClient engine = TestEngine.client();
        try (Created created = new Created(engine);
             ServerSocket probe = new ServerSocket(0)) {
            // a port of its own: the default stack's (6000) may be taken on this host by anything
            String port = String.valueOf(probe.getLocalPort());
            probe.close();
            Path stack = tmp.resolve("stack.yaml");
            Files.writeString(stack, "name: doctorport\nservices:\n  db:\n    image: busybox\n    ports: [\""
                    + port + ":6000\"]\n");
            String image = TestImages.busybox(engine, created, "doctor");
            String name = created.container(TestEngine.unique("port-holder"));
            ContainerSpec spec = new ContainerSpec(image, List.of("sleep", "300"), null, null, null,
                    Map.of("6000/tcp", Map.of()), null, null, null, false,
                    new ContainerSpec.HostConfig(null,
                            Map.of("6000/tcp", List.of(new ContainerSpec.PortBinding("", port))), null, null), null);
            engine.startContainer(engine.createContainer(name, spec));
            CliProcess.Result r = CliProcess.run(Map.of(), "doctor", "-f", stack.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().matches("(?s).*port " + port + "\\s+fail\\s+in use by container " + name + ".*"),
                    r.toString());
        }
    }

    @Test
    void aStackFileGivesThePortsAndNetworkToCheck(@TempDir Path tmp) throws Exception {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int taken = held.getLocalPort();
            int free = probe.getLocalPort();
            probe.close();
            Path stack = tmp.resolve("stack.yaml");
            Files.writeString(stack, "name: doctortest\nservices:\n  web:\n    image: busybox\n    ports:\n"
                    + "      - \"127.0.0.1:" + taken + ":80\"\n      - \"127.0.0.1:" + free + ":80/udp\"\n"
                    + "    networks: [front]\nnetworks:\n  front:\n    name: " + TestEngine.unique("absent") + "\n"
                    + "    external: true\n");
            CliProcess.Result r = CliProcess.run(Map.of(), "doctor", "--json", "-f", stack.toString());
            assertEquals(1, r.exit(), r.toString());
            JsonNode report = JSON.readTree(r.out());
            assertEquals("fail", check(report, "port 127.0.0.1:" + taken).get("status").asText(), r.toString());
            assertTrue(check(report, "port 127.0.0.1:" + taken).get("detail").asText().contains("another program"));
            assertEquals("ok", check(report, "port 127.0.0.1:" + free + "/udp").get("status").asText(), r.toString());
            assertTrue(StreamSupport.stream(report.get("checks").spliterator(), false)
                    .noneMatch(c -> c.get("check").asText().equals("port 80")), "the default stack's ports are not"
                    + " checked: " + r.out());
            JsonNode network = StreamSupport.stream(report.get("checks").spliterator(), false)
                    .filter(c -> c.get("check").asText().endsWith(" gateway") && c.get("check").asText()
                            .startsWith("mlro-test-absent")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
            assertEquals("fail", network.get("status").asText(), "an external network that is missing blocks a run");
        }
    }

    @Test
    void aBundleFolderGivesItsOwnStack(@TempDir Path tmp) throws Exception {
        DockerClient engine = TestEngine.client();
        try (Created created = new Created(engine);
             ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = probe.getLocalPort();
            probe.close();
            String image = TestImages.busybox(engine, created, "doctorbundle");
            Path stack = tmp.resolve("stack.yaml");
            Files.writeString(stack, "name: doctorbundle\nservices:\n  web:\n    image: " + image + "\n"
                    + "    ports: [\"127.0.0.1:" + port + ":80\"]\n");
            Path bundle = tmp.resolve("bundle");
            CliProcess.Result export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", stack.toString(),
                    "-o", bundle.toString());
            assertEquals(0, export.exit(), export.toString());
            Files.delete(stack); // the stack now comes from bundle.json
            CliProcess.Result r = CliProcess.run(Map.of(), "doctor", "--json", "-d", bundle.toString());
            JsonNode report = JSON.readTree(r.out());
            assertEquals("ok", check(report, "port 127.0.0.1:" + port).get("status").asText(), r.toString());
            assertTrue(StreamSupport.stream(report.get("checks").spliterator(), false)
                    .noneMatch(c -> c.get("check").asText().equals("port 2022")), r.out());
            assertEquals("ok", check(report, "plan").get("status").asText(), r.toString());

            // plain tars without an image of the stack (one no engine has: its name is new): run would refuse
            // them, so doctor does
            Path plain = Files.createDirectories(tmp.resolve("plain"));
            try (var files = Files.list(bundle.resolve("images"))) {
                Path tar = files.findFirst().orElseThrow();
                Files.copy(tar, plain.resolve(tar.getFileName()));
            }
            Path lackingStack = tmp.resolve("lacking.yaml");
            Files.writeString(lackingStack, "name: doctorlacking\nservices:\n  web:\n    image: " + image + "\n"
                    + "  db:\n    image: " + TestEngine.unique("absent") + ":1\n");
            CliProcess.Result lacking = CliProcess.run(Map.of(), "doctor", "--json", "-d", plain.toString(), "-f",
                    lackingStack.toString());
            assertEquals(1, lacking.exit(), lacking.toString());
            JsonNode plan = check(JSON.readTree(lacking.out()), "plan");
            assertEquals("fail", plan.get("status").asText(), lacking.toString());
            assertTrue(plan.get("detail").asText().contains("which neither the bundle nor the engine has"),
                    lacking.toString());

            // a folder that cannot be read is a failed check, and the host is checked all the same
            CliProcess.Result missing = CliProcess.run(Map.of(), "doctor", "--json", "-d",
                    tmp.resolve("nothing").toString());
            assertEquals(1, missing.exit(), missing.toString());
            JsonNode failed = JSON.readTree(missing.out());
            assertFalse(failed.get("ok").asBoolean(), missing.toString());
            assertEquals("fail", check(failed, "bundle").get("status").asText(), missing.toString());
            assertTrue(check(failed, "bundle").get("detail").asText().endsWith("does not exist"), missing.toString());
            assertEquals("ok", check(failed, "engine").get("status").asText(), missing.toString());
        }
    }
}

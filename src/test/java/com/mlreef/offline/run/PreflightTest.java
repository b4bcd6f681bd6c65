package com.mlreef.offline.run;

import com.mlreef.offline.docker.EngineUnreachableException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.VersionInfo;
import com.mlreef.offline.run.Preflight.Check;
import com.mlreef.offline.run.Preflight.PortProbe;
import com.mlreef.offline.run.Preflight.Status;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


/** The decisions of doctor's checks, against a narrow fake engine; the real engine is in DoctorIT. */
class PreflightTest {
    /** A stack that publishes ports 80 and 6000 and joins mlreef-docker-network. */
    private static final StackSpec STACK = StackFile.parse("name: nautilus\nservices:\n  web:\n    image: web:1\n"
            + "    ports: [\"80:80\", \"6000:6000\"]\n    networks: [net]\nnetworks:\n  net:\n"
            + "    name: mlreef-docker-network\n", "test", null, Map.of(), w -> { });
    @TempDir
    Path dir;

    /** A healthy engine with one container, optionally publishing a port. */
    public static class Healthy {
        final List<ContainerSummary> containers;

        Healthy(List<ContainerSummary> containers) {
            this.containers = containers;
        }

        public String address() { return "unix:///var/run/docker.sock"; }

        public void ping() { }

        public String apiVersion() { return "1.41"; }

        public VersionInfo version() { return new VersionInfo("20.10.24", "1.41", "1.12", "linux", "amd64", null, null); }

        public SystemInfo info() {
            return new SystemInfo("host", "20.10.24", "overlay2", "/nonexistent/docker-root", "Debian", "linux",
                    "x86_64", 2, 1L, 0, 0, "1", null);
        }

        public Network inspectNetwork(String name) {
            if (name.equals("bridge")) {
                return new Network("bridge", "id", "bridge", "local",
                        new Network.Ipam("default", List.of(new Network.IpamConfig("172.17.0.0/16", null))),
                        Map.of(), Map.of(), Map.of(), false);
            }
            if (name.equals("shared-existing")) {
                return new Network(name, "id2", "bridge", "local", new Network.Ipam("default", List.of()), Map.of(),
                        Map.of(), Map.of(), false);
            }
            throw new NotFoundException("inspecting network " + name, "network " + name + " not found");
        }

        public List<ContainerSummary> listContainers(List<String> labels, boolean all) { return containers; }
    }

    private static ContainerSummary publishing(String name, int port, Map<String, String> labels) {
        return new ContainerSummary("c1", List.of("/" + name), "img", "sha256:1", "running", "Up", 0L, labels,
                List.of(new ContainerSummary.Port("0.0.0.0", 80, port, "tcp")), null);
    }

    private Preflight.Report run(Object engine, PortProbe probe) {
        return new Preflight(FakeEngine.of(engine), true, dir.resolve("daemon.json"), STACK, probe).run();
    }

    /** How a probe asked by address and protocol answers. */
    private interface AddressProbe {
        PortProbe.State probe(String hostIp, int port, String protocol);
    }

    /** A probe that fails the test when asked for a port without its address and protocol. */
    private static PortProbe byAddress(AddressProbe answer) {
        return new PortProbe() {
            @Override
            public State probe(int port) {
                throw new AssertionError("probed without address and protocol");
            }

            @Override
            public State probe(String hostIp, int port, String protocol) {
                return answer.probe(hostIp, port, protocol);
            }
        };
    }

    private static Check check(Preflight.Report report, String name) {
        return report.checks().stream().filter(c -> c.check().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + report.checks()));
    }

    @Test
    void aRefusedBindIsReadAsTheCLibraryOfTheJvmOrOfTheStaticExecutableSaysIt() {
        assertEquals(PortProbe.State.NOT_LOCAL, Preflight.bindFailure("Cannot assign requested address"));
        assertEquals(PortProbe.State.NOT_LOCAL, Preflight.bindFailure("Address not available")); // musl
        assertEquals(PortProbe.State.IN_USE, Preflight.bindFailure("Address already in use"));
        assertEquals(PortProbe.State.IN_USE, Preflight.bindFailure("Address in use")); // musl
        assertEquals(PortProbe.State.NOT_ALLOWED, Preflight.bindFailure("Permission denied"));
        assertEquals(PortProbe.State.IN_USE, Preflight.bindFailure(null));
    }

    @Test
    void aHealthyHostIsReady() {
        Preflight.Report report = run(new Healthy(List.of()), port -> PortProbe.State.FREE);
        assertTrue(report.ok(), report.toString());
        assertEquals(Status.OK, check(report, "engine").status());
        assertEquals("172.17.0.1 (first address of 172.17.0.0/16)", check(report, "docker0 gateway").detail());
        assertEquals(Status.INFO, check(report, "mlreef-docker-network gateway").status());
        assertEquals(Status.INFO, check(report, "docker root dir").status(), "a root dir not visible here is not checked");
        assertEquals(Status.OK, check(report, "port 6000").status());
        assertEquals(Status.INFO, check(report, "daemon.json").status());
    }

    @Test
    void anUnreachableEngineBlocksAndSaysWhy() {
        Object down = new Object() {
            public String address() { return "unix:///var/run/docker.sock"; }

            public void ping() {
                throw new EngineUnreachableException("unix:///var/run/docker.sock", "permission denied on "
                        + "/var/run/docker.sock; run as root or add your user to the docker group", null);
            }
        };
        Preflight.Report report = run(down, port -> PortProbe.State.FREE);
        assertFalse(report.ok());
        assertEquals(Status.FAIL, check(report, "engine").status());
        assertTrue(check(report, "engine").detail().startsWith("permission denied on /var/run/docker.sock"));
        assertEquals(Status.OK, check(report, "port 80").status(), "host checks still run");
    }

    @Test
    void aPortHeldByTheStackIsFineAndByAnythingElseBlocks() {
        Healthy engine = new Healthy(List.of(publishing("mlreef", 80, Map.of(StackLabels.STACK_LABEL, "nautilus")),
                publishing("someone-else", 6000, Map.of())));
        Preflight.Report report = run(engine, port -> PortProbe.State.IN_USE);
        assertEquals(Status.OK, check(report, "port 80").status());
        assertEquals(Status.FAIL, check(report, "port 6000").status());
        assertTrue(check(report, "port 6000").detail().contains("someone-else"));
        assertFalse(report.ok());

        Preflight.Report notRoot = run(new Healthy(List.of()), port -> PortProbe.State.NOT_ALLOWED);
        assertEquals(Status.WARN, check(notRoot, "port 80").status());
        assertTrue(notRoot.ok());
    }

    @Test
    void daemonJsonIsParsedForDnsAndInvalidJsonBlocks() throws Exception {
        Files.writeString(dir.resolve("daemon.json"), "{\"dns\": [\"10.0.0.2\", \"10.0.0.3\"]}");
        Check dns = check(run(new Healthy(List.of()), port -> PortProbe.State.FREE), "daemon.json");
        assertEquals(Status.OK, dns.status());
        assertEquals("dns 10.0.0.2, 10.0.0.3", dns.detail());
        Files.writeString(dir.resolve("daemon.json"), "{\"dns\": [\"not-an-ip\", \"8.8.8.8\"]}");
        Check named = check(run(new Healthy(List.of()), port -> PortProbe.State.FREE), "daemon.json");
        assertEquals(Status.FAIL, named.status());
        assertTrue(named.detail().endsWith("daemon.json: dns not-an-ip is not an IP address; the engine does not start"
                + " with it"), named.detail());

        Files.writeString(dir.resolve("daemon.json"), "{\"log-driver\": \"json-file\"}");
        assertEquals(Status.INFO, check(run(new Healthy(List.of()), port -> PortProbe.State.FREE), "daemon.json").status());

        Files.writeString(dir.resolve("daemon.json"), "{\"dns\": [\"10.0.0.2\",]\n");
        Preflight.Report broken = run(new Healthy(List.of()), port -> PortProbe.State.FREE);
        assertEquals(Status.FAIL, check(broken, "daemon.json").status());
        assertTrue(check(broken, "daemon.json").detail().contains("not valid JSON"));
        assertFalse(broken.ok());
    }

    @Test
    void aRemoteEngineSkipsHostChecks() {
        Preflight.Report report = new Preflight(FakeEngine.of(new Healthy(List.of())), false, dir.resolve("daemon.json"),
                STACK, port -> {
                    throw new AssertionError("ports of a remote engine are not probed here");
                }).run();
        assertEquals(Status.INFO, check(report, "ports").status());
        assertTrue(report.ok());
    }

    @Test
    void aStacksOwnPortsAreProbedByAddressAndProtocol() {
        StackSpec custom = StackFile.parse("name: custom\nservices:\n  dns:\n    image: d:1\n    ports: [\"53:53/udp\","
                + " \"127.0.0.1:8080:80\", \"10.9.9.9:81:80\", \"6000:6000\"]\n", "test", null, Map.of(), w -> { });
        List<String> probed = new ArrayList<>();
        PortProbe probe = byAddress((hostIp, port, protocol) -> {
            probed.add(hostIp + " " + port + " " + protocol);
            return hostIp.equals("10.9.9.9") ? PortProbe.State.NOT_LOCAL
                    : port == 6000 ? PortProbe.State.IN_USE : PortProbe.State.FREE;
        });
        Healthy engine = new Healthy(List.of(publishing("other-stack-db", 6000, Map.of(StackLabels.STACK_LABEL,
                "nautilus"))));
        Preflight.Report report = new Preflight(FakeEngine.of(engine), true, dir.resolve("daemon.json"), custom, probe)
                .run();
        assertEquals(List.of(" 53 udp", "127.0.0.1 8080 tcp", "10.9.9.9 81 tcp", " 6000 tcp"), probed);
        assertEquals(Status.OK, check(report, "port 53/udp").status());
        assertEquals(Status.OK, check(report, "port 127.0.0.1:8080").status());
        assertEquals(Status.FAIL, check(report, "port 10.9.9.9:81").status());
        assertEquals(Status.FAIL, check(report, "port 6000").status(), "held by a container of another stack");
        assertTrue(check(report, "port 6000").detail().contains("other-stack-db"));
        assertTrue(report.checks().stream().noneMatch(c -> c.check().startsWith("mlreef-docker-network")),
                "a stack without networks has no network gateway to check");
        assertFalse(report.ok());
    }

    @Test
    void theOriginalInstallersContainerCountsAsTheStacksAndAnotherStacksDoesNot() {
        Healthy engine = new Healthy(List.of(publishing("mlreef", 80, Map.of()),
                publishing("web-of-other", 6000, Map.of(StackLabels.STACK_LABEL, "other"))));
        StackSpec original = StackFile.parse("name: nautilus\nservices:\n  mlreef:\n    image: m:1\n"
                + "    container_name: mlreef\n    ports: [\"80:80\", \"6000:6000\"]\n", "test", null, Map.of(), w -> { });
        Preflight.Report report = new Preflight(FakeEngine.of(engine), true, dir.resolve("daemon.json"), original,
                port -> PortProbe.State.IN_USE).run();
        assertEquals(Status.OK, check(report, "port 80").status(), "the unlabelled mlreef container: " + report);
        assertEquals(Status.FAIL, check(report, "port 6000").status());
        assertTrue(check(report, "port 6000").detail().contains("of stack other"), check(report, "port 6000").detail());
    }

    @Test
    void everyExternalNetworkMustExistAndSctpPortsAreNotProbed() {
        StackSpec stack = StackFile.parse("name: nets\nservices:\n  a:\n    image: a:1\n    ports: [\"9000:9000/sctp\"]\n"
                + "    networks: [own, shared, gone]\nnetworks:\n  own: {}\n  shared:\n    name: shared-existing\n"
                + "    external: true\n  gone:\n    name: gone-missing\n    external: true\n", "test", null, Map.of(),
                w -> { });
        PortProbe probe = byAddress((hostIp, port, protocol) -> protocol.equals("sctp") ? PortProbe.State.UNCHECKED
                : PortProbe.State.FREE);
        Preflight.Report report = new Preflight(FakeEngine.of(new Healthy(List.of())), true,
                dir.resolve("daemon.json"), stack, probe).run();
        assertEquals(Status.INFO, check(report, "port 9000/sctp").status());
        assertEquals(Status.OK, check(report, "network shared-existing").status());
        assertEquals(Status.FAIL, check(report, "network gone-missing").status());
        assertFalse(report.ok(), "a missing external network blocks a run: " + report);
    }

    @Test
    void aBindMountOfAMissingHostPathIsAWarningOnlyWhenTheEngineIsLocal() throws Exception {
        Path socket = Files.createFile(dir.resolve("engine.sock"));
        Path missing = dir.resolve("no-such.sock");
        StackSpec stack = StackFile.parse("name: binds\nservices:\n  a:\n    image: a:1\n    volumes:\n      - "
                + socket + ":/var/run/docker.sock\n      - " + missing + ":/run/other.sock\n", "test", null, Map.of(),
                w -> { });
        Preflight.Report local = new Preflight(FakeEngine.of(new Healthy(List.of())), true,
                dir.resolve("daemon.json"), stack, port -> PortProbe.State.FREE).run();
        Check warned = check(local, "host path " + missing);
        assertEquals(Status.WARN, warned.status());
        assertEquals("missing; a mounts it, and the engine would create an empty folder there", warned.detail());
        assertTrue(local.checks().stream().noneMatch(c -> c.check().equals("host path " + socket)), local.toString());
        assertTrue(local.ok(), "a warning does not block a run");
        Preflight.Report remote = new Preflight(FakeEngine.of(new Healthy(List.of())), false,
                dir.resolve("daemon.json"), stack, port -> PortProbe.State.FREE).run();
        assertTrue(remote.checks().stream().noneMatch(c -> c.check().startsWith("host path")),
                "another host's paths are not checked from here: " + remote);
    }
}

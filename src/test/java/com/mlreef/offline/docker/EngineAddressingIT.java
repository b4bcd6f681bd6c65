package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.transport.EngineAddress;
import com.mlreef.offline.docker.transport.TcpTransport;
import com.mlreef.offline.docker.transport.UnixSocketTransport;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.FakeServer;
import com.mlreef.offline.testing.SocketProxy;
import com.mlreef.offline.testing.TestCertificates;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reaching the engine, or failing to, with a reason a user can act on; TCP and TLS to the real engine. */
class EngineAddressingIT {
    private static final Path ENGINE_SOCKET = Path.of("/var/run/docker.sock");

    @TempDir
    Path dir;

    @Test
    void missingSocketSaysSo() {
        DockerClient client = new DockerClient(new UnixSocketTransport(dir.resolve("absent.sock")));
        EngineUnreachableException e = assertThrows(EngineUnreachableException.class, client::ping);
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot reach the Docker Engine at unix://"), e.getMessage());
    }

    @Test
    void socketWithoutListenerIsConnectionRefused() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        DockerClient client = new DockerClient(new UnixSocketTransport(socket));
        EngineUnreachableException e = assertThrows(EngineUnreachableException.class, client::version);
        assertTrue(e.reason().contains("connection refused"), e.getMessage());
    }

    @Test
    void somethingElseOnTheSocketIsNotADockerApi() throws Exception {
        try (FakeServer ssh = new FakeServer(dir.resolve("ssh.sock"), "SSH-2.0-OpenSSH_9.2\r\n")) {
            DockerClient client = new DockerClient(new UnixSocketTransport(ssh.socket()));
            EngineUnreachableException e = assertThrows(EngineUnreachableException.class, client::ping);
            assertTrue(e.reason().contains("does not answer as a Docker Engine API"), e.getMessage());
        }
        try (FakeServer web = new FakeServer(dir.resolve("web.sock"),
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found")) {
            DockerClient client = new DockerClient(new UnixSocketTransport(web.socket()));
            EngineUnreachableException e = assertThrows(EngineUnreachableException.class, client::info);
            assertTrue(e.reason().contains("does not answer as a Docker Engine API"), e.getMessage());
        }
    }

    @Test
    void socketWithoutPermissionTellsTheUserWhatToDo() throws Exception {
        try (FakeServer server = new FakeServer(dir.resolve("engine.sock"), "HTTP/1.1 200 OK\r\n\r\nOK")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(server.socket(), PosixFilePermissions.fromString("rw-------"));
            // root ignores socket permissions: run the client as an unprivileged user
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> asNobody = root
                    ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--") : List.of();
            if (!root) {
                Files.setPosixFilePermissions(server.socket(), PosixFilePermissions.fromString("---------"));
            }
            CliProcess.Result r = CliProcess.run(asNobody, Map.of("HOME", "/tmp"),
                    "doctor", "-H", "unix://" + server.socket());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().contains("permission denied on " + server.socket()
                    + "; run as root or add your user to the docker group"), r.toString());
        }
    }

    @Test
    void plainTcpReachesTheRealEngine() throws Exception {
        DockerClient local = TestEngine.client();
        try (SocketProxy proxy = new SocketProxy(SocketProxy.loopback(), ENGINE_SOCKET)) {
            EngineAddress address = EngineAddress.resolve(null, Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + proxy.port()));
            DockerClient client = new DockerClient(address.transport());
            assertEquals(local.version().version(), client.version().version());
            assertEquals(local.info().dockerRootDir(), client.info().dockerRootDir());
            assertTrue(client.address().startsWith("tcp://127.0.0.1:"));
        }
    }

    @Test
    void tlsWithCertificatesFromDockerCertPath() throws Exception {
        DockerClient local = TestEngine.client();
        TestCertificates certs = TestCertificates.create(dir);
        try (SocketProxy proxy = new SocketProxy(certs.serverSocket(), ENGINE_SOCKET)) {
            Map<String, String> env = Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + proxy.port(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.dir().toString());
            DockerClient client = new DockerClient(EngineAddress.resolve(null, env).transport());
            assertEquals(local.version().apiVersion(), client.version().apiVersion());
            // an image of its own: the engine is shared, so its count of images may change at any moment
            try (Created created = new Created(local)) {
                String image = TestImages.busybox(local, created, "tls");
                assertTrue(client.listImages().stream().anyMatch(i -> i.repoTags() != null
                        && i.repoTags().contains(image)), image + " listed over TLS");
            }

            // the server certificate names 127.0.0.1 only: "localhost" fails verification, and passes without it
            Map<String, String> byName = Map.of("DOCKER_HOST", "tcp://localhost:" + proxy.port(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.dir().toString());
            EngineUnreachableException mismatch = assertThrows(EngineUnreachableException.class,
                    () -> new DockerClient(EngineAddress.resolve(null, byName).transport()).ping());
            assertTrue(mismatch.reason().contains("TLS"), mismatch.getMessage());
            Map<String, String> unverified = Map.of("DOCKER_HOST", "tcp://localhost:" + proxy.port(),
                    "DOCKER_TLS", "1", "DOCKER_CERT_PATH", certs.dir().toString());
            new DockerClient(EngineAddress.resolve(null, unverified).transport()).ping();

            // without a client certificate the engine's TLS refuses us
            Path noClientCert = Files.createDirectory(dir.resolve("ca-only"));
            Files.copy(certs.dir().resolve("ca.pem"), noClientCert.resolve("ca.pem"));
            Map<String, String> caOnly = Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + proxy.port(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", noClientCert.toString());
            DockerClient refused = new DockerClient(EngineAddress.resolve(null, caOnly).transport());
            assertThrows(EngineUnreachableException.class, refused::ping);
        }
    }

    @Test
    void theToolReachesTheEngineOverTlsAsTheDockerCliDoes() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        try (SocketProxy proxy = new SocketProxy(certs.serverSocket(), ENGINE_SOCKET)) {
            String address = "tcp://127.0.0.1:" + proxy.port();
            CliProcess.Result r = CliProcess.run(Map.of("DOCKER_HOST", address, "DOCKER_TLS_VERIFY", "1",
                    "DOCKER_CERT_PATH", certs.dir().toString()), "doctor", "--json");
            JsonNode report = new ObjectMapper().readTree(r.out());
            assertEquals(address, report.get("engine").asText(), r.toString());
            JsonNode engine = report.get("checks").get(0);
            assertEquals("engine", engine.get("check").asText(), r.toString());
            assertEquals("ok", engine.get("status").asText(), r.toString());

            // the server certificate names 127.0.0.1 only: verified by name, "localhost" is refused
            CliProcess.Result byName = CliProcess.run(Map.of("DOCKER_HOST", "tcp://localhost:" + proxy.port(),
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.dir().toString()), "doctor");
            assertEquals(1, byName.exit(), byName.toString());
            assertTrue(byName.out().contains("TLS"), byName.toString());
        }
    }

    @Test
    void tcpWithNothingListeningIsUnreachable() throws Exception {
        int port;
        try (var s = SocketProxy.loopback()) {
            port = s.getLocalPort();
        }
        DockerClient client = new DockerClient(new TcpTransport("127.0.0.1", port, null));
        EngineUnreachableException e = assertThrows(EngineUnreachableException.class, client::ping);
        assertTrue(e.reason().contains("is the Docker Engine listening there?"), e.getMessage());
    }
}

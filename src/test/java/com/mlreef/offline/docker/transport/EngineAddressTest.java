package com.mlreef.offline.docker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineAddressTest {

    @Test
    void defaultIsTheLocalSocket() {
        EngineAddress a = EngineAddress.resolve(null, Map.of());
        assertEquals("unix", a.scheme());
        assertEquals("/var/run/docker.sock", a.path());
        assertEquals("unix:///var/run/docker.sock", a.toString());
    }

    @Test
    void optionWinsOverDockerHostWhichWinsOverTheDefault() {
        Map<String, String> env = Map.of("DOCKER_HOST", "unix:///run/user/1000/docker.sock");
        assertEquals("/run/user/1000/docker.sock", EngineAddress.resolve(null, env).path());
        assertEquals("/other.sock", EngineAddress.resolve("unix:///other.sock", env).path());
        assertEquals("/run/user/1000/docker.sock", EngineAddress.resolve("  ", env).path(), "empty, as the docker CLI"
                + " reads it: the default");
    }

    @Test
    void tcpTakesThePortTheDockerCliWould() {
        EngineAddress plain = EngineAddress.resolve("tcp://10.0.0.5", Map.of());
        assertEquals("10.0.0.5", plain.host());
        assertEquals(2375, plain.port());
        assertFalse(plain.tls());
        EngineAddress tls = EngineAddress.resolve("tcp://10.0.0.5", Map.of("DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", "/etc/docker/certs"));
        assertEquals(2376, tls.port());
        assertTrue(tls.tls());
        assertTrue(tls.verify());
        assertEquals(Path.of("/etc/docker/certs"), tls.certPath());
        EngineAddress explicit = EngineAddress.resolve("tcp://[::1]:2999", Map.of("DOCKER_TLS", "1", "HOME", "/home/op"));
        assertEquals("::1", explicit.host());
        assertEquals(2999, explicit.port());
        assertTrue(explicit.tls());
        assertFalse(explicit.verify());
        assertEquals(Path.of("/home/op/.docker"), explicit.certPath());
        assertEquals("tcp://[::1]:2999", explicit.toString());
        EngineAddress bare = EngineAddress.resolve("127.0.0.1:2375", Map.of());
        assertEquals("tcp://127.0.0.1:2375", bare.toString(), "HOST:PORT is tcp, as the docker CLI reads it");
    }

    @Test
    void unsupportedOrMalformedAddressesAreRefusedWithAnExample() {
        IllegalArgumentException ssh = assertThrows(IllegalArgumentException.class,
                () -> EngineAddress.resolve("ssh://me@host", Map.of()));
        assertTrue(ssh.getMessage().contains("use unix:///path/to/docker.sock or tcp://host:port"), ssh.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineAddress.resolve("unix://relative.sock", Map.of()));
        assertEquals("invalid engine address tcp://: expected tcp://HOST:PORT, as in tcp://10.0.0.5:2376",
                assertThrows(IllegalArgumentException.class, () -> EngineAddress.resolve("tcp://", Map.of()))
                        .getMessage());
        assertEquals("invalid engine address tcp://127.0.0.1:99999: port 99999 is not from 1 to 65535",
                assertThrows(IllegalArgumentException.class, () -> EngineAddress.resolve("tcp://127.0.0.1:99999",
                        Map.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineAddress.resolve("tcp://host:2375/path", Map.of()));
        assertEquals("unsupported engine address docker.sock; use unix:///path/to/docker.sock or tcp://host:port",
                assertThrows(IllegalArgumentException.class, () -> EngineAddress.resolve("docker.sock", Map.of()))
                        .getMessage());
    }
}

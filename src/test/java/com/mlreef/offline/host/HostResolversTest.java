package com.mlreef.offline.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostResolversTest {
    @TempDir
    Path dir;

    @Test
    void systemdResolvedsStubIsReplacedByItsUpstreamServers() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), "# stub\nnameserver 127.0.0.53\noptions edns0\n");
        Path upstream = Files.writeString(dir.resolve("upstream"), "nameserver 10.1.0.2\nnameserver   10.1.0.3\n"
                + "search corp.example\n");
        HostResolvers.Resolvers r = HostResolvers.read(conf, upstream);
        assertEquals(List.of("127.0.0.53"), r.host());
        assertEquals(List.of("10.1.0.2", "10.1.0.3"), r.upstream());
        assertEquals(List.of("10.1.0.2", "10.1.0.3"), r.forContainers());
        assertFalse(r.fallback());
    }

    @Test
    void withoutSystemdResolvedLoopbackServersAreDroppedAsTheEngineDoes() throws IOException {
        Path conf = Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.1\nnameserver 192.168.1.1\n");
        HostResolvers.Resolvers r = HostResolvers.read(conf, dir.resolve("absent"));
        assertNull(r.upstream());
        assertEquals(List.of("192.168.1.1"), r.forContainers());

        Files.writeString(conf, "nameserver 127.0.0.1\n");
        HostResolvers.Resolvers only = HostResolvers.read(conf, dir.resolve("absent"));
        assertTrue(only.fallback(), "no usable server: the engine's public fallback, unreachable offline");
        assertEquals(HostResolvers.ENGINE_FALLBACK, only.forContainers());
        assertNull(HostResolvers.read(dir.resolve("absent"), dir.resolve("absent")).host());
    }

    @Test
    void dockerdsDnsOptionsAreReadInBothForms() {
        assertEquals(List.of("10.0.0.2", "10.0.0.3"), EngineFlags.dnsOf(List.of("/usr/bin/dockerd", "--dns",
                "10.0.0.2", "--host", "unix:///var/run/docker.sock", "--dns=10.0.0.3", "--dns-search", "x")));
    }
}

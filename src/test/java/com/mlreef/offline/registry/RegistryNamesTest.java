package com.mlreef.offline.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.ui.ExitCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** References split as registries read them, WWW-Authenticate challenges, and where a registry answers. */
class RegistryNamesTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void referencesSplitIntoRegistryRepositoryTagAndDigest() {
        assertEquals(new ImageName("docker.io", "library/alpine", "latest", null), ImageName.parse("alpine"));
        assertEquals(new ImageName("docker.io", "team/app", "1.2", null), ImageName.parse("docker.io/team/app:1.2"));
        assertEquals(new ImageName("127.0.0.1:5000", "team/app", "1", null),
                ImageName.parse("127.0.0.1:5000/team/app:1"));
        assertEquals(new ImageName("localhost", "app", null, DIGEST), ImageName.parse("localhost/app@" + DIGEST));
        assertEquals(new ImageName("registry.example.com", "a/b/c", "v1", DIGEST),
                ImageName.parse("registry.example.com/a/b/c:v1@" + DIGEST));
        assertEquals(DIGEST, ImageName.parse("localhost/app:1@" + DIGEST).manifestReference());
        assertEquals("1", ImageName.parse("localhost/app:1").manifestReference());
    }

    @Test
    void invalidReferencesAreUsageErrors() {
        for (String bad : new String[] {"Team/App:1x", "localhost/app@sha256:12", "localhost/app:-x",
                "localhost/a//b:1", "localhost/../etc:1", "localhost/app:" + "t".repeat(129)}) {
            RegistryException e = assertThrows(RegistryException.class, () -> ImageName.parse(bad), bad);
            assertEquals(ExitCode.USAGE, e.exitCode(), bad);
            assertTrue(e.getMessage().startsWith("image " + bad + ": "), e.getMessage());
        }
    }

    @Test
    void challengesAreParsed() {
        Challenge bearer = Challenge.parse("Bearer realm=\"https://auth.example.com/token\",service=\"registry"
                + ".example.com\",scope=\"repository:team/app:pull,push\",error=\"invalid_token\"");
        assertEquals("bearer", bearer.scheme());
        assertEquals("https://auth.example.com/token", bearer.realm());
        assertEquals("registry.example.com", bearer.service());
        assertEquals("repository:team/app:pull,push", bearer.params().get("scope"));
        assertEquals("invalid_token", bearer.error());
        assertEquals(new Challenge("basic", Map.of("realm", "Registry Realm")),
                Challenge.parse("Basic realm=\"Registry Realm\""));
        assertEquals(new Challenge("bearer", Map.of("realm", "http://h/t", "service", "s")),
                Challenge.parse("bearer realm=http://h/t, service=s"));
        assertNull(Challenge.parse(null));
        assertNull(Challenge.parse(" "));
    }

    @Test
    void loopbackRegistriesAreAskedOverHttpAsTheEngineDoes() {
        assertEquals("http://127.0.0.1:5000", RegistryAddress.of("127.0.0.1:5000", false).base().toString());
        assertEquals("http://127.9.8.7", RegistryAddress.of("127.9.8.7", false).base().toString());
        assertEquals("http://localhost:5000", RegistryAddress.of("localhost:5000", false).base().toString());
        assertEquals("http://[::1]:5000", RegistryAddress.of("[::1]:5000", false).base().toString());
        assertEquals("https://registry.example.com:5000",
                RegistryAddress.of("registry.example.com:5000", false).base().toString());
        assertEquals("https://registry-1.docker.io", RegistryAddress.of("docker.io", false).base().toString());
        assertEquals("http://registry.example.com", RegistryAddress.of("registry.example.com", true).base()
                .toString());
        assertFalse(RegistryAddress.loopback("127.example.com"));
        assertFalse(RegistryAddress.loopback("localhost.example.com"));
    }
}

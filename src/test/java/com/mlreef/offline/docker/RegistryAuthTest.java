package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryAuthTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private RegistryAuth auth(String configJson) throws IOException {
        Files.writeString(dir.resolve("config.json"), configJson);
        return RegistryAuth.fromDockerConfig(Map.of("DOCKER_CONFIG", dir.toString(), "PATH", dir.toString()),
                warnings::add);
    }

    private static JsonNode decode(String header) throws IOException {
        return DockerJson.MAPPER.readTree(Base64.getUrlDecoder().decode(header));
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRegistryOfAReferenceIsResolvedAsTheEngineResolvesIt() {
        assertEquals("docker.io", RegistryAuth.registry("alpine:latest"));
        assertEquals("docker.io", RegistryAuth.registry("library/alpine"));
        assertEquals("docker.io", RegistryAuth.registry("gitlab/gitlab-runner:alpine"));
        assertEquals("docker.io", RegistryAuth.registry("docker.io/library/alpine"));
        assertEquals("docker.io", RegistryAuth.registry("index.docker.io/library/alpine"));
        assertEquals("registry.gitlab.com", RegistryAuth.registry("registry.gitlab.com/mlreef/mlreef:latest"));
        assertEquals("127.0.0.1:5000", RegistryAuth.registry("127.0.0.1:5000/smoke/app:1"));
        assertEquals("localhost", RegistryAuth.registry("localhost/app@sha256:" + "0".repeat(64)));
        assertEquals("MyRegistry", RegistryAuth.registry("MyRegistry/app"), "a capital letter names a host");
        assertEquals("host:5000", RegistryAuth.hostOf("https://host:5000/v1/"));
        assertEquals("host", RegistryAuth.hostOf("http://host"));
    }

    @Test
    void inlineCredentialsAreSentForTheirRegistryOnly() throws IOException {
        RegistryAuth auth = auth("{\"auths\": {"
                + "\"registry.example.com\": {\"auth\": \"" + basic("alice", "pa:ss") + "\"},"
                + "\"https://other.example.com:5000/v2/\": {\"auth\": \"" + basic("bob", "x") + "\"},"
                + "\"" + RegistryAuth.DOCKER_HUB + "\": {\"auth\": \"" + basic("hub", "h") + "\"}}}");
        JsonNode a = decode(auth.header("registry.example.com/team/app:1"));
        assertEquals("alice", a.get("username").asText());
        assertEquals("pa:ss", a.get("password").asText(), "only the first colon separates user and password");
        assertEquals("registry.example.com", a.get("serveraddress").asText());
        assertEquals("bob", decode(auth.header("other.example.com:5000/app")).get("username").asText(),
                "a key with a scheme and a path matches its host");
        JsonNode hub = decode(auth.header("alpine:latest"));
        assertEquals("hub", hub.get("username").asText());
        assertEquals(RegistryAuth.DOCKER_HUB, hub.get("serveraddress").asText());
        assertNull(auth.header("elsewhere.example.com/app"), "no credentials for a registry not logged in to");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void identityTokensAndEmptyEntriesAsCredentialStoresLeaveThem() throws IOException {
        RegistryAuth auth = auth("{\"auths\": {\"a.example.com\": {\"identitytoken\": \"tok\"},"
                + " \"b.example.com\": {}}}");
        JsonNode a = decode(auth.header("a.example.com/app"));
        assertEquals("tok", a.get("identitytoken").asText());
        assertNull(auth.header("b.example.com/app"));
    }

    @Test
    void aDamagedConfigIsWarnedAboutAndLeftOut() throws IOException {
        assertNull(auth("{\"auths\": ").header("a.example.com/app"));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("config.json") && !warnings.get(0).contains("\n"), warnings.get(0));
        warnings.clear();
        String token = basic("alice", "secret");
        assertNull(auth("{\"auths\": {\"a.example.com\": {\"auth\": " + token + "}}}").header("a.example.com/app"));
        assertTrue(warnings.get(0).contains("not valid JSON (line 1, column") && !warnings.get(0).contains(token),
                "where the file is wrong, never what it holds: " + warnings);
        warnings.clear();
        assertNull(auth("{\"auths\": {\"a.example.com\": {\"auth\": \"%%%\"}}}").header("a.example.com/app"));
        assertTrue(warnings.get(0).contains("not valid base64"), warnings.toString());
    }

    @Test
    void anEmptyConfigIsNoCredentialsWithoutAWarning() throws IOException {
        assertNull(auth("").header("a.example.com/app"));
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void noConfigMeansNoCredentials() {
        RegistryAuth auth = RegistryAuth.fromDockerConfig(Map.of("HOME", dir.toString()), warnings::add);
        assertNull(auth.header("a.example.com/app"));
        assertTrue(warnings.isEmpty());
        assertNull(RegistryAuth.NONE.header("a.example.com/app"));
    }

    /** A credential helper: a program on the PATH, given the server on stdin; here a script the test writes. */
    private void helper(String name, String script) throws IOException {
        Path program = dir.resolve("docker-credential-" + name);
        Files.writeString(program, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aCredentialHelperIsAskedForItsRegistry() throws IOException {
        helper("test", "read server\n[ \"$1\" = get ] || exit 3\n"
                + "case \"$server\" in h.example.com) echo '{\"ServerURL\":\"h.example.com\",\"Username\":\"carol\","
                + "\"Secret\":\"s\"}';; t.example.com) echo '{\"Username\":\"<token>\",\"Secret\":\"tk\"}';;"
                + " *) echo 'credentials not found in native keychain'; exit 1;; esac\n");
        RegistryAuth auth = auth("{\"credHelpers\": {\"h.example.com\": \"test\", \"t.example.com\": \"test\","
                + " \"n.example.com\": \"test\"}, \"auths\": {\"n.example.com\": {\"auth\": \"" + basic("n", "n")
                + "\"}}}");
        JsonNode h = decode(auth.header("h.example.com/app:1"));
        assertEquals("carol", h.get("username").asText());
        assertEquals("s", h.get("password").asText());
        assertEquals("tk", decode(auth.header("t.example.com/app")).get("identitytoken").asText());
        assertNull(auth.header("n.example.com/app"), "as the docker CLI: what the helper lacks is not taken from auths");
        assertNull(auth.header("other.example.com/app"), "credHelpers name only their registries");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aHelperThatLeavesAProcessHoldingItsOutputIsNotWaitedFor() throws IOException {
        helper("lingering", "read server\nsleep 60 &\necho '{\"Username\":\"dave\",\"Secret\":\"d\"}'\n");
        long start = System.nanoTime();
        JsonNode answer = decode(auth("{\"credsStore\": \"lingering\"}").header("l.example.com/app"));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals("dave", answer.get("username").asText());
        assertTrue(seconds < 20, "answered when the helper ended, not at the deadline: " + seconds + " s");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void aHelperThatIsMissingOrFailsIsWarnedAbout() throws IOException {
        RegistryAuth absent = auth("{\"credsStore\": \"absent\"}");
        assertNull(absent.header("a.example.com/app"));
        assertNull(absent.header("b.example.com/app"));
        assertEquals(1, warnings.size(), "said once, not per registry: " + warnings);
        assertEquals("docker-credential-absent, which config.json names, is not on the PATH",
                absent.helperProblem("b.example.com/app"));
        assertTrue(warnings.get(0).contains("docker-credential-absent") && warnings.get(0).contains("PATH"),
                warnings.toString());
        warnings.clear();
        helper("chatty", "echo 'Secret s3cr3t-value is not JSON'\n");
        assertNull(auth("{\"credsStore\": \"chatty\"}").header("a.example.com/app"));
        assertTrue(warnings.get(0).contains("gave no JSON") && !warnings.get(0).contains("s3cr3t"),
                "the helper's text is not repeated: " + warnings);
        warnings.clear();
        helper("broken", "echo 'the keyring is locked'; exit 1\n");
        assertNull(auth("{\"credsStore\": \"broken\"}").header("a.example.com/app"));
        assertTrue(warnings.get(0).contains("the keyring is locked"), warnings.toString());
        warnings.clear();
        assertNull(auth("{\"credsStore\": \"../../bin/sh\"}").header("a.example.com/app"));
        assertTrue(warnings.get(0).contains("not a valid name"), warnings.toString());
    }
}

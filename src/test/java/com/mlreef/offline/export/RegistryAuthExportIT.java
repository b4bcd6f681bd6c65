package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import com.mlreef.offline.testing.TestRegistry;
import com.mlreef.offline.testing.TokenServer;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --from-registry} from registries of the test's own that want credentials, those of
 * {@code docker login} (config.json): htpasswd (basic authentication), and tokens from a token endpoint the test
 * starts (the Bearer flow). A blob whose bytes the test changes in the registry's storage is refused, naming the image.
 */
class RegistryAuthExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    private static DockerClient engine;
    private static Created created;
    private static TestRegistry basic;
    private static TestRegistry tokenRegistry;
    private static TokenServer tokens;
    private static String base;

    @BeforeAll
    static void startRegistries() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        basic = TestRegistry.htpasswd(shared.resolve("basic"));
        tokens = TokenServer.start(shared.resolve("tokens"), 5);
        tokenRegistry = TestRegistry.token(shared.resolve("token"), tokens);
        base = TestImages.busybox(engine, created, "rpauthbase");
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {basic, tokenRegistry, tokens}) {
            if (c != null) {
                c.close();
            }
        }
        if (created != null) {
            created.close();
        }
    }

    /** Builds an image FROM the base, pushes it to the registry with its credentials; returns its reference. */
    private static String push(TestRegistry registry, String name, String run) throws Exception {
        String reference = created.image(registry.host() + "/" + TestEngine.unique(name) + "/app:1");
        TestImages.build("FROM " + base + "\n" + run + "\n", reference);
        TestImages.push(reference, registry.xRegistryAuth());
        return reference;
    }

    private CliProcess.Result export(TestRegistry registry, String config, String reference, Path dir)
            throws Exception {
        Path stack = RegistryExportIT.stack(tmp, reference);
        return RegistryExportIT.export(tmp, config, "--from-registry", "-f", stack.toString(), "-o", dir.toString());
    }

    @Test
    void basicAuthenticationWithDockerLoginsCredentials() throws Exception {
        String reference = push(basic, "rpbasic", "RUN echo basic > /b");
        CliProcess.Result anonymous = export(basic, "{}", reference, tmp.resolve("anonymous"));
        assertEquals(1, anonymous.exit(), anonymous.toString());
        assertTrue(anonymous.err().contains(reference + ": " + basic.host() + " answered 401; the registry wants"
                + " credentials: run 'docker login " + basic.host() + "'"), anonymous.err());

        Path dir = tmp.resolve("bundle");
        CliProcess.Result result = export(basic, basic.dockerConfig(), reference, dir);
        assertEquals(0, result.exit(), result.toString());
        assertEquals(engine.inspectImage(reference).id(), RegistryExportIT.image(RegistryExportIT.bundle(dir),
                reference).path("id").asText());
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestIsRefusedNamingTheImage() throws Exception {
        String reference = push(basic, "rpcorrupt", "RUN head -c 300000 /dev/urandom > /r");
        String repository = reference.substring(basic.host().length() + 1, reference.lastIndexOf(':'));
        JsonNode manifest = JSON.readTree(Files.readString(basic.blobData(basic.tagDigest(repository, "1"))));
        String top = manifest.path("layers").get(manifest.path("layers").size() - 1).path("digest").asText();
        try (FileChannel data = FileChannel.open(basic.blobData(top), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            data.read(one, 1000);
            one.put(0, (byte) (one.get(0) ^ 0x55)).rewind();
            data.write(one, 1000);
        }
        Path dir = tmp.resolve("corrupt");
        CliProcess.Result result = export(basic, basic.dockerConfig(), reference, dir);
        assertEquals(1, result.exit(), result.toString());
        assertTrue(result.err().contains(reference + ": blob " + top + " from " + basic.host() + " is refused: its"
                + " bytes do not match its digest"), result.err());
        assertTrue(Files.notExists(dir.resolve("bundle.json")) || !RegistryExportIT.bundle(dir).path("complete")
                .asBoolean(), "no complete bundle");
    }

    @Test
    void bearerTokensPerRepositoryFromTheChallengesRealm() throws Exception {
        String reference = push(tokenRegistry, "rptoken", "RUN echo token > /t");
        String repository = reference.substring(tokenRegistry.host().length() + 1, reference.lastIndexOf(':'));
        int before = tokens.scopes().size();
        Path dir = tmp.resolve("bundle");
        CliProcess.Result result = export(tokenRegistry, tokenRegistry.dockerConfig(), reference, dir);
        assertEquals(0, result.exit(), result.toString());
        assertEquals(engine.inspectImage(reference).id(), RegistryExportIT.image(RegistryExportIT.bundle(dir),
                reference).path("id").asText());
        var asked = tokens.scopes().subList(before, tokens.scopes().size());
        assertTrue(asked.contains("repository:" + repository + ":pull"), asked.toString());
        // tokens live 5 s, less than the client's margin: each request asks again, as it would once one expired
        assertTrue(asked.size() >= 3, "tokens asked again when expiring: " + asked);

        CliProcess.Result refused = export(tokenRegistry, "{\"auths\":{\"" + tokenRegistry.host() + "\":{\"auth\":\""
                + java.util.Base64.getEncoder().encodeToString("mlro:wrong".getBytes()) + "\"}}}", reference,
                tmp.resolve("refused"));
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("the token endpoint " + tokens.realm() + " answered 401; the registry"
                + " refused the credentials of 'docker login " + tokenRegistry.host() + "'"), refused.err());
    }
}

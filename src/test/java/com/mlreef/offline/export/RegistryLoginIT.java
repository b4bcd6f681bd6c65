package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} from a registry that wants credentials: a second registry (the docker-registry program that
 * scripts/engine-up.sh installs) with htpasswd authentication on a free port of 127.0.0.1. The credentials are those
 * {@code docker login} stores: inline in config.json, or kept by a credential helper.
 */
class RegistryLoginIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "mlro";
    private static final String PASSWORD = "mlro-test-secret";
    /** bcrypt (cost 4) of PASSWORD, as htpasswd -B writes it. */
    private static final String HTPASSWD = USER + ":$2b$04$mnpE0GjIKFXPS6gjHqEa7uwclKsJpaC4U3WK9A.ynoYTauTGmrUem";

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    private static Process registry;
    private static String host;
    private static String image;
    private static String imageId;
    private static DockerClient engine;
    private static Created created;

    @BeforeAll
    static void startRegistryAndPush() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        host = "127.0.0.1:" + port;
        Path config = shared.resolve("registry.yml");
        Files.writeString(shared.resolve("htpasswd"), HTPASSWD + "\n");
        Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + shared.resolve("data")
                + "\nhttp:\n  addr: " + host + "\nauth:\n  htpasswd:\n    realm: mlro-test\n    path: "
                + shared.resolve("htpasswd") + "\n");
        registry = new ProcessBuilder(registryProgram(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(shared.resolve("registry.log").toFile()).start();
        awaitRegistry();

        image = created.image(host + "/" + TestEngine.unique("private") + "/app:1");
        String local = TestImages.busybox(engine, created, "loginbase");
        engine.tagImage(local, image.substring(0, image.lastIndexOf(':')), "1");
        TestImages.push(image, xRegistryAuth(USER, PASSWORD));
        imageId = engine.inspectImage(image).id();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        if (registry != null) {
            registry.destroy();
            registry.waitFor(10, TimeUnit.SECONDS);
        }
        if (created != null) {
            created.close();
        }
    }

    @BeforeEach
    void onlyTheRegistryHasTheImage() {
        try {
            engine.removeImage(image, false);
        } catch (NotFoundException e) {
            // not pulled by the test before
        }
    }

    private static String registryProgram() {
        for (String dir : System.getenv("PATH").split(":")) {
            Path program = Path.of(dir, "docker-registry");
            if (Files.isExecutable(program)) {
                return program.toString();
            }
        }
        return fail("docker-registry is not on the PATH: scripts/engine-up.sh installs it");
    }

    private static void awaitRegistry() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + "/v2/").toURL()
                        .openConnection();
                int status = c.getResponseCode();
                c.disconnect();
                assertEquals(401, status, "the registry wants credentials");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !registry.isAlive()) {
                    fail("the registry on " + host + " did not answer: "
                            + Files.readString(shared.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    private static String xRegistryAuth(String user, String password) {
        String json = "{\"username\":\"" + user + "\",\"password\":\"" + password + "\",\"serveraddress\":\""
                + host + "\"}";
        return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Exports a one-service stack of the private image with DOCKER_CONFIG holding {@code configJson}. */
    private CliProcess.Result export(String configJson, Map<String, String> env) throws Exception {
        Path dockerConfig = Files.createDirectories(tmp.resolve("docker-config"));
        Files.writeString(dockerConfig.resolve("config.json"), configJson);
        Path stack = tmp.resolve("stack.yaml");
        Files.writeString(stack, "name: logintest\nservices:\n  app:\n    image: " + image + "\n");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("DOCKER_CONFIG", dockerConfig.toString());
        return CliProcess.run(all, "export", "-f", stack.toString(), "-o", tmp.resolve("bundle").toString());
    }

    private void assertExported(CliProcess.Result r) throws IOException {
        assertEquals(0, r.exit(), r.toString());
        assertEquals(imageId, engine.inspectImage(image).id(), "pulled with the credentials");
        JsonNode manifest = JSON.readTree(tmp.resolve("bundle/bundle.json").toFile());
        assertEquals(imageId, manifest.get("images").get(0).get("id").asText());
    }

    @Test
    void theCredentialsDockerLoginStoredArePassedToThePull() throws Exception {
        assertExported(export("{\"auths\": {\"" + host + "\": {\"auth\": \"" + basic(USER, PASSWORD) + "\"}}}",
                Map.of()));
    }

    @Test
    void aCredentialHelperIsAsked() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("docker-credential-mlrotest");
        Files.writeString(helper, "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = \"" + host + "\" ]"
                + " || exit 1\necho '{\"ServerURL\":\"" + host + "\",\"Username\":\"" + USER + "\",\"Secret\":\""
                + PASSWORD + "\"}'\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        assertExported(export("{\"credsStore\": \"mlrotest\"}",
                Map.of("PATH", bin + ":" + System.getenv("PATH"))));
    }

    @Test
    void withoutCredentialsTheErrorSaysHowToLogIn() throws Exception {
        CliProcess.Result r = export("{}", Map.of());
        assertEquals(1, r.exit(), r.toString());
        String error = r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        assertTrue(error.contains(image) && error.contains("'docker login " + host + "'")
                && error.contains("--no-pull"), r.toString());
        assertFalse(Files.exists(tmp.resolve("bundle/bundle.json")), "no bundle written");
    }

    @Test
    void refusedCredentialsAreNamedAsRefused() throws Exception {
        CliProcess.Result r = export("{\"auths\": {\"" + host + "\": {\"auth\": \"" + basic(USER, "wrong") + "\"}}}",
                Map.of());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("refused the credentials of 'docker login " + host + "'"), r.toString());
    }
}

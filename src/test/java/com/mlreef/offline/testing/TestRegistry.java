package com.mlreef.offline.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;

/**
 * A registry of a test's own: Debian's docker-registry (scripts/engine-up.sh installs it) on a free port of
 * 127.0.0.1, its storage in a folder of the test, with an {@code auth:} section (htpasswd, token) or none.
 */
public final class TestRegistry implements AutoCloseable {
    /** The user of {@link #htpasswd}. */
    public static final String USER = "mlro";
    public static final String PASSWORD = "mlro-test-secret";
    /** bcrypt (cost 4) of PASSWORD, as htpasswd -B writes it. */
    private static final String HTPASSWD = USER + ":$2b$04$mnpE0GjIKFXPS6gjHqEa7uwclKsJpaC4U3WK9A.ynoYTauTGmrUem";

    private final Process process;
    private final String host;
    private final Path dir;

    private TestRegistry(Process process, String host, Path dir) {
        this.process = process;
        this.host = host;
        this.dir = dir;
    }

    /** An anonymous registry. */
    public static TestRegistry open(Path dir) throws Exception {
        return start(dir, "");
    }

    /** A registry that wants {@link #USER} and {@link #PASSWORD} (basic authentication). */
    public static TestRegistry htpasswd(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("htpasswd"), HTPASSWD + "\n");
        return start(dir, "auth:\n  htpasswd:\n    realm: mlro-test\n    path: " + dir.resolve("htpasswd") + "\n");
    }

    /** A registry that wants tokens of {@code tokens}, signed by its certificate. */
    public static TestRegistry token(Path dir, TokenServer tokens) throws Exception {
        return start(dir, "auth:\n  token:\n    realm: " + tokens.realm() + "\n    service: " + TokenServer.SERVICE
                + "\n    issuer: " + TokenServer.ISSUER + "\n    rootcertbundle: " + tokens.certificate() + "\n");
    }

    private static TestRegistry start(Path dir, String auth) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String host = "127.0.0.1:" + port;
        Path config = dir.resolve("registry.yml");
        Files.writeString(config, "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
                + dir.resolve("data") + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host + "\n" + auth);
        Process process = new ProcessBuilder(program(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry registry = new TestRegistry(process, host, dir);
        registry.await();
        return registry;
    }

    /** {@code 127.0.0.1:PORT}, as image references name it. */
    public String host() {
        return host;
    }

    /** The file the registry stores a blob in (filesystem driver layout). */
    public Path blobData(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return dir.resolve("data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    /** The manifest digest the registry's storage links a tag of the repository to. */
    public String tagDigest(String repository, String tag) throws IOException {
        return Files.readString(dir.resolve("data/docker/registry/v2/repositories").resolve(repository)
                .resolve("_manifests/tags").resolve(tag).resolve("current/link")).trim();
    }

    /** The engine's X-Registry-Auth value for {@link #USER}. */
    public String xRegistryAuth() {
        String json = "{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\",\"serveraddress\":\"" + host
                + "\"}";
        return Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A docker CLI config.json holding {@link #USER}'s credentials for this registry. */
    public String dockerConfig() {
        return "{\"auths\":{\"" + host + "\":{\"auth\":\"" + Base64.getEncoder().encodeToString((USER + ":"
                + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\"}}}";
    }

    private static String program() {
        for (String dir : System.getenv("PATH").split(":")) {
            Path program = Path.of(dir, "docker-registry");
            if (Files.isExecutable(program)) {
                return program.toString();
            }
        }
        return fail("docker-registry is not on the PATH: scripts/engine-up.sh installs it");
    }

    private void await() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host + "/v2/").toURL()
                        .openConnection();
                c.getResponseCode();
                c.disconnect();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    fail("the registry on " + host + " did not answer: " + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

package com.mlreef.offline.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.RegistryProxy;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import com.mlreef.offline.testing.TestRegistry;
import com.mlreef.offline.testing.TokenServer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code push} against the registry at 127.0.0.1:5000 (through a proxy that counts requests or cuts a connection):
 * the images pulled back by the real engine have the bundle's image IDs, a second push uploads nothing, a cut upload
 * goes on, and a registry without TLS needs --insecure unless it is on loopback.
 */
class PushIT {
    private static final InetSocketAddress REGISTRY = new InetSocketAddress("127.0.0.1", 5000);
    private static DockerClient engine;
    private static Created created;
    private static Path bundle;
    private static Path plain;
    /** Each image's references in the bundle, with its ID. */
    private static final Map<String, String> IDS = new LinkedHashMap<>();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void bundle() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        String base = TestImages.busybox(engine, created, "pushbase");
        String app = created.image(TestEngine.unique("pushapp") + ":1");
        // 24 MiB of random bytes: a layer a cut falls into
        TestImages.build("FROM " + base + "\nRUN head -c 25165824 /dev/urandom > /random\nRUN echo two > /two\n", app);
        String name = TestEngine.unique("push").replace("mlro-test-", "mlrot");
        Path file = tmp.resolve("stack.yaml");
        Files.writeString(file, """
                name: %s
                services:
                  app:
                    image: %s
                  base:
                    image: %s
                """.formatted(name, app, base));
        bundle = tmp.resolve("bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                bundle.toString(), "--compress", "zstd");
        assertEquals(0, export.exit(), export.toString());
        // uncompressed, its blobs upload a few at once, each read at its place in the file
        plain = tmp.resolve("plain");
        export = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                plain.toString(), "--compress", "none");
        assertEquals(0, export.exit(), export.toString());
        for (JsonNode image : new ObjectMapper().readTree(bundle.resolve("bundle.json").toFile()).path("images")) {
            image.path("references").forEach(r -> IDS.put(r.asText(), image.path("id").asText()));
        }
        assertEquals(2, IDS.size(), IDS.toString());
        engine.removeImage(app, true); // pulled back from the registry, not found in the engine
        engine.removeImage(base, true);
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    private static String prefix() {
        return TestEngine.unique("p").replace("mlro-test-", "mlrot");
    }

    /** Pulls each image back through the engine from the registry; its ID must be the bundle's. */
    private static void pulledBack(RegistryLocation location) throws Exception {
        for (Map.Entry<String, String> image : IDS.entrySet()) {
            String pulled = created.image("127.0.0.1:5000/" + location.repository(image.getKey()) + ":"
                    + RegistryLocation.tag(image.getKey()));
            assertThrows(NotFoundException.class, () -> engine.inspectImage(pulled));
            engine.pullImage(pulled, m -> { });
            assertEquals(image.getValue(), engine.inspectImage(pulled).id(), pulled);
        }
    }

    @Test
    void aPushPulledBackGivesTheBundlesImagesAndASecondPushUploadsNothing() throws Exception {
        try (RegistryProxy proxy = new RegistryProxy(InetAddress.getLoopbackAddress(), REGISTRY)) {
            String registry = "127.0.0.1:" + proxy.port() + "/" + prefix();
            CliProcess.Result first = CliProcess.run(Map.of(), "push", "-d", plain.toString(), "--registry",
                    registry);
            assertEquals(0, first.exit(), first.toString());
            assertTrue(first.out().contains("pushed 2 images to " + registry + ":"), first.toString());
            assertFalse(first.out().contains(": 0 blobs uploaded"), first.toString());
            assertTrue(first.out().contains("2 manifests written"), first.toString());
            pulledBack(RegistryLocation.parse("--registry", registry));

            proxy.record();
            CliProcess.Result second = CliProcess.run(Map.of(), "push", "-d", plain.toString(), "--registry",
                    registry);
            assertEquals(0, second.exit(), second.toString());
            assertTrue(second.out().contains("0 blobs uploaded (0 B), 0 mounted"), second.toString());
            assertTrue(second.out().contains("0 manifests written, 2 unchanged"), second.toString());
            assertTrue(proxy.requests("HEAD") > 0, "the registry was asked");
            for (String method : List.of("POST", "PATCH", "PUT")) {
                assertEquals(0, proxy.requests(method), method + " requests in the second push");
            }
        }
    }

    @Test
    void anUploadCutMidwayGoesOn() throws Exception {
        // zstd: the file is read again up to the layer; uncompressed: the layer is read again at its place
        for (Path dir : List.of(bundle, plain)) {
            try (RegistryProxy proxy = new RegistryProxy(InetAddress.getLoopbackAddress(), REGISTRY)) {
                String registry = "127.0.0.1:" + proxy.port() + "/" + prefix();
                proxy.cutAfter(13L << 20);
                CliProcess.Result r = CliProcess.run(Map.of(), "push", "-d", dir.toString(), "--registry", registry);
                assertTrue(proxy.wasCut(), "the proxy cut a connection");
                assertEquals(0, r.exit(), r.toString());
                // Distribution drops an upload whose PATCH broke off midway: the layer is sent again from the bundle
                assertTrue(r.err().contains("uploads that broke off: 0 went on where the registry had them, 1"
                        + " started again"), r.toString());
                pulledBack(RegistryLocation.parse("--registry", registry));
            }
        }
    }

    @Test
    void anUploadCutBeforeItsBytesGoesOnFromTheRegistrysRange() throws Exception {
        try (RegistryProxy proxy = new RegistryProxy(InetAddress.getLoopbackAddress(), REGISTRY)) {
            String registry = "127.0.0.1:" + proxy.port() + "/" + prefix();
            proxy.dropRequest("PATCH", 2); // a blob's PATCH cut before its bytes: the registry's Range says 0
            CliProcess.Result r = CliProcess.run(Map.of(), "push", "-d", plain.toString(), "--registry", registry);
            assertTrue(proxy.wasCut(), "the proxy cut a connection");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("uploads that broke off: 1 went on where the registry had them, 0 started"
                    + " again"), r.toString());
            pulledBack(RegistryLocation.parse("--registry", registry));
        }
    }

    @Test
    void aRegistryThatWantsTokensGetsEachBlobWithTheTokenOfItsRepository() throws Exception {
        // tokens live 2 s, less than the client's margin: each upload's PATCH carries one asked for it
        try (TokenServer tokens = TokenServer.start(tmp.resolve("tokens"), 2);
             TestRegistry registry = TestRegistry.token(tmp.resolve("token-registry"), tokens)) {
            Path config = Files.createDirectories(tmp.resolve("token-config"));
            Files.writeString(config.resolve("config.json"), registry.dockerConfig());
            Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString());
            // uncompressed: the bytes go from the file to the socket; zstd: decompressed and copied
            for (Path dir : List.of(plain, bundle)) {
                String target = registry.host() + "/" + prefix();
                CliProcess.Result r = CliProcess.run(env, "push", "-d", dir.toString(), "--registry", target);
                assertEquals(0, r.exit(), r.toString());
                assertFalse(r.out().contains(": 0 blobs uploaded"), r.toString());
                assertTrue(r.out().contains("2 manifests written"), r.toString());
                RegistryLocation location = RegistryLocation.parse("--registry", target);
                for (String reference : IDS.keySet()) {
                    String repository = location.repository(reference);
                    assertTrue(tokens.scopes().contains("repository:" + repository + ":pull,push"),
                            tokens.scopes().toString());
                    assertTrue(registry.tagDigest(repository, RegistryLocation.tag(reference))
                            .startsWith("sha256:"), repository);
                }
                CliProcess.Result again = CliProcess.run(env, "push", "-d", dir.toString(), "--registry", target);
                assertEquals(0, again.exit(), again.toString());
                assertTrue(again.out().contains("0 blobs uploaded (0 B), 0 mounted"), again.toString());
            }
        }
    }

    @Test
    void aRegistryWithoutTlsOffLoopbackNeedsInsecure() throws Exception {
        InetAddress address = NetworkInterface.networkInterfaces().filter(i -> {
            try {
                // not the bridges of other tests' networks, which come and go
                return i.isUp() && !i.isLoopback() && !i.getName().startsWith("br-")
                        && !i.getName().startsWith("veth");
            } catch (java.net.SocketException e) {
                return false;
            }
        }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
        assertNotNull(address, "this host has an address other than loopback");
        try (RegistryProxy proxy = new RegistryProxy(address, REGISTRY)) {
            String registry = address.getHostAddress() + ":" + proxy.port() + "/" + prefix();
            CliProcess.Result https = CliProcess.run(Map.of(), "push", "-d", bundle.toString(), "--registry",
                    registry);
            assertEquals(1, https.exit(), https.toString());
            assertTrue(https.err().contains("--insecure"), https.toString());
            assertEquals(1, https.err().strip().lines().count(), https.toString());

            CliProcess.Result http = CliProcess.run(Map.of(), "push", "-d", bundle.toString(), "--registry",
                    registry, "--insecure");
            assertEquals(0, http.exit(), http.toString());
            assertTrue(http.out().contains("2 manifests written"), http.toString());
        }
    }

    @Test
    void badUsageIsRefusedInOneLine() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        List<List<String>> cases = List.of(
                List.of("push", "-d", bundle.toString(), "--registry", "http://127.0.0.1:5000"),
                List.of("push", "-d", bundle.toString(), "--registry", "127.0.0.1:0/x"),
                List.of("push", "-d", bundle.toString(), "--registry", "127.0.0.1:5000/Upper"),
                List.of("push", "-d", bundle.toString()),
                List.of("push", "-d", tmp.resolve("missing").toString(), "--registry", "127.0.0.1:5000"),
                List.of("push", "-d", empty.toString(), "--registry", "127.0.0.1:5000"));
        for (List<String> args : cases) {
            CliProcess.Result r = CliProcess.run(Map.of(), args.toArray(String[]::new));
            assertEquals(2, r.exit(), r.toString());
            assertTrue(r.err().startsWith("error: "), r.toString());
        }
    }
}

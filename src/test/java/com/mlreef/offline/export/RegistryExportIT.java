package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.CuttingProxy;
import com.mlreef.offline.testing.DockerCli;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --from-registry} against the shared registry on 127.0.0.1:5000 (anonymous), with no engine
 * reachable: a three-image stack, one image a multi-platform index the test puts together, loaded with docker load
 * to the engine path's image IDs; a download cut midway resumes.
 */
class RegistryExportIT {
    static final String REGISTRY = "127.0.0.1:5000";
    static final String NO_ENGINE = "unix:///nonexistent/mlro-test-docker.sock";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;
    private static DockerClient engine;
    private static Created created;
    private static String prefix;
    private static String web;
    private static String app;
    private static String multi;
    private static final Map<String, String> ids = new HashMap<>();
    private static final Map<String, String> platformDigests = new HashMap<>();

    @BeforeAll
    static void pushImages() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        prefix = TestEngine.unique("rpull");
        String base = TestImages.busybox(engine, created, "rpullbase");
        web = build(base, "web", "RUN head -c 6000000 /dev/urandom > /big");
        app = build(base, "app", "RUN echo app > /app");
        String amd64 = build(base, "multi:amd64", "RUN echo amd64 > /platform");
        String arm64 = build(base, "multi:arm64", "RUN echo arm64 > /platform");
        multi = REGISTRY + "/" + prefix + "/multi:1";
        putIndex(prefix + "/multi", "1", Map.of("amd64", amd64, "arm64", arm64));
        ids.put(multi, ids.get(amd64));
    }

    /** Builds FROM base, pushes it as REGISTRY/PREFIX/NAME[:1]; records its ID. */
    static String build(String base, String name, String run) throws Exception {
        String reference = created.image(REGISTRY + "/" + prefix + "/" + (name.contains(":") ? name : name + ":1"));
        TestImages.build("FROM " + base + "\n" + run + "\n", reference);
        TestImages.push(reference);
        ids.put(reference, engine.inspectImage(reference).id());
        return reference;
    }

    /** PUTs a Docker manifest list naming the tags' manifests as linux/amd64 and linux/arm64. */
    static void putIndex(String repository, String tag, Map<String, String> byArch) throws Exception {
        var index = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.docker.distribution.manifest.list.v2+json");
        var manifests = index.putArray("manifests");
        for (Map.Entry<String, String> e : byArch.entrySet()) {
            String ref = e.getValue().substring(e.getValue().lastIndexOf(':') + 1);
            HttpResponse<byte[]> m = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/"
                    + repository + "/manifests/" + ref)).header("Accept",
                    "application/vnd.docker.distribution.manifest.v2+json").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, m.statusCode());
            String digest = m.headers().firstValue("Docker-Content-Digest").orElseThrow();
            platformDigests.put(e.getKey(), digest);
            manifests.addObject().put("mediaType", "application/vnd.docker.distribution.manifest.v2+json")
                    .put("digest", digest).put("size", m.body().length).putObject("platform")
                    .put("architecture", e.getKey()).put("os", "linux");
        }
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + REGISTRY + "/v2/"
                        + repository + "/manifests/" + tag))
                .header("Content-Type", "application/vnd.docker.distribution.manifest.list.v2+json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(index))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    static Path stack(Path dir, String... images) throws Exception {
        StringBuilder text = new StringBuilder("name: rpull\nservices:\n");
        for (int i = 0; i < images.length; i++) {
            text.append("  s").append(i).append(":\n    image: ").append(images[i]).append('\n');
        }
        return Files.writeString(dir.resolve("stack.yaml"), text.toString());
    }

    /** The tool with no engine at -H, and a docker config of its own (none of this host's credentials). */
    static CliProcess.Result export(Path tmp, String config, String... args) throws Exception {
        Path dockerConfig = Files.createDirectories(tmp.resolve("docker-config"));
        Files.writeString(dockerConfig.resolve("config.json"), config);
        String[] all = new String[args.length + 3];
        all[0] = "export";
        all[1] = "-H";
        all[2] = NO_ENGINE;
        System.arraycopy(args, 0, all, 3, args.length);
        return CliProcess.run(Map.of("DOCKER_CONFIG", dockerConfig.toString()), all);
    }

    static JsonNode bundle(Path dir) throws Exception {
        return JSON.readTree(dir.resolve("bundle.json").toFile());
    }

    static JsonNode image(JsonNode bundle, String reference) {
        for (JsonNode image : bundle.path("images")) {
            if (image.path("references").get(0).asText().equals(reference)) {
                return image;
            }
        }
        throw new AssertionError(reference + " is not in bundle.json: " + bundle);
    }

    @Test
    void threeImagesWithoutAnEngineLoadToTheEnginePathsImageIds() throws Exception {
        Path dir = tmp.resolve("bundle");
        CliProcess.Result result = export(tmp, "{}", "-f", stack(tmp, web, app, multi).toString(), "-o",
                dir.toString());
        assertEquals(0, result.exit(), result.toString());
        assertTrue(result.err().contains("no Docker Engine at " + NO_ENGINE + ": exporting straight from the"
                + " registries"), result.err());
        assertTrue(result.err().contains("for linux/amd64"), result.err());
        JsonNode bundle = bundle(dir);
        for (String reference : new String[] {web, app, multi}) {
            assertEquals(ids.get(reference), image(bundle, reference).path("id").asText(), reference);
            assertEquals("linux/amd64", image(bundle, reference).path("platform").asText());
        }
        assertEquals(REGISTRY + "/" + prefix + "/multi@" + platformDigests.get("amd64"),
                image(bundle, multi).path("origin").asText(), "the platform's manifest taken");
        assertTrue(Files.notExists(dir.resolve(RegistryImages.CACHE)), "the download cache is removed");

        CliProcess.Result verify = CliProcess.run(Map.of(), "verify", "-d", dir.toString());
        assertEquals(0, verify.exit(), verify.toString());
        for (String reference : new String[] {web, app, multi}) {
            try {
                engine.removeImage(reference, false); // the engine path's tag; the index's tag was never pulled
            } catch (NotFoundException e) {
                // not in the engine
            }
            String file = image(bundle, reference).path("file").asText();
            String loaded = DockerCli.docker("load", "-i", dir.resolve(file).toString());
            assertTrue(loaded.contains(reference), loaded);
            created.image(reference);
            assertEquals(ids.get(reference), engine.inspectImage(reference).id(), reference + " after docker load");
        }
    }

    @Test
    void platformChosenFromTheIndex() throws Exception {
        Path dir = tmp.resolve("arm");
        CliProcess.Result result = export(tmp, "{}", "--from-registry", "--platform", "linux/arm64", "-f",
                stack(tmp, multi).toString(), "-o", dir.toString());
        assertEquals(0, result.exit(), result.toString());
        JsonNode image = image(bundle(dir), multi);
        assertEquals(REGISTRY + "/" + prefix + "/multi@" + platformDigests.get("arm64"), image.path("origin").asText());
        assertEquals(ids.get(REGISTRY + "/" + prefix + "/multi:arm64"), image.path("id").asText());
        assertNotEquals(ids.get(multi), image.path("id").asText());

        CliProcess.Result none = export(tmp, "{}", "--from-registry", "--platform", "linux/s390x", "-f",
                stack(tmp, multi).toString(), "-o", tmp.resolve("none").toString());
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains(multi + " has no image for linux/s390x; it has "), none.err());
    }

    @Test
    void aDownloadCutMidwayResumes() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(5000, 3_000_000)) {
            String viaProxy = "127.0.0.1:" + proxy.port() + "/" + prefix + "/web:1";
            Path dir = tmp.resolve("cut");
            CliProcess.Result result = export(tmp, "{}", "--from-registry", "-f", stack(tmp, viaProxy).toString(),
                    "-o", dir.toString());
            assertEquals(0, result.exit(), result.toString());
            assertEquals(1, proxy.cuts(), "the proxy cut a download");
            assertTrue(result.err().matches("(?s).*" + java.util.regex.Pattern.quote(viaProxy) + ": layer [0-9a-f]{12}"
                    + " resumed at .*"), result.err());
            assertEquals(ids.get(web), image(bundle(dir), viaProxy).path("id").asText());
            CliProcess.Result verify = CliProcess.run(Map.of(), "verify", "-d", dir.toString());
            assertEquals(0, verify.exit(), verify.toString());
        }
    }
}

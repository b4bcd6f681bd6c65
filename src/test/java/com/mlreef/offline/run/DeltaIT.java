package com.mlreef.offline.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.LayerChain;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * Upgrades that move only what changed, on an image of 500 MiB (v1) and a v2 that adds one small layer on top:
 * differential bundles (export --since), delta loads by run, and what happens when the layers go away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeltaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DockerClient engine;
    private static Created created;
    private static String stack;
    private static String v1;
    private static String v2;
    private static String v1Id;
    private static String v2Id;
    private static Path stackV2;
    private static Path v1Full;
    private static Path v2Full;
    private static Path v2Diff;
    private static Path v2DiffZstd;
    private static Path v2FullZstd;
    private static Path v2FullGzip;
    private static CliProcess.Result v2DiffExport;
    private static CliProcess.Result v2DiffMisleadingExport;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void bundles() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        String base = TestImages.busybox(engine, created, "deltabase");
        v1 = created.image(TestEngine.unique("deltaapp") + ":1");
        v2 = created.image(v1.replace(":1", ":2"));
        TestImages.build("FROM " + base + "\nRUN head -c 524288000 /dev/urandom > /big.bin\n"
                + "CMD [\"sh\", \"-c\", \"trap 'exit 0' TERM; echo ready; while true; do sleep 1; done\"]\n", v1);
        TestImages.build("FROM " + v1 + "\nRUN echo v2 > /v2.txt\n", v2);
        v1Id = engine.inspectImage(v1).id();
        v2Id = engine.inspectImage(v2).id();
        stack = TestEngine.unique("delta").replace("mlro-test-", "mlrot");
        Path stackV1 = stackFile(v1);
        stackV2 = stackFile(v2);
        v1Full = export(stackV1, "v1-full");
        v2Full = export(stackV2, "v2-full");
        v2Diff = tmp.resolve("v2-diff");
        v2DiffExport = CliProcess.run(Map.of(), "export", "--no-pull", "-f", stackV2.toString(), "-o",
                v2Diff.toString(), "--since", v1Full.toString());
        assertEquals(0, v2DiffExport.exit(), v2DiffExport.toString());
        // a base whose recorded sizes are not its layers' (as a bundle edited by hand)
        Path misleading = Files.createDirectories(tmp.resolve("v1-misleading"));
        ObjectNode json = (ObjectNode) JSON.readTree(v1Full.resolve("bundle.json").toFile());
        json.withArray("images").forEach(image -> image.withArray("layerFiles").forEach(file ->
                ((ObjectNode) file).put("size", file.get("size").asLong() + 512)));
        JSON.writeValue(misleading.resolve("bundle.json").toFile(), json);
        v2DiffMisleadingExport = CliProcess.run(Map.of(), "export", "--no-pull", "-f", stackV2.toString(), "-o",
                tmp.resolve("v2-diff-misleading").toString(), "--since", misleading.toString());
        v2DiffZstd = export(stackV2, "v2-diff-zstd", "--since", v1Full.toString(), "--compress", "zstd");
        v2FullZstd = export(stackV2, "v2-full-zstd", "--compress", "zstd");
        v2FullGzip = export(stackV2, "v2-full-gzip", "--compress", "gzip");
        // the offline host has neither image
        engine.removeImage(v2, false);
        engine.removeImage(v1, false);
        assertFalse(EngineLayers.chainIds(engine).contains(topChain(v1Full)), "the big layer left the engine");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (stack != null) {
            CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        }
        if (created != null) {
            created.close();
        }
    }

    private static Path stackFile(String image) throws IOException {
        Path file = tmp.resolve(stack + "-" + image.substring(image.lastIndexOf(':') + 1) + ".yaml");
        Files.writeString(file, """
                name: %1$s
                services:
                  app:
                    image: %2$s
                    volumes:
                      - %1$s-data:/data
                    x-offline:
                      ready: { log: "ready", timeout: 1m }
                volumes:
                  %1$s-data: {}
                """.formatted(stack, image));
        return file;
    }

    private static Path export(Path stackFile, String name, String... more) throws Exception {
        Path dir = tmp.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("export", "-q", "--no-pull", "-f", stackFile.toString(),
                "-o", dir.toString()));
        args.addAll(List.of(more));
        CliProcess.Result r = CliProcess.run(Map.of(), args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        return dir;
    }

    private static long filesSize(Path dir) throws IOException {
        try (var files = Files.list(dir.resolve("images"))) {
            long total = 0;
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }

    /** The chain ID of the top layer of the bundle's first image. */
    private static String topChain(Path dir) {
        List<String> chain = LayerChain.chainIds(BundleFiles.read(dir).images().get(0).layers());
        return chain.get(chain.size() - 1);
    }

    /** Takes the stack down (keeping its volume) and removes the images named, as they would be on a fresh host. */
    private static void without(String... references) throws Exception {
        CliProcess.run(Map.of(), "down", "--stack", stack);
        for (String reference : references) {
            try {
                engine.removeImage(reference, false);
            } catch (NotFoundException e) {
                // not there
            }
        }
    }

    private static void loadWhole(Path dir) throws Exception {
        BundleManifest manifest = BundleFiles.read(dir);
        Path file = dir.resolve(manifest.images().get(0).file());
        try (InputStream in = Files.newInputStream(file)) {
            engine.loadImages(in, Files.size(file), m -> { });
        }
    }

    @Test
    @Order(1)
    void theDifferentialBundleIsUnderOnePercentAndVerifiesAgainstItsBase() throws Exception {
        long full = filesSize(v2Full);
        long diff = filesSize(v2Diff);
        System.out.println("v2 full " + full + " bytes, differential " + diff + " bytes");
        assertTrue(full > 500_000_000L, "the full v2 bundle holds the 500 MiB layer: " + full);
        assertTrue(diff < full / 100, "differential " + diff + " of full " + full);
        BundleManifest manifest = BundleFiles.read(v2Diff);
        assertEquals(2, manifest.format());
        assertEquals(BundleFiles.read(v1Full).id(), manifest.base().id());
        assertEquals(1, BundleFiles.read(v2Full).format(), "a full bundle stays readable by the previous version");

        CliProcess.Result ok = CliProcess.run(Map.of(), "verify", "-d", v2Diff.toString(), "--base", v1Full.toString());
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.err().contains("its layers are in " + v1Full), ok.toString());
        CliProcess.Result wrongBase = CliProcess.run(Map.of(), "verify", "-d", v2Diff.toString(), "--base",
                v2Full.toString());
        assertEquals(1, wrongBase.exit(), wrongBase.toString());
        assertTrue(wrongBase.out().contains("not bundle " + manifest.base().id()), wrongBase.toString());
        CliProcess.Result zstd = CliProcess.run(Map.of(), "verify", "-d", v2DiffZstd.toString());
        assertEquals(0, zstd.exit(), zstd.toString());
        CliProcess.Result noBase = CliProcess.run(Map.of(), "verify", "-d", v2Full.toString(), "--base",
                v1Full.toString());
        assertEquals(0, noBase.exit(), noBase.toString());
        assertTrue(noBase.err().contains("the bundle is a full one: --base has nothing to check"), noBase.toString());
    }

    @Test
    @Order(1)
    void aDifferentialFileIsWrittenInOneSaveAndInTwoWhenTheBaseSizesMislead() throws Exception {
        assertFalse(v2DiffExport.err().contains("saving again"), "the base's layers told by their sizes: "
                + v2DiffExport);
        assertTrue(v2DiffExport.err().contains("MiB of layers the offline host has with bundle "),
                v2DiffExport.toString());
        CliProcess.Result r = v2DiffMisleadingExport;
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("not told apart by their sizes; saving again"), r.toString());
        String file = BundleFiles.read(v2Diff).images().get(0).file();
        assertEquals(-1, Files.mismatch(v2Diff.resolve(file), tmp.resolve("v2-diff-misleading").resolve(file)),
                "the same file either way");
    }

    @Test
    @Order(2)
    void aDifferentialBundleOnAnEngineWithoutItsBaseFailsBeforeAnythingChanges() throws Exception {
        without(v2, v1);
        String base = BundleFiles.read(v2Diff).base().id();
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", v2Diff.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("needs the layers of bundle " + base), r.toString());
        assertTrue(r.err().contains("run that bundle first"), r.toString());
        assertThrows(NotFoundException.class, () -> engine.inspectVolume(stack + "-data"), "nothing created");
        assertThrows(NotFoundException.class, () -> engine.inspectContainer(stack + "-app"), "nothing created");
        assertThrows(NotFoundException.class, () -> engine.inspectImage(v2), "nothing loaded");
        CliProcess.Result onEngine = CliProcess.run(Map.of(), "verify", "-d", v2Diff.toString(), "--engine");
        assertEquals(1, onEngine.exit(), onEngine.toString());
        assertTrue(onEngine.out().contains("from bundle " + base), onEngine.toString());
    }

    @Test
    @Order(3)
    void anUpgradeSendsOnlyTheNewLayerReplacesTheContainerAndKeepsTheData() throws Exception {
        without(v2, v1);
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", v1Full.toString()).exit());
        String oldContainer = engine.inspectContainer(stack + "-app").id();
        engine.putArchive(oldContainer, "/data", new ByteArrayInputStream(TestImages.tarOf("kept.txt", "v1 data")), -1);

        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", v2Diff.toString());
        assertEquals(0, r.exit(), r.toString());
        int layers = BundleFiles.read(v2Diff).images().get(0).layers().size();
        assertTrue(r.err().contains("1 of " + layers + " layers, the others present, as bundle "
                + BundleFiles.read(v1Full).id() + " left them"), r.toString());
        assertEquals(v2Id, engine.inspectImage(v2).id(), "the image the engine built, as a full docker load gives it");
        var app = engine.inspectContainer(stack + "-app");
        assertNotEquals(oldContainer, app.id(), "replaced");
        assertEquals(v2Id, app.image());
        assertTrue(app.state().running());
        try (TarArchiveInputStream tar = new TarArchiveInputStream(engine.getArchive(app.id(), "/data/kept.txt"))) {
            tar.getNextEntry();
            assertEquals("v1 data", new String(tar.readAllBytes(), StandardCharsets.UTF_8));
        }
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "--stack", stack, "--json");
        assertEquals(BundleFiles.read(v2Diff).id(), JSON.readTree(status.out()).get("containers").get(0).get("bundle")
                .asText(), status.toString());
    }

    @Test
    @Order(4)
    void deltaLoadsOfCompressedBundlesWork() throws Exception {
        for (Path bundle : List.of(v2DiffZstd, v2FullZstd, v2FullGzip)) {
            without(v2);
            CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", bundle.toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().matches("(?s).*loaded images/\\S+\\.tar\\.(zst|gz).*: 1 of \\d+ layers.*"),
                    r.toString());
            assertEquals(v2Id, engine.inspectImage(v2).id());
        }
    }

    @Test
    @Order(5)
    void layersGoneBetweenTheCheckAndTheLoadMeanTheWholeFileOrACleanFailure() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()), new PrintStream(err, true),
                false, false);
        ImageLoader loader = new ImageLoader(engine, console);

        without(v2);
        loadWhole(v1Full);
        ImageLoader.FileLoad full = loader.plan(BundleSource.open(v2Full)).get(0);
        assertFalse(full.planned().whole(), "v1's layers are there: only the new one is to be sent");
        engine.removeImage(v1, false);
        loader.load(full);
        assertEquals(v2Id, engine.inspectImage(v2).id());
        assertTrue(err.toString().contains("went away; loading the whole file instead"), err.toString());

        without(v2);
        loadWhole(v1Full);
        ImageLoader other = new ImageLoader(engine, console);
        ImageLoader.FileLoad diff = other.plan(BundleSource.open(v2Diff)).get(0);
        engine.removeImage(v1, false);
        BundleException e = assertThrows(BundleException.class, () -> other.load(diff));
        assertTrue(e.getMessage().contains("needs the layers of bundle " + BundleFiles.read(v2Diff).base().id()),
                e.getMessage());
        assertThrows(NotFoundException.class, () -> engine.inspectImage(v2));
    }

    @Test
    @Order(6)
    void aPlainTarInTheOciLayoutIsLoadedInPart() throws Exception {
        without(v2);
        loadWhole(v1Full);
        Path plain = tmp.resolve("oci");
        Files.createDirectories(plain);
        toOciLayout(v2Full.resolve(BundleFiles.read(v2Full).images().get(0).file()), plain.resolve("app.tar"));
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-d", plain.toString(), "-f", stackV2.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().matches("(?s).*loaded app\\.tar: 1 of \\d+ layers.*"), r.toString());
        assertEquals(v2Id, engine.inspectImage(v2).id());
    }

    /**
     * Rewrites a legacy docker-archive in the layout newer engines write: layers and config under blobs/sha256/ named
     * by their digest, manifest.json pointing there, an oci-layout file; layers first, manifest last.
     */
    private static void toOciLayout(Path legacy, Path target) throws IOException {
        Map<String, String> renamed = new HashMap<>();
        ObjectNode manifestEntry;
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(legacy));
             TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(target))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] manifest = null;
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                if (entry.getName().equals("manifest.json")) {
                    manifest = in.readAllBytes();
                    continue;
                }
                if (!entry.getName().endsWith("layer.tar") && !entry.getName().matches("[0-9a-f]{64}\\.json")) {
                    continue;
                }
                Path tmpFile = Files.createTempFile(tmp, "blob", ".tmp");
                try (OutputStream o = Files.newOutputStream(tmpFile)) {
                    TestImages.copy(in, o);
                }
                String digest;
                try (InputStream i = Files.newInputStream(tmpFile)) {
                    digest = TestImages.sha256(i);
                }
                String name = "blobs/sha256/" + digest;
                renamed.put(entry.getName(), name);
                TarArchiveEntry blob = new TarArchiveEntry(name);
                blob.setSize(Files.size(tmpFile));
                out.putArchiveEntry(blob);
                Files.copy(tmpFile, out);
                out.closeArchiveEntry();
                Files.delete(tmpFile);
            }
            JsonNode images = JSON.readTree(manifest);
            manifestEntry = (ObjectNode) images.get(0);
            manifestEntry.put("Config", renamed.get(manifestEntry.get("Config").asText()));
            ArrayNode layers = JSON.createArrayNode();
            manifestEntry.get("Layers").forEach(l -> layers.add(renamed.get(l.asText())));
            manifestEntry.set("Layers", layers);
            for (Map.Entry<String, byte[]> file : Map.of("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"
                    .getBytes(StandardCharsets.UTF_8), "manifest.json", JSON.writeValueAsBytes(images)).entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(file.getKey());
                e.setSize(file.getValue().length);
                out.putArchiveEntry(e);
                out.write(file.getValue());
                out.closeArchiveEntry();
            }
        }
    }
}

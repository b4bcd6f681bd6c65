package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bundle.json and SHA256SUMS: written, read back, and refused when they could lead outside the folder. */
class BundleFilesTest {
    private static final String ID = "sha256:" + "a".repeat(64);
    private static final String SHA = "b".repeat(64);

    @TempDir
    Path dir;

    static BundleManifest manifest(int format, String file) {
        return new BundleManifest(format, "id-1", new BundleManifest.Tool("mlreef-offline", "1"), "2026-01-01T00:00:00Z",
                true, new BundleManifest.Stack("s", "embedded default", "name: s\n"),
                List.of(new BundleManifest.Image(List.of("app:1"), ID, "linux/amd64", List.of(), file, 10, SHA,
                        Compression.ZSTD)), null);
    }

    @Test
    void aManifestReadsBackAsWritten() throws Exception {
        BundleManifest written = manifest(BundleManifest.FORMAT, "images/app.tar.zst");
        String sha = BundleFiles.write(dir, written);
        assertEquals(written, BundleFiles.read(dir));
        assertEquals(BundleVerifier.sha256(Files.readAllBytes(dir.resolve("bundle.json"))), sha);
        assertTrue(Files.readString(dir.resolve("bundle.json")).contains("\"compression\" : \"zstd\""));
    }

    @Test
    void fileNamesOutsideTheImagesFolderAreRefused() {
        for (String bad : List.of("../x", "images/../x", "/etc/passwd", "images/.hidden", "images/a/b", "x.tar",
                "images/", "images/a b")) {
            String problem = BundleFiles.check(manifest(1, bad));
            assertTrue(problem != null && problem.contains("is not a plain file name under images/"), bad + ": " + problem);
        }
        assertNull(BundleFiles.check(manifest(1, "images/mlreef.tar")));
    }

    @Test
    void aNewerFormatIsRefusedWithWhatToDo() throws Exception {
        BundleFiles.write(dir, manifest(BundleManifest.FORMAT + 1, "images/a.tar"));
        BundleException e = assertThrows(BundleException.class, () -> BundleFiles.read(dir));
        assertEquals(dir.resolve("bundle.json") + ": format 2 is newer than this mlreef-offline reads (1); use the"
                + " mlreef-offline executable that came with the bundle", e.getMessage());
    }

    @Test
    void brokenManifestsNameTheProblem() throws Exception {
        Files.writeString(dir.resolve("bundle.json"), "{\"format\": 1, \"images\": [");
        assertTrue(assertThrows(BundleException.class, () -> BundleFiles.read(dir)).getMessage()
                .startsWith(dir.resolve("bundle.json") + " is not a valid bundle manifest: "));
        assertEquals(dir.resolve("nowhere/bundle.json") + " does not exist",
                assertThrows(BundleException.class, () -> BundleFiles.read(dir.resolve("nowhere"))).getMessage());
        BundleManifest twice = manifest(1, "images/a.tar");
        BundleManifest.Image other = new BundleManifest.Image(List.of("web:1"), "sha256:" + "c".repeat(64), "linux/amd64",
                List.of(), "images/a.tar", 11, SHA, Compression.ZSTD);
        assertTrue(BundleFiles.check(twice.withImages(List.of(twice.images().get(0), other), true))
                .contains("listed twice with different sizes"));
    }

    @Test
    void sumsAreWhatSha256sumReads() throws Exception {
        BundleFiles.writeSums(dir, Map.of("images/a.tar", SHA));
        assertEquals(SHA + "  images/a.tar\n", Files.readString(dir.resolve("SHA256SUMS")));
        assertEquals(Map.of("images/a.tar", SHA), BundleFiles.readSums(dir));
        Files.writeString(dir.resolve("SHA256SUMS"), "not a checksum line\n");
        assertEquals(dir.resolve("SHA256SUMS") + " line 1 is not '<sha256>  <file>'",
                assertThrows(BundleException.class, () -> BundleFiles.readSums(dir)).getMessage());
    }
}

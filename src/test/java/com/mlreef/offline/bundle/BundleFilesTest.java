package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                        Compression.ZSTD, null, null)), null, null);
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
    void packageFilesMayBeInPlainSubfoldersEachNameOnce() {
        BundleManifest m = manifest(1, "images/a.tar");
        for (String good : List.of("packages/a-1.0.tar.gz", "packages/proj/a-1.0.tar.gz", "packages/p_1/d.2/a-1.0.whl")) {
            assertNull(BundleFiles.check(m.withPackages(List.of(new BundleManifest.PackageFile(good, 1, SHA)))), good);
        }
        for (String bad : List.of("packages/../a-1.0.whl", "packages/../../etc/a.whl", "packages//a-1.0.whl",
                "packages/.hidden/a-1.0.whl", "packages/a b/a-1.0.whl", "packages/proj/", "packages/a/..",
                "packages/x/a-1.0.txt", "images/a-1.0.whl")) {
            String problem = BundleFiles.check(m.withPackages(List.of(new BundleManifest.PackageFile(bad, 1, SHA))));
            assertTrue(problem != null && problem.contains("not a package file"), bad + ": " + problem);
        }
        String twice = BundleFiles.check(m.withPackages(List.of(new BundleManifest.PackageFile("packages/a/x-1.0.whl",
                1, SHA), new BundleManifest.PackageFile("packages/b/X-1.0.whl", 1, SHA))));
        assertEquals("packages[1]: packages/b/X-1.0.whl's name is listed twice (names compared ignoring case)", twice);
    }

    @Test
    void aManifestWithoutItsIdOrStackIsRefused() {
        BundleManifest m = manifest(1, "images/a.tar");
        assertEquals("no bundle id", BundleFiles.check(new BundleManifest(1, null, m.tool(), m.created(), true,
                m.stack(), m.images(), null, null)));
        for (BundleManifest.Stack stack : java.util.Arrays.asList(null, new BundleManifest.Stack("s", "f", null),
                new BundleManifest.Stack(null, "f", "name: s\n"))) {
            String problem = BundleFiles.check(new BundleManifest(1, "id-1", m.tool(), m.created(), true, stack,
                    m.images(), null, null));
            assertTrue(problem != null && problem.startsWith("no stack"), stack + ": " + problem);
        }
    }

    @Test
    void aNewerFormatIsRefusedWithWhatToDo() throws Exception {
        BundleFiles.write(dir, manifest(BundleManifest.FORMAT + 1, "images/a.tar"));
        BundleException e = assertThrows(BundleException.class, () -> BundleFiles.read(dir));
        assertEquals(dir.resolve("bundle.json") + ": format 3 is newer than this mlreef-offline reads (2); use the"
                + " mlreef-offline executable that came with the bundle", e.getMessage());
    }

    @Test
    void aFullBundleKeepsFormatOneWithFieldsAnOlderReaderIgnores() throws Exception {
        BundleManifest.Image image = new BundleManifest.Image(List.of("app:1"), ID, "linux/amd64",
                List.of("sha256:" + "1".repeat(64)), "images/a.tar", 10, SHA, Compression.NONE,
                List.of(new BundleManifest.LayerFile("abc/layer.tar", 5)), null);
        BundleManifest full = manifest(BundleManifest.formatFor(null), "images/a.tar").withImages(List.of(image), true);
        BundleFiles.write(dir, full);
        String json = Files.readString(dir.resolve("bundle.json"));
        assertTrue(json.contains("\"format\" : 1"), json);
        assertFalse(json.contains("baseLayers") || json.contains("\"base\""), json);
        // what the previous version's reader does: its own records, unknown fields ignored
        OldManifest old = BundleFiles.JSON.readValue(json, OldManifest.class);
        assertEquals(1, old.format());
        assertEquals("images/a.tar", old.images().get(0).file());
        assertEquals(full, BundleFiles.read(dir));
    }

    record OldImage(List<String> references, String id, String platform, List<String> layers, String file, long size,
                    String sha256, Compression compression) {
    }

    record OldManifest(int format, String id, BundleManifest.Tool tool, String created, boolean complete,
                       BundleManifest.Stack stack, List<OldImage> images, BundleManifest.Executable executable) {
    }

    @Test
    void aDifferentialBundleNeedsItsBaseAndFormatTwo() {
        String layer = "sha256:" + "1".repeat(64);
        BundleManifest.Image image = new BundleManifest.Image(List.of("app:1"), ID, "linux/amd64", List.of(layer),
                "images/a.tar", 10, SHA, Compression.NONE, List.of(new BundleManifest.LayerFile("abc/layer.tar", 5)), 1);
        BundleManifest noBase = manifest(1, "images/a.tar").withImages(List.of(image), true);
        assertTrue(BundleFiles.check(noBase).contains("the bundle has no base"), BundleFiles.check(noBase));
        BundleManifest.Base base = new BundleManifest.Base("old-id", "2026-01-01T00:00:00Z");
        BundleManifest oldFormat = new BundleManifest(1, "id-2", noBase.tool(), noBase.created(), true, noBase.stack(),
                List.of(image), null, base);
        assertTrue(BundleFiles.check(oldFormat).contains("format 2"), BundleFiles.check(oldFormat));
        BundleManifest ok = new BundleManifest(BundleManifest.formatFor(base), "id-2", noBase.tool(), noBase.created(),
                true, noBase.stack(), List.of(image), null, base);
        assertNull(BundleFiles.check(ok));
        BundleManifest.Image tooMany = new BundleManifest.Image(List.of("app:1"), ID, "linux/amd64", List.of(layer),
                "images/a.tar", 10, SHA, Compression.NONE, null, 2);
        assertTrue(BundleFiles.check(ok.withImages(List.of(tooMany), true)).contains("does not fit its 1 layers"));
    }

    @Test
    void brokenManifestsNameTheProblem() throws Exception {
        Files.writeString(dir.resolve("bundle.json"), "{\"format\": 1, \"images\": [");
        assertEquals(dir.resolve("bundle.json") + " is not a valid bundle manifest: not valid JSON (it ends early: cut short?) at line 1, column 26",
                assertThrows(BundleException.class, () -> BundleFiles.read(dir)).getMessage());
        Files.writeString(dir.resolve("bundle.json"), "{\"format\": 1, \"images\": [{\"compression\": \"bzip2\"}]}");
        assertEquals(dir.resolve("bundle.json") + " is not a valid bundle manifest: images[0].compression: 'bzip2' is"
                + " not one of none, gzip, zstd", assertThrows(BundleException.class, () -> BundleFiles.read(dir))
                .getMessage(), "in the file's terms, not Java's");
        Files.writeString(dir.resolve("bundle.json"), "{\"format\": 1, \"images\": \"app\"}");
        assertEquals(dir.resolve("bundle.json") + " is not a valid bundle manifest: images: expected a list",
                assertThrows(BundleException.class, () -> BundleFiles.read(dir)).getMessage());
        assertEquals(dir.resolve("nowhere/bundle.json") + " does not exist",
                assertThrows(BundleException.class, () -> BundleFiles.read(dir.resolve("nowhere"))).getMessage());
        BundleFiles.write(dir, manifest(1, "images/a.tar"));
        String good = Files.readString(dir.resolve("bundle.json"));
        for (String edited : List.of(good + "{}", good + "x", good.replace("\"complete\" : true",
                "\"complete\" : \"true\""), good.replace("\"size\" : 10", "\"size\" : \"10\""),
                good.replace("\"id\" : \"id-1\",", "\"id\" : \"id-1\", \"id\" : \"id-2\","))) {
            assertTrue(!edited.equals(good), "edited");
            Files.writeString(dir.resolve("bundle.json"), edited);
            String message = assertThrows(BundleException.class, () -> BundleFiles.read(dir), edited).getMessage();
            assertTrue(message.startsWith(dir.resolve("bundle.json") + " is not a valid bundle manifest: ")
                    && !message.contains("\n") && !message.contains("com.fasterxml"), message);
        }
        BundleManifest twice = manifest(1, "images/a.tar");
        BundleManifest.Image other = new BundleManifest.Image(List.of("web:1"), "sha256:" + "c".repeat(64), "linux/amd64",
                List.of(), "images/a.tar", 11, SHA, Compression.ZSTD, null, null);
        assertTrue(BundleFiles.check(twice.withImages(List.of(twice.images().get(0), other), true))
                .contains("listed twice with different sizes"));
    }

    @Test
    void sumsAreWhatSha256sumReads() throws Exception {
        BundleFiles.writeSums(dir, Map.of("images/a.tar", SHA));
        assertEquals(SHA + "  images/a.tar\n", Files.readString(dir.resolve("SHA256SUMS")));
        assertEquals(Map.of("images/a.tar", SHA), BundleFiles.readSums(dir));
        Files.writeString(dir.resolve("SHA256SUMS"), SHA.toUpperCase(java.util.Locale.ROOT) + "  images/a.tar\n");
        assertEquals(Map.of("images/a.tar", SHA), BundleFiles.readSums(dir), "sha256sum -c reads upper case too");
        Files.writeString(dir.resolve("SHA256SUMS"), "not a checksum line\n");
        assertEquals(dir.resolve("SHA256SUMS") + " line 1 is not '<sha256>  <file>'",
                assertThrows(BundleException.class, () -> BundleFiles.readSums(dir)).getMessage());
    }
}

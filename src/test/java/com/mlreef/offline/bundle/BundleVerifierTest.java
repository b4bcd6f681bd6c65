package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier on folders made here, without an engine: what each kind of damage looks like. The integration test
 * (ExportIT) checks it on bundles that export wrote from real images.
 */
class BundleVerifierTest {
    @TempDir
    Path dir;

    /** Writes a docker-archive of one image with the given layers (legacy layout); returns the image ID. */
    static String archive(Path file, String reference, boolean withAllLayers, String... layers) throws IOException {
        String config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":" + BundleFiles.JSON.writeValueAsString(
                diffIds(layers)) + "},\"ref\":\"" + reference + "\"}";
        String configName = sha(config.getBytes(StandardCharsets.UTF_8));
        List<String> layerNames = new ArrayList<>();
        try (OutputStream raw = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
            for (int i = 0; i < layers.length; i++) {
                String name = sha(layers[i].getBytes(StandardCharsets.UTF_8)) + "/layer.tar";
                layerNames.add(name);
                if (withAllLayers || i > 0) {
                    entry(tar, name, layers[i].getBytes(StandardCharsets.UTF_8));
                }
            }
            entry(tar, configName + ".json", config.getBytes(StandardCharsets.UTF_8));
            String manifest = "[{\"Config\":\"" + configName + ".json\",\"RepoTags\":[\"" + reference + "\"],\"Layers\":"
                    + BundleFiles.JSON.writeValueAsString(layerNames) + "}]";
            entry(tar, "manifest.json", manifest.getBytes(StandardCharsets.UTF_8));
        }
        return "sha256:" + configName;
    }

    /** The diff IDs of layers whose tar is the given text (as the test archives write them). */
    static List<String> diffIds(String... layers) {
        return java.util.Arrays.stream(layers).map(l -> "sha256:" + sha(l.getBytes(StandardCharsets.UTF_8))).toList();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    static String sha(byte[] bytes) {
        return HexFormat.of().formatHex(ImageFileWriter.sha256().digest(bytes));
    }

    /** A bundle of two images in two files, as export writes it. */
    private BundleManifest bundle() throws IOException {
        Files.createDirectories(dir.resolve("images"));
        List<BundleManifest.Image> images = new ArrayList<>();
        for (String name : List.of("app", "web")) {
            Path file = dir.resolve("images/" + name + ".tar");
            String id = archive(file, name + ":1", true, "base layer", name + " layer");
            images.add(new BundleManifest.Image(List.of(name + ":1"), id, "linux/amd64",
                    diffIds("base layer", name + " layer"), "images/" + name + ".tar",
                    Files.size(file), sha(Files.readAllBytes(file)), Compression.NONE, null, null));
        }
        BundleManifest manifest = new BundleManifest(1, "b-1", new BundleManifest.Tool("mlreef-offline", "1"),
                "2026-01-01T00:00:00Z", true, new BundleManifest.Stack("s", "f", "name: s\n"), images, null, null);
        String sha = BundleFiles.write(dir, manifest);
        BundleFiles.writeSums(dir, BundleFiles.sums(manifest, sha));
        return manifest;
    }

    private BundleVerifier.Report verify() {
        return new BundleVerifier(2, n -> { }).verify(dir);
    }

    @Test
    void aWholeBundleVerifies() throws Exception {
        bundle();
        BundleVerifier.Report report = verify();
        assertEquals(List.of(), report.problems());
        assertEquals("b-1", report.bundleId());
        assertEquals(List.of("app:1"), report.files().get(0).images());
    }

    @Test
    void eachKindOfDamageIsOneLineNamingTheFile() throws Exception {
        BundleManifest manifest = bundle();
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.createDirectory(dir.resolve("lost+found")); // the root of an ext4 stick: not the bundle's doing
        Files.writeString(dir.resolve("images/app.tar.partial"), "x");
        Files.delete(dir.resolve("images/web.tar"));
        archive(dir.resolve("images/app.tar"), "other:1", true, "base layer", "app layer");
        List<String> problems = verify().problems();
        assertTrue(problems.contains(dir.resolve("notes.txt") + ": unexpected file"), problems.toString());
        assertTrue(problems.stream().noneMatch(p -> p.contains("lost+found")), problems.toString());
        assertTrue(problems.contains(dir.resolve("images/app.tar.partial")
                + ": unexpected file (left by an interrupted export; run it again)"), problems.toString());
        assertTrue(problems.contains(dir.resolve("images/web.tar") + ": missing"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(dir.resolve("images/app.tar") + ": sha256 ")), problems.toString());
        assertTrue(problems.contains(dir.resolve("images/app.tar") + ": does not hold image " + manifest.images().get(0).id()
                + " (app:1) that bundle.json names"), problems.toString());
        assertEquals(5, problems.size(), problems.toString());
    }

    @Test
    void aRenamedFileIsNamedAsPerhapsTheMissingOne() throws Exception {
        bundle();
        Files.move(dir.resolve("images/web.tar"), dir.resolve("images/web (1).tar"));
        List<String> problems = verify().problems();
        assertTrue(problems.contains(dir.resolve("images/web (1).tar") + ": unexpected file (it has the size of"
                + " images/web.tar, which is missing: if it was renamed, give it that name again)"), problems.toString());
        assertTrue(problems.contains(dir.resolve("images/web.tar") + ": missing"), problems.toString());
    }

    @Test
    void layerFilesThatDisagreeWithTheArchiveAreReported() throws Exception {
        BundleManifest manifest = bundle();
        String base = sha("base layer".getBytes(StandardCharsets.UTF_8)) + "/layer.tar";
        String app = sha("app layer".getBytes(StandardCharsets.UTF_8)) + "/layer.tar";
        List<List<BundleManifest.LayerFile>> cases = List.of(
                List.of(new BundleManifest.LayerFile(base, 10), new BundleManifest.LayerFile(app, 9)),
                List.of(new BundleManifest.LayerFile(base, 10), new BundleManifest.LayerFile(app, 999_999_999)),
                List.of(new BundleManifest.LayerFile(app, 9), new BundleManifest.LayerFile(base, 10)));
        cases = new ArrayList<>(cases);
        cases.add(cases.get(0));
        List<String> expected = List.of("",
                ": image app:1: layer " + app + " is 9 bytes in the archive, bundle.json's layerFiles say 999999999",
                ": image app:1: bundle.json's layerFiles name other files than manifest.json's layers",
                ": image app:1: bundle.json's layers differ from the image's config in the archive");
        for (int i = 0; i < cases.size(); i++) {
            BundleManifest.Image app1 = manifest.images().get(0);
            List<BundleManifest.Image> images = new ArrayList<>(manifest.images());
            images.set(0, new BundleManifest.Image(app1.references(), app1.id(), app1.platform(),
                    i == 3 ? List.of(app1.layers().get(1), app1.layers().get(0)) : app1.layers(),
                    app1.file(), app1.size(), app1.sha256(), app1.compression(), cases.get(i), null));
            BundleManifest changed = manifest.withImages(images, true);
            BundleFiles.writeSums(dir, BundleFiles.sums(changed, BundleFiles.write(dir, changed)));
            List<String> problems = verify().problems();
            assertEquals(expected.get(i).isEmpty() ? List.of() : List.of(dir.resolve("images/app.tar") + expected.get(i)),
                    problems);
        }
    }

    @Test
    void theImagesFolderOfABundleIsNotTakenForPlainTarsAndAFolderAboveOneNamesIt() throws Exception {
        bundle();
        Path outer = Files.createDirectories(dir.resolve("outer"));
        Path copy = outer.resolve("carried");
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(f -> !f.startsWith(outer)).toList()) {
                Files.copy(f, copy.resolve(dir.relativize(f).toString()));
            }
        }
        assertEquals(List.of(outer + ": no bundle.json and no image tars (*.tar, *.tar.gz, *.tgz, *.tar.zst); a bundle is in "
                + copy + ": give -d " + copy), new BundleVerifier(2, n -> { }).verify(outer).problems());
        BundleException e = assertThrows(BundleException.class,
                () -> new BundleVerifier(2, n -> { }).verify(dir.resolve("images")));
        assertEquals(dir.resolve("images") + " is the images folder of the bundle in " + dir + ": give -d " + dir,
                e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void sumsThatDisagreeWithTheManifestAreReported() throws Exception {
        bundle();
        String sums = Files.readString(dir.resolve("SHA256SUMS"));
        Files.writeString(dir.resolve("SHA256SUMS"), sums.replaceFirst("^[0-9a-f]{64}", "0".repeat(64))
                + "0".repeat(64) + "  images/extra.tar\n");
        List<String> problems = verify().problems();
        assertEquals(List.of(dir.resolve("SHA256SUMS") + ": the checksum of images/app.tar differs from bundle.json's",
                dir.resolve("SHA256SUMS") + ": lists images/extra.tar, which the bundle does not hold"), problems);
    }

    @Test
    void anUnfinishedExportIsNotTrusted() throws Exception {
        BundleManifest manifest = bundle();
        String sha = BundleFiles.write(dir, manifest.withImages(manifest.images(), false));
        BundleFiles.writeSums(dir, BundleFiles.sums(manifest, sha));
        assertEquals(List.of(dir.resolve("bundle.json") + ": the export that wrote this folder did not finish; run it again"),
                verify().problems());
    }

    @Test
    void plainDockerSaveTarsAreCheckedStructurally() throws Exception {
        archive(dir.resolve("app.tar"), "app:1", true, "a", "b");
        archive(dir.resolve("web.tar"), "web:1", false, "c", "d");
        Files.write(dir.resolve("junk.tar"), "not a tar at all, just text".repeat(40).getBytes(StandardCharsets.UTF_8));
        BundleVerifier.Report report = verify();
        assertEquals(false, report.bundle());
        List<String> problems = report.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(dir.resolve("junk.tar") + ": "), problems.toString());
        assertEquals(dir.resolve("web.tar") + ": image web:1: manifest.json names " + sha("c".getBytes())
                + "/layer.tar, missing from the archive", problems.get(1));
    }

    @Test
    void aBundleThatLostItsManifestIsNotTakenForPlainTarsAndPlainSumsAreChecked() throws Exception {
        bundle();
        Files.delete(dir.resolve("bundle.json"));
        assertEquals(List.of(dir.resolve("bundle.json") + " is missing, though SHA256SUMS lists it: the folder is a"
                + " bundle that lost its bundle.json; copy the bundle again"), verify().problems());
        BundleException notRun = org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                () -> com.mlreef.offline.bundle.BundleSource.open(dir));
        assertTrue(notRun.getMessage().contains("lost its bundle.json"), "run does not take it for plain tars: "
                + notRun.getMessage());

        // sums a user wrote beside plain tars, as sha256sum writes them
        Files.writeString(dir.resolve("SHA256SUMS"), sha(Files.readAllBytes(dir.resolve("images/app.tar")))
                + "  images/app.tar\n" + "0".repeat(64) + "  images/web.tar\n" + "1".repeat(64) + "  gone.tar\n");
        List<String> problems = verify().problems();
        assertEquals(List.of(dir.resolve("images/web.tar") + ": sha256 " + sha(Files.readAllBytes(
                dir.resolve("images/web.tar"))) + " differs from SHA256SUMS's " + "0".repeat(64) + " (damaged or changed)",
                dir.resolve("gone.tar") + ": missing (SHA256SUMS lists it)"), problems);
    }

    /** A tar of the given entries (name, content), in order. */
    private static void tar(Path file, String... entries) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
            for (int i = 0; i < entries.length; i += 2) {
                entry(tar, entries[i], entries[i + 1].getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void archivesTheEngineWouldRefuseAreProblemsInOneLineEach() throws Exception {
        String config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "a".repeat(64) + "\"]}}";
        String configName = sha(config.getBytes(StandardCharsets.UTF_8)) + ".json";
        String twoLayers = "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"c:1\"],\"Layers\":[\"l1/layer.tar\","
                + "\"l2/layer.tar\"]}]";
        tar(dir.resolve("count.tar"), "l1/layer.tar", "x", "l2/layer.tar", "y", configName, config, "manifest.json",
                twoLayers);
        tar(dir.resolve("config.tar"), "l1/layer.tar", "x", "cfg.json", "{\"rootfs\":", "manifest.json",
                "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"b:1\"],\"Layers\":[\"l1/layer.tar\"]}]");
        tar(dir.resolve("empty.tar"), "manifest.json", "[]");
        tar(dir.resolve("object.tar"), "manifest.json", "{\"Config\":\"x\"}");
        tar(dir.resolve("cut.tar"), "manifest.json", "[{\"Config\":");
        tar(dir.resolve("nulls.tar"), "manifest.json", "[null]");
        tar(dir.resolve("legacy.tar"), "l1/json", "{}", "l1/VERSION", "1.0", "l1/layer.tar", "x", "repositories",
                "{\"old\":{\"1\":\"l1\"}}");
        assertEquals(List.of(
                dir.resolve("config.tar") + ": image b:1: its config cfg.json is not an image config (no"
                        + " rootfs.diff_ids)",
                dir.resolve("count.tar") + ": image c:1: manifest.json names 2 layers, its config 1 (the engine refuses"
                        + " it)",
                dir.resolve("cut.tar") + ": not a readable docker-archive: manifest.json is not valid JSON (it ends"
                        + " early)",
                dir.resolve("empty.tar") + ": manifest.json lists no image",
                dir.resolve("legacy.tar") + ": no manifest.json: an archive of Docker before 1.10, which this tool"
                        + " does not read (load it with docker load and save it again)",
                dir.resolve("nulls.tar") + ": not a readable docker-archive: manifest.json is not a list of images,"
                        + " as docker save writes it",
                dir.resolve("object.tar") + ": not a readable docker-archive: manifest.json is not a list of images,"
                        + " as docker save writes it"), verify().problems());
    }

    @Test
    void aFileCompressedOtherwiseThanBundleJsonSaysIsNamedSo() throws Exception {
        bundle();
        byte[] app = Files.readAllBytes(dir.resolve("images/app.tar"));
        app[0] = 0x1f;
        app[1] = (byte) 0x8b;
        Files.write(dir.resolve("images/app.tar"), app);
        List<String> problems = verify().problems();
        assertTrue(problems.contains(dir.resolve("images/app.tar") + ": bundle.json says none, the file is gzip"),
                problems.toString());
        BundleException run = org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                () -> com.mlreef.offline.bundle.BundleSource.open(dir));
        assertEquals(dir.resolve("images/app.tar") + ": bundle.json says none, the file is gzip; the bundle is damaged"
                + " or was edited (mlreef-offline verify -d " + dir + " lists what is wrong)", run.getMessage());
    }

    @Test
    void oneNameTaggedAsTwoImagesByTwoPlainTarsIsAProblem() throws Exception {
        String a = archive(dir.resolve("a.tar"), "app:1", true, "a");
        String b = archive(dir.resolve("b.tar"), "app:1", true, "b");
        assertEquals(List.of(dir.resolve("b.tar") + ": tags app:1 as image " + b + ", which a.tar tags as " + a
                + " (run refuses the folder: move the one not meant out)"), verify().problems());
    }

    @Test
    void archivesThatAreNotReadAreNamedWithWhatToDoAndOtherFilesAreNotJudged() throws Exception {
        archive(dir.resolve("app.tar"), "app:1", true, "a");
        archive(dir.resolve("web-image"), "web:1", true, "b");
        Files.write(dir.resolve("db.tar.xz"), new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2});
        Files.write(dir.resolve("old.tar"), new byte[] {'B', 'Z', 'h', '9', 1, 2});
        Files.writeString(dir.resolve("README.txt"), "notes\n");
        Files.write(dir.resolve("notes.txt.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0});
        archive(dir.resolve("docs.tar.backup"), "docs:1", true, "c");
        String decompress = "which docker load reads and mlreef-offline does not: decompress it (xz -d or bzip2 -d),"
                + " or compress it again with zstd";
        assertEquals(List.of(
                dir.resolve("old.tar") + ": bzip2-compressed, " + decompress,
                dir.resolve("db.tar.xz") + ": a tar compressed with xz, " + decompress,
                dir.resolve("web-image") + ": a tar not named *.tar, so not read: rename it (web-image.tar)"),
                verify().problems());
    }

    @Test
    void sumsAsSha256sumWritesThemForEveryFileListed() throws Exception {
        archive(dir.resolve("app.tar"), "app:1", true, "a");
        Files.writeString(dir.resolve("README.txt"), "carry these to the server\n");
        Files.writeString(dir.resolve("SHA256SUMS"), "0".repeat(64) + "  ./app.tar\n" + "1".repeat(64)
                + "  README.txt\n");
        assertEquals(List.of(
                dir.resolve("app.tar") + ": sha256 " + sha(Files.readAllBytes(dir.resolve("app.tar")))
                        + " differs from SHA256SUMS's " + "0".repeat(64) + " (damaged or changed)",
                dir.resolve("README.txt") + ": sha256 " + sha(Files.readAllBytes(dir.resolve("README.txt")))
                        + " differs from SHA256SUMS's " + "1".repeat(64) + " (damaged or changed)"), verify().problems());
    }

    @Test
    void aFileThatIsALinkOutOfTheFolderIsAProblem(@TempDir Path elsewhere) throws Exception {
        bundle();
        Path outside = Files.move(dir.resolve("images/web.tar"), elsewhere.resolve("web.tar"));
        Files.createSymbolicLink(dir.resolve("images/web.tar"), outside);
        assertEquals(List.of(dir.resolve("images/web.tar") + ": a link to " + outside.toRealPath() + ", outside the"
                + " folder; a copy of the folder would carry the link, not the file: put the file itself in the"
                + " folder"), verify().problems());
        Files.delete(dir.resolve("images/web.tar"));
        Files.move(outside, dir.resolve("images/web.tar"));
        Files.move(dir.resolve("images/app.tar"), dir.resolve("app-copy.tar"));
        Files.createSymbolicLink(dir.resolve("images/app.tar"), Path.of("../app-copy.tar"));
        assertTrue(verify().problems().stream().noneMatch(p -> p.contains("outside the folder")),
                "a link within the folder is the folder's: " + verify().problems());
    }

    @Test
    void aFolderAnExportIsWritingIsRefused() throws Exception {
        bundle();
        try (var channel = java.nio.channels.FileChannel.open(dir.resolve(BundleVerifier.LOCK),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var lock = channel.lock()) {
            BundleException e = org.junit.jupiter.api.Assertions.assertThrows(BundleException.class, this::verify);
            assertEquals("an export is writing " + dir + "; use the folder once it has finished", e.getMessage());
        }
        assertEquals(List.of(), verify().problems(), "a lock file left by a killed export is not an export");
    }

    @Test
    void aTruncatedArchiveIsUnreadable() throws Exception {
        Path file = dir.resolve("app.tar");
        archive(file, "app:1", true, "x".repeat(5000));
        byte[] whole = Files.readAllBytes(file);
        assertThrows(IOException.class, () -> DockerArchive.scan(new ByteArrayInputStream(whole, 0, 2000)));
        DockerArchive.Contents contents = DockerArchive.scan(new ByteArrayInputStream(whole));
        assertEquals(List.of(), contents.missing(contents.manifest().get(0)));
    }

    @Test
    void aFolderThatIsNotThereIsAnError() {
        assertEquals(dir.resolve("nowhere") + " does not exist",
                assertThrows(BundleException.class, () -> new BundleVerifier(1, n -> { }).verify(dir.resolve("nowhere")))
                        .getMessage());
    }
}

package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} and {@code verify} run as a user runs them, on a two-service stack built from busybox (a shared
 * base, several layers) and pushed to the registry on 127.0.0.1:5000. Files are loaded back with the docker CLI's
 * own {@code docker load}, not with this tool's code.
 */
class ExportIT {
    private static final String REGISTRY = "127.0.0.1:5000";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DockerClient engine;
    private static Created created;
    private static String base;
    private static String app;
    private static String web;
    private static String big;
    private static final Map<String, String> IDS = new HashMap<>();

    @TempDir
    Path tmp;

    @BeforeAll
    static void pushTheStack() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        String prefix = REGISTRY + "/" + TestEngine.unique("export");
        String local = TestImages.busybox(engine, created, "exportbase");
        base = created.image(prefix + "/base:1");
        engine.tagImage(local, prefix + "/base", "1");
        app = created.image(prefix + "/app:1");
        TestImages.build("FROM " + base + "\nRUN head -c 3000000 /dev/urandom > /random.bin\n"
                + "RUN yes 'app text layer' | head -c 2000000 > /text.txt\nRUN echo app > /app.txt\n", app);
        web = created.image(prefix + "/web:1");
        TestImages.build("FROM " + base + "\nRUN yes 'web page' | head -c 1000000 > /index.html\n", web);
        big = created.image(prefix + "/big:1");
        // a save long enough (about a second) to be killed in the middle
        TestImages.build("FROM " + base + "\nRUN head -c 209715200 /dev/urandom > /random.bin\n", big);
        for (String ref : List.of(base, app, web, big)) {
            TestImages.push(ref);
            IDS.put(ref, engine.inspectImage(ref).id());
        }
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    private Path stack(String... images) throws IOException {
        StringBuilder text = new StringBuilder("name: exporttest\n");
        text.append("x-offline:\n  images:\n");
        for (String extra : images) {
            text.append("    - ").append(extra).append('\n');
        }
        text.append("services:\n  app:\n    image: ").append(app).append("\n    command: [\"sleep\", \"1000\"]\n")
                .append("  web:\n    image: ").append(web).append("\n    command: [\"httpd\", \"-f\"]\n");
        Path file = tmp.resolve("stack-" + images.length + ".yaml");
        Files.writeString(file, text);
        return file;
    }

    private static CliProcess.Result tool(String... args) throws Exception {
        return CliProcess.run(Map.of(), args);
    }

    private static int exec(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + List.of(command));
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + out);
        }
        return p.exitValue();
    }

    @Test
    void eachCompressionModeGivesFilesTheEnginesOwnLoadReads() throws Exception {
        Path stack = stack(base);
        for (String mode : List.of("none", "gzip", "zstd")) {
            // the engine lacks the services' images: export pulls them from the registry
            engine.removeImage(app, true);
            engine.removeImage(web, true);
            Path dir = tmp.resolve("bundle-" + mode);
            CliProcess.Result r = tool("export", "-f", stack.toString(), "-o", dir.toString(), "--compress", mode);
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("pulled " + app), r.toString());
            if (mode.equals("none")) {
                // still as pushed: the registry's digest is among its RepoDigests
                assertTrue(r.err().contains(base + ": up to date"), r.toString());
            }

            JsonNode bundle = JSON.readTree(dir.resolve("bundle.json").toFile());
            assertEquals(1, bundle.get("format").asInt());
            assertTrue(bundle.get("complete").asBoolean());
            assertEquals("exporttest", bundle.get("stack").get("name").asText());
            assertEquals(3, bundle.get("images").size());
            String suffix = mode.equals("none") ? ".tar" : mode.equals("gzip") ? ".tar.gz" : ".tar.zst";
            for (JsonNode image : bundle.get("images")) {
                String ref = image.get("references").get(0).asText();
                assertEquals(IDS.get(ref), image.get("id").asText());
                assertEquals("linux/amd64", image.get("platform").asText());
                assertEquals(mode, image.get("compression").asText());
                assertTrue(image.get("file").asText().endsWith(suffix), image.toString());
                assertEquals(Files.size(dir.resolve(image.get("file").asText())), image.get("size").asLong());
            }
            assertEquals(0, exec(dir, "sha256sum", "--strict", "-c", "SHA256SUMS"), "sha256sum -c in " + dir);
            if (CliProcess.command().size() == 1) {
                // the native executable copies itself into the bundle
                assertTrue(Files.isExecutable(dir.resolve("mlreef-offline")), r.toString());
                assertEquals("mlreef-offline", bundle.get("executable").get("file").asText());
            }
            CliProcess.Result verify = tool("verify", "-d", dir.toString());
            assertEquals(0, verify.exit(), verify.toString());

            for (String ref : List.of(app, web, base)) {
                engine.removeImage(ref, true);
            }
            for (JsonNode image : bundle.get("images")) {
                Path file = dir.resolve(image.get("file").asText());
                if (mode.equals("zstd")) {
                    Path tar = tmp.resolve("unzstd.tar");
                    assertEquals(0, exec(tmp, "zstd", "-q", "-d", "-f", file.toString(), "-o", tar.toString()));
                    file = tar;
                }
                assertEquals(0, exec(tmp, "docker", "load", "-q", "-i", file.toString()), "docker load of " + file);
            }
            for (String ref : List.of(app, web, base)) {
                assertEquals(IDS.get(ref), engine.inspectImage(ref).id(), ref + " loaded from the " + mode + " bundle");
            }
        }
    }

    @Test
    void combinedStoresSharedLayersOnce() throws Exception {
        Path stack = stack(base);
        Path separate = tmp.resolve("separate");
        Path combined = tmp.resolve("combined");
        CliProcess.Result r1 = tool("export", "-q", "--no-pull", "-f", stack.toString(), "-o", separate.toString());
        assertEquals(0, r1.exit(), r1.toString());
        CliProcess.Result r2 = tool("export", "-q", "--no-pull", "--combined", "-f", stack.toString(), "-o",
                combined.toString());
        assertEquals(0, r2.exit(), r2.toString());

        JsonNode bundle = JSON.readTree(combined.resolve("bundle.json").toFile());
        List<String> files = new ArrayList<>();
        bundle.get("images").forEach(i -> files.add(i.get("file").asText()));
        assertEquals(List.of("images/exporttest-images.tar", "images/exporttest-images.tar",
                "images/exporttest-images.tar"), files);
        long separateSize;
        try (Stream<Path> s = Files.list(separate.resolve("images"))) {
            separateSize = s.mapToLong(p -> p.toFile().length()).sum();
        }
        long combinedSize = Files.size(combined.resolve("images/exporttest-images.tar"));
        System.out.printf("combined file %d bytes, separate files %d bytes (%.1f%% smaller)%n", combinedSize,
                separateSize, 100.0 * (separateSize - combinedSize) / separateSize);
        assertTrue(combinedSize < separateSize, combinedSize + " < " + separateSize);
        CliProcess.Result verify = tool("verify", "-d", combined.toString(), "--json");
        assertEquals(0, verify.exit(), verify.toString());
        JsonNode report = JSON.readTree(verify.out());
        assertTrue(report.get("ok").asBoolean());
        assertEquals(3, report.get("files").get(0).get("images").size(), verify.out());
    }

    @Test
    void theReferencesOfOneImageShareItsFile() throws Exception {
        String alias = created.image(web.replace(":1", ":alias"));
        engine.tagImage(web, alias.substring(0, alias.lastIndexOf(':')), "alias");
        Path dir = tmp.resolve("aliases");
        CliProcess.Result r = tool("export", "-q", "--no-pull", "-f", stack(base, alias).toString(), "-o",
                dir.toString());
        assertEquals(0, r.exit(), r.toString());
        Map<String, String> fileOf = new HashMap<>();
        JSON.readTree(dir.resolve("bundle.json").toFile()).get("images").forEach(i ->
                fileOf.put(i.get("references").get(0).asText(), i.get("file").asText()));
        assertEquals(4, fileOf.size(), fileOf.toString());
        assertEquals(fileOf.get(web), fileOf.get(alias), "one file for the image's two references: " + fileOf);
        assertEquals(3, fileOf.values().stream().distinct().count(), fileOf.toString());
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                Files.newInputStream(dir.resolve(fileOf.get(web))))) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null && !entry.getName().equals("manifest.json")) {
                // to the manifest
            }
            assertTrue(entry != null, "the file has a manifest.json");
            List<String> tags = new ArrayList<>();
            JSON.readTree(tar.readAllBytes()).get(0).get("RepoTags").forEach(t -> tags.add(t.asText()));
            assertEquals(List.of(web, alias), tags, "a load tags the image with both");
        }
        CliProcess.Result verify = tool("verify", "-d", dir.toString(), "--json");
        assertEquals(0, verify.exit(), verify.toString());
        List<String> held = new ArrayList<>();
        JSON.readTree(verify.out()).get("files").forEach(f -> {
            if (f.get("file").asText().equals(fileOf.get(web))) {
                f.get("images").forEach(i -> held.add(i.asText()));
            }
        });
        assertEquals(List.of(web, alias), held, "one element per reference: " + verify.out());
    }

    @Test
    void anExportKilledInTheMiddleOfASaveFinishesWhenRunAgain() throws Exception {
        Path stack = stack(base, big);
        Path dir = tmp.resolve("killed");
        Files.createDirectories(tmp.resolve("logs"));
        Process export = CliProcess.start(tmp.resolve("logs"), "export", "--no-pull", "-f", stack.toString(),
                "-o", dir.toString());
        Path partial = dir.resolve("images/" + big.substring(REGISTRY.length() + 1).replaceAll("[/:]", "_")
                + ".tar.partial");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(partial) && Files.size(partial) > (20 << 20)) && System.nanoTime() < deadline) {
            assertTrue(export.isAlive(), "export ended before its big save: " + Files.readString(tmp.resolve("logs/stderr.txt")));
            Thread.sleep(10);
        }
        assertTrue(Files.exists(partial) && Files.size(partial) > (20 << 20), "the big image was being written under"
                + " its temporary name");
        export.destroyForcibly();
        assertTrue(export.waitFor(10, TimeUnit.SECONDS));
        Path finalName = Path.of(partial.toString().replaceFirst("\\.partial$", ""));
        assertFalse(Files.exists(finalName), "no file under its final name before it is complete");

        CliProcess.Result incomplete = tool("verify", "-d", dir.toString());
        assertEquals(1, incomplete.exit(), incomplete.toString());
        assertTrue(incomplete.out().contains("did not finish"), incomplete.toString());

        CliProcess.Result again = tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().matches("(?s).*_app_1\\.tar\\s.*kept.*"), again.toString());
        assertTrue(again.out().matches("(?s).*_big_1\\.tar\\s.*written.*"), again.toString());
        CliProcess.Result verify = tool("verify", "-d", dir.toString());
        assertEquals(0, verify.exit(), verify.toString());
        assertFalse(Files.exists(partial));
        assertEquals(0, exec(dir, "sha256sum", "--strict", "-c", "SHA256SUMS"));
    }

    @Test
    void anExportIntoAnotherCompressionKilledInTheMiddleRemovesTheOldFilesWhenRunAgain() throws Exception {
        Path stack = stack(base, big);
        Path dir = tmp.resolve("recompressed");
        assertEquals(0, tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString()).exit());
        List<String> plain;
        try (Stream<Path> files = Files.list(dir.resolve("images"))) {
            plain = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        Path logs = Files.createDirectories(tmp.resolve("logs-recompressed"));
        Process export = CliProcess.start(logs, "export", "--no-pull", "-f", stack.toString(), "-o", dir.toString(),
                "--compress", "zstd");
        Path partial = dir.resolve("images/" + big.substring(REGISTRY.length() + 1).replaceAll("[/:]", "_")
                + ".tar.zst.partial");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(partial) && Files.size(partial) > (10 << 20)) && System.nanoTime() < deadline) {
            assertTrue(export.isAlive(), "export ended before its big save: " + Files.readString(logs.resolve(
                    "stderr.txt")));
            Thread.sleep(10);
        }
        assertTrue(Files.exists(partial) && Files.size(partial) > (10 << 20), "killed in the middle of the save");
        export.destroyForcibly();
        assertTrue(export.waitFor(10, TimeUnit.SECONDS));

        CliProcess.Result again = tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString(),
                "--compress", "zstd");
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.err().contains("not part of the bundle"), again.toString());
        for (String file : plain) {
            assertFalse(Files.exists(dir.resolve("images").resolve(file)), file + " of the replaced bundle: " + again);
        }
        CliProcess.Result verify = tool("verify", "-d", dir.toString());
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals(0, tool("export", "-q", "--no-pull", "-f", stack.toString(), "-o", dir.toString()).exit(),
                "and back to plain tars");
    }

    @Test
    void aChangedImageIsSavedAgainAndTheOthersKept() throws Exception {
        Path stack = stack(base);
        Path dir = tmp.resolve("changed");
        CliProcess.Result first = tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString());
        assertEquals(0, first.exit(), first.toString());
        String firstId = JSON.readTree(dir.resolve("bundle.json").toFile()).get("id").asText();

        CliProcess.Result same = tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString());
        assertEquals(0, same.exit(), same.toString());
        assertFalse(same.out().contains("written"), same.toString());
        assertEquals(firstId, JSON.readTree(dir.resolve("bundle.json").toFile()).get("id").asText(),
                "nothing written: the bundle keeps its ID");

        // web:1 now names another image
        TestImages.build("FROM " + base + "\nRUN echo changed > /changed.txt\n", web);
        String changedId = engine.inspectImage(web).id();
        try {
            CliProcess.Result again = tool("export", "--no-pull", "-f", stack.toString(), "-o", dir.toString());
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.out().matches("(?s).*_web_1\\.tar\\s.*written.*"), again.toString());
            assertTrue(again.out().matches("(?s).*_app_1\\.tar\\s.*kept.*"), again.toString());
            JsonNode bundle = JSON.readTree(dir.resolve("bundle.json").toFile());
            assertTrue(!bundle.get("id").asText().equals(firstId), "a new bundle ID");
            assertEquals(changedId, bundle.get("images").get(1).get("id").asText());
            CliProcess.Result verify = tool("verify", "-d", dir.toString());
            assertEquals(0, verify.exit(), verify.toString());
        } finally {
            engine.removeImage(web, true);
            engine.pullImage(web, m -> { });
        }
    }

    @Test
    void anImageWhoseRegistryCannotBeReachedIsExportedAsTheEngineHasItAndTheSummarySaysSo() throws Exception {
        String repository = "127.0.0.1:1/" + TestEngine.unique("unreachable"); // nothing listens on port 1
        String offline = created.image(repository + ":1");
        engine.tagImage(base, repository, "1");
        Path file = tmp.resolve("unreachable.yaml");
        Files.writeString(file, "name: unreachable\nservices:\n  a:\n    image: " + offline + "\n");
        CliProcess.Result r = tool("export", "-f", file.toString(), "-o", tmp.resolve("unreachable").toString());
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("warning: ") && l.contains(offline)
                && l.endsWith("; exporting the image the engine has")), r.toString());
        assertEquals("warning: not pulled (see above), so exported as this engine had it, perhaps older than the"
                + " registry's: " + offline, lines.get(lines.size() - 1), "the summary repeats it last");
    }

    @Test
    void filesThatAreNotTheBundlesAreWarnedAboutAndLeftAlone() throws Exception {
        Path dir = tmp.resolve("shared-folder");
        Files.createDirectories(dir);
        // what the original installer left in mlreef-images-tar, export's default folder
        Files.writeString(dir.resolve("gitlab-runner.tar"), "an old save");
        CliProcess.Result r = tool("export", "-q", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("warning: ") && l.contains("not part of the bundle")
                && l.contains("gitlab-runner.tar")), r.toString());
        assertEquals("an old save", Files.readString(dir.resolve("gitlab-runner.tar")), "not touched");
        CliProcess.Result verify = tool("verify", "-d", dir.toString());
        assertEquals(1, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("gitlab-runner.tar: unexpected file"), verify.toString());

        // the native executable: the running one copies itself in; from the jar, the one copied in by hand, as
        // export asks then, is listed by the next export
        Files.delete(dir.resolve("gitlab-runner.tar"));
        if (!CliProcess.isNative()) {
            Files.copy(Path.of("/bin/busybox"), dir.resolve("mlreef-offline"));
        }
        CliProcess.Result again = tool("export", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, again.exit(), again.toString());
        if (CliProcess.isNative()) {
            assertEquals(-1, Files.mismatch(CliProcess.nativeExecutable(), dir.resolve("mlreef-offline")),
                    "the running executable's copy");
        } else {
            assertTrue(again.err().contains("listed mlreef-offline"), again.toString());
        }
        assertEquals(Files.size(dir.resolve("mlreef-offline")), JSON.readTree(dir.resolve("bundle.json").toFile())
                .get("executable").get("size").asLong());
        CliProcess.Result listed = tool("verify", "-d", dir.toString());
        assertEquals(0, listed.exit(), listed.toString());
    }

    @Test
    void theExecutablesCopyIsMadeOnceAndAgainOnlyWhenItChanged() throws Exception {
        Assumptions.assumeTrue(CliProcess.isNative(), "only the native executable copies itself");
        Path dir = tmp.resolve("copied-once");
        assertEquals(0, tool("export", "-q", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString()).exit());
        Path copy = dir.resolve("mlreef-offline");
        assertEquals(-1, Files.mismatch(CliProcess.nativeExecutable(), copy));
        Object inode = Files.getAttribute(copy, "unix:ino");
        CliProcess.Result again = tool("export", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, again.exit(), again.toString());
        assertEquals(inode, Files.getAttribute(copy, "unix:ino"), "the same file, not written again");

        // a copy that is not the one export made (another modification time) is replaced
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(0));
        CliProcess.Result replaced = tool("export", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, replaced.exit(), replaced.toString());
        assertFalse(inode.equals(Files.getAttribute(copy, "unix:ino")), "written again");
        assertEquals(-1, Files.mismatch(CliProcess.nativeExecutable(), copy));
        assertEquals(0, tool("verify", "-d", dir.toString()).exit());
    }

    @Test
    void anotherStacksBundleAndTheUsersFilesAreNotReplaced() throws Exception {
        Path dir = tmp.resolve("taken");
        CliProcess.Result first = tool("export", "-q", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, first.exit(), first.toString());
        String manifest = Files.readString(dir.resolve("bundle.json"));
        Path other = tmp.resolve("other.yaml");
        Files.writeString(other, "name: anotherstack\nservices:\n  web:\n    image: " + web + "\n");
        CliProcess.Result second = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o", dir.toString());
        assertEquals(1, second.exit(), second.toString());
        assertEquals(List.of("error: " + dir + " holds the bundle of stack exporttest; export stack anotherstack into"
                + " another folder, or move that bundle away first"), second.err().lines().toList(), second.toString());
        assertEquals(manifest, Files.readString(dir.resolve("bundle.json")), "the bundle is left as it was");

        Path users = tmp.resolve("users");
        Path file = users.resolve("images/" + web.substring(REGISTRY.length() + 1).replaceAll("[/:]", "_") + ".tar");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "the user's own save");
        CliProcess.Result third = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o", users.toString());
        assertEquals(1, third.exit(), third.toString());
        assertTrue(third.err().startsWith("error: " + file + " exists and is not a file of a bundle"), third.toString());
        assertEquals(1, third.err().lines().count(), "one line, no word of an interruption: " + third);
        assertEquals("the user's own save", Files.readString(file));
        assertFalse(Files.exists(users.resolve("bundle.json")));

        Path plain = Files.createDirectories(tmp.resolve("plain-with-sums")); // as the user's sha256sum left it
        Files.writeString(plain.resolve("SHA256SUMS"), "the user's sums\n");
        Files.writeString(plain.resolve("notes.partial"), "the user's notes");
        Files.writeString(plain.resolve("bundle.json.partial"), "left by a killed export");
        CliProcess.Result sums = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o", plain.toString());
        assertEquals(1, sums.exit(), sums.toString());
        assertEquals(List.of("error: " + plain.resolve("SHA256SUMS") + " exists and is not a bundle's (the folder"
                + " holds no bundle.json); export would replace it: move it away, or export into another folder"),
                sums.err().lines().toList());
        assertEquals("the user's sums\n", Files.readString(plain.resolve("SHA256SUMS")));
        Files.move(plain.resolve("SHA256SUMS"), tmp.resolve("users-sums"));
        Files.writeString(plain.resolve("bundle.json"), "{\"my\": \"settings\"}");
        CliProcess.Result json = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o", plain.toString());
        assertEquals(1, json.exit(), json.toString());
        assertTrue(json.err().contains("export would replace it"), json.toString());
        assertEquals("{\"my\": \"settings\"}", Files.readString(plain.resolve("bundle.json")));
        Files.delete(plain.resolve("bundle.json"));
        CliProcess.Result done = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o", plain.toString());
        assertEquals(0, done.exit(), done.toString());
        assertEquals("the user's notes", Files.readString(plain.resolve("notes.partial")), "not export's own");
        assertFalse(Files.exists(plain.resolve("bundle.json.partial")), "export's own leftover is removed");

        CliProcess.Result images = tool("export", "-q", "--no-pull", "-f", other.toString(), "-o",
                plain.resolve("images").toString());
        assertEquals(2, images.exit(), images.toString());
        assertTrue(images.err().contains("is the images folder of the bundle in " + plain), images.toString());
    }

    @Test
    void verifyNamesAFlippedByteAndATruncatedFile() throws Exception {
        Path dir = tmp.resolve("damaged");
        CliProcess.Result r = tool("export", "-q", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        JsonNode bundle = JSON.readTree(dir.resolve("bundle.json").toFile());
        Path flipped = dir.resolve(bundle.get("images").get(0).get("file").asText());
        Path truncated = dir.resolve(bundle.get("images").get(1).get("file").asText());
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
        try (RandomAccessFile f = new RandomAccessFile(truncated.toFile(), "rw")) {
            f.setLength(f.length() - 1000);
        }
        CliProcess.Result verify = tool("verify", "-d", dir.toString());
        assertEquals(1, verify.exit(), verify.toString());
        List<String> lines = verify.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(flipped + ": sha256 ")), verify.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(truncated + ": truncated")), verify.toString());
        assertEquals(2, lines.size(), verify.toString());
        assertTrue(verify.err().contains("2 problems"), verify.toString());
    }

    @Test
    void verifyChecksAFolderOfPlainDockerSaveTarsStructurally() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        assertEquals(0, exec(dir, "docker", "save", "-o", "app.tar", app));
        assertEquals(0, exec(dir, "docker", "save", "-o", "web.tar", web));
        CliProcess.Result ok = tool("verify", "-d", dir.toString());
        assertEquals(0, ok.exit(), ok.toString());
        assertTrue(ok.err().contains("plain docker save folder"), ok.toString());

        // drop one layer from a tar: manifest.json still names it
        Path broken = dir.resolve("web.tar");
        Path copy = tmp.resolve("web-copy.tar");
        Files.move(broken, copy);
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(copy));
             var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(broken))) {
            boolean dropped = false;
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (!dropped && e.getName().endsWith("layer.tar")) {
                    dropped = true;
                    continue;
                }
                out.putArchiveEntry(e);
                in.transferTo(out);
                out.closeArchiveEntry();
            }
            assertTrue(dropped);
        }
        CliProcess.Result bad = tool("verify", "-d", dir.toString());
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.out().startsWith(broken + ": image " + web + ": manifest.json names "), bad.toString());
        assertTrue(bad.out().contains("missing from the archive"), bad.toString());
    }

    @Test
    void aFolderOnASmallFileSystemIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small"));
        assertEquals(0, exec(tmp, asRoot("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())),
                "mounting a 2 MiB tmpfs (as root, or with sudo -n)");
        try {
            Path dir = mount.resolve("bundle");
            CliProcess.Result r = tool("export", "--no-pull", "-f", stack(base).toString(), "-o", dir.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().startsWith("error: not enough free space in " + dir + ": the images to save need up to "),
                    r.toString());
            try (Stream<Path> left = Files.list(mount)) {
                assertEquals(List.of(), left.toList(), "nothing written");
            }
        } finally {
            exec(tmp, asRoot("umount", mount.toString()));
        }
    }

    @Test
    void aCombinedFileOfImagesSharingTheirLayersIsTriedWhereAllOfThemWouldNotFit() throws Exception {
        long all = 0;
        long largest = 0;
        for (String image : List.of(base, app, web)) {
            long size = engine.inspectImage(image).size();
            all += size;
            largest = Math.max(largest, size);
        }
        long room = (1 << 20) + largest + (all - largest) / 2; // more than the largest image, less than all of them
        if (CliProcess.isNative()) {
            room += Files.size(CliProcess.nativeExecutable()); // which copies itself into the bundle
        }
        Path mount = Files.createDirectories(tmp.resolve("combined-small"));
        assertEquals(0, exec(tmp, asRoot("mount", "-t", "tmpfs", "-o", "size=" + room, "tmpfs", mount.toString())));
        try {
            Path dir = mount.resolve("bundle");
            CliProcess.Result r = tool("export", "--no-pull", "--combined", "-f", stack(base).toString(), "-o",
                    dir.toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("(layers they share are stored once)"), r.toString());
            assertEquals(0, tool("verify", "-d", dir.toString()).exit());
        } finally {
            exec(tmp, asRoot("umount", mount.toString()));
        }
    }

    /** The command as root: directly when the tests run as root (CI), else through sudo without a password. */
    private static String[] asRoot(String... command) {
        if (System.getProperty("user.name").equals("root")) {
            return command;
        }
        List<String> sudo = new ArrayList<>(List.of("sudo", "-n"));
        sudo.addAll(List.of(command));
        return sudo.toArray(String[]::new);
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() throws Exception {
        CliProcess.Result compress = tool("export", "--compress", "xz", "-o", tmp.resolve("x").toString());
        assertEquals(2, compress.exit(), compress.toString());
        assertEquals("error: --compress: unknown compression 'xz' (none, gzip or zstd)", compress.err().strip());

        Path stack = stack(REGISTRY + "/mlro-test-absent/never:1");
        CliProcess.Result missing = tool("export", "--no-pull", "-f", stack.toString(), "-o", tmp.resolve("m").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().strip().startsWith("error: image " + REGISTRY + "/mlro-test-absent/never:1 is not in"
                + " the engine"), missing.toString());
        assertFalse(Files.exists(tmp.resolve("m")));

        CliProcess.Result noDir = tool("verify", "-d", tmp.resolve("nowhere").toString());
        assertEquals(2, noDir.exit(), noDir.toString());
        assertEquals("error: " + tmp.resolve("nowhere") + " does not exist", noDir.err().strip());

        CliProcess.Result empty = tool("verify", "-d", Files.createDirectories(tmp.resolve("empty")).toString());
        assertEquals(1, empty.exit(), empty.toString());
        assertTrue(empty.out().contains("no bundle.json and no image tars"), empty.toString());
    }
}

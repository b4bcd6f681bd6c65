package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code export --pip-dir} and {@code verify} as a user runs them, on a one-image stack the engine has. */
class PackageExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Created created;
    private static String image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void image() throws IOException {
        created = new Created(TestEngine.client());
        image = TestImages.busybox(TestEngine.client(), created, "pipexport");
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    private Path stack() throws IOException {
        return Files.writeString(tmp.resolve("stack.yaml"), "name: pipexport\nservices:\n  app:\n    image: " + image
                + "\n    command: [\"sleep\", \"1000\"]\n");
    }

    private Path packages(String folder, String... files) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(folder));
        for (String f : files) {
            Files.writeString(dir.resolve(f), "content of " + f);
        }
        return dir;
    }

    private static CliProcess.Result tool(String... args) throws Exception {
        return CliProcess.run(Map.of(), args);
    }

    private static List<String> listed(Path bundle) throws IOException {
        List<String> files = new ArrayList<>();
        JsonNode packages = JSON.readTree(bundle.resolve("bundle.json").toFile()).get("packages");
        if (packages != null) {
            packages.forEach(p -> files.add(p.get("file").asText()));
        }
        return files;
    }

    @Test
    void packagesAreCarriedHashedAndVerified() throws Exception {
        Path pkgs = packages("pkgs", "Demo_Lib-1.0-py3-none-any.whl", "other.pkg-2.0.tar.gz", "requirements.txt");
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result r = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", pkgs.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("not package files, left out: requirements.txt"), r.toString());
        assertTrue(r.out().contains("2 package files"), r.toString());
        assertEquals(List.of("packages/Demo_Lib-1.0-py3-none-any.whl", "packages/other.pkg-2.0.tar.gz"),
                listed(bundle));
        String sums = Files.readString(bundle.resolve("SHA256SUMS"));
        String sha = TestImages.sha256(new ByteArrayInputStream(Files.readAllBytes(
                pkgs.resolve("Demo_Lib-1.0-py3-none-any.whl"))));
        assertTrue(sums.contains(sha + "  packages/Demo_Lib-1.0-py3-none-any.whl\n"), sums);
        assertFalse(Files.exists(bundle.resolve("packages/requirements.txt")));
        assertEquals(0, tool("verify", "-d", bundle.toString()).exit());

        Files.writeString(bundle.resolve("packages/other.pkg-2.0.tar.gz"), "content of other.pkg-2.0.tar.gX");
        CliProcess.Result changed = tool("verify", "-d", bundle.toString());
        assertEquals(1, changed.exit(), changed.toString());
        assertTrue((changed.out() + changed.err()).contains(bundle.resolve("packages/other.pkg-2.0.tar.gz") + ": "), changed.toString());
        Files.delete(bundle.resolve("packages/Demo_Lib-1.0-py3-none-any.whl"));
        CliProcess.Result missing = tool("verify", "-d", bundle.toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue((missing.out() + missing.err()).contains(bundle.resolve("packages/Demo_Lib-1.0-py3-none-any.whl").toString()),
                missing.toString());

        // exported again: the changed and missing files copied again; without --pip-dir they go
        assertEquals(0, tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", pkgs.toString()).exit());
        assertEquals(0, tool("verify", "-d", bundle.toString()).exit());
        CliProcess.Result without = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull");
        assertEquals(0, without.exit(), without.toString());
        assertEquals(List.of(), listed(bundle));
        assertFalse(Files.exists(bundle.resolve("packages")), without.toString());
        assertEquals(0, tool("verify", "-d", bundle.toString()).exit());
    }

    @Test
    void aDifferentialBundleCarriesOnlyNewFiles() throws Exception {
        Path v1 = tmp.resolve("v1");
        Path pkgs = packages("pkgs", "a-1.0-py3-none-any.whl", "b-1.0.tar.gz");
        assertEquals(0, tool("export", "-f", stack().toString(), "-o", v1.toString(), "--no-pull",
                "--pip-dir", pkgs.toString()).exit());
        Files.writeString(pkgs.resolve("b-1.0.tar.gz"), "rebuilt");
        packages("pkgs", "c-3.0.zip");
        Path v2 = tmp.resolve("v2");
        CliProcess.Result r = tool("export", "-f", stack().toString(), "-o", v2.toString(), "--no-pull",
                "--pip-dir", pkgs.toString(), "--since", v1.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("1 package files left out: the base bundle carries them"), r.toString());
        assertEquals(List.of("packages/b-1.0.tar.gz", "packages/c-3.0.zip"), listed(v2));
        assertEquals(0, tool("verify", "-d", v2.toString(), "--base", v1.toString()).exit());
    }

    @Test
    void subfoldersAreCarriedWithTheirPathsOnceEachName() throws Exception {
        Path pkgs = packages("pkgs", "a-1.0-py3-none-any.whl");
        Files.createDirectories(pkgs.resolve("proj1/deep"));
        Files.createDirectories(pkgs.resolve("proj2"));
        Files.createDirectories(pkgs.resolve(".cache"));
        Files.writeString(pkgs.resolve("proj1/b-1.0.tar.gz"), "b");
        Files.writeString(pkgs.resolve("proj1/deep/c-1.0.zip"), "c");
        Files.copy(pkgs.resolve("a-1.0-py3-none-any.whl"), pkgs.resolve("proj2/a-1.0-py3-none-any.whl"));
        Files.writeString(pkgs.resolve(".cache/hidden-1.0.tar.gz"), "hidden");
        Path v1 = tmp.resolve("v1");
        CliProcess.Result r = tool("export", "-f", stack().toString(), "-o", v1.toString(), "--no-pull",
                "--pip-dir", pkgs.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("proj2/a-1.0-py3-none-any.whl left out: the same file as a-1.0-py3-none-any.whl"),
                r.toString());
        assertEquals(List.of("packages/a-1.0-py3-none-any.whl", "packages/proj1/b-1.0.tar.gz",
                "packages/proj1/deep/c-1.0.zip"), listed(v1));
        String sums = Files.readString(v1.resolve("SHA256SUMS"));
        assertTrue(sums.contains(TestImages.sha256(new ByteArrayInputStream("c".getBytes())) + "  packages/proj1/deep/c-1.0.zip\n"), sums);
        CliProcess.Result verified = tool("verify", "-d", v1.toString());
        assertEquals(0, verified.exit(), verified.toString());
        assertFalse(verified.err().contains("packages/proj1"), verified.toString());
        Files.writeString(v1.resolve("packages/proj1/deep/c-1.0.zip"), "x");
        CliProcess.Result changed = tool("verify", "-d", v1.toString());
        assertEquals(1, changed.exit(), changed.toString());
        assertTrue((changed.out() + changed.err()).contains(v1.resolve("packages/proj1/deep/c-1.0.zip") + ": "),
                changed.toString());
        Files.writeString(v1.resolve("packages/proj1/deep/c-1.0.zip"), "c");

        // an upgrade bundle: only the new file, whichever its folder; a file moved to another folder is not new
        Files.move(pkgs.resolve("proj1/b-1.0.tar.gz"), pkgs.resolve("proj2/b-1.0.tar.gz"));
        Files.writeString(Files.createDirectories(pkgs.resolve("proj3")).resolve("d-1.0-py3-none-any.whl"), "d");
        Path v2 = tmp.resolve("v2");
        CliProcess.Result delta = tool("export", "-f", stack().toString(), "-o", v2.toString(), "--no-pull",
                "--pip-dir", pkgs.toString(), "--since", v1.toString());
        assertEquals(0, delta.exit(), delta.toString());
        assertEquals(List.of("packages/proj3/d-1.0-py3-none-any.whl"), listed(v2));
        assertEquals(0, tool("verify", "-d", v2.toString(), "--base", v1.toString()).exit());

        // exported again without the deep file: it goes, and so does its folder, left empty
        Files.delete(pkgs.resolve("proj1/deep/c-1.0.zip"));
        assertEquals(0, tool("export", "-f", stack().toString(), "-o", v1.toString(), "--no-pull",
                "--pip-dir", pkgs.toString()).exit());
        assertFalse(Files.exists(v1.resolve("packages/proj1")));
        assertEquals(0, tool("verify", "-d", v1.toString()).exit());

        // two different files of one name (ignoring case) are refused
        Files.writeString(pkgs.resolve("proj3/A-1.0-py3-none-any.whl"), "another a");
        CliProcess.Result clash = tool("export", "-f", stack().toString(), "-o", tmp.resolve("v3").toString(),
                "--no-pull", "--pip-dir", pkgs.toString());
        assertEquals(2, clash.exit(), clash.toString());
        assertTrue(clash.err().contains("a-1.0-py3-none-any.whl and proj3/A-1.0-py3-none-any.whl are different files"
                + " of one name"), clash.toString());
    }

    @Test
    void linksOutOfTheFolderAndUnsafeNamesAreRefused() throws Exception {
        Path outside = Files.writeString(tmp.resolve("secret-1.0.tar.gz"), "not to be carried");
        Path pkgs = packages("pkgs", "ok-1.0-py3-none-any.whl");
        Files.createSymbolicLink(pkgs.resolve("link-1.0.tar.gz"), outside);
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result link = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", pkgs.toString());
        assertEquals(2, link.exit(), link.toString());
        assertTrue(link.err().contains(pkgs.resolve("link-1.0.tar.gz") + " is a link to " + outside.toRealPath()
                + ", outside the folder"), link.toString());
        assertFalse(Files.exists(bundle), "refused before anything is written");
        Files.delete(pkgs.resolve("link-1.0.tar.gz"));
        Path outsideFolder = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(outsideFolder.resolve("far-1.0.tar.gz"), "not to be carried");
        Files.createSymbolicLink(pkgs.resolve("sub"), outsideFolder);
        CliProcess.Result folderLink = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", pkgs.toString());
        assertEquals(2, folderLink.exit(), folderLink.toString());
        assertTrue(folderLink.err().contains(pkgs.resolve("sub") + " is a link to " + outsideFolder.toRealPath()
                + ", outside the folder"), folderLink.toString());
        Files.delete(pkgs.resolve("sub"));
        packages("pkgs", "bad name-1.0.whl");
        CliProcess.Result name = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", pkgs.toString());
        assertEquals(2, name.exit(), name.toString());
        assertTrue(name.err().contains("bad name-1.0.whl: not a plain package file name"), name.toString());
        CliProcess.Result none = tool("export", "-f", stack().toString(), "-o", bundle.toString(), "--no-pull",
                "--pip-dir", tmp.resolve("absent").toString());
        assertEquals(2, none.exit(), none.toString());
    }
}

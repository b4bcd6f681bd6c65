package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.bundle.BundleException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar of a build context: which files go, with which modes, links as links, the Dockerfile always. */
class BuildContextTest {
    @TempDir
    Path tmp;

    private Path write(String name, String text, String mode) throws IOException {
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    /** The tar's entries: name -> "mode type [size|target] content". */
    private static Map<String, String> entries(BuildContext context) throws IOException {
        Path tar = Files.createTempFile("context", ".tar");
        try {
            try (OutputStream out = Files.newOutputStream(tar)) {
                context.writeTo(out);
            }
            Map<String, String> entries = new TreeMap<>();
            try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                    assertEquals(0, e.getLongUserId(), e.getName());
                    String kind = e.isSymbolicLink() ? "link " + e.getLinkName() : e.isDirectory() ? "dir"
                            : "file " + new String(t.readAllBytes(), StandardCharsets.UTF_8).strip();
                    entries.put(e.getName(), Integer.toOctalString(e.getMode() & 07777) + " " + kind);
                }
            }
            return entries;
        } finally {
            Files.delete(tar);
        }
    }

    @Test
    void theContextGoesWithModesAndLinksLessWhatIsIgnored() throws IOException {
        write("ctx/Dockerfile", "FROM base", "rw-r--r--");
        write("ctx/run.sh", "#!/bin/sh", "rwxr-x---");
        write("ctx/secret.env", "PASSWORD=x", "rw-------");
        write("ctx/src/main.c", "int main;", "rw-rw-r--");
        write("ctx/src/main.o", "obj", "rw-r--r--");
        write("ctx/docs/a.md", "a", "rw-r--r--");
        write("ctx/docs/keep.md", "keep", "rw-r--r--");
        Files.setPosixFilePermissions(tmp.resolve("ctx/src"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(tmp.resolve("ctx/current"), Path.of("src/main.c"));
        Files.createSymbolicLink(tmp.resolve("ctx/dangling"), Path.of("/nowhere/at/all"));
        write("ctx/.dockerignore", "secret.env\n**/*.o\ndocs\n!docs/keep.md\nDockerfile\n.dockerignore\n",
                "rw-r--r--");

        BuildContext context = BuildContext.of(tmp.resolve("ctx"), Path.of("Dockerfile"), "service api");
        assertEquals("Dockerfile", context.dockerfileName());
        Map<String, String> want = new TreeMap<>(Map.of(
                ".dockerignore", "644 file secret.env\n**/*.o\ndocs\n!docs/keep.md\nDockerfile\n.dockerignore",
                "Dockerfile", "644 file FROM base",
                "current", "777 link src/main.c",
                "dangling", "777 link /nowhere/at/all",
                "docs/keep.md", "644 file keep",
                "run.sh", "750 file #!/bin/sh",
                "src/", "750 dir",
                "src/main.c", "664 file int main;"));
        Map<String, String> got = entries(context);
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertEquals(v.strip(), got.get(k), k));
    }

    @Test
    void withoutAnIgnoreFileEverythingGoes() throws IOException {
        write("ctx/Dockerfile", "FROM base", "rw-r--r--");
        write("ctx/a/b/c.txt", "c", "r--------");
        Files.setPosixFilePermissions(tmp.resolve("ctx/a"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(tmp.resolve("ctx/a/b"), PosixFilePermissions.fromString("rwx------"));
        assertEquals(Map.of("Dockerfile", "644 file FROM base", "a/", "755 dir", "a/b/", "700 dir",
                "a/b/c.txt", "400 file c"), entries(BuildContext.of(tmp.resolve("ctx"), Path.of("Dockerfile"), "x")));
    }

    @Test
    void aDockerfileOutsideTheContextIsAddedUnderANameOfItsOwn() throws IOException {
        write("ctx/app.txt", "app", "rw-r--r--");
        write("docker/App.Dockerfile", "FROM base\nCOPY app.txt /", "rw-r--r--");
        BuildContext context = BuildContext.of(tmp.resolve("ctx"), Path.of("../docker/App.Dockerfile"), "svc");
        assertTrue(context.dockerfileName().matches("\\.dockerfile\\.[0-9a-f]{12}"), context.dockerfileName());
        Map<String, String> got = entries(context);
        assertEquals(Map.of("app.txt", "644 file app", context.dockerfileName(), "644 file FROM base\nCOPY app.txt /"),
                got);
    }

    @Test
    void anIgnoreFileBesideTheDockerfileTakesThePlaceOfTheContexts() throws IOException {
        write("ctx/docker/web.Dockerfile", "FROM base", "rw-r--r--");
        write("ctx/docker/web.Dockerfile.dockerignore", "*.tmp\n", "rw-r--r--");
        write("ctx/.dockerignore", "keep.txt\n", "rw-r--r--");
        write("ctx/keep.txt", "kept", "rw-r--r--");
        write("ctx/scratch.tmp", "tmp", "rw-r--r--");
        BuildContext context = BuildContext.of(tmp.resolve("ctx"), Path.of("docker/web.Dockerfile"), "svc");
        assertEquals("docker/web.Dockerfile", context.dockerfileName());
        Map<String, String> got = entries(context);
        assertTrue(got.containsKey("keep.txt") && !got.containsKey("scratch.tmp"), got.toString());
        assertTrue(got.containsKey("docker/web.Dockerfile") && got.containsKey(".dockerignore"), got.toString());
    }

    @Test
    void aDockerfileInAnIgnoredFolderIsStillSent() throws IOException {
        write("ctx/build/Dockerfile", "FROM base", "rw-r--r--");
        write("ctx/build/other", "x", "rw-r--r--");
        write("ctx/.dockerignore", "build\n", "rw-r--r--");
        Map<String, String> got = entries(BuildContext.of(tmp.resolve("ctx"), Path.of("build/Dockerfile"), "svc"));
        assertEquals(java.util.Set.of(".dockerignore", "build/Dockerfile"), got.keySet());
    }

    @Test
    void aMissingContextOrDockerfileIsSaidInOneLineNamingTheService() throws IOException {
        String missing = assertThrows(BundleException.class, () -> BuildContext.of(tmp.resolve("nope"),
                Path.of("Dockerfile"), "service api")).getMessage();
        assertEquals("service api: build context " + tmp.resolve("nope") + " does not exist", missing);
        write("file", "x", "rw-r--r--");
        assertTrue(assertThrows(BundleException.class, () -> BuildContext.of(tmp.resolve("file"),
                Path.of("Dockerfile"), "service api")).getMessage().endsWith(" is not a folder"));
        Files.createDirectories(tmp.resolve("empty"));
        String noFile = assertThrows(BundleException.class, () -> BuildContext.of(tmp.resolve("empty"),
                Path.of("Dockerfile"), "service api")).getMessage();
        assertEquals("service api: Dockerfile " + tmp.resolve("empty/Dockerfile") + " does not exist", noFile);
        assertTrue(!noFile.contains("\n"));
    }
}

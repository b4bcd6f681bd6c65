package com.mlreef.offline.bundle;

import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectArchiveTest {
    @TempDir
    Path dir;

    @Test
    void carriesFilesFoldersAndLinksInsideTheTreeWithTheirModes() throws Exception {
        Path project = Files.createDirectories(dir.resolve("p"));
        Files.createDirectories(project.resolve("conf/sub"));
        Files.writeString(project.resolve("conf/sub/a.txt"), "a");
        Files.setPosixFilePermissions(project.resolve("conf/sub/a.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(project.resolve("conf/link"), Path.of("sub/a.txt"));
        Files.writeString(project.resolve("secret.txt"), "pw");
        List<String> missing = new ArrayList<>();
        ProjectArchive archive = ProjectArchive.of(project, List.of("conf", "secret.txt", "gone"), missing::add);
        assertEquals(List.of("gone"), missing);
        assertEquals(List.of("conf", "conf/link", "conf/sub", "conf/sub/a.txt", "secret.txt"), archive.paths());
        BundleManifest.Project written = archive.write(dir.resolve("project.tar"), null, "");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("project.tar"))));
        assertEquals(Files.size(dir.resolve("project.tar")), written.size());
        assertEquals(BundleVerifier.sha256(dir.resolve("project.tar"), n -> { }), written.sha256());
        ProjectEntry a = written.entries().stream().filter(e -> e.path().equals("conf/sub/a.txt")).findFirst()
                .orElseThrow();
        assertEquals(0750, a.mode());
        assertEquals(BundleVerifier.sha256("a".getBytes()), a.sha256());
        assertEquals("sub/a.txt", written.entries().get(1).link());
        assertNull(ProjectCheck.problem(written));
    }

    @Test
    void aLinkLeavingItsTreeOrAPathOutsideTheProjectIsRefusedByName() throws Exception {
        Path project = Files.createDirectories(dir.resolve("p"));
        Files.createDirectories(project.resolve("conf"));
        Files.writeString(project.resolve("other.txt"), "x");
        Files.createSymbolicLink(project.resolve("conf/out"), Path.of("../other.txt"));
        String message = assertThrows(BundleException.class, () -> ProjectArchive.of(project, List.of("conf"),
                m -> { })).getMessage();
        assertTrue(message.startsWith(project.resolve("conf/out") + " is a link to ../other.txt, which leaves"),
                message);
        Files.delete(project.resolve("conf/out"));
        Files.createSymbolicLink(project.resolve("conf/abs"), Path.of("/etc/hostname"));
        assertTrue(assertThrows(BundleException.class, () -> ProjectArchive.of(project, List.of("conf"), m -> { }))
                .getMessage().contains("is a link to /etc/hostname"));
        Files.createSymbolicLink(project.resolve("escape"), dir);
        assertTrue(assertThrows(BundleException.class, () -> ProjectArchive.of(project, List.of("escape"), m -> { }))
                .getMessage().contains("outside the project folder"));
    }

    @Test
    void bundleJsonsProjectEntriesAreCheckedBeforeUse() {
        String sha = "0".repeat(64);
        assertTrue(ProjectCheck.linkInside("a/b", "../c"));
        assertFalse(ProjectCheck.linkInside("a/b", "../../c"));
        assertFalse(ProjectCheck.linkInside("a", "/etc"));
        assertFalse(ProjectCheck.isPlain("a/../b"));
        assertFalse(ProjectCheck.isPlain("/a"));
        assertTrue(ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, List.of(
                new ProjectEntry("../x", "file", 0644, 0, 0, 1, sha, null)))).contains("'../x'"));
        assertTrue(ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, List.of(
                new ProjectEntry("a/x", "file", 0644, 0, 0, 1, sha, null)))).contains("comes before its folder"));
        assertTrue(ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, List.of(
                new ProjectEntry("l", "link", 0777, 0, 0, 0, null, "../../etc")))).contains("outside the project"));
        assertTrue(ProjectCheck.problem(new BundleManifest.Project("../p.tar", 1, sha, null, List.of()))
                .startsWith("not project.tar"));
    }

    @Test
    void theStackFilesPlaceInTheTreeIsPlainAndAbsentInOlderBundlesMeansTheRoot() throws Exception {
        String sha = "0".repeat(64);
        List<ProjectEntry> entries = List.of(new ProjectEntry("docker", "dir", 0755, 0, 0, 0, null, null));
        for (String bad : List.of("..", "../docker", "/srv/docker", "docker/../..", "a//b", "./docker")) {
            String problem = ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, entries,
                    bad));
            assertEquals("subpath '" + bad + "' is not empty nor a plain relative path (no .., not absolute)",
                    problem, bad);
        }
        assertNull(ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, entries, "docker")));
        assertNull(ProjectCheck.problem(new BundleManifest.Project("project.tar", 1, sha, null, entries, "")));

        BundleManifest manifest = BundleFilesTest.manifest(1, "images/a.tar").withProject(
                new BundleManifest.Project("project.tar", 1, sha, "docker/.env", entries, "docker"));
        BundleFiles.write(dir, manifest);
        assertTrue(Files.readString(dir.resolve("bundle.json")).contains("\"subpath\" : \"docker\""));
        assertEquals("docker", BundleFiles.read(dir).project().stackFolder());
        Files.writeString(dir.resolve("bundle.json"), Files.readString(dir.resolve("bundle.json"))
                .replace("\"subpath\" : \"docker\"", "\"subpath\" : \"../docker\""));
        assertTrue(assertThrows(BundleException.class, () -> BundleFiles.read(dir)).getMessage()
                .contains("project: subpath '../docker' is not empty nor a plain relative path"));
        String older = Files.readString(dir.resolve("bundle.json")).replace(",\n    \"subpath\" : \"../docker\"", "");
        assertFalse(older.contains("subpath"), older);
        Files.writeString(dir.resolve("bundle.json"), older);
        assertNull(BundleFiles.read(dir).project().subpath());
        assertEquals("", BundleFiles.read(dir).project().stackFolder(), "a bundle of an older version: the root");
    }
}

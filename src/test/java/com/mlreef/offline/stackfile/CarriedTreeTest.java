package com.mlreef.offline.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tree export carries a stack's files from (the stack file's folder, or the folder above it that holds every path
 * the stack references), where the stack file lies in it, and how run resolves the same paths in a stack folder.
 */
class CarriedTreeTest {
    @TempDir
    Path dir;

    @Test
    void theTreeIsTheNearestFolderThatHoldsTheStackFilesFolderAndEveryPath() {
        Path folder = Path.of("/srv/checkout/deploy/docker");
        assertEquals(new CarriedTree(folder, ""), CarriedTree.of(folder, List.of("conf/a", ".env", ".")));
        CarriedTree one = CarriedTree.of(folder, List.of("../conf", "./app.env", "../secrets/s.txt"));
        assertEquals(new CarriedTree(Path.of("/srv/checkout/deploy"), "docker"), one);
        assertEquals("conf", one.inTree("../conf"));
        assertEquals("docker/app.env", one.inTree("app.env"));
        assertEquals("docker", one.inTree("."));
        assertEquals(Path.of("/srv/checkout/deploy/secrets/s.txt"), one.file("../secrets/s.txt"));
        CarriedTree two = CarriedTree.of(folder, List.of("../../data", "../x/../conf"));
        assertEquals(new CarriedTree(Path.of("/srv/checkout"), "deploy/docker"), two);
        assertEquals("data", two.inTree("../../data"));
        assertEquals("deploy/conf", two.inTree("../conf"));
        assertEquals(new CarriedTree(Path.of("/srv"), "checkout/deploy/docker"),
                CarriedTree.of(Path.of("/srv/checkout/deploy/./docker/"), List.of("../../../x")));
    }

    @Test
    void aPathThatLeadsUpToTheFilesystemRootIsRefusedByName() {
        Path folder = Path.of("/srv/docker");
        String message = assertThrows(StackFileException.class, () -> CarriedTree.of(folder,
                List.of("../conf", "../../etc"))).getMessage();
        assertEquals("'../../etc' leads up to / (the filesystem root) from /srv/docker, and export carries from the"
                + " folder that holds the stack file's folder and every relative path, which cannot be /: keep it in"
                + " a folder below /, or give an absolute path of the offline host", message);
        assertTrue(assertThrows(StackFileException.class, () -> CarriedTree.of(folder, List.of("../../../../x")))
                .getMessage().contains("'../../../../x' leads up to /"));
        assertThrows(StackFileException.class, () -> CarriedTree.of(Path.of("/docker"), List.of("../x")));
        assertThrows(StackFileException.class, () -> new CarriedTree(Path.of("/srv"), "docker").inTree("../../x"));
    }

    @Test
    void aSubpathIsPlainAndTurnsTreePathsBackIntoTheStackFilesOwn() {
        assertTrue(ProjectPaths.isSubpath("") && ProjectPaths.isSubpath("docker")
                && ProjectPaths.isSubpath("deploy/docker"));
        for (String bad : List.of("..", "../docker", "/docker", "a//b", "a/./b", "docker/", "a/..", "a\\b")) {
            assertFalse(ProjectPaths.isSubpath(bad), bad);
            assertTrue(assertThrows(StackFileException.class, () -> ProjectFolder.at(dir, bad, null)).getMessage()
                    .contains("is not a plain relative path of folders"), bad);
        }
        assertEquals(".env", ProjectPaths.fromTree("docker", "docker/.env"));
        assertEquals(".", ProjectPaths.fromTree("docker", "docker"));
        assertEquals("../common.env", ProjectPaths.fromTree("docker", "common.env"));
        assertEquals("../../x/y", ProjectPaths.fromTree("a/b", "x/y"));
        assertEquals("dockerfile.env", ProjectPaths.fromTree("", "dockerfile.env"));
        assertEquals("../dockerx/.env", ProjectPaths.fromTree("docker", "dockerx/.env"));
    }

    @Test
    void runResolvesTheStackFilesPathsInItsPlaceInTheStackFolderAndNotAboveIt() throws Exception {
        String yaml = "services:\n  web:\n    image: busybox:1\n    volumes: ['../conf:/conf', './data:/data']\n"
                + "    env_file: ../common.env\n    secrets: [s]\nsecrets:\n  s: {file: ../secrets/s.txt}\n";
        Map<String, String> files = new HashMap<>();
        files.put("common.env", "FROM_COMMON=1\n");
        List<String> asked = new ArrayList<>();
        ProjectFolder folder = ProjectFolder.at(dir, "docker", relative -> {
            asked.add(relative);
            return files.get(relative);
        });
        StackSpec spec = StackDocument.of(yaml, "the bundle's stack", "s").withProject(folder, null)
                .resolve(Map.of(), w -> { });
        Path root = dir.toAbsolutePath().normalize();
        assertEquals(List.of(root + "/conf", root + "/docker/data", root + "/secrets/s.txt"), spec.services()
                .get("web").mounts().stream().map(StackSpec.MountSpec::source).toList());
        assertEquals(Map.of("FROM_COMMON", "1"), spec.services().get("web").environment());
        assertTrue(asked.contains("common.env") && asked.contains("docker/.env"), asked.toString());
        assertEquals(root.resolve("docker"), spec.project());

        String above = yaml.replace("../conf:/conf", "../../conf:/conf");
        assertTrue(assertThrows(StackFileException.class, () -> StackDocument.of(above, "b", "s")
                .withProject(folder, null).resolve(Map.of(), w -> { })).getMessage().contains("'../../conf' leads"
                + " above the stack folder " + root + ", which holds all that the bundle carries (the stack file"
                + " lies in 'docker' of it)"));
        StackSpec unread = StackDocument.of(yaml, "b", "s").withProject(ProjectFolder.unread("docker"), null)
                .resolve(Map.of(), w -> { });
        assertEquals(ProjectFolder.STACKS + "/s/conf", unread.services().get("web").mounts().get(0).source());
    }

    @Test
    void aStackFileInASubfolderOfTheProjectReadsAndListsFilesAboveIt() throws Exception {
        Path docker = Files.createDirectories(dir.resolve("docker"));
        Files.writeString(dir.resolve("common.env"), "A=from common\n");
        Files.writeString(docker.resolve(".env"), "B=from dotenv\n");
        Files.writeString(docker.resolve("compose.yaml"), "services:\n  web:\n    image: busybox:1\n"
                + "    volumes: ['../conf:/conf:ro']\n    env_file: ../common.env\n    environment: {B: $B}\n"
                + "    configs: [{source: c, target: /c}]\nconfigs:\n  c: {file: ../x/../conf/c.txt}\n");
        StackSpec spec = StackFile.load(docker.resolve("compose.yaml"), Map.of(), w -> { }).spec();
        Path root = dir.toAbsolutePath().normalize();
        assertEquals(List.of(root + "/conf", root + "/conf/c.txt"), spec.services().get("web").mounts().stream()
                .map(StackSpec.MountSpec::source).toList());
        assertEquals(Map.of("A", "from common", "B", "from dotenv"), spec.services().get("web").environment());
        assertEquals(List.of("../conf/c.txt", "../conf", "../common.env", ".env"), spec.carried().stream()
                .map(CarriedFile::path).toList());
        CarriedTree tree = CarriedTree.of(spec.project(), spec.carried().stream().map(CarriedFile::path).toList());
        assertEquals(new CarriedTree(root, "docker"), tree);
        assertEquals(List.of("conf/c.txt", "conf", "common.env", "docker/.env"), spec.carried().stream()
                .map(c -> tree.inTree(c.path())).toList());
        String shown = StackDocument.load(docker.resolve("compose.yaml"), w -> { }).resolvedText(Map.of(), w -> { });
        assertTrue(shown.contains("- " + root + "/conf:/conf:ro\n") && shown.contains("env_file: " + root
                + "/common.env\n") && shown.contains("file: " + root + "/conf/c.txt\n"), shown);
    }
}

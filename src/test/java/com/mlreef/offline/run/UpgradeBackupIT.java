package com.mlreef.offline.run;

import static com.mlreef.offline.testing.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup run makes before an upgrade, through the real engine: a stack whose volumes hold data, upgraded to
 * other versions (another image, then another configuration); the backups it leaves beside the bundle folder, one
 * of them restored after 'down --volumes'; their rotation; --no-backup; a folder without room for one.
 */
class UpgradeBackupIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;
    private static String next;

    @TempDir
    Path tmp;

    private String stack;
    private Path bundle;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "upbase");
        next = created.image(TestEngine.unique("upnext") + ":2");
        TestImages.build("FROM " + base + "\nRUN echo v2 > /version\n", next);
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
            for (String v : List.of("-data", "-etc")) { // and volumes down does not see without a container
                DockerEngine.orNull(() -> {
                    engine.removeVolume(stack + v);
                    return null;
                });
            }
        }
    }

    /** The stack file of a version: its image and its VERSION, a change of configuration. */
    private Path version(String image, String version) throws Exception {
        Path file = tmp.resolve(stack + "-" + version + ".yaml");
        Files.writeString(file, """
                name: %1$s
                x-offline:
                  images:
                    - %3$s
                services:
                  app:
                    image: %2$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    environment:
                      VERSION: %4$s
                    volumes:
                      - %1$s-data:/data
                      - %1$s-etc:/etc/app
                volumes:
                  %1$s-data: {}
                  %1$s-etc: {}
                """.formatted(stack, image, image.equals(base) ? next : base, version));
        return file;
    }

    /** Version 1 of a new stack, bundled (with the next image) and run; data written into its volumes. */
    private Path runFirstVersion() throws Exception {
        stack = TestEngine.unique("up").replace("mlro-test-", "mlrot");
        bundle = tmp.resolve("bundles").resolve(stack);
        Files.createDirectories(bundle.getParent());
        Path v1 = version(base, "v1");
        CliProcess.Result r = CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", v1.toString(), "-o",
                bundle.toString());
        assertEquals(0, r.exit(), r.toString());
        r = run("-f", v1.toString());
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.err().contains("backing up"), "nothing to replace: no backup. " + r);
        docker("exec", stack + "-app", "sh", "-c", "echo v1 data > /data/version.txt && head -c 3000000 /dev/urandom"
                + " > /data/random && echo v1 conf > /etc/app/app.conf");
        return v1;
    }

    private CliProcess.Result run(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("run", "-d", bundle.toString()));
        all.addAll(List.of(args));
        return CliProcess.run(Map.of(), all.toArray(String[]::new));
    }

    /** The automatic backups of the stack in backups/ beside the bundle folder, oldest first. */
    private List<Path> automatic() throws Exception {
        Path dir = bundle.resolveSibling("backups");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(stack + "-before-upgrade-[0-9-]+\\.tar\\.zst"))
                    .sorted().toList();
        }
    }

    private String volumeFile(String volume, String path) throws Exception {
        return docker("run", "--rm", "-v", volume + ":/v:ro", base, "cat", "/v/" + path).strip();
    }

    @Test
    void anUpgradeIsBackedUpFirstAndTheBackupRestoresTheOldData() throws Exception {
        runFirstVersion();
        String firstId = engine.inspectContainer(stack + "-app").id();
        String v1Random = docker("exec", stack + "-app", "md5sum", "/data/random");
        Path backups = Files.createDirectories(bundle.resolveSibling("backups"));
        // the user's own backups there: never removed
        Path mine = backups.resolve(stack + "-volumes-mine.tar.zst");
        CliProcess.Result r = CliProcess.run(Map.of(), "backup", "-q", "--stack", stack, "--stop", "-o",
                mine.toString());
        assertEquals(0, r.exit(), r.toString());
        Path alike = backups.resolve(stack + "-before-upgrade-mine.tar.zst");
        Files.copy(mine, alike);

        Path v2 = version(next, "v2");
        CliProcess.Result plan = run("-f", v2.toString(), "--dry-run");
        assertEquals(0, plan.exit(), plan.toString());
        assertTrue(plan.out().lines().anyMatch(l -> l.startsWith("back up volumes " + stack + "-data, " + stack
                + "-etc (about ") && l.contains(") into " + backups.resolve(stack + "-before-upgrade-"))
                && l.endsWith(", the stack stopped for it, before replacing container " + stack + "-app")), plan.out());
        assertEquals(List.of(), automatic(), "a dry run makes none");

        CliProcess.Result upgrade = run("-f", v2.toString());
        assertEquals(0, upgrade.exit(), upgrade.toString());
        List<Path> made = automatic();
        assertEquals(1, made.size(), upgrade.toString());
        Path first = made.get(0);
        assertTrue(upgrade.out().contains("backup " + first + " sha256 "), upgrade.toString());
        assertTrue(Files.exists(Path.of(first + ".sha256")));
        assertTrue(upgrade.err().contains("stopped " + stack + "-app for the backup"), upgrade.toString());
        assertFalse(firstId.equals(engine.inspectContainer(stack + "-app").id()), "replaced");
        assertEquals("v2", docker("exec", stack + "-app", "cat", "/version").strip());
        docker("exec", stack + "-app", "sh", "-c", "echo v2 data > /data/version.txt && rm /data/random");

        CliProcess.Result again = run("-f", v2.toString());
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.err().contains("backing up") || again.out().contains("backup "), again.toString());
        assertEquals(1, automatic().size(), "nothing replaced: no backup");

        r = CliProcess.run(Map.of(), "down", "-q", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, r.exit(), r.toString());
        r = CliProcess.run(Map.of(), "restore", first.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("v1 data", volumeFile(stack + "-data", "version.txt"));
        assertEquals(v1Random.split(" ")[0], docker("run", "--rm", "-v", stack + "-data:/v:ro", base, "md5sum",
                "/v/random").split(" ")[0]);
        assertEquals("v1 conf", volumeFile(stack + "-etc", "app.conf"));

        // three upgrades more: the last three automatic backups stay, and every file the user made
        r = run("-f", v2.toString());
        assertEquals(0, r.exit(), r.toString());
        for (String version : List.of("v3", "v4", "v5")) {
            r = run("-f", version(next, version).toString());
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("backup " + backups.resolve(stack + "-before-upgrade-")), r.toString());
        }
        List<Path> kept = automatic();
        assertEquals(3, kept.size(), kept.toString());
        assertFalse(kept.contains(first), "the oldest is removed");
        assertFalse(Files.exists(first) || Files.exists(Path.of(first + ".sha256")));
        assertTrue(r.err().contains("removed " + first + ", an older backup before an upgrade"), r.toString());
        for (Path user : List.of(mine, alike, Path.of(mine + ".sha256"))) {
            assertTrue(Files.exists(user), user + " is the user's");
        }

        r = run("-f", version(next, "v6").toString(), "--no-backup");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("warning: --no-backup: no backup of the volumes of stack " + stack + " is made"
                + " before replacing container " + stack + "-app"), r.toString());
        assertEquals(kept, automatic(), "--no-backup makes none");
        assertEquals("VERSION=v6", engine.inspectContainer(stack + "-app").config().env().stream()
                .filter(e -> e.startsWith("VERSION=")).findFirst().orElse(""));
    }

    @Test
    void aFolderWithoutRoomForTheBackupRefusesTheUpgradeBeforeAnyContainerChanges() throws Exception {
        runFirstVersion();
        String firstId = engine.inspectContainer(stack + "-app").id();
        Path full = Files.createDirectories(tmp.resolve("full"));
        command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full.toString());
        try {
            CliProcess.Result r = run("-f", version(next, "v2").toString(), "--backup-dir", full.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("error: not enough free space in " + full + " for the backup before the"
                    + " upgrade: the volumes of stack " + stack + " hold ") && r.err().contains(", so it needs up to ")
                    && r.err().contains("; nothing was changed"), r.toString());
            assertEquals(firstId, engine.inspectContainer(stack + "-app").id());
            assertTrue(engine.inspectContainer(stack + "-app").state().running());
            assertFalse(r.err().contains("stopped "), r.toString());
            try (Stream<Path> files = Files.list(full)) {
                assertEquals(List.of(), files.toList());
            }
            assertEquals(List.of(), engine.listContainers(List.of(StackLabels.HELPER_LABEL), true));
        } finally {
            command("umount", full.toString());
        }
    }

    @Test
    void aBackupThatFailsWhileTheStackIsStoppedStartsItAgainAndChangesNothingElse() throws Exception {
        runFirstVersion();
        String firstId = engine.inspectContainer(stack + "-app").id();
        Path noFiles = Files.createDirectories(tmp.resolve("no-files"));
        // room enough, but no inode left for a file: the backup fails once the stack is stopped
        command("mount", "-t", "tmpfs", "-o", "size=20m,nr_inodes=1", "tmpfs", noFiles.toString());
        try {
            CliProcess.Result r = run("-f", version(next, "v2").toString(), "--backup-dir", noFiles.toString());
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().contains("stopped " + stack + "-app for the backup"), r.toString());
            assertTrue(r.err().contains("error: the backup before the upgrade failed: cannot write " + noFiles)
                    && r.err().contains("; started again, as before the backup: " + stack + "-app; nothing else was"
                    + " changed"), r.toString());
            ContainerInspectView after = new ContainerInspectView(stack + "-app");
            assertEquals(firstId, after.id(), "not replaced");
            assertTrue(after.running(), "running again");
            assertEquals("VERSION=v1", after.version());
            assertEquals(List.of(), engine.listContainers(List.of(StackLabels.HELPER_LABEL), true));
        } finally {
            command("umount", noFiles.toString());
        }
        assertEquals("v1 data", volumeFile(stack + "-data", "version.txt"));
    }

    /** The container of a service as the engine has it now. */
    private record ContainerInspectView(String id, boolean running, String version) {
        ContainerInspectView(String name) {
            this(engine.inspectContainer(name).id(), engine.inspectContainer(name).state().running(),
                    engine.inspectContainer(name).config().env().stream().filter(e -> e.startsWith("VERSION="))
                            .findFirst().orElse(""));
        }
    }

    private static void command(String... args) throws Exception {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + out);
    }
}

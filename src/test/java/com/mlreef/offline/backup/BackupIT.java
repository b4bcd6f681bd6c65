package com.mlreef.offline.backup;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.mlreef.offline.testing.DockerCli.docker;


/**
 * {@code backup} and {@code restore} as an operator uses them: a stack's volumes with owners, modes, symbolic and
 * hard links and a few megabytes of data, backed up, deleted, restored and run again, all through the real engine.
 */
class BackupIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;

    @TempDir
    static Path tmp;

    private String stack;

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "backupbase");
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
            // a failed test may leave a helper container, which holds the volumes until it is removed
            helpers(stack, "").forEach(c -> engine.removeContainer(c.id(), true));
            CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
            for (String v : List.of("-data", "-etc")) { // and volumes down does not see without a container
                DockerEngine.orNull(() -> {
                    engine.removeVolume(stack + v);
                    return null;
                });
            }
            stack = null;
        }
    }

    /** A bundle of a one-service stack with two volumes, run; the service's data written into them. */
    private Path runWithData() throws Exception {
        return runWithData(3_000_000);
    }

    /** The same, with a file of {@code bytes} random bytes among the data. */
    private Path runWithData(long bytes) throws Exception {
        stack = TestEngine.unique("bk").replace("mlro-test-", "mlrot");
        Path file = tmp.resolve(stack + ".yaml");
        Files.writeString(file, """
                name: %1$s
                services:
                  app:
                    image: %2$s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    volumes:
                      - %1$s-data:/data
                      - %1$s-etc:/etc/app
                volumes:
                  %1$s-data: {}
                  %1$s-etc: {}
                """.formatted(stack, base));
        Path dir = tmp.resolve(stack + "-bundle");
        assertEquals(0, CliProcess.run(Map.of(), "export", "-q", "--no-pull", "-f", file.toString(), "-o",
                dir.toString()).exit());
        CliProcess.Result r = CliProcess.run(Map.of(), "run", "-q", "-d", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        docker("exec", stack + "-app", "sh", "-c", "mkdir -p /data/sub/deeper && echo hello > /data/a"
                + " && chown 1234:5678 /data/a && chmod 640 /data/a && ln -s a /data/link && ln /data/a /data/hard"
                + " && head -c " + bytes + " /dev/urandom > /data/sub/deeper/random && chown -R 999:999 /data/sub"
                // names that are no UTF-8, byte for byte as the file system has them
                + " && echo fd > /data/bad$(printf '\\377\\375') && echo fe > /data/bad$(printf '\\377\\376')"
                + " && chmod 700 /data && echo conf > /etc/app/app.conf && touch -d '2001-02-03 04:05:06' /etc/app/app.conf");
        return dir;
    }

    /** Every file of the stack's volumes: path, mode, owner, size, link count, link target, mtime and content. */
    private String contents() throws Exception {
        StringBuilder all = new StringBuilder();
        for (String v : List.of("-data", "-etc")) {
            all.append(docker("run", "--rm", "-v", stack + v + ":/v:ro", base, "sh", "-c",
                    "cd /v && find . | sort | while read f; do stat -c '%n %a %u:%g %s %h %N' \"$f\";"
                            + " [ -f \"$f\" ] && [ ! -L \"$f\" ] && stat -c %Y \"$f\" && md5sum \"$f\"; done; true"));
        }
        return all.toString();
    }

    @Test
    void aBackupRestoredIntoDeletedVolumesGivesBackEveryFileWithItsOwnerModeAndLinks() throws Exception {
        Path dir = runWithData();
        String before = contents();
        assertTrue(before.contains("./a 640 1234:5678 6 2"), before);
        Path file = tmp.resolve(stack + "-volumes.tar.zst");

        CliProcess.Result r = CliProcess.run(Map.of(), "backup", "--stack", stack, "-o", file.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("running containers use the volumes (" + stack + "-app)"), r.err());
        assertFalse(Files.exists(file));

        r = CliProcess.run(Map.of(), "backup", "--stack", stack, "-o", file.toString(), "--stop");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith(file + " sha256 "), r.out());
        assertEquals("running", engine.inspectContainer(stack + "-app").state().status(), "started again after");
        assertTrue(r.err().contains("stopped " + stack + "-app") && r.err().contains("started " + stack + "-app"),
                r.err());
        assertNothingLeft();

        r = CliProcess.run(Map.of(), "backup", "--stack", stack, "-o", file.toString(), "--stop");
        assertEquals(1, r.exit(), "never written over: " + r);

        r = CliProcess.run(Map.of(), "restore", file.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("running containers use volumes of the backup"), r.err());
        assertEquals(0, CliProcess.run(Map.of(), "stop", "-q", "--stack", stack).exit());
        docker("run", "--rm", "-v", stack + "-etc:/v", base, "sh", "-c", "echo changed > /v/app.conf");
        String changed = contents();
        r = CliProcess.run(Map.of(), "restore", file.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("volumes " + stack + "-data, " + stack + "-etc hold data"), r.err());
        assertEquals(changed, contents(), "a refused restore changes nothing");

        r = CliProcess.run(Map.of(), "down", "-q", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, r.exit(), r.toString());
        r = CliProcess.run(Map.of(), "restore", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(before, contents());
        assertEquals(Map.of(StackLabels.STACK_LABEL, stack), engine.inspectVolume(stack + "-data").labels(),
                "the stack's volumes again, for status and down");
        assertNothingLeft();

        r = CliProcess.run(Map.of(), "run", "-q", "-d", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello\n", docker("exec", stack + "-app", "cat", "/data/a"));
    }

    @Test
    void aDamagedBackupChangesNothingAndARestoreKilledMidwayIsFinishedByTheNextOne() throws Exception {
        Path dir = runWithData(150_000_000);
        String before = contents();
        assertEquals(0, CliProcess.run(Map.of(), "stop", "-q", "--stack", stack).exit());
        Path file = tmp.resolve(stack + "-volumes.tar");
        CliProcess.Result r = CliProcess.run(Map.of(), "backup", "-q", "--stack", stack, "-o", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(VolumeBackup.sumsOf(file)).endsWith("  " + file.getFileName() + "\n"));
        assertEquals(0, CliProcess.run(Map.of(), "down", "-q", "--stack", stack, "--volumes", "--yes").exit());

        Path damaged = tmp.resolve(stack + "-damaged.tar"); // one byte flipped in the large file's data
        Files.copy(file, damaged);
        Files.copy(VolumeBackup.sumsOf(file), VolumeBackup.sumsOf(damaged));
        try (var channel = java.nio.channels.FileChannel.open(damaged, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            var one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, Files.size(damaged) / 2);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, Files.size(damaged) / 2);
        }
        r = CliProcess.run(Map.of(), "restore", damaged.toString());
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("differs from its sha256 in " + VolumeBackup.sumsOf(damaged)), r.err());
        assertNull(DockerEngine.orNull(() -> engine.inspectVolume(stack + "-data")), "nothing was changed");

        Path logs = Files.createDirectories(tmp.resolve(stack + "-logs"));
        Process restore = CliProcess.start(logs, "restore", file.toString());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (helpers(stack, "=restore").isEmpty()) {
            assertTrue(restore.isAlive() && System.nanoTime() < deadline, "the restore began writing: "
                    + Files.readString(logs.resolve("stderr.txt")));
            Thread.sleep(20);
        }
        Thread.sleep(300); // writing
        restore.destroyForcibly();
        assertTrue(restore.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));

        r = CliProcess.run(Map.of(), "run", "-q", "-d", dir.toString());
        assertEquals(1, r.exit(), "no stack on half-restored volumes: " + r);
        assertTrue(r.err().contains("was interrupted (its container mlreef-offline-restore-" + stack) && r.err()
                .contains("holds them): run that restore again to finish it"), r.err());
        r = CliProcess.run(Map.of(), "restore", file.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("finishing the restore of " + stack + "-data, " + stack + "-etc that was"
                + " interrupted"), r.err());
        assertEquals(before, contents());
        assertNothingLeft();
    }

    @Test
    void aBackupWithStopThatIsInterruptedStartsTheStackAgain() throws Exception {
        runWithData(150_000_000);
        Path file = tmp.resolve(stack + "-interrupted.tar");
        Path logs = Files.createDirectories(tmp.resolve(stack + "-logs"));
        Process backup = CliProcess.start(logs, "backup", "--stack", stack, "--stop", "-o", file.toString());
        Path partial = Path.of(file + ".partial");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!(Files.exists(partial) && Files.size(partial) > (10 << 20))) {
            assertTrue(backup.isAlive() && System.nanoTime() < deadline, "the backup began writing: "
                    + Files.readString(logs.resolve("stderr.txt")));
            Thread.sleep(20);
        }
        backup.destroy(); // SIGTERM
        assertTrue(backup.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(143, backup.exitValue());
        String err = Files.readString(logs.resolve("stderr.txt"));
        assertTrue(err.contains("no backup was written") && err.contains("the stack, stopped for the backup, was"
                + " started again"), err);
        assertEquals("running", engine.inspectContainer(stack + "-app").state().status());
        assertFalse(Files.exists(file));
    }

    /** No helper container and no helper image stay behind. */
    private void assertNothingLeft() {
        assertEquals(List.of(), helpers(stack, ""));
        // the helper image goes with the last helper: another backup on this engine may still use it
        if (engine.listContainers(List.of(StackLabels.HELPER_LABEL), true).isEmpty()) {
            assertNull(DockerEngine.orNull(() -> engine.inspectImage("mlreef-offline/empty:1")));
        }
    }

    /** The helper containers of this test's stack (named after it): those of other stacks are not this test's. */
    private static List<ContainerSummary> helpers(String stack, String kind) {
        return engine.listContainers(List.of(StackLabels.HELPER_LABEL + kind), true).stream()
                .filter(c -> c.names() != null && c.names().stream().anyMatch(n -> n.contains("-" + stack + "-")))
                .toList();
    }
}

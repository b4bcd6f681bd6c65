package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupFilesTest {
    private static final Instant NOW = Instant.parse("2026-12-07T15:04:05.600Z");

    @TempDir
    Path dir;

    @Test
    void aNewBackupIsNamedByItsStackAndTheTimeInUtcAndNeverTakesANameInUse() throws Exception {
        Path first = BackupFiles.next(dir, "nautilus", NOW);
        assertEquals(dir.resolve("nautilus-before-upgrade-20261207-150405.tar.zst"), first);
        Files.writeString(first, "x");
        Path second = BackupFiles.next(dir, "nautilus", NOW);
        assertEquals(dir.resolve("nautilus-before-upgrade-20261207-150405-2.tar.zst"), second);
        Files.writeString(BackupFiles.sumsOf(second), "x"); // its sha256 alone takes the name too
        assertEquals(dir.resolve("nautilus-before-upgrade-20261207-150405-3.tar.zst"),
                BackupFiles.next(dir, "nautilus", NOW));
    }

    @Test
    void rotationKeepsTheLastThreeOfTheStackAndRemovesNothingElse() throws Exception {
        List<String> automatic = List.of("s-before-upgrade-20261207-150405.tar.zst",
                "s-before-upgrade-20261207-150405-2.tar.zst", "s-before-upgrade-20261207-150405-10.tar.zst",
                "s-before-upgrade-20261208-000000.tar.zst", "s-before-upgrade-20251231-235959.tar.zst");
        List<String> others = List.of("s-volumes-20260101-000000.tar.zst", "s-before-upgrade-mine.tar.zst",
                "s-before-upgrade-20200101-000000.tar.gz", "other-before-upgrade-20200101-000000.tar.zst",
                "xs-before-upgrade-20200101-000000.tar.zst", "s-before-upgrade-20200101-000000.tar.zst.bak",
                "s-before-upgrade-20200101-000000.tar.zst.partial");
        for (String name : Stream.concat(automatic.stream(), others.stream()).toList()) {
            Files.writeString(dir.resolve(name), name);
            Files.writeString(dir.resolve(name + ".sha256"), name);
        }
        Files.createDirectory(dir.resolve("s-before-upgrade-20000101-000000.tar.zst")); // a folder: not a backup

        assertEquals(List.of(dir.resolve("s-before-upgrade-20251231-235959.tar.zst"),
                        dir.resolve("s-before-upgrade-20261207-150405.tar.zst")),
                BackupFiles.rotate(dir, "s", BackupFiles.KEPT));
        assertEquals(List.of(dir.resolve("s-before-upgrade-20261207-150405-2.tar.zst"),
                        dir.resolve("s-before-upgrade-20261207-150405-10.tar.zst"),
                        dir.resolve("s-before-upgrade-20261208-000000.tar.zst")),
                BackupFiles.automatic(dir, "s").stream().map(BackupFiles.Automatic::file).toList());
        assertTrue(Files.notExists(dir.resolve("s-before-upgrade-20251231-235959.tar.zst.sha256")));
        for (String name : others) {
            assertTrue(Files.exists(dir.resolve(name)) && Files.exists(dir.resolve(name + ".sha256")), name);
        }
        assertTrue(Files.isDirectory(dir.resolve("s-before-upgrade-20000101-000000.tar.zst")));
        assertEquals(List.of(), BackupFiles.rotate(dir, "s", BackupFiles.KEPT), "three are left");
        assertEquals(List.of(), BackupFiles.rotate(dir.resolve("missing"), "s", BackupFiles.KEPT));
    }

    @Test
    void whatAnInterruptedAutomaticBackupLeftIsRemovedAndNothingElse() throws Exception {
        List<String> kept = List.of("s-before-upgrade-20261207-150405.tar.zst", "s-volumes.tar.zst.partial",
                "other-before-upgrade-20261207-150405.tar.zst.partial", "s-before-upgrade-x.tar.zst.partial");
        for (String name : kept) {
            Files.writeString(dir.resolve(name), name);
        }
        Path partial = Files.writeString(dir.resolve("s-before-upgrade-20261207-150405-2.tar.zst.partial"), "x");
        assertEquals(List.of(partial), BackupFiles.removePartial(dir, "s"));
        kept.forEach(name -> assertTrue(Files.exists(dir.resolve(name)), name));
    }
}

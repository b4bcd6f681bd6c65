package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file appears under its own name only when committed. */
class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void onlyACommittedFileHasItsName() throws Exception {
        Path target = dir.resolve("a.tar");
        try (AtomicFile file = AtomicFile.create(target)) {
            file.stream().write(new byte[] {1, 2, 3});
            assertTrue(Files.exists(dir.resolve("a.tar.partial")));
            assertFalse(Files.exists(target));
        }
        assertFalse(Files.exists(target), "not committed: nothing under the name");
        assertFalse(Files.exists(dir.resolve("a.tar.partial")), "and the temporary file is gone");

        Files.writeString(dir.resolve("a.tar.partial"), "left by a killed run");
        Files.writeString(target, "old");
        AtomicFile.write(target, "new".getBytes());
        assertEquals("new", Files.readString(target));
        assertFalse(Files.exists(dir.resolve("a.tar.partial")));
    }
}

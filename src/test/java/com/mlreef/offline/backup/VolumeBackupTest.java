package com.mlreef.offline.backup;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VolumeBackupTest {
    private static final Path FILE = Path.of("b.tar");

    @Test
    void aFileNameGivesItsCompression() {
        assertEquals(Compression.NONE, VolumeBackup.compressionOf(Path.of("/x/b.tar")));
        assertEquals(Compression.GZIP, VolumeBackup.compressionOf(Path.of("b.tar.gz")));
        assertEquals(Compression.GZIP, VolumeBackup.compressionOf(Path.of("b.tgz")));
        assertEquals(Compression.ZSTD, VolumeBackup.compressionOf(Path.of("b.tar.zst")));
        assertEquals(Compression.ZSTD, VolumeBackup.compressionOf(Path.of("b.tzst")));
        assertNull(VolumeBackup.compressionOf(Path.of("b.zip")));
        assertNull(VolumeBackup.compressionOf(Path.of("b.tar.xz")));
    }

    @Test
    void anEntryMustLieInAVolumeTheBackupLists() {
        Set<String> volumes = Set.of("data", "etc");
        for (String ok : List.of("volumes/", "volumes/data", "volumes/data/", "volumes/etc/a/b", "volumes/data/..x")) {
            assertDoesNotThrow(() -> VolumeBackup.checkPlace(FILE, ok, volumes), ok);
        }
        for (String bad : List.of("backup.json", "/volumes/data/a", "volumes/other/a", "volumes/data/../../x",
                "volumes/../etc/passwd", "data/a", "volumes")) {
            ToolException e = assertThrows(ToolException.class, () -> VolumeBackup.checkPlace(FILE, bad, volumes), bad);
            assertEquals("b.tar: the entry " + bad + " is not in a volume that backup.json lists; the file is damaged"
                    + " or was not made by 'mlreef-offline backup'", e.getMessage());
        }
    }
}

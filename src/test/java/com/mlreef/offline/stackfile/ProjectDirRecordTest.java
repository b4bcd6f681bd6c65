package com.mlreef.offline.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --project-dir run was given, recorded beside the stack folders for the next run, and checked when read. */
class ProjectDirRecordTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    @Test
    void aFolderIsRecordedReadBackAndForgottenAndTheDefaultOneIsNotRecorded() throws Exception {
        Path stacks = dir.resolve("stacks");
        ProjectDirRecord record = new ProjectDirRecord(stacks);
        assertNull(record.read("app", warnings::add), "none yet");
        record.write("app", dir.resolve("srv/./app/"));
        assertEquals(dir.toAbsolutePath().normalize() + "/srv/app\n", Files.readString(stacks.resolve("app.project-dir")));
        assertEquals(dir.toAbsolutePath().normalize().resolve("srv/app"), record.read("app", warnings::add));
        assertNull(record.read("other", warnings::add), "one record a stack");
        record.write("app", stacks.resolve("app"));
        assertFalse(Files.exists(stacks.resolve("app.project-dir")), "the default folder needs no record");
        record.write("app", Path.of("/srv/app"));
        record.forget("app");
        assertFalse(Files.exists(stacks.resolve("app.project-dir")));
        record.forget("app");
        assertEquals(List.of(), warnings);
        Files.writeString(dir.resolve("x.project-dir"), "/srv/x\n");
        record.forget("../x");
        assertNull(record.read("../x", warnings::add), "a name that is no stack's has no record");
        assertTrue(Files.exists(dir.resolve("x.project-dir")), "nothing outside the stacks' folder is touched");
    }

    @Test
    void aRecordThatIsNotOneAbsoluteNormalizedPathIsIgnoredWithAWarning() throws Exception {
        Path stacks = Files.createDirectories(dir.resolve("stacks"));
        ProjectDirRecord record = new ProjectDirRecord(stacks);
        for (String bad : List.of("", "srv/app\n", "/srv/../etc\n", "/srv//app", "/\n", "/srv/a\n/srv/b\n",
                "/srv/a\0b", stacks + "\n", stacks + "/app\n")) {
            Files.writeString(stacks.resolve("app.project-dir"), bad);
            warnings.clear();
            assertNull(record.read("app", warnings::add), bad);
            assertEquals(1, warnings.size(), bad);
            assertTrue(warnings.get(0).startsWith("ignored " + stacks.resolve("app.project-dir") + ": "),
                    warnings.get(0));
        }
        Files.write(stacks.resolve("app.project-dir"), new byte[] {(byte) 0xff, '\n'});
        warnings.clear();
        assertNull(record.read("app", warnings::add));
        assertTrue(warnings.get(0).endsWith("not text (UTF-8)"), warnings.toString());
        Files.writeString(stacks.resolve("app.project-dir"), "/srv/" + "a".repeat(5000) + "\n");
        warnings.clear();
        assertNull(record.read("app", warnings::add));
        assertTrue(warnings.get(0).contains("more than 4096 bytes"), warnings.toString());
        Files.delete(stacks.resolve("app.project-dir"));
        Files.createDirectories(stacks.resolve("app.project-dir"));
        warnings.clear();
        assertNull(record.read("app", warnings::add));
        assertTrue(warnings.get(0).endsWith("not a plain file"), warnings.toString());
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.stackfile.ProjectFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which stack folder down --volumes may offer to remove: the default one, or one that run made, never another. */
class StackFolderRemovalTest {
    @TempDir
    Path dir;

    private static void record(Path folder, boolean created) throws Exception {
        Files.createDirectories(folder);
        Files.write(folder.resolve(CarriedState.FILE_NAME), StackFolder.JSON.writeValueAsBytes(
                new CarriedState("b1", Map.of(), created)));
    }

    @Test
    void theDefaultFolderIsTheTools() {
        assertTrue(StackFolder.removable(ProjectFolder.STACKS.resolve("s"), "s"));
        assertFalse(StackFolder.removable(ProjectFolder.STACKS.resolve("other"), "s"),
                "another stack's folder is not this one's default");
    }

    @Test
    void aGivenFolderOnlyWhenRunMadeIt() throws Exception {
        Path made = dir.resolve("made");
        record(made, true);
        assertTrue(StackFolder.removable(made, "s"));
        Path before = dir.resolve("before");
        record(before, false);
        assertFalse(StackFolder.removable(before, "s"));
        Path unrecorded = Files.createDirectories(dir.resolve("plain"));
        assertFalse(StackFolder.removable(unrecorded, "s"), "a folder run never wrote");
        Path older = Files.createDirectories(dir.resolve("older"));
        Files.writeString(older.resolve(CarriedState.FILE_NAME), "{\"bundle\":\"b0\",\"files\":{}}");
        assertFalse(StackFolder.removable(older, "s"), "a record of a version that did not say");
        Path damaged = Files.createDirectories(dir.resolve("damaged"));
        Files.writeString(damaged.resolve(CarriedState.FILE_NAME), "{not json");
        assertFalse(StackFolder.removable(damaged, "s"));
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets and configs whose text the stack gives, as run writes them into the stack folder and labels their users. */
class WrittenFilesTest {
    private static final String YAML = "services:\n  web:\n    image: busybox:1\n    secrets: [db]\n"
            + "    configs: [site]\n  other:\n    image: busybox:1\n"
            + "secrets:\n  db: {environment: DB_PASSWORD}\nconfigs:\n  site: {content: \"port=${PORT}\"}\n";

    @TempDir
    Path dir;

    private StackSpec load(Map<String, String> env) throws Exception {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, YAML);
        return StackFile.load(file, env, w -> { }).spec();
    }

    @Test
    void aSecretIsWrittenReadableByItsOwnerOnlyAConfigByAllAndOnlyWhenChanged() throws Exception {
        StackSpec spec = load(Map.of("DB_PASSWORD", "pw-1", "PORT", "80"));
        Path secret = dir.toAbsolutePath().normalize().resolve(".mlreef-offline-written/secrets/db");
        assertEquals(List.of("write secret " + secret, "write config " + secret.getParent().getParent()
                .resolve("configs/site")), WrittenFiles.lines(spec.written()), "a dry run's lines");
        List<String> said = WrittenFiles.write(spec.written());
        Path config = dir.toAbsolutePath().normalize().resolve(".mlreef-offline-written/configs/site");
        assertEquals(List.of("wrote " + secret, "wrote " + config), said, "the lines name the files, not their text");
        assertEquals("pw-1", Files.readString(secret));
        assertEquals("port=80", Files.readString(config));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret.getParent())));
        assertEquals(List.of(), WrittenFiles.write(spec.written()), "unchanged: not written again");
        assertEquals(List.of(), WrittenFiles.lines(spec.written()));

        StackSpec changed = load(Map.of("DB_PASSWORD", "pw-2", "PORT", "80"));
        assertEquals(List.of("wrote " + secret), WrittenFiles.write(changed.written()));
        assertEquals("pw-2", Files.readString(secret));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    }

    @Test
    void aChangedTextChangesTheLabelOfTheServicesThatMountItOnlyAndTheLabelHoldsNoText() throws Exception {
        StackSpec first = WrittenFiles.labelled(load(Map.of("DB_PASSWORD", "pw-1", "PORT", "80")));
        StackSpec same = WrittenFiles.labelled(load(Map.of("DB_PASSWORD", "pw-1", "PORT", "80")));
        StackSpec changed = WrittenFiles.labelled(load(Map.of("DB_PASSWORD", "pw-2", "PORT", "80")));
        String label = first.services().get("web").labels().get(StackLabels.FILES_LABEL);
        assertTrue(label != null && label.matches("[0-9a-f]{64}"), String.valueOf(label));
        assertEquals(label, same.services().get("web").labels().get(StackLabels.FILES_LABEL));
        assertNotEquals(label, changed.services().get("web").labels().get(StackLabels.FILES_LABEL));
        assertNull(first.services().get("other").labels().get(StackLabels.FILES_LABEL));
        assertEquals(first.written(), first.withServices(first.services()).written());
    }

    @Test
    void theStackFolderLabelsWrittenFilesAsItLabelsCarriedOnes() throws Exception {
        StackFolder folder = StackFolder.plan(dir, dir, new com.mlreef.offline.bundle.BundleManifest(1, "b", null,
                null, true, null, List.of(), null, null));
        String a = folder.labelled(load(Map.of("DB_PASSWORD", "pw-1", "PORT", "80"))).services().get("web")
                .labels().get(StackLabels.FILES_LABEL);
        String b = folder.labelled(load(Map.of("DB_PASSWORD", "pw-1", "PORT", "81"))).services().get("web")
                .labels().get(StackLabels.FILES_LABEL);
        assertTrue(a != null && !a.equals(b), a + " " + b);
    }
}

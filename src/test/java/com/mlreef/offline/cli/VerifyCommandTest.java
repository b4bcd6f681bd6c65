package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @TempDir
    Path dir;

    private void bundle(String stackText, String... references) throws IOException {
        BundleManifest.Image image = new BundleManifest.Image(List.of(references), "sha256:" + "a".repeat(64),
                "linux/amd64", List.of(), "images/app.tar", 1, "b".repeat(64), Compression.NONE, null, null);
        BundleFiles.write(dir, new BundleManifest(1, "b-1", new BundleManifest.Tool("mlreef-offline", "1"),
                "2026-01-01T00:00:00Z", true, new BundleManifest.Stack("s", "f", stackText), List.of(image), null,
                null));
    }

    @Test
    void theStackABundleCarriesIsCheckedAsRunWouldReadIt() throws IOException {
        bundle("name: s\nservices:\n  app:\n    image: app:1\n", "app:1");
        assertEquals(List.of(), VerifyCommand.stackProblems(dir));

        bundle("services: 5\n", "app:1");
        List<String> broken = VerifyCommand.stackProblems(dir);
        assertEquals(1, broken.size(), broken.toString());
        assertTrue(broken.get(0).startsWith("the stack of " + dir.resolve("bundle.json") + ": services"),
                broken.toString());

        bundle("name: s\nservices:\n  app:\n    image: app:2\n", "NOT A REF!!");
        assertEquals(List.of(dir.resolve("bundle.json") + ": its stack runs app:2, which it does not carry",
                dir.resolve("bundle.json") + ": carries NOT A REF!!, which its stack does not name"),
                VerifyCommand.stackProblems(dir));
    }
}

package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.mlreef.offline.testing.CliProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder the tool runs in is the operator's: a Compose project's {@code .env} or a {@code config/} folder there
 * does not configure (or stop) the tool.
 */
class WorkingFolderIT {
    @TempDir
    Path dir;

    @Test
    void aDotEnvAndAConfigFolderInTheWorkingFolderAreNotTheToolsConfiguration() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve(".env"), "QUARKUS_LOG_LEVEL=DEBUG\nQUARKUS_BANNER_ENABLED=true\n"
                + "QUARKUS_LOG_CONSOLE_STDERR=false\n");
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/application.properties"), "quarkus.log.level=DEBUG\n");
        String version = CliProcess.runIn(null, List.of(), Map.of(), "--version").out();
        CliProcess.Result here = CliProcess.runIn(dir, List.of(), Map.of(), "--version");
        assertEquals(0, here.exit(), here.toString());
        assertEquals(version, here.out());
        assertEquals("", here.err());

        // a .env only its owner may read, run by another user (root reads every file)
        Files.setPosixFilePermissions(dir.resolve(".env"), PosixFilePermissions.fromString("---------"));
        List<String> other = "root".equals(System.getProperty("user.name"))
                ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--") : List.of();
        CliProcess.Result unreadable = CliProcess.runIn(dir, other, Map.of("HOME", "/tmp"), "--version");
        assertEquals(0, unreadable.exit(), unreadable.toString());
        assertEquals(version, unreadable.out());
    }
}

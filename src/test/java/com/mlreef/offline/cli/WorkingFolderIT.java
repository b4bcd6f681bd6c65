package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.TestEngine;
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

    @Test
    void aFolderNameTheLocaleCannotHoldIsReadByTheExecutableAndNamedByTheJar() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("j\u00fcrgen"));
        Files.writeString(folder.resolve("stack.yaml"), "services:\n  web:\n    image: busybox:1\n");
        CliProcess.Result r = CliProcess.runIn(folder, List.of(), Map.of("LANG", "C", "LC_ALL", "C"),
                "stack", "show", "-f", "stack.yaml");
        if (CliProcess.isNative()) {
            // the executable names files in UTF-8 whatever the locale: nothing to refuse
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains("image: busybox:1"), r.toString());
        } else {
            // a JVM under LANG=C would turn the name into question marks and miss every relative path
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().startsWith("error: the current folder's name ("), r.toString());
            assertTrue(r.err().contains("set a UTF-8 locale (export LANG=C.UTF-8)"), r.toString());
        }
    }

    @Test
    void aStackFileOnStandardInputIsNamedAfterTheWorkingFolderAsComposeDoes() throws Exception {
        // a name of its own: a stack named billing may run on this engine
        String suffix = TestEngine.unique("").substring("mlro-test--".length());
        Path project = Files.createDirectories(dir.resolve("Billing-" + suffix));
        Path stack = dir.resolve("stack.txt");
        Files.writeString(stack, "services:\n  web:\n    image: busybox:1\n    ports: ['18080:80']\n");
        CliProcess.Result shown = CliProcess.runIn(project, stack, List.of(), Map.of(), "stack", "show", "-f", "-",
                "--as-written");
        assertEquals(0, shown.exit(), shown.toString());
        assertEquals(Files.readString(stack), shown.out());
        CliProcess.Result status = CliProcess.runIn(project, stack, List.of(), Map.of(), "status", "-f", "-");
        assertEquals(1, status.exit(), status.toString());
        assertTrue(status.err().startsWith("error: this engine has no stack billing-" + suffix + " "),
                status.toString());
        Files.write(stack, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        CliProcess.Result binary = CliProcess.runIn(project, stack, List.of(), Map.of(), "stack", "show", "-f", "-");
        assertEquals(2, binary.exit(), binary.toString());
        assertEquals("error: the stack file on standard input is not text (UTF-8)", binary.err().strip());
    }
}

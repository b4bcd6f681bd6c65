package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -H, -v, -q, --help and --version before the command's name do what they do after it. */
@QuarkusMainTest
class GlobalOptionsTest {
    private static final String NOPE = "unix:///nope.sock";

    @TempDir
    Path dir;

    private static void same(LaunchResult before, LaunchResult after) {
        assertEquals(after.exitCode(), before.exitCode(), before.getErrorOutput());
        assertEquals(after.getOutput(), before.getOutput());
        assertEquals(after.getErrorOutput(), before.getErrorOutput());
    }

    @Test
    void theEngineAddressBeforeTheCommandIsTheOneUsed(QuarkusMainLauncher launcher) throws IOException {
        LaunchResult doctor = launcher.launch("-H", NOPE, "doctor");
        same(doctor, launcher.launch("doctor", "-H", NOPE));
        assertEquals(1, doctor.exitCode(), doctor.getErrorOutput());
        assertTrue(doctor.getOutput().contains("socket /nope.sock does not exist"), doctor.getOutput());

        LaunchResult status = launcher.launch("-H", NOPE, "status");
        same(status, launcher.launch("status", "-H", NOPE));
        assertEquals(3, status.exitCode(), status.getErrorOutput());
        assertTrue(status.getErrorOutput().contains("/nope.sock"), status.getErrorOutput());

        Files.writeString(dir.resolve("stack.yaml"), "name: g\nservices:\n  app:\n    image: app:1\n");
        Files.createFile(dir.resolve("app.tar"));
        String stack = dir.resolve("stack.yaml").toString();
        LaunchResult run = launcher.launch("-H", NOPE, "run", "-d", dir.toString(), "-f", stack);
        same(run, launcher.launch("run", "-d", dir.toString(), "-f", stack, "-H", NOPE));
        assertEquals(3, run.exitCode(), run.getErrorOutput());
        assertTrue(run.getErrorOutput().contains("/nope.sock"), run.getErrorOutput());
    }

    @Test
    void anAddressAfterTheCommandWinsOverOneBefore(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("-H", "unix:///first.sock", "status", "-H", NOPE);
        assertEquals(3, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getErrorOutput().contains("/nope.sock") && !r.getErrorOutput().contains("first.sock"),
                r.getErrorOutput());
    }

    @Test
    void verboseAndQuietBeforeTheCommand(QuarkusMainLauncher launcher) {
        LaunchResult verbose = launcher.launch("-v", "status", "-H", NOPE);
        assertEquals(3, verbose.exitCode());
        assertTrue(verbose.getErrorOutput().contains("\tat com.mlreef.offline."), "a stack trace with -v: "
                + verbose.getErrorOutput());
        LaunchResult plain = launcher.launch("status", "-H", NOPE);
        assertEquals(1, plain.getErrorOutput().strip().lines().count(), plain.getErrorOutput());

        LaunchResult both = launcher.launch("-q", "doctor", "-v");
        assertEquals(2, both.exitCode());
        assertTrue(both.getErrorOutput().strip().endsWith("\nerror: -q/--quiet and -v/--verbose say the opposite:"
                + " give one of them"), "-q given before reached the command: " + both.getErrorOutput());
    }

    @Test
    void helpAndVersionBeforeOrAfterTheCommand(QuarkusMainLauncher launcher) {
        for (String command : List.of("doctor", "run", "status")) {
            LaunchResult before = launcher.launch("--help", command);
            same(before, launcher.launch(command, "--help"));
            assertEquals(0, before.exitCode());
            assertTrue(before.getOutput().startsWith("Usage: mlreef-offline " + command), before.getOutput());
            for (String option : List.of("--host", "--verbose", "--quiet", "--help", "--version")) {
                assertEquals(1, Pattern.compile("^\\s+(-\\w, )?" + option + "\\b", Pattern.MULTILINE)
                        .matcher(before.getOutput()).results().count(), option + " once in:\n" + before.getOutput());
            }
        }
        LaunchResult version = launcher.launch("--version");
        same(launcher.launch("doctor", "--version"), version);
        same(launcher.launch("--version", "status"), version);
        String top = launcher.launch("--help").getOutput();
        for (String option : List.of("--host", "--verbose", "--quiet", "--help", "--version")) {
            assertTrue(top.contains(option), option + " in:\n" + top);
        }
    }
}

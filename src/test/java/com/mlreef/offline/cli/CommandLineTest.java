package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user types them, in the JVM: exit code, stdout and stderr. */
@QuarkusMainTest
class CommandLineTest {
    private static final List<String> COMMANDS = List.of("export", "verify", "run", "status", "logs", "stop", "start",
            "restart", "down", "backup", "restore", "doctor", "stack", "completion",
            "pip-serve");

    @Test
    void helpListsEveryCommandAndTheExitCodes(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("--help");
        assertEquals(0, r.exitCode());
        String help = r.getOutput();
        for (String command : COMMANDS) {
            assertTrue(help.contains("\n  " + command + " "), command + " in:\n" + help);
        }
        assertTrue(help.contains("Exit codes:"), help);
        assertTrue(help.contains("3     no Docker Engine reachable"), help);
    }

    @Test
    void versionPrintsTheBuiltVersion(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.getOutput().matches("mlreef-offline \\d+\\.\\d+\\.\\d+.*"), r.getOutput());
    }

    @Test
    void aMistypedCommandIsBadUsageWithASuggestion(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("expot");
        assertEquals(2, r.exitCode());
        assertEquals("", r.getOutput());
        assertEquals("error: Unmatched argument at index 0: 'expot' (did you mean export?); see 'mlreef-offline --help'",
                r.getErrorOutput().strip(), "one line");
    }

    @Test
    void noCommandIsBadUsage(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch();
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("error: no command given"), r.getErrorOutput());
    }

    @Test
    void anUnknownOptionIsBadUsage(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("doctor", "--colour");
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("see 'mlreef-offline doctor --help'"), r.getErrorOutput());
        LaunchResult empty = launcher.launch("export", "-o", "");
        assertEquals(2, empty.exitCode());
        assertEquals("error: Invalid value for option '--output': an empty path; give a file or folder ('.' for this"
                + " one); see 'mlreef-offline export --help'", empty.getErrorOutput().strip(),
                "an unset variable does not mean this folder");
    }

    @Test
    void verifyNeedsAFolder(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("verify");
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("error: Missing required option: '--dir=DIR'"), r.getErrorOutput());
    }

    @Test
    void exportHelpAnswersWhereFilesGoAndHowToCheckThem(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("export", "--help");
        assertEquals(0, r.exitCode());
        String help = r.getOutput().replaceAll("\\s+", " ");
        for (String text : List.of("(default: mlreef-images-tar)", "--compress", "none (fastest to load)", "--combined",
                "--no-pull", "SHA256SUMS (sha256sum -c reads it)", "bundle.json", "mlreef-offline verify -d DIR")) {
            assertTrue(help.contains(text), text + " in:\n" + r.getOutput());
        }
    }

    @Test
    void anEmptyNameOrAMissingFileGivenOnPurposeIsAUsageError(QuarkusMainLauncher launcher) {
        LaunchResult stack = launcher.launch("stop", "--stack", "");
        assertEquals(2, stack.exitCode());
        assertEquals("error: --stack: an empty name (is a variable unset?)", stack.getErrorOutput().strip());
        LaunchResult service = launcher.launch("restart", "--stack", "s", "");
        assertEquals(2, service.exitCode());
        assertEquals("error: SERVICE: an empty name (is a variable unset?)", service.getErrorOutput().strip());
        LaunchResult logs = launcher.launch("logs", "--stack", "s", "");
        assertEquals(2, logs.exitCode());
        assertEquals("error: SERVICE: an empty name (is a variable unset?)", logs.getErrorOutput().strip());
        LaunchResult since = launcher.launch("export", "--since", "/nonexistent/v1");
        assertEquals(2, since.exitCode());
        assertTrue(since.getErrorOutput().startsWith("error: --since: /nonexistent/v1 does not exist"),
                since.getErrorOutput());
        LaunchResult config = launcher.launch("doctor", "--daemon-config", "/nonexistent/daemon.json");
        assertEquals(2, config.exitCode());
        assertEquals("error: --daemon-config: /nonexistent/daemon.json does not exist", config.getErrorOutput().strip());
    }

    @Test
    void aTimeoutThatIsNotADurationOrLeavesNoTimeIsBadUsage(QuarkusMainLauncher launcher) {
        LaunchResult zero = launcher.launch("run", "-d", "/nonexistent", "--timeout", "0s");
        assertEquals(2, zero.exitCode());
        assertEquals("error: --timeout: '0s' leaves no time to wait; give at least 1s", zero.getErrorOutput().strip());
        LaunchResult days = launcher.launch("run", "-d", "/nonexistent", "--timeout", "30d");
        assertEquals(2, days.exitCode());
        assertEquals("error: --timeout: '30d' is not a duration (30s, 15m, 1h30m; at most 720h)",
                days.getErrorOutput().strip());
    }

    @Test
    void aStackFileThatIsNotTextOrTooBigOrNotAFileIsBadUsage(QuarkusMainLauncher launcher) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("stacks");
        try {
            java.nio.file.Path binary = java.nio.file.Files.write(dir.resolve("bin.yaml"), new byte[] {(byte) 0xff, 0});
            LaunchResult notText = launcher.launch("stack", "show", "-f", binary.toString());
            assertEquals(2, notText.exitCode());
            assertEquals("error: stack file " + binary + " is not text (UTF-8): is it the right file?",
                    notText.getErrorOutput().strip());
            java.nio.file.Path big = java.nio.file.Files.writeString(dir.resolve("big.yaml"), " ".repeat((3 << 20) + 1));
            LaunchResult tooBig = launcher.launch("stack", "show", "-f", big.toString());
            assertEquals(2, tooBig.exitCode());
            assertTrue(tooBig.getErrorOutput().contains("has 3145729 bytes, more than a stack file's 3145728"),
                    tooBig.getErrorOutput());
            LaunchResult folder = launcher.launch("stack", "show", "-f", dir.toString());
            assertEquals(2, folder.exitCode());
            assertEquals("error: stack file " + dir + " is not a regular file", folder.getErrorOutput().strip());
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void optionsThatContradictOrAnswerNoQuestionAreBadUsage(QuarkusMainLauncher launcher) {
        LaunchResult both = launcher.launch("status", "-q", "-v");
        assertEquals(2, both.exitCode());
        assertTrue(both.getErrorOutput().contains("-q/--quiet and -v/--verbose say the opposite: give one of them"),
                both.getErrorOutput());
        LaunchResult yes = launcher.launch("down", "--yes");
        assertEquals(2, yes.exitCode());
        assertTrue(yes.getErrorOutput().startsWith("error: --yes answers the question of --volumes, which was not"
                + " given"), yes.getErrorOutput());
    }

    @Test
    void anErrorOfACommandAskedForJsonIsJsonOnStdoutToo(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult r = launcher.launch("verify", "--json", "-d", "/nonexistent/bundle");
        assertEquals(2, r.exitCode());
        assertEquals("error: /nonexistent/bundle does not exist", r.getErrorOutput().strip());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.getOutput());
        assertFalse(json.get("ok").asBoolean());
        assertEquals("/nonexistent/bundle does not exist", json.get("error").asText());
        assertEquals(2, json.get("exitCode").asInt());
    }

    @Test
    void stackShowHelpSaysWhatAStackFileMaySay(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("stack", "show", "--help");
        assertEquals(0, r.exitCode());
        String help = r.getOutput().replaceAll("\\s+", " ");
        for (String text : List.of("A service: image, build, container_name,", "depends_on;", "stop_grace_period,", "ulimits, network_mode;",
                "after-ready", "${VAR}, ${VAR:-default}, ${VAR:?message}", "then the .env beside the file")) {
            assertTrue(help.contains(text), text + " in:\n" + r.getOutput());
        }
    }

    @Test
    void backupAndRestoreRefuseBadFilesBeforeAskingTheEngine(QuarkusMainLauncher launcher, @TempDir Path dir)
            throws Exception {
        LaunchResult r = launcher.launch("backup", "-o", dir.resolve("volumes.zip").toString());
        assertEquals(2, r.exitCode());
        assertEquals("error: -o/--output: " + dir.resolve("volumes.zip") + " does not end in .tar, .tar.gz or .tar.zst"
                + " (the backup's compression)", r.getErrorOutput().trim());
        Path existing = Files.writeString(dir.resolve("old.tar"), "kept");
        r = launcher.launch("backup", "-o", existing.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.getErrorOutput().contains("exists: a backup is never written over another"), r.getErrorOutput());
        assertEquals("kept", Files.readString(existing));
        r = launcher.launch("restore", dir.resolve("missing.tar").toString());
        assertEquals(1, r.exitCode());
        assertEquals("error: " + dir.resolve("missing.tar") + ": no such file", r.getErrorOutput().trim());
        r = launcher.launch("restore", existing.toString()); // 4 bytes: no tar at all
        assertEquals(1, r.exitCode());
        assertTrue(r.getErrorOutput().trim().startsWith("error: " + existing + " cannot be read as a backup: "),
                r.getErrorOutput());
    }

    @Test
    void everyCommandHasHelp(QuarkusMainLauncher launcher) {
        for (String command : COMMANDS) {
            LaunchResult r = launcher.launch(command, "--help");
            assertEquals(0, r.exitCode(), command);
            assertTrue(r.getOutput().startsWith("Usage: mlreef-offline " + command), r.getOutput());
            if (!command.equals("stack")) { // a group: its subcommands have the options
                assertTrue(r.getOutput().contains("--verbose"), command + " shares the output options");
            }
        }
    }

    @Test
    void completionPrintsABashAndZshScript(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("completion");
        assertEquals(0, r.exitCode());
        assertTrue(r.getOutput().contains("complete -F _complete_mlreef-offline"), r.getOutput());
        assertTrue(r.getOutput().contains("doctor"));
        assertTrue(r.getOutput().contains("ZSH_VERSION"), "works in zsh through bashcompinit");
    }

    @Test
    void stackShowPrintsTheDefaultStackAndChecksAGivenOne(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult r = launcher.launch("stack", "show");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getOutput().contains("image: registry.gitlab.com/mlreef/mlreef:latest"), r.getOutput());

        java.nio.file.Path bad = java.nio.file.Files.createTempFile("stack", ".yaml");
        try {
            java.nio.file.Files.writeString(bad, "services:\n  web:\n    image: busybox:1\n    portz: ['80:80']\n");
            LaunchResult invalid = launcher.launch("stack", "show", "-f", bad.toString());
            assertEquals(2, invalid.exitCode());
            assertEquals("", invalid.getOutput());
            assertTrue(invalid.getErrorOutput().contains("services.web.portz: unknown key"), invalid.getErrorOutput());
        } finally {
            java.nio.file.Files.delete(bad);
        }
        LaunchResult missing = launcher.launch("stack", "show", "-f", "/nonexistent/stack.yaml");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.getErrorOutput().contains("stack file /nonexistent/stack.yaml does not exist"));
        for (String command : List.of("status", "stop", "down")) {
            LaunchResult lifecycle = launcher.launch(command, "-f", "/nonexistent/stack.yaml");
            assertEquals(2, lifecycle.exitCode(), command + " -f is the stack file: " + lifecycle.getErrorOutput());
            assertTrue(lifecycle.getErrorOutput().contains("stack file /nonexistent/stack.yaml does not exist"),
                    lifecycle.getErrorOutput());
        }
    }

    @Test
    void aFolderThatIsMissingOrAFileIsBadUsage(QuarkusMainLauncher launcher) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("bundle", ".txt");
        try {
            for (String[] args : new String[][] {{"verify", "-d", file.toString()}, {"run", "-d", file.toString()},
                    {"export", "-o", file.toString(), "--no-pull"}, {"verify", "-d", file + "-missing"}}) {
                LaunchResult r = launcher.launch(args);
                assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.getErrorOutput());
                assertEquals("error: " + args[2] + (args[2].endsWith("-missing") ? " does not exist"
                        : " is not a folder"), r.getErrorOutput().strip());
            }
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void anInvalidEngineAddressIsBadUsage(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("doctor", "-H", "ssh://operator@host");
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("unsupported engine address ssh://operator@host"), r.getErrorOutput());
        assertFalse(r.getErrorOutput().contains("Exception"), "no stack trace without --verbose");
        LaunchResult file = launcher.launch("status", "-H", "unix:///etc/hostname");
        assertEquals(3, file.exitCode());
        assertTrue(file.getErrorOutput().contains("/etc/hostname is not a socket (it is a file); point -H/DOCKER_HOST"
                + " at the Docker Engine's socket"), file.getErrorOutput());
    }

    @Test
    void verboseShowsTheStackTrace(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("doctor", "-v", "-H", "ssh://operator@host");
        assertEquals(2, r.exitCode());
        assertTrue(r.getErrorOutput().contains("ToolException"), r.getErrorOutput());
    }
}

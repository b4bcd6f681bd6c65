package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dns} as an operator types it, on a daemon.json in a temporary folder. */
@QuarkusMainTest
class DnsCommandTest {
    @TempDir
    Path dir;

    @Test
    void addWritesTheFileAndSaysHowToRestart(QuarkusMainLauncher launcher) throws IOException {
        Path config = Files.writeString(dir.resolve("daemon.json"), "{\"debug\": true}");
        LaunchResult r = launcher.launch("dns", "--daemon-config", config.toString(), "--add", "10.0.0.2",
                "10.0.0.3");
        assertEquals(0, r.exitCode(), r.getErrorOutput());
        assertTrue(r.getOutput().startsWith("daemon.json dns:   none -> 10.0.0.2, 10.0.0.3  (" + config
                + " written; the old file kept as " + config + "."), r.getOutput());
        assertTrue(r.getErrorOutput().contains("restart the Docker Engine"), r.getErrorOutput());
        assertTrue(Files.readString(config).contains("\"debug\" : true"), Files.readString(config));

        LaunchResult show = launcher.launch("dns", "--daemon-config", config.toString());
        assertEquals(0, show.exitCode(), show.getErrorOutput());
        assertTrue(show.getOutput().contains("daemon.json dns:   10.0.0.2, 10.0.0.3  (" + config + ")"),
                show.getOutput());
        assertTrue(show.getOutput().contains("host resolvers:    "), show.getOutput());
    }

    @Test
    void badInputIsRefusedInOneLine(QuarkusMainLauncher launcher) throws IOException {
        Path config = Files.writeString(dir.resolve("daemon.json"), "{\"dns\": [");
        LaunchResult invalid = launcher.launch("dns", "--daemon-config", config.toString(), "--add", "10.0.0.2");
        assertEquals(1, invalid.exitCode());
        assertTrue(invalid.getErrorOutput().strip().startsWith("error: " + config + " is not valid JSON (line 1"),
                invalid.getErrorOutput());
        assertEquals("{\"dns\": [", Files.readString(config));

        LaunchResult name = launcher.launch("dns", "--daemon-config", config.toString(), "--add", "dns.corp");
        assertEquals(2, name.exitCode());
        assertEquals("error: --add: 'dns.corp' is not an IP address (a DNS server is given by address: 10.0.0.2 or"
                + " fd00::53)", name.getErrorOutput().strip());
    }
}

package com.mlreef.offline.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonDnsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T15:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("daemon.json");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anAbsentFileIsCreatedWithTheListAndNoBackup() throws IOException {
        DaemonDns.Change c = DaemonDns.change(file(), List.of("10.0.0.2", "fd00::53"), List.of(), false, CLOCK);
        assertTrue(c.written());
        assertNull(c.backup());
        assertEquals(List.of(), c.before());
        JsonNode json = new ObjectMapper().readTree(file().toFile());
        assertEquals("[\"10.0.0.2\",\"fd00::53\"]", json.get("dns").toString());
        assertEquals(List.of("daemon.json"), names(), "no partial file left, no backup of nothing");
    }

    @Test
    void otherKeysAreKeptInTheirOrderAndTheOldFileIsBackedUp() throws IOException {
        String old = "{\"log-driver\": \"json-file\", \"dns\": [\"10.0.0.1\"],\n \"log-opts\": {\"max-size\": \"10m\"},"
                + " \"mtu\": 1400, \"ratio\": 0.10, \"insecure-registries\": [\"r:5000\"]}";
        Files.writeString(file(), old);
        DaemonDns.Change c = DaemonDns.change(file(), List.of("10.0.0.2"), List.of(), false, CLOCK);
        assertEquals(List.of("10.0.0.1"), c.before());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), c.after());
        JsonNode json = new ObjectMapper().readTree(file().toFile());
        assertEquals(List.of("log-driver", "dns", "log-opts", "mtu", "ratio", "insecure-registries"),
                iterable(json.fieldNames()));
        assertEquals("{\"max-size\":\"10m\"}", json.get("log-opts").toString());
        assertEquals(1400, json.get("mtu").asInt());
        assertTrue(Files.readString(file()).contains("0.10"), "a number written as it was read");
        assertEquals(dir.resolve("daemon.json.20261207-150000.bak"), c.backup());
        assertEquals(old, Files.readString(c.backup()), "the old file, byte for byte");
        assertEquals(List.of("daemon.json", "daemon.json.20261207-150000.bak"), names());
    }

    @Test
    void serversAlreadyThereAreNotAddedAgainAndNothingIsWritten() throws IOException {
        Files.writeString(file(), "{\"dns\": [\"10.0.0.2\"]}");
        DaemonDns.Change c = DaemonDns.change(file(), List.of("10.0.0.2", "10.0.0.2"), List.of(), false, CLOCK);
        assertFalse(c.written());
        assertFalse(c.changes());
        assertEquals(List.of("daemon.json"), names(), "no backup either");
        DaemonDns.Change twice = DaemonDns.change(file(), List.of("10.0.0.3", "10.0.0.3", "10.0.0.2"), List.of(),
                false, CLOCK);
        assertEquals(List.of("10.0.0.2", "10.0.0.3"), twice.after());
        assertEquals(List.of("10.0.0.2", "10.0.0.3"), DaemonDns.servers(file()));
    }

    @Test
    void invalidJsonIsRefusedWithoutWriting() throws IOException {
        for (String bad : List.of("{\"dns\": [\"10.0.0.1\"],}", "{\"a\": 1} {", "[\"10.0.0.1\"]",
                "{\"dns\": 1, \"dns\": 2}", "{\"dns\": \"10.0.0.1\"}")) {
            Files.writeString(file(), bad);
            ToolException e = assertThrows(ToolException.class,
                    () -> DaemonDns.change(file(), List.of("10.0.0.2"), List.of(), false, CLOCK), bad);
            assertEquals(ExitCode.FAILED, e.exitCode());
            assertTrue(e.getMessage().startsWith(file().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
            assertEquals(bad, Files.readString(file()));
            assertEquals(List.of("daemon.json"), names(), "no backup, no partial file");
        }
    }

    @Test
    void addressesAreChecked() {
        for (String bad : List.of("dns.example", "10.0.0", "300.1.1.1", "10.0.0.1; rm", "")) {
            ToolException e = assertThrows(ToolException.class,
                    () -> DaemonDns.change(file(), List.of(bad), List.of(), false, CLOCK));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().startsWith("--add: '" + bad + "' is not an IP address"), e.getMessage());
        }
        assertThrows(ToolException.class, () -> DaemonDns.change(file(), List.of(), List.of("x"), false, CLOCK));
        assertFalse(Files.exists(file()));
    }

    @Test
    void removeDropsAServerAndAnEmptyListDropsTheKey() throws IOException {
        Files.writeString(file(), "{\"dns\": [\"10.0.0.1\", \"10.0.0.2\"], \"debug\": true}");
        DaemonDns.Change c = DaemonDns.change(file(), List.of(), List.of("10.0.0.1"), false, CLOCK);
        assertEquals(List.of("10.0.0.2"), c.after());
        assertNotNull(c.backup());
        DaemonDns.change(file(), List.of(), List.of("10.0.0.2"), false, CLOCK.withZone(ZoneOffset.UTC));
        JsonNode json = new ObjectMapper().readTree(file().toFile());
        assertNull(json.get("dns"));
        assertTrue(json.get("debug").asBoolean());
        assertEquals(List.of("daemon.json", "daemon.json.20261207-150000-1.bak", "daemon.json.20261207-150000.bak"),
                names(), "a second change in the same second keeps the first backup");
    }

    @Test
    void aDryRunWritesNothing() throws IOException {
        Files.writeString(file(), "{\"dns\": [\"10.0.0.1\"]}");
        DaemonDns.Change c = DaemonDns.change(file(), List.of("10.0.0.5"), List.of("10.0.0.1"), true, CLOCK);
        assertEquals(List.of("10.0.0.5"), c.after());
        assertFalse(c.written());
        assertEquals("{\"dns\": [\"10.0.0.1\"]}", Files.readString(file()));
        assertEquals(List.of("daemon.json"), names());
        DaemonDns.change(dir.resolve("absent.json"), List.of("10.0.0.5"), List.of(), true, CLOCK);
        assertEquals(List.of("daemon.json"), names());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}

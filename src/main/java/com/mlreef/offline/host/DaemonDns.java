package com.mlreef.offline.host;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code dns} list of the engine's configuration file ({@code /etc/docker/daemon.json}): read, and changed with
 * every other key kept as it was. The new file is written atomically, the old one copied beside it first.
 */
public final class DaemonDns {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true)); // 0.10 stays 0.10
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    /**
     * What a change did.
     *
     * @param before  the servers the file named (empty when it was absent)
     * @param after   the servers it names now (or would, on a dry run)
     * @param written whether the file was written (false: a dry run, or nothing to change)
     * @param backup  the copy of the old file, or null (no old file, or nothing written)
     */
    public record Change(List<String> before, List<String> after, boolean written, Path backup) {
        public boolean changes() {
            return !before.equals(after);
        }
    }

    private DaemonDns() {
    }

    /** The servers the file names; empty when the file is absent; a file the engine would refuse is an error. */
    public static List<String> servers(Path file) {
        ObjectNode config = read(file);
        return config == null ? List.of() : servers(config, file);
    }

    /**
     * Adds {@code add} (those not there yet, at the end) and removes {@code remove}; writes the file unless
     * {@code dryRun} or nothing changes.
     */
    public static Change change(Path file, List<String> add, List<String> remove, boolean dryRun, Clock clock) {
        checkAddresses("--add", add);
        checkAddresses("--remove", remove);
        ObjectNode config = read(file);
        boolean existed = config != null;
        if (config == null) {
            config = JSON.createObjectNode();
        }
        List<String> before = servers(config, file);
        Set<String> after = new LinkedHashSet<>(before);
        after.addAll(add);
        after.removeAll(remove);
        List<String> result = List.copyOf(after);
        if (dryRun || result.equals(before)) {
            return new Change(before, result, false, null);
        }
        if (result.isEmpty()) {
            config.remove("dns"); // the engine's default again
        } else {
            ArrayNode list = JSON.createArrayNode();
            result.forEach(list::add);
            config.set("dns", list);
        }
        Path backup = existed ? backup(file, clock) : null;
        try {
            byte[] text = (JSON.writeValueAsString(config) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFile.write(file, text);
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot write " + file + ": " + IoReason.of(e)
                    + " (run as root?); it was not changed");
        }
        return new Change(before, result, true, backup);
    }

    /** The file as a JSON object, or null when absent. */
    private static ObjectNode read(Path file) {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot read " + file + ": " + IoReason.of(e));
        }
        if (new String(text, StandardCharsets.UTF_8).isBlank()) {
            return null; // as the engine takes an empty file: no settings
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // the parser's message without its pointer to the source
            String why = e.getOriginalMessage().replaceAll("(?s)\\s*\\(start marker.*|\\n.*", "");
            throw new ToolException(ExitCode.FAILED, file + " is not valid JSON (line " + e.getLocation().getLineNr()
                    + ": " + why + "); the engine does not start with it; fix it first, nothing was written");
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot read " + file + ": " + IoReason.of(e));
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ToolException(ExitCode.FAILED, file + " is not a JSON object; the engine does not start with it;"
                    + " fix it first, nothing was written");
        }
        return object;
    }

    private static List<String> servers(ObjectNode config, Path file) {
        JsonNode dns = config.get("dns");
        if (dns == null || dns.isNull()) {
            return List.of();
        }
        if (!dns.isArray()) {
            throw new ToolException(ExitCode.FAILED, file + ": \"dns\" is not a list of IP addresses; fix it first,"
                    + " nothing was written");
        }
        List<String> servers = new ArrayList<>();
        dns.forEach(n -> servers.add(n.asText()));
        return servers;
    }

    private static void checkAddresses(String option, List<String> addresses) {
        for (String ip : addresses) {
            if (!StackFile.isIp(ip)) {
                throw new ToolException(ExitCode.USAGE, option + ": '" + ip + "' is not an IP address (a DNS server"
                        + " is given by address: 10.0.0.2 or fd00::53)");
            }
        }
    }

    /** Copies the file to {@code NAME.YYYYMMDD-HHMMSS.bak} (UTC) beside it: the engine reads only its own name. */
    private static Path backup(Path file, Clock clock) {
        Path backup = file.resolveSibling(file.getFileName() + "." + STAMP.format(clock.instant()) + ".bak");
        for (int n = 1; Files.exists(backup); n++) {
            backup = file.resolveSibling(file.getFileName() + "." + STAMP.format(clock.instant()) + "-" + n + ".bak");
        }
        try {
            AtomicFile.write(backup, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot keep a copy of " + file + " as " + backup + ": "
                    + IoReason.of(e) + " (run as root?); nothing was written");
        }
        return backup;
    }
}

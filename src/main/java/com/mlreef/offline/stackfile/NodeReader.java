package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the values of a stack file's tree as the types the stack takes (text with its variables interpolated, lists,
 * mappings, booleans, numbers, durations, commands) and checks the keys a mapping may have; its errors name the file
 * and the key's path.
 */
final class NodeReader {
    /** A name of a service, a container, a volume, a network or an alias. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    /** A driver's name: of a volume, a network or a log. */
    static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]*");
    private static final Pattern IMAGE = Pattern.compile(
            "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*"
                    + "(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");

    private final String source;
    private final Interpolation interpolation;
    private final Map<String, Integer> lines;
    private final Map<String, String> origins;
    private final Problems problems;

    /**
     * @param source where the text came from, for messages (a path, or "the default stack")
     * @param lines  the line each key's path starts on, for messages
     */
    NodeReader(String source, Interpolation interpolation, Map<String, Integer> lines) {
        this(source, interpolation, lines, Map.of());
    }

    /** @param origins the file of each path of a merged tree that is not {@code source}, for messages */
    NodeReader(String source, Interpolation interpolation, Map<String, Integer> lines, Map<String, String> origins) {
        this.source = source;
        this.interpolation = interpolation;
        this.lines = lines;
        this.origins = origins;
        this.problems = new Problems(source);
    }

    NodeReader(String source, Interpolation interpolation) {
        this(source, interpolation, Map.of());
    }

    /** The problems found so far: a part of the file that has one is left out and the reading goes on. */
    Problems problems() {
        return problems;
    }

    /** Runs one part of the reading; its problem, if any, is kept for the message that names them all. */
    void attempt(Runnable part) {
        problems.attempt(part);
    }

    /** One part of the reading, or {@code fallback} when it has a problem, which is kept. */
    <T> T attempt(java.util.function.Supplier<T> part, T fallback) {
        return problems.attempt(part, fallback);
    }

    String string(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            throw error(path, "a value is needed");
        }
        if (!node.isValueNode()) {
            throw error(path, "expected a single value, not a " + (node.isArray() ? "list" : "mapping"));
        }
        String where = source + ": " + path;
        try {
            return interpolation.apply(node.asText(), where);
        } catch (StackFileException e) { // given the key's line
            String message = e.getMessage();
            throw error(path, message.startsWith(where + ": ") ? message.substring(where.length() + 2) : message);
        }
    }

    List<String> stringList(JsonNode node, String path) {
        return shortOrLong(node, path, null);
    }

    /** One value, or a list of them (Compose's dns, tmpfs and the like). */
    List<String> oneOrList(JsonNode node, String path) {
        return node.isArray() ? stringList(node, path) : List.of(string(node, path));
    }

    /** Labels: a key without a value ({@code - KEY} or {@code KEY:}) is empty. */
    Map<String, String> stringMap(JsonNode node, String path) {
        return stringMap(node, path, key -> "");
    }

    /**
     * A service's environment: a variable named without a value ({@code - NAME} or {@code NAME:}) takes its value
     * from the environment of this tool (the host's, and PIP_SERVER), and is left out when that has none, as in
     * Compose.
     */
    Map<String, String> environment(JsonNode node, String path) {
        return stringMap(node, path, interpolation::value);
    }

    /**
     * A mapping or a list of KEY=VALUE.
     *
     * @param valueless the value of a key given without one; null leaves the key out
     */
    private Map<String, String> stringMap(JsonNode node, String path, Function<String, String> valueless) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return map;
        }
        BiConsumer<String, String> put = (key, value) -> {
            String v = value != null ? value : valueless.apply(key);
            if (v != null) {
                map.put(key, v);
            }
        };
        if (node.isArray()) {
            for (String item : stringList(node, path)) {
                int eq = item.indexOf('=');
                if (eq == 0 || item.isEmpty()) {
                    throw error(path, "'" + item + "' has no name (expected NAME=VALUE)");
                }
                put.accept(eq < 0 ? item : item.substring(0, eq), eq < 0 ? null : item.substring(eq + 1));
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : entries(node, path)) {
                put.accept(e.getKey(), e.getValue() == null || e.getValue().isNull() ? null
                        : string(e.getValue(), path + "." + e.getKey()));
            }
        } else {
            throw error(path, "expected a mapping or a list of KEY=VALUE");
        }
        return map;
    }

    List<String> command(JsonNode node, String path) {
        if (node.isArray()) {
            return stringList(node, path);
        }
        return Words.split(string(node, path), source + ": " + path);
    }

    /**
     * A list whose items are in the short syntax, or mappings in the long one, turned into the short one.
     * @param toShort null when only the short syntax is allowed
     */
    List<String> shortOrLong(JsonNode node, String path, BiFunction<JsonNode, String, String> toShort) {
        List<String> list = new ArrayList<>();
        if (node == null || node.isNull()) {
            return list;
        }
        if (!node.isArray()) {
            throw error(path, "expected a list");
        }
        int i = 0;
        for (JsonNode item : node) {
            String itemPath = path + "[" + i++ + "]";
            // each item on its own: the problems of all of them are found at once
            String value = attempt(() -> toShort != null && item != null && item.isObject()
                    ? toShort.apply(item, itemPath) : string(item, itemPath), null);
            if (value != null) {
                list.add(value);
            }
        }
        return list;
    }

    boolean bool(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return false;
        }
        String text = string(node, path);
        String word = text.toLowerCase(Locale.ROOT);
        // Compose reads a boolean as YAML 1.1 does: yes, no, on and off too
        if (List.of("true", "yes", "on").contains(word) || List.of("false", "no", "off").contains(word)) {
            return List.of("true", "yes", "on").contains(word);
        }
        throw error(path, "expected true or false, not '" + text + "'");
    }

    int integer(JsonNode node, String path) {
        String text = string(node, path);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw error(path, "expected a whole number, not '" + text + "'");
        }
    }

    Duration duration(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = string(node, path).trim();
        Duration duration = StackFile.parseDuration(text);
        if (duration == null) {
            throw error(path, "'" + text + "' is not a duration such as 30s, 15m or 1h30m (at most "
                    + StackFile.MAX_DAYS + " days)");
        }
        return duration;
    }

    String image(String reference, String path) {
        if (!IMAGE.matcher(reference).matches()) {
            throw error(path, "'" + reference + "' is not a valid image reference");
        }
        return reference;
    }

    /** A volume's or network's driver, or null when not given. */
    String driver(JsonNode node, String path) {
        String driver = node.has("driver") ? string(node.get("driver"), path + ".driver") : null;
        if (driver != null && !DRIVER.matcher(driver).matches()) {
            throw error(path + ".driver", "'" + driver + "' is not a driver name, such as local or bridge");
        }
        return driver;
    }

    Iterable<Map.Entry<String, JsonNode>> entries(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        object(node, path);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        return () -> fields;
    }

    void object(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "expected a mapping");
        }
    }

    void keys(JsonNode node, String path, String... allowed) {
        keys(node, path, List.of(allowed));
    }

    void keys(JsonNode node, String path, List<String> allowed) {
        keys(node, path, allowed, Map.of());
    }

    /**
     * Checks a mapping's keys: each one not {@code allowed} is a problem (all are named, not only the first); one of
     * {@code unsupported} (Compose's, which this tool does not take) says so, and what to do instead.
     */
    void keys(JsonNode node, String path, List<String> allowed, Map<String, String> unsupported) {
        object(node, path);
        Set<String> known = Set.copyOf(allowed);
        node.fieldNames().forEachRemaining(key -> {
            if (known.contains(key) || key.startsWith("x-") && !key.equals("x-offline")) {
                return;
            }
            String where = path.isEmpty() ? key : path + "." + key;
            if (unsupported.containsKey(key)) {
                problems.add(error(where, "not supported: " + unsupported.get(key)));
                return;
            }
            // a near spelling, or a part or a longer form of a key (memswap, ipc_mode)
            String near = allowed.stream().filter(k -> distance(k, key) <= Math.max(1, k.length() / 4)
                            || key.length() >= 3 && k.startsWith(key) || key.startsWith(k + "_"))
                    .min(java.util.Comparator.comparingInt(k -> distance(k, key))).orElse(null);
            problems.add(error(where, "unknown key" + (near != null ? "; did you mean " + near + "?"
                    : allowed.size() <= 12 ? " (known here: " + String.join(", ", allowed) + ")"
                    : " ('mlreef-offline stack show --help' lists the keys a service takes)")));
        });
    }

    /** Edits from one key to another (letters, with - and _ alike and case ignored). */
    private static int distance(String a, String b) {
        a = a.toLowerCase(Locale.ROOT).replace('-', '_');
        b = b.toLowerCase(Locale.ROOT).replace('-', '_');
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            row[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int above = row[j];
                row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1),
                        diagonal + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.length()];
    }

    /** Passes a warning about the file on. */
    void warn(String message) {
        interpolation.warn(message);
    }

    /** The value of a variable of the environment the file is read with, or null. */
    String variable(String name) {
        return interpolation.value(name);
    }

    /** A variable's value (null when not set) that the value at {@code path} takes. */
    String variable(String name, String path) {
        return interpolation.value(name, source + ": " + path);
    }

    /** Where {@code path} is, for a warning: the file, the path and its line. */
    String where(String path) {
        return source + ": " + path + lineText(path);
    }

    /** A problem at {@code path}: its message names the file, the path and the line. */
    StackFileException error(String path, String message) {
        return new StackFileException(source + ": " + path + ": " + message + lineText(path), line(path));
    }

    /** " (line N)", or " (line N of FILE)" for a line of another file merged into this one; "" when not known. */
    private String lineText(String path) {
        int line = line(path);
        String file = origins.get(linePath(path));
        return line == 0 ? "" : " (line " + line + (file == null ? "" : " of " + file) + ")";
    }

    /** The line {@code path} starts on, or of the nearest key above it; 0 when not known. */
    int line(String path) {
        Integer line = lines.get(linePath(path));
        return line == null ? 0 : line;
    }

    /** {@code path}, or the nearest key above it that has a line; "" when none has. */
    private String linePath(String path) {
        String p = path;
        while (!p.isEmpty() && !lines.containsKey(p)) {
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return p;
    }
}

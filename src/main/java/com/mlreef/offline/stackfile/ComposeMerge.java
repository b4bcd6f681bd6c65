package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several Compose files as one, by Compose's merge rules: mappings merged key by key, other sequences appended, a
 * later file's value over an earlier one's; a service's {@code command}, {@code entrypoint} and
 * {@code healthcheck.test} replaced; {@code ports}, {@code expose}, {@code dns}, {@code dns_search}, {@code tmpfs}
 * and {@code external_links} appended once each; {@code environment}, {@code labels}, {@code extra_hosts},
 * {@code sysctls}, {@code ulimits}, {@code networks}, {@code depends_on} and {@code annotations} merged by key;
 * {@code volumes}, {@code secrets} and {@code configs} merged by target. A value tagged {@code !reset} is removed,
 * one tagged {@code !override} replaces the earlier one whole. The files are merged before their variables are
 * resolved; the line of each path is kept with the file it came from.
 */
final class ComposeMerge {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> REPLACED = Set.of("command", "entrypoint");
    private static final Set<String> UNIQUE = Set.of("ports", "expose", "dns", "dns_search", "tmpfs",
            "external_links");
    private static final Set<String> BY_KEY = Set.of("environment", "labels", "extra_hosts", "sysctls", "ulimits",
            "networks", "depends_on", "annotations");
    private static final Set<String> BY_TARGET = Set.of("volumes", "secrets", "configs");

    /** One file's tree and where it came from. */
    record Part(StackYaml.Tree tree, String source) {
    }

    /** The merged tree, the line of each path, and the file of each path that is not the first file's. */
    record Merged(ObjectNode root, Map<String, Integer> lines, Map<String, String> origins) {
    }

    private final Map<String, Integer> lines = new HashMap<>();
    private final Map<String, String> origins = new HashMap<>();
    private Part part;

    private ComposeMerge() {
    }

    /** The files merged in order, each over the ones before it. */
    static Merged merge(List<Part> parts) {
        ComposeMerge merge = new ComposeMerge();
        ObjectNode root = ((ObjectNode) parts.get(0).tree().root()).deepCopy();
        merge.lines.putAll(parts.get(0).tree().lines());
        for (Part next : parts.subList(1, parts.size())) {
            merge.part = next;
            merge.top(root, (ObjectNode) next.tree().root());
        }
        return new Merged(root, Map.copyOf(merge.lines), Map.copyOf(merge.origins));
    }

    private void top(ObjectNode base, ObjectNode over) {
        over.fields().forEachRemaining(e -> {
            if (e.getKey().equals("services") && e.getValue().isObject() && base.path("services").isObject()
                    && tag("services") == null) {
                ObjectNode services = (ObjectNode) base.get("services");
                e.getValue().fields().forEachRemaining(s -> {
                    String path = "services." + s.getKey();
                    if (s.getValue().isObject() && services.path(s.getKey()).isObject() && tag(path) == null) {
                        service((ObjectNode) services.get(s.getKey()), (ObjectNode) s.getValue(), path);
                    } else {
                        put(services, s.getKey(), s.getValue(), path);
                    }
                });
            } else {
                key(base, e.getKey(), e.getValue(), e.getKey(), Set.of());
            }
        });
    }

    private void service(ObjectNode base, ObjectNode over, String path) {
        over.fields().forEachRemaining(e -> {
            String key = e.getKey();
            String keyPath = path + "." + key;
            JsonNode old = base.get(key);
            if (old == null || old.isNull() || tag(keyPath) != null || REPLACED.contains(key)) {
                put(base, key, e.getValue(), keyPath);
            } else if (key.equals("healthcheck") && old.isObject() && e.getValue().isObject()) {
                mapping((ObjectNode) old, (ObjectNode) e.getValue(), keyPath, Set.of("test"));
            } else if (UNIQUE.contains(key)) {
                base.set(key, append(list(old), list(e.getValue()), keyPath, true));
            } else if (BY_KEY.contains(key)) {
                base.set(key, byKey(old, e.getValue(), keyPath, key));
            } else if (BY_TARGET.contains(key) && old.isArray() && e.getValue().isArray()) {
                base.set(key, byTarget((ArrayNode) old, (ArrayNode) e.getValue(), keyPath, key));
            } else {
                key(base, key, e.getValue(), keyPath, Set.of());
            }
        });
    }

    /** A key of a mapping merged as Compose merges by default. */
    private void key(ObjectNode base, String key, JsonNode value, String path, Set<String> replaced) {
        JsonNode old = base.get(key);
        if (old == null || tag(path) != null || replaced.contains(key)) {
            put(base, key, value, path);
        } else if (old.isObject() && value.isObject()) {
            mapping((ObjectNode) old, (ObjectNode) value, path, Set.of());
        } else if (old.isArray() && value.isArray()) {
            base.set(key, append((ArrayNode) old, (ArrayNode) value, path, false));
        } else {
            put(base, key, value, path);
        }
    }

    private void mapping(ObjectNode base, ObjectNode over, String path, Set<String> replaced) {
        over.fields().forEachRemaining(e -> key(base, e.getKey(), e.getValue(), path + "." + e.getKey(), replaced));
    }

    /** Sets a key to the later file's value (or removes it, when tagged !reset), with that value's lines. */
    private void put(ObjectNode base, String key, JsonNode value, String path) {
        forget(path);
        if ("!reset".equals(tag(path))) {
            base.remove(key);
            return;
        }
        base.set(key, value.deepCopy());
        carry(path, path);
    }

    private ArrayNode append(ArrayNode base, ArrayNode over, String path, boolean unique) {
        ArrayNode out = base.deepCopy();
        for (int i = 0; i < over.size(); i++) {
            if (unique && contains(out, over.get(i))) {
                continue;
            }
            carry(path + "[" + i + "]", path + "[" + out.size() + "]");
            out.add(over.get(i).deepCopy());
        }
        carryKey(path);
        return out;
    }

    private static boolean contains(ArrayNode list, JsonNode item) {
        for (JsonNode n : list) {
            if (n.equals(item)) {
                return true;
            }
        }
        return false;
    }

    /** A mapping or KEY=VALUE list as a mapping; a list of names (networks, depends_on) as names without values. */
    private static ObjectNode asMapping(JsonNode node, String key) {
        if (node.isObject()) {
            return ((ObjectNode) node).deepCopy();
        }
        ObjectNode map = NODES.objectNode();
        for (JsonNode item : list(node)) {
            String text = item.asText();
            if (key.equals("depends_on")) {
                map.set(text, NODES.objectNode().put("condition", "service_started"));
            } else if (key.equals("networks")) {
                map.set(text, NODES.nullNode());
            } else {
                int cut = key.equals("extra_hosts") ? firstOf(text, "=:") : text.indexOf('=');
                if (cut < 0) {
                    map.set(text, NODES.nullNode());
                } else {
                    map.put(text.substring(0, cut), text.substring(cut + 1));
                }
            }
        }
        return map;
    }

    private static int firstOf(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private JsonNode byKey(JsonNode old, JsonNode over, String path, String key) {
        if (!(old.isObject() || old.isArray()) || !(over.isObject() || over.isArray())) {
            forget(path);
            carry(path, path);
            return over.deepCopy();
        }
        ObjectNode map = asMapping(old, key);
        asMapping(over, key).fields().forEachRemaining(e -> {
            String entry = path + "." + e.getKey();
            JsonNode before = map.get(e.getKey());
            if (before != null && before.isObject() && e.getValue().isObject() && tag(entry) == null) {
                mapping((ObjectNode) before, (ObjectNode) e.getValue(), entry, Set.of());
            } else {
                put(map, e.getKey(), e.getValue(), entry);
            }
        });
        carryKey(path);
        return map;
    }

    private ArrayNode byTarget(ArrayNode old, ArrayNode over, String path, String key) {
        ArrayNode out = old.deepCopy();
        for (int i = 0; i < over.size(); i++) {
            String target = target(over.get(i), key);
            int at = -1;
            for (int j = 0; j < out.size() && target != null; j++) {
                if (target.equals(target(out.get(j), key))) {
                    at = j;
                }
            }
            if (at < 0) {
                at = out.size();
                out.add(over.get(i).deepCopy());
            } else {
                out.set(at, over.get(i).deepCopy());
            }
            forget(path + "[" + at + "]");
            carry(path + "[" + i + "]", path + "[" + at + "]");
        }
        carryKey(path);
        return out;
    }

    /** Where a mount, secret or config ends up in the container: what two files' entries are merged by. */
    private static String target(JsonNode item, String key) {
        if (item.isObject()) {
            JsonNode target = item.get("target");
            JsonNode source = item.get("source");
            return target != null ? target.asText() : source != null ? source.asText() : null;
        }
        String text = item.asText();
        if (!key.equals("volumes")) {
            return text;
        }
        String[] parts = text.split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }

    private static ArrayNode list(JsonNode node) {
        if (node.isArray()) {
            return (ArrayNode) node;
        }
        ArrayNode one = NODES.arrayNode();
        if (!node.isNull()) {
            one.add(node);
        }
        return one;
    }

    private String tag(String path) {
        return part.tree().tags().get(path);
    }

    /** The later file's key line for {@code path}, which it also gives. */
    private void carryKey(String path) {
        Integer line = part.tree().lines().get(path);
        if (line != null) {
            lines.put(path, line);
            origins.put(path, part.source());
        }
    }

    /** The lines of the later file under {@code from}, as the lines of the merged tree under {@code to}. */
    private void carry(String from, String to) {
        List<Map.Entry<String, Integer>> found = new ArrayList<>();
        part.tree().lines().entrySet().stream().filter(e -> under(e.getKey(), from)).forEach(found::add);
        for (Map.Entry<String, Integer> e : found) {
            String path = to + e.getKey().substring(from.length());
            lines.put(path, e.getValue());
            origins.put(path, part.source());
        }
    }

    /** Forgets the lines of the merged tree under {@code path}, whose value is replaced. */
    private void forget(String path) {
        Map<String, Integer> keep = new LinkedHashMap<>();
        lines.forEach((p, line) -> {
            if (!under(p, path)) {
                keep.put(p, line);
            }
        });
        lines.keySet().retainAll(keep.keySet());
        origins.keySet().retainAll(keep.keySet());
    }

    private static boolean under(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + ".") || path.startsWith(prefix + "[");
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.CarriedFile.Use;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The stack's {@code secrets} and {@code configs} (files of the project folder, or text from a variable or the stack
 * itself, which run writes into the stack folder), and a service's use of them, mounted read-only as
 * Compose mounts them without Swarm: a secret at {@code /run/secrets/NAME} (or its target there), a config at its
 * target or {@code /NAME}.
 */
final class FileMounts {
    private final NodeReader reader;
    private final ProjectRefs refs;
    private final Consumer<String> warnings;
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private final Map<String, String> configs = new LinkedHashMap<>();
    private final java.util.Set<String> refused = new java.util.HashSet<>();

    FileMounts(NodeReader reader, ProjectRefs refs, Consumer<String> warnings) {
        this.reader = reader;
        this.refs = refs;
        this.warnings = warnings;
    }

    /** Reads the top-level {@code secrets} and {@code configs}. */
    void readTop(JsonNode root) {
        top(root.get("secrets"), "secrets", Use.SECRET, secrets);
        top(root.get("configs"), "configs", Use.CONFIG, configs);
    }

    private void top(JsonNode node, String key, Use use, Map<String, String> into) {
        for (Map.Entry<String, JsonNode> e : reader.entries(node, key)) {
            String path = key + "." + e.getKey();
            reader.attempt(() -> {
                refused.add(key + " " + e.getKey()); // until it is read: its uses are then not reported too
                into.put(e.getKey(), source(e.getKey(), e.getValue(), key, use, path));
                refused.remove(key + " " + e.getKey());
            });
        }
    }

    /** Where the secret or config is mounted from: its file, or the file run writes with the text the stack gives. */
    private String source(String name, JsonNode value, String key, Use use, String path) {
        if (!NodeReader.NAME.matcher(name).matches()) {
            throw reader.error(path, "'" + name + "' is not a valid name");
        }
        String one = key.substring(0, key.length() - 1);
        List<String> givers = key.equals("secrets") ? List.of("file", "environment")
                : List.of("file", "environment", "content");
        if (value == null || !value.isObject()) {
            throw reader.error(path, "expected a mapping with " + String.join(", ", givers.stream()
                    .map(g -> g + ":").toList()));
        }
        for (String other : List.of("external", "driver", "template_driver", "content")) {
            if (value.has(other) && !givers.contains(other)) {
                throw reader.error(path + "." + other, "not supported: " + other + " is for Swarm or needs"
                        + " Compose's own engine; give the " + one + " as " + String.join(" or ", givers.stream()
                        .map(g -> g + ":").toList()));
            }
        }
        reader.keys(value, path, "file", "environment", "content", "name", "labels");
        List<String> given = givers.stream().filter(value::has).toList();
        if (given.size() != 1) {
            throw reader.error(path, (given.isEmpty() ? "needs " : "gives both " + String.join(" and ", given)
                    + ": give one of ") + String.join(", ", givers.stream().map(g -> g + ":").toList())
                    + " (file: PATH is a file in the stack file's folder)");
        }
        String giver = given.get(0);
        if (giver.equals("file")) {
            return refs.fileSource(reader.string(value.get("file"), path + ".file"), use, path + ".file");
        }
        String text;
        if (giver.equals("content")) {
            text = reader.string(value.get("content"), path + ".content");
        } else {
            String variable = reader.string(value.get("environment"), path + ".environment");
            if (!Interpolation.isName(variable)) {
                throw reader.error(path + ".environment", "'" + variable + "' is not a variable's name");
            }
            text = reader.variable(variable, path + ".environment");
            if (text == null && !refs.valuesNeeded()) {
                text = "";
            } else if (text == null) {
                throw reader.error(path + ".environment", "the " + one + " " + name + " takes its value from "
                        + variable + ", which is not set");
            }
        }
        return refs.written(key, name, text, path + "." + giver);
    }

    /** A service's {@code secrets} and {@code configs}, as read-only bind mounts. */
    List<MountSpec> mounts(JsonNode service, String path) {
        List<MountSpec> mounts = new ArrayList<>();
        uses(service.get("secrets"), path + ".secrets", secrets, "secrets", mounts);
        uses(service.get("configs"), path + ".configs", configs, "configs", mounts);
        return mounts;
    }

    private void uses(JsonNode node, String path, Map<String, String> declared, String key, List<MountSpec> into) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            throw reader.error(path, "expected a list of names, or of mappings with source and target");
        }
        for (int i = 0; i < node.size(); i++) {
            String itemPath = path + "[" + i + "]";
            JsonNode item = node.get(i);
            reader.attempt(() -> use(item, itemPath, declared, key, into)); // each reference's problem is kept
        }
    }

    private void use(JsonNode item, String itemPath, Map<String, String> declared, String key, List<MountSpec> into) {
        String name;
        String target = null;
        if (item != null && item.isObject()) {
            reader.keys(item, itemPath, "source", "target", "uid", "gid", "mode");
            name = reader.string(item.get("source"), itemPath + ".source");
            target = item.has("target") ? reader.string(item.get("target"), itemPath + ".target") : null;
            if (item.has("uid") || item.has("gid") || item.has("mode")) {
                warnings.accept(reader.where(itemPath) + ": uid, gid and mode are Swarm's: the file is mounted"
                        + " with the owner and mode it has in the stack folder");
            }
        } else {
            name = reader.string(item, itemPath);
        }
        String source = declared.get(name);
        if (source == null && refused.contains(key + " " + name)) {
            return; // its declaration's problem is the one reported
        }
        if (source == null) {
            throw reader.error(itemPath, "'" + name + "' is not declared under the top-level " + key);
        }
        into.add(new MountSpec(MountSpec.Kind.BIND, source, target(key, name, target), true, null));
    }

    private static String target(String key, String name, String target) {
        if (target != null && target.startsWith("/")) {
            return target;
        }
        String file = target == null ? name : target;
        return key.equals("secrets") ? "/run/secrets/" + file : "/" + file;
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A checked stack in Compose form, as {@code docker compose config} prints it: its name, values interpolated (a
 * {@code $} left in a value written {@code $$}), services of profiles not given left out, relative paths (bind
 * sources, env files, secrets' and configs' files, build contexts) and {@code ~} made absolute. Extensions
 * ({@code x-} keys) stay as written.
 */
final class ResolvedYaml {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Interpolation interpolation;
    private final Path root;
    private final String home;

    private ResolvedYaml(Interpolation interpolation, Path root, String home) {
        this.interpolation = interpolation;
        this.root = root;
        this.home = home;
    }

    /** The stack's text in Compose form; {@code tree} is the document's, {@code spec} what it was checked as. */
    static String write(JsonNode tree, StackSpec spec, Interpolation interpolation) {
        String home = interpolation.value("HOME");
        ResolvedYaml resolved = new ResolvedYaml(interpolation, spec.project(),
                home != null && home.startsWith("/") ? home : System.getProperty("user.home"));
        ObjectNode root = NODES.objectNode();
        root.put("name", spec.name());
        tree.fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("x-") && !e.getKey().equals("x-offline")) {
                root.set(e.getKey(), e.getValue().deepCopy());
            } else if (!e.getKey().equals("name")) {
                root.set(e.getKey(), resolved.values(e.getValue(), e.getKey()));
            }
        });
        if (root.path("services").isObject()) {
            ObjectNode services = (ObjectNode) root.get("services");
            List<String> names = new ArrayList<>();
            services.fieldNames().forEachRemaining(names::add);
            names.stream().filter(n -> !spec.services().containsKey(n)).forEach(services::remove);
            services.fields().forEachRemaining(s -> resolved.paths(s.getValue()));
        }
        for (String key : List.of("secrets", "configs")) {
            root.path(key).forEach(entry -> resolved.file(entry, "file"));
        }
        return ComposeYaml.write(root);
    }

    /** A copy of {@code node}, its text interpolated; extensions as written. */
    private JsonNode values(JsonNode node, String path) {
        if (node.isObject()) {
            ObjectNode out = NODES.objectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), e.getKey().startsWith("x-")
                    && !e.getKey().equals("x-offline") ? e.getValue().deepCopy()
                    : values(e.getValue(), path + "." + e.getKey())));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = NODES.arrayNode();
            node.forEach(item -> out.add(values(item, path)));
            return out;
        }
        if (node.isNull()) {
            return node;
        }
        return NODES.textNode(interpolation.apply(node.asText(), path).replace("$", "$$"));
    }

    /** A service's relative paths, absolute. */
    private void paths(JsonNode service) {
        if (!(service instanceof ObjectNode s)) {
            return;
        }
        if (s.get("volumes") instanceof ArrayNode volumes) {
            for (int i = 0; i < volumes.size(); i++) {
                JsonNode v = volumes.get(i);
                if (v.isTextual() && v.asText().contains(":")) {
                    int cut = v.asText().indexOf(':');
                    volumes.set(i, NODES.textNode(bindSource(v.asText().substring(0, cut), false)
                            + v.asText().substring(cut)));
                } else if (v.isObject() && "bind".equals(v.path("type").asText())) {
                    file(v, "source");
                }
            }
        }
        if (s.get("env_file") instanceof ArrayNode files) {
            for (int i = 0; i < files.size(); i++) {
                if (files.get(i).isTextual()) {
                    files.set(i, NODES.textNode(bindSource(files.get(i).asText(), true)));
                } else {
                    file(files.get(i), "path");
                }
            }
        } else if (s.has("env_file") && s.get("env_file").isTextual()) {
            s.put("env_file", bindSource(s.get("env_file").asText(), true));
        }
        if (s.has("build") && s.get("build").isTextual()) {
            s.put("build", bindSource(s.get("build").asText(), true));
        } else if (s.get("build") instanceof ObjectNode build) {
            build.put("context", bindSource(build.has("context") ? build.get("context").asText() : ".", true));
        }
    }

    private void file(JsonNode entry, String key) {
        if (entry instanceof ObjectNode o && o.has(key) && o.get(key).isTextual()) {
            o.put(key, bindSource(o.get(key).asText(), true));
        }
    }

    /** A source made absolute: relative to the stack file's folder, or in the home folder. */
    private String bindSource(String source, boolean anyRelative) {
        if (source.equals("~") || source.startsWith("~/")) {
            return Path.of(home).resolve(source.substring(1).replaceFirst("^/+", "")).normalize().toString();
        }
        boolean relative = anyRelative ? !source.startsWith("/") && !source.contains("://")
                : ProjectPaths.isRelative(source);
        return relative && root != null ? root.resolve(source).normalize().toString() : source;
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service's {@code build:} (a context folder, or a mapping of context, dockerfile, args, target and Compose's other
 * build keys): what export builds the service's image from, on the online host. run never builds.
 */
final class BuildReader {
    /** The build keys read; Compose's others (cache, platforms, ssh...) are taken and have no effect here. */
    static final List<String> KEYS = List.of("context", "dockerfile", "args", "target", "labels", "cache_from",
            "cache_to", "network", "shm_size", "extra_hosts", "platforms", "pull", "no_cache", "tags", "ssh",
            "secrets", "additional_contexts", "dockerfile_inline", "isolation", "privileged", "ulimits",
            "entitlements", "provenance", "sbom");

    private final NodeReader reader;

    BuildReader(NodeReader reader) {
        this.reader = reader;
    }

    /** The service's build, or null when it has none. */
    StackFile.Build read(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isValueNode()) {
            String context = context(reader.string(node, path), path);
            return new StackFile.Build(context, "Dockerfile", Map.of(), null, Map.of());
        }
        reader.keys(node, path, KEYS);
        String context = node.has("context") ? context(reader.string(node.get("context"), path + ".context"),
                path + ".context") : ".";
        String dockerfile = node.has("dockerfile") ? dockerfile(context, reader.string(node.get("dockerfile"),
                path + ".dockerfile"), path + ".dockerfile") : "Dockerfile";
        if (node.has("dockerfile_inline")) {
            throw reader.error(path + ".dockerfile_inline", "not supported: write the Dockerfile in the context folder"
                    + " and name it with dockerfile");
        }
        // an argument without a value takes the environment's, and is left out when that has none, as in Compose
        Map<String, String> args = new TreeMap<>(reader.environment(node.get("args"), path + ".args"));
        String target = node.has("target") ? reader.string(node.get("target"), path + ".target") : null;
        Map<String, String> labels = new TreeMap<>(reader.stringMap(node.get("labels"), path + ".labels"));
        return new StackFile.Build(context, dockerfile, args, target, labels);
    }

    /**
     * The context folder: an absolute path as given, a relative one normalized against the stack file's folder (it
     * may leave it, {@code ..} as often: a build is sent to the online host's engine, not carried); a URL (a Git
     * repository, a tarball) is refused, as export builds from folders only.
     */
    private String context(String context, String path) {
        if (context.matches("(?i)[a-z][a-z0-9+.-]*://.*|git@.*|github\\.com/.*")) {
            throw reader.error(path, "'" + context + "' is not a folder: export builds from a folder of this host"
                    + " (clone or unpack it into the project folder)");
        }
        if (context.startsWith("/")) {
            return ProjectPaths.normalizedAbsolute(context, reader.where(path));
        }
        return ProjectPaths.normalizedRelative(context, reader.where(path));
    }

    /** The Dockerfile, relative to the context (it may leave it, as docker allows); an absolute path as given. */
    private String dockerfile(String context, String dockerfile, String path) {
        if (dockerfile.startsWith("/") || context.startsWith("/")) {
            ProjectPaths.normalizedAbsolute(dockerfile, reader.where(path));
            return dockerfile;
        }
        ProjectPaths.normalizedRelative(context + "/" + dockerfile, reader.where(path));
        return dockerfile;
    }

    /** The image a built service is tagged as when it names none: STACK-SERVICE, as Compose names it. */
    static String defaultImage(String stack, String service) {
        return stack + "-" + service;
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A service's Compose keys that change nothing in its container, or little: scale (1), attach, pull_policy, platform,
 * profiles (which services a run takes) and links (names for other services, which it starts after).
 */
final class ComposeKeys {
    /** The keys, as the help lists them. */
    static final List<String> KEYS = List.of("scale", "attach", "pull_policy", "platform", "profiles", "links",
            "deploy");
    private static final Pattern PULL_POLICY = Pattern.compile("always|never|missing|if_not_present|build|daily|weekly"
            + "|every_[0-9]+[smhdw]");
    private static final Pattern PLATFORM = Pattern.compile("(?:[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?)?");
    /** The profiles a run takes: COMPOSE_PROFILES, as Compose reads it; --profile adds to it. */
    static final String PROFILES_VARIABLE = "COMPOSE_PROFILES";

    private final NodeReader reader;

    ComposeKeys(NodeReader reader) {
        this.reader = reader;
    }

    /** Checks scale, attach, pull_policy and platform; none changes what run creates. */
    void check(JsonNode node, String path) {
        reader.attempt(() -> {
            if (node.has("scale") && !reader.string(node.get("scale"), path + ".scale").equals("1")) {
                throw reader.error(path + ".scale", "run starts one container per service: write scale: 1, or leave"
                        + " it out");
            }
        });
        reader.attempt(() -> reader.bool(node.get("attach"), path + ".attach"));
        reader.attempt(() -> {
            String policy = node.has("pull_policy") ? reader.string(node.get("pull_policy"), path + ".pull_policy")
                    : "missing";
            if (!PULL_POLICY.matcher(policy).matches()) {
                throw reader.error(path + ".pull_policy", "'" + policy + "' is not always, never, missing, build,"
                        + " daily, weekly or every_<duration>");
            }
        });
        reader.attempt(() -> {
            String platform = node.has("platform") ? reader.string(node.get("platform"), path + ".platform") : "";
            if (!PLATFORM.matcher(platform).matches()) {
                throw reader.error(path + ".platform", "'" + platform + "' is not a platform such as linux/amd64");
            }
        });
    }

    /** Whether the service runs with the profiles given: it names none, or one of them ("*": every one). */
    boolean active(JsonNode node, String path) {
        if (!node.isObject() || !node.has("profiles")) {
            return true;
        }
        List<String> profiles = reader.stringList(node.get("profiles"), path + ".profiles");
        String variable = reader.variable(PROFILES_VARIABLE);
        Set<String> given = Set.of(variable == null ? new String[0] : variable.split("\\s*,\\s*"));
        return given.contains("*") || profiles.stream().anyMatch(given::contains);
    }

    /**
     * {@code links}: {@code SERVICE} or {@code SERVICE:ALIAS}, as {@code SERVICE:ALIAS} each; the service starts after
     * each one, as in Compose.
     */
    List<String> links(JsonNode node, String path, Map<String, String> dependsOn) {
        List<String> links = new ArrayList<>();
        for (String link : reader.stringList(node.get("links"), path + ".links")) {
            String[] parts = link.split(":", -1);
            if (parts.length > 2 || !NodeReader.NAME.matcher(parts[0]).matches()
                    || parts.length == 2 && !NodeReader.NAME.matcher(parts[1]).matches()) {
                throw reader.error(path + ".links", "'" + link + "' is not SERVICE or SERVICE:ALIAS");
            }
            links.add(parts[0] + ":" + (parts.length == 2 ? parts[1] : parts[0]));
            dependsOn.putIfAbsent(parts[0], StackSpec.STARTED);
        }
        return links;
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.ContainerOptions;
import com.mlreef.offline.stackfile.StackSpec.HealthcheckSpec;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.NetworkSpec;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import com.mlreef.offline.stackfile.StackSpec.ReadyRule;
import com.mlreef.offline.stackfile.StackSpec.Service;
import com.mlreef.offline.stackfile.StackSpec.VolumeSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** A service of the stack: its own keys here, its container's settings in {@link ServiceOptions}. */
final class ServiceReader {
    /** A service's keys besides {@link ServiceOptions#KEYS}, {@link EngineSettings#KEYS} and x-offline. */
    static final List<String> KEYS = List.of("image", "build", "container_name", "command", "ports", "volumes",
            "environment", "env_file", "secrets", "configs", "networks", "restart", "healthcheck", "labels",
            "depends_on");
    /** Every key a service takes. */
    private static final List<String> ALL_KEYS = Stream.of(KEYS, ServiceOptions.KEYS, EngineSettings.KEYS,
            ComposeKeys.KEYS, List.of("x-offline")).flatMap(List::stream).toList();
    private static final Set<String> RESTART = Set.of("no", "always", "unless-stopped", "on-failure");

    private final NodeReader reader;
    private final Map<String, VolumeSpec> volumes;
    private final Map<String, NetworkSpec> networks;
    private final String stack;
    private final StartOrder startOrder;
    private final PortSyntax ports;
    private final MountSyntax mounts;
    private final NetworkReader networkReader;
    private ProjectRefs refs;
    private FileMounts fileMounts;
    private final DeployMapping deploy;
    private final Map<String, StackFile.Build> builds;
    private final ComposeKeys compose;

    /**
     * @param networks the stack's, given its default network when a service joins it
     * @param stack    the stack's name
     */
    /** @param builds filled with the services' builds, by service name */
    ServiceReader(NodeReader reader, Map<String, VolumeSpec> volumes, Map<String, NetworkSpec> networks, String stack,
                  StartOrder startOrder, Map<String, StackFile.Build> builds) {
        this.builds = builds;
        this.reader = reader;
        this.volumes = volumes;
        this.networks = networks;
        this.stack = stack;
        this.startOrder = startOrder;
        this.ports = new PortSyntax(reader);
        this.mounts = new MountSyntax(reader);
        this.networkReader = new NetworkReader(reader);
        this.deploy = new DeployMapping(reader, reader::warn);
        this.compose = new ComposeKeys(reader);
    }

    /** Resolves relative sources, env files, secrets and configs through the project folder. */
    ServiceReader withFiles(ProjectRefs projectRefs, FileMounts files) {
        this.refs = projectRefs;
        this.fileMounts = files;
        this.mounts.withFiles(projectRefs);
        return this;
    }

    /** Whether the service runs with the profiles given (COMPOSE_PROFILES, --profile). */
    boolean active(JsonNode node, String path) {
        return compose.active(node, path);
    }

    /** The service; each of its keys read on its own, so that the problems of all of them are found at once. */
    Service read(String name, JsonNode given, String path) {
        JsonNode node = reader.attempt(() -> deploy.apply(given, path), given);
        checkKeys(name, node, path);
        compose.check(node, path);
        StackFile.Build build = reader.attempt(() -> new BuildReader(reader).read(node.get("build"), path + ".build"),
                null);
        if (build != null) {
            builds.put(name, build);
        }
        String image = reader.attempt(() -> node.has("image") || !node.has("build") ? image(node, path)
                : reader.image(BuildReader.defaultImage(stack, name), path + ".build"), "");
        String containerName = reader.attempt(() -> containerName(node, path), null);
        List<String> command = reader.attempt(() -> node.has("command")
                ? reader.command(node.get("command"), path + ".command") : null, null);
        List<PortSpec> published = reader.attempt(() -> ports.read(node.get("ports"), path + ".ports"), List.of());
        List<String> anonymous = new ArrayList<>();
        List<MountSpec> mounted = reader.attempt(() -> mounts.read(node.get("volumes"), path + ".volumes", volumes,
                anonymous), new ArrayList<>());
        reader.attempt(() -> mounts.add(mounted, fileMounts.mounts(node, path), path));
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        String networkMode = reader.attempt(() -> networkReader.networkMode(node, path, published), null);
        List<String> serviceNetworks = networkMode != null ? new ArrayList<>() : reader.attempt(() ->
                networkReader.serviceNetworks(node.get("networks"), path + ".networks", networks, stack, aliases),
                new ArrayList<>());
        String restart = reader.attempt(() -> restart(node, path), "no");
        HealthcheckSpec healthcheck = reader.attempt(() -> node.has("healthcheck")
                ? healthcheck(node.get("healthcheck"), path + ".healthcheck") : null, null);
        ReadyRule[] ready = {null};
        List<List<String>> afterReady = new ArrayList<>();
        reader.attempt(() -> offline(node.get("x-offline"), path, healthcheck, ready, afterReady));
        Map<String, String> dependsOn = reader.attempt(() -> startOrder.dependsOn(name, node.get("depends_on"),
                path + ".depends_on"), new LinkedHashMap<>());
        if (networkMode != null && networkMode.startsWith("service:")) { // started after the one it joins
            dependsOn.putIfAbsent(networkMode.substring("service:".length()), StackSpec.STARTED);
        }
        List<String> links = reader.attempt(() -> compose.links(node, path, dependsOn), List.of());
        ContainerOptions options = reader.attempt(() -> new ServiceOptions(reader).read(node, path, mounted),
                ContainerOptions.NONE).withNetworks(networkMode, aliases).withLinksAndVolumes(links, anonymous);
        reader.attempt(() -> checkWithOptions(path, ready[0], afterReady, options));
        return new Service(name, image, containerName, command, published, mounted,
                reader.attempt(() -> environment(node, path), Map.of()),
                serviceNetworks, restart, healthcheck,
                reader.attempt(() -> reader.stringMap(node.get("labels"), path + ".labels"), Map.of()), ready[0],
                afterReady, dependsOn, options);
    }

    /** env_file's variables, then environment's over them, as in Compose. */
    private Map<String, String> environment(JsonNode node, String path) {
        Map<String, String> all = refs.envFiles(node.get("env_file"), path + ".env_file");
        all.putAll(reader.environment(node.get("environment"), path + ".environment"));
        return all;
    }

    private String image(JsonNode node, String path) {
        if (!node.has("image")) {
            throw reader.error(path, "a service needs an image, or a build");
        }
        return reader.image(reader.string(node.get("image"), path + ".image"), path + ".image");
    }

    /** The service's {@code x-offline}: its ready rule (into {@code ready[0]}) and after-ready commands. */
    private void offline(JsonNode offline, String path, HealthcheckSpec healthcheck, ReadyRule[] ready,
                         List<List<String>> afterReady) {
        if (offline == null || offline.isNull()) {
            return;
        }
        reader.keys(offline, path + ".x-offline", "ready", "after-ready");
        if (offline.has("ready")) {
            ready[0] = ready(offline.get("ready"), path + ".x-offline.ready",
                    healthcheck == null || !healthcheck.test().equals(List.of("NONE")));
        }
        afterReady(offline.get("after-ready"), path + ".x-offline.after-ready", afterReady);
    }

    /** The service's name and keys: known ones; Compose's others say what to do instead. */
    private void checkKeys(String name, JsonNode node, String path) {
        if (!NodeReader.NAME.matcher(name).matches()) {
            throw reader.error(path, "'" + name + "' is not a valid service name");
        }
        reader.object(node, path);
        reader.keys(node, path, ALL_KEYS, ServiceOptions.INSTEAD);
    }

    private String containerName(JsonNode node, String path) {
        if (!node.has("container_name")) {
            return null;
        }
        String containerName = reader.string(node.get("container_name"), path + ".container_name");
        if (!NodeReader.NAME.matcher(containerName).matches()) {
            throw reader.error(path + ".container_name", "'" + containerName + "' is not a valid container name");
        }
        return containerName;
    }

    private String restart(JsonNode node, String path) {
        String restart = node.has("restart") ? reader.string(node.get("restart"), path + ".restart") : "no";
        if (!RESTART.contains(restart) && !restart.matches("on-failure:[0-9]{1,9}")) {
            throw reader.error(path + ".restart", "'" + restart + "' is not one of no, always, unless-stopped,"
                    + " on-failure[:N]");
        }
        return restart;
    }

    /** {@code x-offline.after-ready}: commands, each a list of words or a line, put in {@code afterReady}. */
    private void afterReady(JsonNode commands, String path, List<List<String>> afterReady) {
        if (commands == null || commands.isNull()) {
            return;
        }
        if (!commands.isArray()) {
            throw reader.error(path, "expected a list of commands, each a list of words");
        }
        int i = 0;
        for (JsonNode c : commands) {
            String cpath = path + "[" + i++ + "]";
            List<String> words = c.isArray() || c.isValueNode() && !c.isNull() ? reader.command(c, cpath) : List.of();
            if (words.isEmpty()) {
                throw reader.error(cpath, "expected a command: a list of words, such as [\"/assets/offline-setup\"],"
                        + " or a line split as command's is");
            }
            afterReady.add(words);
        }
    }

    /** What the ready rule and the after-ready commands need of the container's settings. */
    private void checkWithOptions(String path, ReadyRule ready, List<List<String>> afterReady,
                                  ContainerOptions options) {
        if (ready != null && ready.log() != null && options.logging() != null
                && "none".equals(options.logging().driver())) {
            throw reader.error(path + ".x-offline.ready.log", "the log rule reads the container's log, which logging"
                    + " driver none does not keep");
        }
        if (!afterReady.isEmpty() && options.hostConfig() != null
                && Boolean.TRUE.equals(options.hostConfig().get("ReadonlyRootfs"))) {
            // the mark that they ran is a file in the container's root, which read_only forbids
            throw reader.error(path + ".read_only", "a read-only container cannot be marked as set up by its"
                    + " after-ready commands, so each run would run them again; drop read_only or the after-ready"
                    + " commands");
        }
    }

    private HealthcheckSpec healthcheck(JsonNode node, String path) {
        reader.object(node, path);
        if (node.has("start_interval")) {
            throw reader.error(path + ".start_interval", "not supported: it needs Docker Engine API 1.44 (Docker 25),"
                    + " and mlreef-offline writes for 1.41 (Docker 20.10)");
        }
        reader.keys(node, path, "test", "interval", "timeout", "retries", "start_period", "disable");
        if (reader.bool(node.get("disable"), path + ".disable")) {
            return new HealthcheckSpec(List.of("NONE"), null, null, null, null);
        }
        JsonNode testNode = node.get("test");
        // without a test, the image's HEALTHCHECK test runs, with the times given here
        List<String> test = testNode == null ? List.of() : testNode.isArray()
                ? reader.stringList(testNode, path + ".test")
                : List.of("CMD-SHELL", reader.string(testNode, path + ".test"));
        if (testNode != null && !test.equals(List.of("NONE")) && (test.size() < 2
                || !test.get(0).equals("CMD") && !test.get(0).equals("CMD-SHELL"))) {
            throw reader.error(path + ".test", "expected a command: a string, [\"CMD\", PROGRAM, ARGS...],"
                    + " [\"CMD-SHELL\", \"shell command\"] or [\"NONE\"]");
        }
        Integer retries = node.has("retries") ? reader.integer(node.get("retries"), path + ".retries") : null;
        return new HealthcheckSpec(test, reader.duration(node.get("interval"), path + ".interval"),
                reader.duration(node.get("timeout"), path + ".timeout"), retries,
                reader.duration(node.get("start_period"), path + ".start_period"));
    }

    /** @param healthcheckAllowed false when the service disables the healthcheck (its image's may still do) */
    private ReadyRule ready(JsonNode node, String path, boolean healthcheckAllowed) {
        reader.object(node, path);
        reader.keys(node, path, "log", "healthcheck", "http", "timeout");
        String log = node.has("log") ? reader.string(node.get("log"), path + ".log") : null;
        boolean health = reader.bool(node.get("healthcheck"), path + ".healthcheck");
        String http = node.has("http") ? reader.string(node.get("http"), path + ".http") : null;
        int rules = (log != null ? 1 : 0) + (health ? 1 : 0) + (http != null ? 1 : 0);
        if (rules > 1 || rules == 0 && !node.has("timeout")) {
            throw reader.error(path, "give one of log, healthcheck: true, http (or only a timeout, for depends_on's"
                    + " wait)");
        }
        if (health && !healthcheckAllowed) {
            throw reader.error(path, "healthcheck: true, but the service disables its healthcheck");
        }
        if (http != null && !http.matches("https?://[A-Za-z0-9.\\[\\]:-]+(?::[0-9]+)?(?:/\\S*)?")) {
            throw reader.error(path + ".http", "'" + http + "' is not an http(s) URL");
        }
        Duration timeout = reader.duration(node.get("timeout"), path + ".timeout");
        return new ReadyRule(log, health, http, timeout == null ? ReadyRule.DEFAULT_TIMEOUT : timeout);
    }
}

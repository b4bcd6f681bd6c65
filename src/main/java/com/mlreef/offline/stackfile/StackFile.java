package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.stackfile.StackSpec.ContainerOptions;
import com.mlreef.offline.stackfile.StackSpec.HealthcheckSpec;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.NetworkSpec;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import com.mlreef.offline.stackfile.StackSpec.ReadyRule;
import com.mlreef.offline.stackfile.StackSpec.Service;
import com.mlreef.offline.stackfile.StackSpec.VolumeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a stack file: the Compose subset this tool runs (services with image, container_name, command, ports,
 * volumes, environment, networks, restart, healthcheck, labels, depends_on and the settings {@link ServiceOptions}
 * reads; top-level name, volumes, networks) and the {@code x-offline} extension. Unknown keys are errors naming their path; other {@code x-} keys are ignored, as
 * Compose does.
 */
public final class StackFile {
    /** A service's keys (besides {@link #SETTINGS_KEYS}, {@link #ENGINE_KEYS} and x-offline), as the help lists them. */
    public static final String SERVICE_KEYS = "image, container_name, command, ports, volumes, environment, networks,"
            + " restart, healthcheck, labels, depends_on";
    /** A service's container settings, read by {@link ServiceOptions}. */
    public static final String SETTINGS_KEYS = "entrypoint, working_dir, user, hostname, extra_hosts, privileged, init,"
            + " cap_add, cap_drop, shm_size, mem_limit, cpus, stop_grace_period, logging, tmpfs, expose, ulimits,"
            + " network_mode";
    /** A service's keys that are one engine field each, read by {@link EngineSettings}. */
    public static final String ENGINE_KEYS = "tty, stdin_open, stop_signal, domainname, mac_address, security_opt,"
            + " sysctls, dns, dns_search, dns_opt, read_only, pid, ipc, userns_mode, runtime, cgroup_parent, cpuset,"
            + " devices, group_add, pids_limit, cpu_shares, oom_score_adj, oom_kill_disable, mem_reservation,"
            + " memswap_limit, storage_opt, gpus, cpu_quota, cpu_period, mem_swappiness, uts, cgroup, device_cgroup_rules";

    /** The embedded default: the MLReef Nautilus stack. */
    public static final String DEFAULT_RESOURCE = "/stacks/nautilus.yaml";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern IMAGE = Pattern.compile(
            "(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*"
                    + "(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?");
    /** A driver's name: of a volume, a network or a log. */
    static final Pattern DRIVER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]*");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern PORT = Pattern.compile(
            "(?:([0-9.]+|\\[[0-9a-fA-F:.]+\\]):)?([0-9]{1,5})(?:-([0-9]{1,5}))?:([0-9]{1,5})(?:-([0-9]{1,5}))?"
            + "(?:/((?i)tcp|udp|sctp))?");
    private static final int MAX_RANGE = 1000;
    private static final Set<String> COMPOSE_NAMES = Set.of("compose", "docker-compose");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9}(?:\\.[0-9]{1,9})?)(ms|s|m|h)");
    private static final int MAX_DAYS = 30;
    private static final Set<String> RESTART = Set.of("no", "always", "unless-stopped", "on-failure");

    private final String source;
    private final Interpolation interpolation;
    /** "SERVICE DEPENDENCY" for each depends_on with required: false. */
    private final Set<String> optional = new java.util.HashSet<>();

    StackFile(String source, Interpolation interpolation) {
        this.source = source;
        this.interpolation = interpolation;
    }

    /** The embedded default stack's text, as {@code stack show} prints it. */
    public static String defaultText() {
        try (InputStream in = StackFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default stack is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stack file's text as written, and what it says.
     *
     * @param imageVariables the variables the images' names take, with their values (null: not set)
     */
    public record Loaded(String text, StackSpec spec, Map<String, String> imageVariables) {
    }

    /**
     * Reads and checks a stack file, or the embedded default when {@code file} is null: {@link StackDocument#load}
     * then {@link StackDocument#resolveLoaded}.
     */
    public static Loaded load(Path file, Map<String, String> variables, Consumer<String> warnings) {
        return StackDocument.load(file, warnings).resolveLoaded(variables, warnings);
    }

    /**
     * The name of a stack file's stack when it has no {@code name:} key: the file's name, or for a file with one of
     * Compose's own names (compose.yaml, docker-compose.yml), its folder's name, as Compose names the project, so
     * that two projects' compose.yaml are not one stack.
     */
    static String nameFromFile(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.(ya?ml)$", "").toLowerCase(Locale.ROOT);
        Path folder = file.toAbsolutePath().normalize().getParent();
        if (COMPOSE_NAMES.contains(base) && folder != null && folder.getFileName() != null) {
            base = folder.getFileName().toString().toLowerCase(Locale.ROOT);
        }
        String name = base.replaceAll("[^a-z0-9_-]", "-").replaceAll("^[^a-z0-9]+", "");
        return name.isEmpty() ? "stack" : name;
    }

    /** Composes and checks a stack file's text: {@link StackDocument#of} then {@link StackDocument#resolve}. */
    public static StackSpec parse(String text, String source, String defaultName, Map<String, String> variables,
                                  Consumer<String> warnings) {
        return StackDocument.of(text, source, defaultName).resolve(variables, warnings);
    }

    StackSpec stack(JsonNode root, String defaultName) {
        keys(root, "", "name", "version", "services", "volumes", "networks", "x-offline");
        String name = root.has("name") ? string(root.get("name"), "name") : defaultName;
        if (!STACK_NAME.matcher(name).matches()) {
            throw error("name", "'" + name + "' is not a valid stack name (lower-case letters, digits, - and _)");
        }
        Map<String, VolumeSpec> volumes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(root.get("volumes"), "volumes")) {
            volumes.put(e.getKey(), volume(e.getKey(), e.getValue(), "volumes." + e.getKey()));
        }
        Map<String, NetworkSpec> networks = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(root.get("networks"), "networks")) {
            networks.put(e.getKey(), network(e.getKey(), e.getValue(), "networks." + e.getKey()));
        }
        if (!root.has("services") || !root.get("services").isObject() || root.get("services").isEmpty()) {
            throw error("services", "the stack needs at least one service");
        }
        Map<String, Service> services = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries(root.get("services"), "services")) {
            services.put(e.getKey(), service(e.getKey(), e.getValue(), "services." + e.getKey(), volumes, networks, name));
        }
        List<String> extra = new ArrayList<>();
        Map<String, String> files = new LinkedHashMap<>();
        JsonNode offline = root.get("x-offline");
        if (offline != null && !offline.isNull()) {
            keys(offline, "x-offline", "images", "files");
            for (String image : stringList(offline.get("images"), "x-offline.images")) {
                extra.add(image(image, "x-offline.images"));
            }
            for (Map.Entry<String, JsonNode> e : entries(offline.get("files"), "x-offline.files")) {
                String path = "x-offline.files." + e.getKey();
                String file = string(e.getValue(), path);
                if (!FILE_NAME.matcher(file).matches() || file.contains("..")) {
                    throw error(path, "'" + file + "' is not a plain file name: letters, digits, '.', '_' and '-',"
                            + " starting with a letter or digit; no folders, no ..");
                }
                if (file.length() > StackSpec.MAX_FILE_NAME) {
                    throw error(path, "a name of " + file.length() + " characters; at most "
                            + StackSpec.MAX_FILE_NAME + " (file systems take 255, and export adds .zst.partial"
                            + " while it writes)");
                }
                if (file.endsWith(".partial")) {
                    throw error(path, "'" + file + "': a name ending in .partial is export's name for a file it"
                            + " is still writing");
                }
                files.put(image(e.getKey(), path), file);
            }
        }
        StackSpec spec = new StackSpec(name, startOrder(services), volumes, networks, extra, files);
        checkUnique(spec);
        checkJoinedNamespaces(spec);
        for (String image : files.keySet()) {
            if (!spec.images().contains(image)) {
                throw error("x-offline.files." + image, "names an image the stack neither runs nor lists in x-offline.images");
            }
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : files.entrySet()) {
            String other = byName.putIfAbsent(e.getValue().toLowerCase(Locale.ROOT), e.getKey());
            if (other != null) {
                throw error("x-offline.files", other + " and " + e.getKey() + " share the file name " + e.getValue()
                        + " (names that differ only in case are one name on the FAT and exFAT file systems of USB"
                        + " sticks): give each image its own, or name one of them only");
            }
        }
        return spec;
    }

    /** No two services share a container name or a host port (on the same address and protocol). */
    private void checkUnique(StackSpec spec) {
        Map<String, String> containers = new LinkedHashMap<>();
        Map<String, List<String>> published = new LinkedHashMap<>();
        for (Service service : spec.services().values()) {
            String path = "services." + service.name();
            String other = containers.putIfAbsent(service.containerName(spec.name()), service.name());
            if (other != null) {
                throw error(path + ".container_name", "'" + service.containerName(spec.name()) + "' is also the "
                        + "container name of service " + other);
            }
            for (PortSpec port : service.ports()) {
                String key = port.hostPort() + "/" + port.protocol();
                List<String> holders = published.computeIfAbsent(key, k -> new ArrayList<>());
                for (String holder : holders) {
                    String[] ipAndService = holder.split(" ", 2);
                    if (overlaps(ipAndService[0], port.hostIp())) {
                        throw error(path + ".ports", "host port " + key + " is also published by service "
                                + ipAndService[1]);
                    }
                }
                holders.add(port.hostIp() + " " + service.name());
            }
        }
    }

    /**
     * Whether two host addresses of a published port meet: the same, or either is every address (none given: of both
     * families; 0.0.0.0: every IPv4 address; ::, every IPv6 one).
     */
    private static boolean overlaps(String a, String b) {
        if (a.equals(b) || a.isEmpty() || b.isEmpty()) {
            return true;
        }
        boolean v6a = a.contains(":");
        boolean v6b = b.contains(":");
        return v6a == v6b && (a.equals("0.0.0.0") || b.equals("0.0.0.0") || a.equals("::") || b.equals("::"));
    }

    private Service service(String name, JsonNode node, String path, Map<String, VolumeSpec> volumes,
                            Map<String, NetworkSpec> networks, String stack) {
        if (!NAME.matcher(name).matches()) {
            throw error(path, "'" + name + "' is not a valid service name");
        }
        object(node, path);
        ServiceOptions.INSTEAD.forEach((key, instead) -> {
            if (node.has(key)) {
                throw error(path + "." + key, "not supported: " + instead);
            }
        });
        List<String> known = new ArrayList<>(List.of(SERVICE_KEYS.split(", ")));
        known.addAll(List.of(SETTINGS_KEYS.split(", ")));
        known.addAll(List.of(ENGINE_KEYS.split(", ")));
        known.add("x-offline");
        keys(node, path, known);
        if (!node.has("image")) {
            throw error(path, "a service needs an image");
        }
        String image = image(string(node.get("image"), path + ".image"), path + ".image");
        String containerName = null;
        if (node.has("container_name")) {
            containerName = string(node.get("container_name"), path + ".container_name");
            if (!NAME.matcher(containerName).matches()) {
                throw error(path + ".container_name", "'" + containerName + "' is not a valid container name");
            }
        }
        List<String> command = node.has("command") ? command(node.get("command"), path + ".command") : null;
        List<PortSpec> ports = new ArrayList<>();
        for (String p : shortOrLong(node.get("ports"), path + ".ports", this::longPort)) {
            ports.addAll(ports(p, path + ".ports"));
        }
        List<MountSpec> mounts = new ArrayList<>();
        for (String m : shortOrLong(node.get("volumes"), path + ".volumes", this::longVolume)) {
            MountSpec mount = mount(m, path + ".volumes", volumes);
            if (mounts.stream().anyMatch(other -> other.target().equals(mount.target()))) {
                throw error(path + ".volumes", "two mounts at " + mount.target());
            }
            mounts.add(mount);
        }
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        String networkMode = networkMode(node, path, ports);
        List<String> serviceNetworks = networkMode != null ? new ArrayList<>()
                : serviceNetworks(node.get("networks"), path + ".networks", networks, stack, aliases);
        String restart = node.has("restart") ? string(node.get("restart"), path + ".restart") : "no";
        if (!RESTART.contains(restart) && !restart.matches("on-failure:[0-9]{1,9}")) {
            throw error(path + ".restart", "'" + restart + "' is not one of no, always, unless-stopped, on-failure[:N]");
        }
        HealthcheckSpec healthcheck = node.has("healthcheck") ? healthcheck(node.get("healthcheck"), path + ".healthcheck") : null;
        ReadyRule ready = null;
        List<List<String>> afterReady = new ArrayList<>();
        JsonNode offline = node.get("x-offline");
        if (offline != null && !offline.isNull()) {
            keys(offline, path + ".x-offline", "ready", "after-ready");
            if (offline.has("ready")) {
                ready = ready(offline.get("ready"), path + ".x-offline.ready",
                        healthcheck == null || !healthcheck.test().equals(List.of("NONE")));
            }
            JsonNode commands = offline.get("after-ready");
            if (commands != null && !commands.isNull()) {
                if (!commands.isArray()) {
                    throw error(path + ".x-offline.after-ready", "expected a list of commands, each a list of words");
                }
                int i = 0;
                for (JsonNode c : commands) {
                    String cpath = path + ".x-offline.after-ready[" + i++ + "]";
                    List<String> words = c.isArray() || c.isValueNode() && !c.isNull() ? command(c, cpath) : List.of();
                    if (words.isEmpty()) {
                        throw error(cpath, "expected a command: a list of words, such as [\"/assets/offline-setup\"],"
                                + " or a line split as command's is");
                    }
                    afterReady.add(words);
                }
            }
        }
        ContainerOptions options = new ServiceOptions(this).read(node, path, mounts).withNetworks(networkMode,
                aliases);
        if (ready != null && ready.log() != null && options.logging() != null
                && "none".equals(options.logging().driver())) {
            throw error(path + ".x-offline.ready.log", "the log rule reads the container's log, which logging driver"
                    + " none does not keep");
        }
        if (!afterReady.isEmpty() && options.hostConfig() != null
                && Boolean.TRUE.equals(options.hostConfig().get("ReadonlyRootfs"))) {
            // the mark that they ran is a file in the container's root, which read_only forbids
            throw error(path + ".read_only", "a read-only container cannot be marked as set up by its after-ready"
                    + " commands, so each run would run them again; drop read_only or the after-ready commands");
        }
        return new Service(name, image, containerName, command, ports, mounts,
                environment(node.get("environment"), path + ".environment"), serviceNetworks, restart, healthcheck,
                stringMap(node.get("labels"), path + ".labels"), ready, afterReady,
                dependsOn(name, node.get("depends_on"), path + ".depends_on"), options);
    }

    /** {@code depends_on}: a list of services, or a mapping of them to {@code condition:}; service to condition. */
    private Map<String, String> dependsOn(String service, JsonNode node, String path) {
        Map<String, String> dependsOn = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return dependsOn;
        }
        if (node.isArray()) {
            stringList(node, path).forEach(s -> dependsOn.put(s, StackSpec.STARTED));
            return dependsOn;
        }
        for (Map.Entry<String, JsonNode> e : entries(node, path)) {
            String item = path + "." + e.getKey();
            String condition = StackSpec.STARTED;
            if (e.getValue() != null && !e.getValue().isNull()) {
                // restart (restart the service when its dependency is updated) has no effect: run replaces a
                // container when its own image or configuration changed
                keys(e.getValue(), item, "condition", "required", "restart");
                if (e.getValue().has("condition")) {
                    condition = string(e.getValue().get("condition"), item + ".condition");
                }
                bool(e.getValue().get("restart"), item + ".restart");
                if (e.getValue().has("required") && !bool(e.getValue().get("required"), item + ".required")) {
                    optional.add(service + " " + e.getKey());
                }
            }
            if (!List.of(StackSpec.STARTED, StackSpec.HEALTHY, StackSpec.COMPLETED).contains(condition)) {
                throw error(item + ".condition", "'" + condition + "' is not one of " + StackSpec.STARTED + ", "
                        + StackSpec.HEALTHY + ", " + StackSpec.COMPLETED);
            }
            dependsOn.put(e.getKey(), condition);
        }
        return dependsOn;
    }

    /**
     * The services in the order run starts them: each after the services it depends on, otherwise as written. A
     * service another waits for as healthy or completed gets that as its ready rule when it has none of its own.
     */
    private Map<String, Service> startOrder(Map<String, Service> services) {
        Map<String, Service> byName = new LinkedHashMap<>(services);
        Map<String, String> waitedAs = new LinkedHashMap<>(); // dependency: "CONDITION by SERVICE"
        for (Service service : services.values()) {
            for (Map.Entry<String, String> dep : new ArrayList<>(service.dependsOn().entrySet())) {
                String name = dep.getKey();
                String condition = dep.getValue();
                String path = "services." + service.name() + ".depends_on";
                Service dependency = byName.get(name);
                if (dependency == null && optional.contains(service.name() + " " + name)) {
                    service.dependsOn().remove(name); // required: false, as in Compose
                    continue;
                }
                if (dependency == null || name.equals(service.name())) {
                    throw error(path, dependency == null ? "'" + name + "' is not a service of this stack"
                            : "a service cannot depend on itself");
                }
                if (condition.equals(StackSpec.STARTED)) {
                    continue;
                }
                String earlier = waitedAs.putIfAbsent(name, condition + " by " + service.name());
                if (earlier != null && !earlier.startsWith(condition + " ")) {
                    throw error(path + "." + name, name + " is waited for as " + condition + " here and as " + earlier
                            + ": one service cannot be both");
                }
                ReadyRule rule = dependency.ready();
                // its own rule decides; one that gives only a timeout sets the time for the condition's wait
                Duration timeout = rule == null ? ReadyRule.DEPENDENCY_TIMEOUT : rule.timeout();
                if (rule != null && !rule.byDependency() && !rule.running() && !rule.exited()) {
                    if (condition.equals(StackSpec.COMPLETED)) {
                        throw error(path + "." + name, name + "'s x-offline.ready rule decides when it is ready; "
                                + StackSpec.COMPLETED + " needs a service with none (or only a timeout)");
                    }
                    // run waits for that rule; start and restart, which cannot read it, start the dependency first
                    // and do not hold its health against it, as run did not
                    service.dependsOn().put(name, StackSpec.STARTED);
                    continue;
                }
                if (condition.equals(StackSpec.HEALTHY)) {
                    if (dependency.healthcheck() != null && dependency.healthcheck().test().equals(List.of("NONE"))) {
                        throw error(path + "." + name, name + " disables its healthcheck, so it never becomes healthy");
                    }
                    byName.put(name, dependency.withReady(new ReadyRule(null, true, null, false, true, timeout)));
                } else {
                    if (!dependency.restart().equals("no") && !dependency.restart().startsWith("on-failure")) {
                        throw error(path + "." + name, name + " has restart: " + dependency.restart() + ", so it never"
                                + " completes");
                    }
                    if (!dependency.afterReady().isEmpty()) {
                        throw error(path + "." + name, name + "'s after-ready commands run in its container, which"
                                + " " + StackSpec.COMPLETED + " waits to see exit");
                    }
                    byName.put(name, dependency.withReady(new ReadyRule(null, false, null, true, true, timeout)));
                }
            }
        }
        Map<String, Service> ordered = new LinkedHashMap<>();
        List<String> visiting = new ArrayList<>();
        for (String name : byName.keySet()) {
            visit(name, byName, ordered, visiting);
        }
        return ordered;
    }

    private void visit(String name, Map<String, Service> services, Map<String, Service> ordered, List<String> visiting) {
        if (ordered.containsKey(name)) {
            return;
        }
        if (visiting.contains(name)) {
            List<String> cycle = new ArrayList<>(visiting.subList(visiting.indexOf(name), visiting.size()));
            cycle.add(name);
            throw error("services." + name + ".depends_on", "a cycle: " + String.join(" -> ", cycle));
        }
        visiting.add(name);
        for (String dependency : services.get(name).dependsOn().keySet()) {
            visit(dependency, services, ordered, visiting);
        }
        visiting.remove(visiting.size() - 1);
        ordered.put(name, services.get(name));
    }

    /**
     * {@code network_mode}: host (the host's network), none, or bridge (the engine's default network); null when the
     * service joins the stack's networks.
     */
    private String networkMode(JsonNode node, String path, List<PortSpec> ports) {
        if (!node.has("network_mode")) {
            return null;
        }
        String mode = string(node.get("network_mode"), path + ".network_mode");
        if (!List.of("host", "none", "bridge").contains(mode)) {
            throw error(path + ".network_mode", "'" + mode + "' is not host, none or bridge (to share another"
                    + " service's network, put both on one of the stack's networks)");
        }
        if (node.has("networks")) {
            throw error(path + ".network_mode", "a service takes network_mode or networks, not both");
        }
        if (!mode.equals("bridge") && !ports.isEmpty()) {
            throw error(path + ".ports", "a container with network_mode " + mode + " publishes no ports"
                    + (mode.equals("host") ? " (it listens on the host's own)" : ""));
        }
        if (mode.equals("host") && node.has("mac_address")) {
            throw error(path + ".mac_address", "a container with network_mode host has the host's network, and no MAC"
                    + " address of its own");
        }
        if (mode.equals("host") && stringMap(node.get("sysctls"), path + ".sysctls").keySet().stream()
                .anyMatch(k -> k.startsWith("net."))) {
            throw error(path + ".sysctls", "net.* parameters of a container with network_mode host are the host's"
                    + " own, which the engine does not let it set");
        }
        return mode;
    }

    /** @param aliases filled with the aliases given per network */
    private List<String> serviceNetworks(JsonNode node, String path, Map<String, NetworkSpec> networks, String stack,
                                         Map<String, List<String>> aliases) {
        List<String> names = new ArrayList<>();
        if (node == null || node.isNull()) {
            networks.putIfAbsent("default", new NetworkSpec(stack + "_default", "bridge", false));
            names.add("default");
            return names;
        }
        if (node.isArray()) {
            names.addAll(stringList(node, path));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : entries(node, path)) {
                String item = path + "." + e.getKey();
                if (e.getValue() != null && !e.getValue().isNull()) {
                    keys(e.getValue(), item, "aliases");
                    List<String> names2 = stringList(e.getValue().get("aliases"), item + ".aliases");
                    for (String alias : names2) {
                        if (!NAME.matcher(alias).matches()) {
                            throw error(item + ".aliases", "'" + alias + "' is not a valid name");
                        }
                    }
                    if (!names2.isEmpty()) {
                        aliases.put(e.getKey(), names2);
                    }
                }
                names.add(e.getKey());
            }
        } else {
            throw error(path, "expected a list of network names");
        }
        for (String n : names) {
            if (n.equals("default")) { // as in Compose, the stack's default network needs no declaration
                networks.putIfAbsent("default", new NetworkSpec(stack + "_default", "bridge", false));
            }
            if (!networks.containsKey(n)) {
                throw error(path, "network '" + n + "' is not declared under the top-level networks");
            }
        }
        return names;
    }

    private VolumeSpec volume(String key, JsonNode node, String path) {
        if (!NAME.matcher(key).matches()) {
            throw error(path, "'" + key + "' is not a valid volume name");
        }
        if (node == null || node.isNull()) {
            return new VolumeSpec(key, false, Map.of());
        }
        object(node, path);
        keys(node, path, "name", "external", "labels", "driver", "driver_opts");
        String name = node.has("name") ? string(node.get("name"), path + ".name") : key;
        if (!NAME.matcher(name).matches()) {
            throw error(path + ".name", "'" + name + "' is not a valid volume name");
        }
        return new VolumeSpec(name, bool(node.get("external"), path + ".external"),
                stringMap(node.get("labels"), path + ".labels"), driver(node, path),
                new TreeMap<>(stringMap(node.get("driver_opts"), path + ".driver_opts")));
    }

    /** A volume's or network's driver, or null when not given. */
    private String driver(JsonNode node, String path) {
        String driver = node.has("driver") ? string(node.get("driver"), path + ".driver") : null;
        if (driver != null && !DRIVER.matcher(driver).matches()) {
            throw error(path + ".driver", "'" + driver + "' is not a driver name, such as local or bridge");
        }
        return driver;
    }

    private NetworkSpec network(String key, JsonNode node, String path) {
        if (!NAME.matcher(key).matches()) {
            throw error(path, "'" + key + "' is not a valid network name");
        }
        if (node == null || node.isNull()) {
            return new NetworkSpec(key, "bridge", false);
        }
        object(node, path);
        keys(node, path, "name", "driver", "external", "labels", "driver_opts", "internal", "attachable", "enable_ipv6",
                "ipam");
        String name = node.has("name") ? string(node.get("name"), path + ".name") : key;
        String driver = driver(node, path);
        return new NetworkSpec(name, driver == null ? "bridge" : driver, bool(node.get("external"), path + ".external"),
                new TreeMap<>(stringMap(node.get("labels"), path + ".labels")),
                new TreeMap<>(stringMap(node.get("driver_opts"), path + ".driver_opts")),
                bool(node.get("internal"), path + ".internal"), bool(node.get("attachable"), path + ".attachable"),
                bool(node.get("enable_ipv6"), path + ".enable_ipv6"), ipam(node.get("ipam"), path + ".ipam"));
    }

    /** {@code ipam}: driver, config (a list of subnet, ip_range, gateway, aux_addresses) and options. */
    private NetworkCreate.Ipam ipam(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        keys(node, path, "driver", "config", "options");
        List<NetworkCreate.Pool> pools = new ArrayList<>();
        JsonNode config = node.get("config");
        if (config != null && !config.isNull()) {
            if (!config.isArray()) {
                throw error(path + ".config", "expected a list of {subnet, ip_range, gateway, aux_addresses}");
            }
            for (int i = 0; i < config.size(); i++) {
                String item = path + ".config[" + i + "]";
                JsonNode pool = config.get(i);
                keys(pool, item, "subnet", "ip_range", "gateway", "aux_addresses");
                String subnet = pool.has("subnet") ? cidr(pool.get("subnet"), item + ".subnet") : null;
                String range = pool.has("ip_range") ? cidr(pool.get("ip_range"), item + ".ip_range") : null;
                String gateway = pool.has("gateway") ? string(pool.get("gateway"), item + ".gateway") : null;
                if (gateway != null && !isIp(gateway)) {
                    throw error(item + ".gateway", "'" + gateway + "' is not an IP address");
                }
                Map<String, String> aux = new TreeMap<>(stringMap(pool.get("aux_addresses"), item + ".aux_addresses"));
                aux.forEach((host, ip) -> {
                    if (!isIp(ip)) {
                        throw error(item + ".aux_addresses." + host, "'" + ip + "' is not an IP address");
                    }
                });
                if (subnet == null && (range != null || gateway != null || !aux.isEmpty())) {
                    throw error(item, "ip_range, gateway and aux_addresses need the subnet they are in");
                }
                if (subnet != null) { // what the engine would take and then hold as a pool, or refuse half-way
                    if (!startsClean(subnet)) {
                        throw error(item + ".subnet", "'" + subnet + "' has host bits set; the block starts at "
                                + text(start(subnet)) + "/" + bits(subnet));
                    }
                    if (range != null && !inside(subnet, range)) {
                        throw error(item + ".ip_range", "'" + range + "' is not within subnet " + subnet);
                    }
                    if (gateway != null && !inside(subnet, gateway)) {
                        throw error(item + ".gateway", "'" + gateway + "' is not within subnet " + subnet);
                    }
                    aux.forEach((host, ip) -> {
                        if (!inside(subnet, ip)) {
                            throw error(item + ".aux_addresses." + host, "'" + ip + "' is not within subnet " + subnet);
                        }
                    });
                }
                pools.add(new NetworkCreate.Pool(subnet, range, gateway, aux.isEmpty() ? null : aux));
            }
        }
        Map<String, String> options = new TreeMap<>(stringMap(node.get("options"), path + ".options"));
        return new NetworkCreate.Ipam(driver(node, path), pools.isEmpty() ? null : pools,
                options.isEmpty() ? null : options);
    }

    /** Whether {@code address} (an IP address, or the first address of a block) lies in {@code block}. */
    private static boolean inside(String block, String address) {
        byte[] ip = literal(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
        byte[] start = start(block);
        return ip.length == start.length && java.util.Arrays.equals(masked(ip, bits(block)), start);
    }

    /** Whether a block is written from its first address (no host bits set). */
    private static boolean startsClean(String block) {
        return java.util.Arrays.equals(literal(block.substring(0, block.indexOf('/'))), start(block));
    }

    /** A block's first address, as bytes. */
    private static byte[] start(String block) {
        return masked(literal(block.substring(0, block.indexOf('/'))), bits(block));
    }

    private static int bits(String block) {
        return Integer.parseInt(block.substring(block.indexOf('/') + 1));
    }

    private static byte[] masked(byte[] address, int bits) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static String text(byte[] address) {
        try {
            return java.net.InetAddress.getByAddress(address).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of an IP literal (already checked as one: no name is looked up). */
    private static byte[] literal(String ip) {
        try {
            return java.net.InetAddress.getByName(ip).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An address block such as 10.20.0.0/16 or fd00:1::/64. */
    private String cidr(JsonNode node, String path) {
        String text = string(node, path);
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        String bits = slash < 0 ? "" : text.substring(slash + 1);
        boolean v4 = isIpv4(address);
        if (!(v4 || isIpv6(address)) || !bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > (v4 ? 32 : 128)) {
            throw error(path, "'" + text + "' is not an address block such as 10.20.0.0/16");
        }
        return text;
    }

    /** One published port, or a range ({@code 8000-8009:8000-8009}) as one port each. */
    private List<PortSpec> ports(String text, String path) {
        Matcher m = PORT.matcher(text);
        if (!m.matches()) {
            throw error(path, "'" + text + "' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp|sctp] (a port or a range"
                    + " such as 8000-8009)");
        }
        int host = Integer.parseInt(m.group(2));
        int hostLast = m.group(3) == null ? host : Integer.parseInt(m.group(3));
        int container = Integer.parseInt(m.group(4));
        int containerLast = m.group(5) == null ? container : Integer.parseInt(m.group(5));
        for (int port : new int[] {host, hostLast, container, containerLast}) {
            if (port < 1 || port > 65535) {
                throw error(path, "'" + text + "': ports go from 1 to 65535");
            }
        }
        if (hostLast < host || containerLast < container) {
            throw error(path, "'" + text + "': a range goes from the lower port to the higher one");
        }
        if (hostLast - host != containerLast - container) {
            throw error(path, "'" + text + "': the host range and the container range need as many ports");
        }
        if (hostLast - host >= MAX_RANGE) {
            throw error(path, "'" + text + "': a range of more than " + MAX_RANGE + " ports");
        }
        String ip = m.group(1) == null ? "" : m.group(1).replace("[", "").replace("]", "");
        if (!ip.isEmpty() && !(m.group(1).startsWith("[") ? isIpv6(ip) : IPV4.matcher(ip).matches())) {
            throw error(path, "'" + text + "': '" + m.group(1) + "' is not an IP address (such as 127.0.0.1 or "
                    + "[::1])");
        }
        String protocol = m.group(6) == null ? "tcp" : m.group(6).toLowerCase(Locale.ROOT);
        List<PortSpec> ports = new ArrayList<>();
        for (int i = 0; i <= hostLast - host; i++) {
            ports.add(new PortSpec(ip, host + i, container + i, protocol));
        }
        return ports;
    }

    /**
     * A service that joins the pid or ipc namespace of another container of the stack would lose it whenever run
     * replaces that container (the engine ties it to that container's ID): refused, with what to do instead.
     */
    private void checkJoinedNamespaces(StackSpec spec) {
        Set<String> containers = new java.util.HashSet<>();
        spec.services().values().forEach(s -> containers.add(s.containerName(spec.name())));
        for (Service service : spec.services().values()) {
            Map<String, Object> host = service.options().hostConfig();
            for (String key : List.of("pid", "ipc")) {
                Object mode = host == null ? null : host.get(key.equals("pid") ? "PidMode" : "IpcMode");
                if (mode instanceof String m && m.startsWith("container:")
                        && containers.contains(m.substring("container:".length()))) {
                    throw error("services." + service.name() + "." + key, "'" + m + "' joins a container of this"
                            + " stack, which run replaces when it changes, leaving " + service.name() + " unable to"
                            + " start; share it through the host (" + key + ": host" + (key.equals("ipc")
                            ? ", or a tmpfs volume both mount" : "") + ") instead");
                }
            }
        }
    }

    /** An IPv4 or IPv6 address. */
    public static boolean isIp(String text) {
        return isIpv4(text) || isIpv6(text);
    }

    static boolean isIpv4(String text) {
        return IPV4.matcher(text).matches();
    }

    /** Eight groups of up to four hex digits, or fewer with one {@code ::}; the last two may be an IPv4 address. */
    static boolean isIpv6(String text) {
        String address = text;
        int lastColon = address.lastIndexOf(':');
        boolean withIpv4 = lastColon >= 0 && address.indexOf('.', lastColon) > 0;
        if (withIpv4) {
            if (!IPV4.matcher(address.substring(lastColon + 1)).matches()) {
                return false;
            }
            address = address.substring(0, lastColon + 1) + "0"; // stands for the first of the two groups
        }
        int compressed = address.indexOf("::");
        if (compressed >= 0 && address.indexOf("::", compressed + 1) >= 0
                || address.startsWith(":") && !address.startsWith("::")
                || address.endsWith(":") && !address.endsWith("::")) {
            return false;
        }
        int groups = withIpv4 ? 1 : 0;
        for (String part : address.split(":")) {
            if (!part.isEmpty() && !part.matches("[0-9a-fA-F]{1,4}")) {
                return false;
            }
            groups += part.isEmpty() ? 0 : 1;
        }
        return compressed >= 0 ? groups < 8 : groups == 8;
    }

    private MountSpec mount(String text, String path, Map<String, VolumeSpec> volumes) {
        String[] parts = text.split(":");
        if (parts.length < 2 || parts.length > 3) {
            throw error(path, "'" + text + "' is not SOURCE:TARGET[:ro]; anonymous volumes are not kept across "
                    + "upgrades, so name them");
        }
        boolean readOnly = false;
        String relabel = null;
        if (parts.length == 3) {
            List<String> modes = List.of(parts[2].split(",", -1));
            long access = modes.stream().filter(m -> m.equals("ro") || m.equals("rw")).count();
            long labels = modes.stream().filter(m -> m.equals("z") || m.equals("Z")).count();
            if (access + labels != modes.size() || access > 1 || labels > 1) {
                throw error(path, "'" + text + "': the mode is ro or rw, and z or Z (SELinux labels), such as ro,z");
            }
            readOnly = modes.contains("ro");
            relabel = modes.contains("z") ? "z" : modes.contains("Z") ? "Z" : null;
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            throw error(path, "'" + text + "': the target must be an absolute path in the container");
        }
        String source = parts[0];
        if (source.startsWith("/")) {
            return new MountSpec(MountSpec.Kind.BIND, source, target, readOnly, relabel);
        }
        if (source.startsWith(".") || source.startsWith("~") || source.contains("/")) {
            throw error(path, "'" + text + "': a bind mount needs an absolute host path (the offline host has no"
                    + " stack folder to resolve a relative one against)");
        }
        VolumeSpec volume = volumes.get(source);
        if (volume == null) {
            throw error(path, "volume '" + source + "' is not declared under the top-level volumes");
        }
        return new MountSpec(MountSpec.Kind.VOLUME, volume.name(), target, readOnly, relabel);
    }

    private HealthcheckSpec healthcheck(JsonNode node, String path) {
        object(node, path);
        if (node.has("start_interval")) {
            throw error(path + ".start_interval", "not supported: it needs Docker Engine API 1.44 (Docker 25), and"
                    + " mlreef-offline writes for 1.41 (Docker 20.10)");
        }
        keys(node, path, "test", "interval", "timeout", "retries", "start_period", "disable");
        if (bool(node.get("disable"), path + ".disable")) {
            return new HealthcheckSpec(List.of("NONE"), null, null, null, null);
        }
        JsonNode testNode = node.get("test");
        // without a test, the image's HEALTHCHECK test runs, with the times given here
        List<String> test = testNode == null ? List.of() : testNode.isArray() ? stringList(testNode, path + ".test")
                : List.of("CMD-SHELL", string(testNode, path + ".test"));
        if (testNode != null && !test.equals(List.of("NONE")) && (test.size() < 2
                || !test.get(0).equals("CMD") && !test.get(0).equals("CMD-SHELL"))) {
            throw error(path + ".test", "expected a command: a string, [\"CMD\", PROGRAM, ARGS...],"
                    + " [\"CMD-SHELL\", \"shell command\"] or [\"NONE\"]");
        }
        Integer retries = node.has("retries") ? integer(node.get("retries"), path + ".retries") : null;
        return new HealthcheckSpec(test, duration(node.get("interval"), path + ".interval"),
                duration(node.get("timeout"), path + ".timeout"), retries,
                duration(node.get("start_period"), path + ".start_period"));
    }

    /** @param healthcheckAllowed false when the service disables the healthcheck (its image's may still do) */
    private ReadyRule ready(JsonNode node, String path, boolean healthcheckAllowed) {
        object(node, path);
        keys(node, path, "log", "healthcheck", "http", "timeout");
        String log = node.has("log") ? string(node.get("log"), path + ".log") : null;
        boolean health = bool(node.get("healthcheck"), path + ".healthcheck");
        String http = node.has("http") ? string(node.get("http"), path + ".http") : null;
        int rules = (log != null ? 1 : 0) + (health ? 1 : 0) + (http != null ? 1 : 0);
        if (rules > 1 || rules == 0 && !node.has("timeout")) {
            throw error(path, "give one of log, healthcheck: true, http (or only a timeout, for depends_on's wait)");
        }
        if (health && !healthcheckAllowed) {
            throw error(path, "healthcheck: true, but the service disables its healthcheck");
        }
        if (http != null && !http.matches("https?://[A-Za-z0-9.\\[\\]:-]+(?::[0-9]+)?(?:/\\S*)?")) {
            throw error(path + ".http", "'" + http + "' is not an http(s) URL");
        }
        Duration timeout = duration(node.get("timeout"), path + ".timeout");
        return new ReadyRule(log, health, http, timeout == null ? ReadyRule.DEFAULT_TIMEOUT : timeout);
    }

    // scalars and collections

    String string(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            throw error(path, "a value is needed");
        }
        if (!node.isValueNode()) {
            throw error(path, "expected a single value, not a " + (node.isArray() ? "list" : "mapping"));
        }
        return interpolation.apply(node.asText(), source + ": " + path);
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
    private Map<String, String> environment(JsonNode node, String path) {
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
    private List<String> shortOrLong(JsonNode node, String path, BiFunction<JsonNode, String, String> toShort) {
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
            list.add(toShort != null && item != null && item.isObject() ? toShort.apply(item, itemPath)
                    : string(item, itemPath));
        }
        return list;
    }

    /** A port in Compose's long syntax (target, published, host_ip, protocol, mode: host, name), as the short one. */
    private String longPort(JsonNode node, String path) {
        keys(node, path, "target", "published", "host_ip", "protocol", "mode", "name");
        if (!node.has("target") || !node.has("published")) {
            throw error(path, "a port needs target (the container's) and published (the host's)");
        }
        String mode = node.has("mode") ? string(node.get("mode"), path + ".mode") : "host";
        if (!mode.equals("host")) {
            throw error(path + ".mode", "'" + mode + "' is not host");
        }
        String ip = node.has("host_ip") ? string(node.get("host_ip"), path + ".host_ip") : null;
        return (ip == null || ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":")
                + string(node.get("published"), path + ".published") + ":" + string(node.get("target"), path + ".target")
                + (node.has("protocol") ? "/" + string(node.get("protocol"), path + ".protocol") : "");
    }

    /** A mount in Compose's long syntax (type volume or bind, source, target, read_only, bind.selinux), as the short one. */
    private String longVolume(JsonNode node, String path) {
        keys(node, path, "type", "source", "target", "read_only", "bind");
        String type = node.has("type") ? string(node.get("type"), path + ".type") : "volume";
        if (!type.equals("volume") && !type.equals("bind")) {
            throw error(path + ".type", "'" + type + "' is not volume or bind (the others keep nothing across"
                    + " upgrades)");
        }
        if (!node.has("source") || !node.has("target")) {
            throw error(path, "a mount needs source and target (anonymous volumes are not kept across upgrades)");
        }
        String source = string(node.get("source"), path + ".source");
        if (type.equals("volume") == source.startsWith("/")) {
            throw error(path + ".source", "'" + source + "': a " + type + (type.equals("bind")
                    ? " mount needs an absolute host path" : " is named, not a path"));
        }
        String selinux = null;
        if (node.has("bind") && !node.get("bind").isNull()) {
            keys(node.get("bind"), path + ".bind", "selinux");
            selinux = node.get("bind").has("selinux") ? string(node.get("bind").get("selinux"), path + ".bind.selinux")
                    : null;
        }
        return new MountSpec(type.equals("bind") ? MountSpec.Kind.BIND : MountSpec.Kind.VOLUME, source,
                string(node.get("target"), path + ".target"), bool(node.get("read_only"), path + ".read_only"),
                selinux).bind();
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

    private int integer(JsonNode node, String path) {
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
        Duration duration = parseDuration(text);
        if (duration == null) {
            throw error(path, "'" + text + "' is not a duration such as 30s, 15m or 1h30m (at most " + MAX_DAYS
                    + " days)");
        }
        return duration;
    }

    /** Compose's durations (30s, 1.5m, 1h30m, 500ms; a bare number is seconds), up to 30 days; null if not one. */
    public static Duration parseDuration(String text) {
        if (text.matches("[0-9]{1,9}")) {
            return atMostMax(Duration.ofSeconds(Long.parseLong(text)));
        }
        Matcher m = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            double value = Double.parseDouble(m.group(1));
            long millis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            total = total.plusMillis(Math.round(value * millis));
            end = m.end();
        }
        return end != text.length() || end == 0 ? null : atMostMax(total);
    }

    private static Duration atMostMax(Duration d) {
        return d.compareTo(Duration.ofDays(MAX_DAYS)) > 0 ? null : d;
    }

    private String image(String reference, String path) {
        if (!IMAGE.matcher(reference).matches()) {
            throw error(path, "'" + reference + "' is not a valid image reference");
        }
        return reference;
    }

    Iterable<Map.Entry<String, JsonNode>> entries(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        object(node, path);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        return () -> fields;
    }

    private void object(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "expected a mapping");
        }
    }

    void keys(JsonNode node, String path, String... allowed) {
        keys(node, path, List.of(allowed));
    }

    private void keys(JsonNode node, String path, List<String> allowed) {
        object(node, path);
        Set<String> known = Set.copyOf(allowed);
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key) && !(key.startsWith("x-") && !key.equals("x-offline"))) {
                String where = path.isEmpty() ? key : path + "." + key;
                // a near spelling, or a part or a longer form of a key (memswap, ipc_mode)
                String near = allowed.stream().filter(k -> distance(k, key) <= Math.max(1, k.length() / 4)
                                || key.length() >= 3 && k.startsWith(key) || key.startsWith(k + "_"))
                        .min(java.util.Comparator.comparingInt(k -> distance(k, key))).orElse(null);
                throw error(where, "unknown key" + (near != null ? "; did you mean " + near + "?"
                        : allowed.size() <= 12 ? " (known here: " + String.join(", ", allowed) + ")"
                        : " ('mlreef-offline stack show --help' lists the keys a service takes)"));
            }
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

    StackFileException error(String path, String message) {
        return new StackFileException(source + ": " + path + ": " + message);
    }
}

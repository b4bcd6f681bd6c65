package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.ContainerOptions;
import com.mlreef.offline.stackfile.StackSpec.Logging;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.Ulimit;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's container settings beyond the stack's core (see {@link ContainerOptions}), read as Compose reads them:
 * the keys of {@link #KEYS}.
 */
final class ServiceOptions {
    /** The keys of a service's container settings; network_mode is read with the service's networks. */
    static final List<String> KEYS = List.of("entrypoint", "working_dir", "user", "hostname", "extra_hosts",
            "privileged", "init", "cap_add", "cap_drop", "shm_size", "mem_limit", "cpus", "stop_grace_period", "logging",
            "tmpfs", "expose", "ulimits", "network_mode");
    /** Compose keys this tool does not take, and what to do instead. */
    static final Map<String, String> INSTEAD = Map.ofEntries(
            Map.entry("extends", "write the service out in full"),
            Map.entry("external_links", "join the other containers' network (external: true) and reach them by name"),
            Map.entry("volumes_from", "mount the same named volumes in both services"),
            Map.entry("post_start", "give the commands as x-offline: after-ready, which run runs once the service is"
                    + " ready"),
            Map.entry("pre_stop", "stop sends the container its stop_signal: handle it in the container"),
            Map.entry("annotations", "annotations need Docker Engine API 1.43; write them as labels"),
            Map.entry("isolation", "isolation is a Windows containers' setting"),
            Map.entry("blkio_config", "limits on block I/O are not taken; set them on the host"),
            Map.entry("cpu_count", "cpu_count is a Windows containers' setting: use cpus"),
            Map.entry("cpu_percent", "cpu_percent is a Windows containers' setting: use cpus"),
            Map.entry("develop", "develop is for Compose's watch mode, which has no use offline"),
            Map.entry("credential_spec", "credential_spec is a Windows containers' setting"),
            Map.entry("cpu_rt_period", "real-time scheduling is not taken; use cpus"),
            Map.entry("cpu_rt_runtime", "real-time scheduling is not taken; use cpus"),
            Map.entry("label_file", "write the labels under labels"),
            Map.entry("volume_driver", "give the driver on each named volume under the top-level volumes"),
            Map.entry("use_api_socket", "mount /var/run/docker.sock with volumes if the service needs the engine"),
            Map.entry("provider", "a provider service is run by a Compose plug-in, which run does not have"),
            Map.entry("models", "models need Docker Model Runner, which an offline engine does not have"),
            Map.entry("pull_refresh_after", "run never pulls: export carries the image"));

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?");
    private static final Pattern CAPABILITY = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    /** As Compose reads sizes (go-units' RAMInBytes): units of 1024, with or without i and b. */
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15}(?:\\.[0-9]{1,9})?) ?([kmgtp]?)i?b?",
            Pattern.CASE_INSENSITIVE);
    /** The least memory the engine gives a container. */
    private static final long MIN_MEMORY = 6L << 20;
    private static final Pattern CPUS = Pattern.compile("[0-9]{1,4}(?:\\.[0-9]{1,9})?");
    private static final Pattern EXPOSE = Pattern.compile("([0-9]{1,5})(?:-([0-9]{1,5}))?(?:/((?i)tcp|udp|sctp))?");
    private static final Set<String> ULIMITS = Set.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");
    /** The longest host name the kernel takes. */
    private static final int MAX_HOSTNAME = 64;

    private final NodeReader reader;

    ServiceOptions(NodeReader reader) {
        this.reader = reader;
    }

    /** The settings; each key read on its own, so that the problems of all of them are found at once. */
    ContainerOptions read(JsonNode node, String path, List<MountSpec> mounts) {
        List<String> entrypoint = reader.attempt(() -> node.has("entrypoint")
                ? reader.command(node.get("entrypoint"), path + ".entrypoint") : null, null);
        String workingDir = reader.attempt(() -> checked(node, "working_dir", path, w -> w.startsWith("/"),
                "is not an absolute path in the container"), null);
        String user = reader.attempt(() -> checked(node, "user", path, u -> USER.matcher(u).matches(),
                "is not a user: a name or UID, with :GROUP or :GID"), null);
        String hostname = reader.attempt(() -> checked(node, "hostname", path, ServiceOptions::isHostName,
                "is not a host name (letters, digits, - and _, parts joined by ., at most " + MAX_HOSTNAME
                        + " characters)"), null);
        Boolean privileged = reader.attempt(() -> node.has("privileged") && reader.bool(node.get("privileged"),
                path + ".privileged") ? Boolean.TRUE : null, null);
        Boolean init = reader.attempt(() -> node.has("init") && !node.get("init").isNull()
                ? reader.bool(node.get("init"), path + ".init") : null, null);
        Long shmSize = reader.attempt(() -> size(node, "shm_size", path), null);
        Long memLimit = reader.attempt(() -> memLimit(node, path), null);
        Duration grace = reader.attempt(() -> reader.duration(node.get("stop_grace_period"),
                path + ".stop_grace_period"), null);
        EngineSettings engine = new EngineSettings(reader, this, node, path);
        reader.attempt(() -> memoryCombination(memLimit, engine.hostConfig(), path));
        return new ContainerOptions(entrypoint, workingDir, user, hostname, reader.attempt(() -> extraHosts(
                node.get("extra_hosts"), path + ".extra_hosts"), null), privileged, init,
                reader.attempt(() -> capabilities(node.get("cap_add"), path + ".cap_add"), null),
                reader.attempt(() -> capabilities(node.get("cap_drop"), path + ".cap_drop"), null), shmSize, memLimit,
                reader.attempt(() -> cpus(node, path), null),
                grace == null ? null : (int) Math.ceil(grace.toMillis() / 1000.0),
                reader.attempt(() -> logging(node.get("logging"), path + ".logging"), null),
                reader.attempt(() -> tmpfs(node.get("tmpfs"), path + ".tmpfs", mounts), null),
                reader.attempt(() -> expose(node.get("expose"), path + ".expose"), null),
                reader.attempt(() -> ulimits(node.get("ulimits"), path + ".ulimits"), null), null, null,
                engine.config().isEmpty() ? null : engine.config(),
                engine.hostConfig().isEmpty() ? null : engine.hostConfig(), null);
    }

    private Long memLimit(JsonNode node, String path) {
        Long memLimit = size(node, "mem_limit", path);
        if (memLimit != null && memLimit < MIN_MEMORY) {
            throw reader.error(path + ".mem_limit", "the engine gives a container at least 6m");
        }
        return memLimit;
    }

    /** A text key's value, or null when absent; refused when not {@code valid}. */
    private String checked(JsonNode node, String key, String path, java.util.function.Predicate<String> valid,
                           String notValid) {
        String value = optional(node, key, path);
        if (value != null && !valid.test(value)) {
            throw reader.error(path + "." + key, "'" + value + "' " + notValid);
        }
        return value;
    }

    /** What the engine refuses at create: swap without a memory limit or below it, a reservation above it. */
    private void memoryCombination(Long memLimit, Map<String, Object> hostConfig, String path) {
        Long swap = (Long) hostConfig.get("MemorySwap");
        Long reservation = (Long) hostConfig.get("MemoryReservation");
        if (swap != null && swap != -1 && memLimit == null) {
            throw reader.error(path + ".memswap_limit", "needs mem_limit: it is memory and swap together");
        }
        if (swap != null && swap != -1 && swap < memLimit) {
            throw reader.error(path + ".memswap_limit", "is memory and swap together: at least mem_limit ("
                    + memLimit + " bytes)");
        }
        if (reservation != null && memLimit != null && reservation > memLimit) {
            throw reader.error(path + ".mem_reservation", "is above mem_limit; a reservation is a soft limit below it");
        }
    }

    private String optional(JsonNode node, String key, String path) {
        return node.has(key) ? reader.string(node.get(key), path + "." + key) : null;
    }

    static boolean isHostName(String name) {
        if (name.length() > MAX_HOSTNAME) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** {@code HOST:IP} or {@code HOST=IP} items, or a mapping of host to address; as the engine takes them. */
    private List<String> extraHosts(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        // a list, as a name may have several addresses (one IPv4, one IPv6)
        List<Map.Entry<String, String>> hosts = new ArrayList<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : reader.entries(node, path)) {
                hosts.add(Map.entry(e.getKey(), reader.string(e.getValue(), path + "." + e.getKey())));
            }
        } else {
            for (String item : reader.stringList(node, path)) {
                int split = item.indexOf('=') >= 0 ? item.indexOf('=') : item.indexOf(':');
                if (split <= 0) {
                    throw reader.error(path, "'" + item + "' is not HOST:IP");
                }
                hosts.add(Map.entry(item.substring(0, split), item.substring(split + 1)));
            }
        }
        List<String> list = new ArrayList<>();
        hosts.forEach(entry -> {
            String host = entry.getKey();
            String address = entry.getValue();
            String ip = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                    : address;
            if (!isHostName(host)) {
                throw reader.error(path, "'" + host + "' is not a host name");
            }
            if (!ip.equals("host-gateway") && !AddressRules.isIp(ip)) {
                throw reader.error(path, "'" + address + "' (for " + host + ") is not an IP address or host-gateway");
            }
            list.add(host + ":" + ip);
        });
        return list;
    }

    private List<String> capabilities(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> caps = new ArrayList<>();
        for (String cap : reader.stringList(node, path)) {
            if (!CAPABILITY.matcher(cap).matches()) {
                throw reader.error(path, "'" + cap + "' is not a capability name, such as NET_ADMIN or ALL");
            }
            caps.add(cap.toUpperCase(Locale.ROOT));
        }
        return caps;
    }

    /** A byte size as Compose writes it: 67108864, 64m, 64mb, 1.5g (units of 1024). */
    Long size(JsonNode node, String key, String path) {
        if (!node.has(key)) {
            return null;
        }
        String text = reader.string(node.get(key), path + "." + key).trim();
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw reader.error(path + "." + key, "'" + text + "' is not a size such as 64m, 1g or a number of bytes");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.signum() <= 0 || bytes.compareTo(BigDecimal.valueOf(1L << 50)) > 0) {
            throw reader.error(path + "." + key, "'" + text + "' is not a size from 1 byte to 1 PiB");
        }
        return bytes.longValue();
    }

    private Long cpus(JsonNode node, String path) {
        if (!node.has("cpus")) {
            return null;
        }
        String text = reader.string(node.get("cpus"), path + ".cpus").trim();
        if (!CPUS.matcher(text).matches() || new BigDecimal(text).signum() <= 0) {
            throw reader.error(path + ".cpus", "'" + text + "' is not a number of CPUs such as 0.5 or 2");
        }
        return new BigDecimal(text).movePointRight(9).longValue();
    }

    private Logging logging(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        reader.keys(node, path, "driver", "options");
        // without a driver, the engine's default one takes the options
        String driver = node.has("driver") ? reader.string(node.get("driver"), path + ".driver") : null;
        if (driver != null && !NodeReader.DRIVER.matcher(driver).matches()) {
            throw reader.error(path + ".driver", "'" + driver + "' is not a log driver name, such as json-file or local");
        }
        Map<String, String> options = new TreeMap<>(reader.stringMap(node.get("options"), path + ".options"));
        return new Logging(driver, options.isEmpty() ? null : options);
    }

    /** {@code PATH[:OPTIONS]}, a string or a list of them: path to options. */
    private Map<String, String> tmpfs(JsonNode node, String path, List<MountSpec> mounts) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> items = reader.oneOrList(node, path);
        Map<String, String> tmpfs = new TreeMap<>();
        for (String item : items) {
            int colon = item.indexOf(':');
            String target = colon < 0 ? item : item.substring(0, colon);
            if (!target.startsWith("/")) {
                throw reader.error(path, "'" + item + "': the target must be an absolute path in the container");
            }
            if (tmpfs.put(target, colon < 0 ? "" : item.substring(colon + 1)) != null
                    || mounts.stream().anyMatch(m -> m.target().equals(target))) {
                throw reader.error(path, "two mounts at " + target);
            }
        }
        return tmpfs;
    }

    /** Container ports, as {@code PORT/PROTOCOL}; a range is one port each. */
    private List<String> expose(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> ports = new ArrayList<>();
        for (String item : reader.stringList(node, path)) {
            Matcher m = EXPOSE.matcher(item);
            int first = m.matches() ? Integer.parseInt(m.group(1)) : 0;
            int last = m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : first;
            if (first < 1 || last > 65535 || last < first || last - first >= 1000) {
                throw reader.error(path, "'" + item + "' is not a container port or range, such as 8080 or 8000-8009/udp");
            }
            String protocol = m.group(3) == null ? "tcp" : m.group(3).toLowerCase(Locale.ROOT);
            for (int port = first; port <= last; port++) {
                ports.add(port + "/" + protocol);
            }
        }
        return ports;
    }

    /** {@code NAME: LIMIT} or {@code NAME: {soft: S, hard: H}}. */
    private Map<String, Ulimit> ulimits(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        Map<String, Ulimit> ulimits = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : reader.entries(node, path)) {
            String item = path + "." + e.getKey();
            if (!ULIMITS.contains(e.getKey())) {
                throw reader.error(item, "not a limit the engine sets (" + String.join(", ",
                        ULIMITS.stream().sorted().toList()) + ")");
            }
            long soft;
            long hard;
            if (e.getValue() != null && e.getValue().isObject()) {
                reader.keys(e.getValue(), item, "soft", "hard");
                soft = limit(e.getValue().get("soft"), item + ".soft");
                hard = limit(e.getValue().get("hard"), item + ".hard");
                if (hard >= 0 && (soft < 0 || soft > hard)) { // -1: unlimited
                    throw reader.error(item, "soft " + soft + " is above hard " + hard);
                }
            } else {
                soft = limit(e.getValue(), item);
                hard = soft;
            }
            ulimits.put(e.getKey(), new Ulimit(soft, hard));
        }
        return ulimits;
    }

    private long limit(JsonNode node, String path) {
        String text = reader.string(node, path);
        if (!text.matches("-1|[0-9]{1,18}")) {
            throw reader.error(path, "expected a whole number (or -1 for unlimited), not '" + text + "'");
        }
        return Long.parseLong(text);
    }
}

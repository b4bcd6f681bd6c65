package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A service's Compose keys that are each one field of the engine's container (Engine API 1.41), read and checked as
 * Compose reads them: the keys of {@link #KEYS}. Each lands, under the engine's own field name, in the
 * create body ({@link #config()}) or in its HostConfig ({@link #hostConfig()}).
 */
final class EngineSettings {
    /** The Linux signals the engine knows by name (as in SIGQUIT or QUIT), RTMIN+N and RTMAX-N, or a number. */
    private static final Pattern SIGNAL = Pattern.compile("(?i)(?:SIG)?(?:ABRT|ALRM|BUS|CHLD|CLD|CONT|FPE|HUP|ILL|INT"
            + "|IO|IOT|KILL|PIPE|POLL|PROF|PWR|QUIT|SEGV|STKFLT|STOP|SYS|TERM|TRAP|TSTP|TTIN|TTOU|URG|USR1|USR2|VTALRM"
            + "|WINCH|XCPU|XFSZ|RTMIN(?:\\+[0-9]{1,2})?|RTMAX(?:-[0-9]{1,2})?)|[0-9]{1,2}");
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}");
    private static final Pattern SECURITY_OPT = Pattern.compile("(?:no-new-privileges(?:[:=](?:true|false))?"
            + "|(?:apparmor|label|systempaths|seccomp)[:=].+)");
    private static final Pattern SYSCTL = Pattern.compile("[a-z0-9_][a-z0-9_./-]*");
    private static final Pattern NAMESPACE = Pattern.compile("host|container:[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern IPC = Pattern.compile("host|private|shareable|none|container:[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern PERMISSIONS = Pattern.compile("[rwm]{1,3}");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final Pattern CPUSET = Pattern.compile("[0-9]{1,4}(?:-[0-9]{1,4})?(?:,[0-9]{1,4}(?:-[0-9]{1,4})?)*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern OPTION = Pattern.compile("[A-Za-z0-9_.-]+(?:[:=].*)?");

    /** The keys, as the help lists them. */
    static final List<String> KEYS = List.of("tty", "stdin_open", "stop_signal", "domainname", "mac_address",
            "security_opt", "sysctls", "dns", "dns_search", "dns_opt", "read_only", "pid", "ipc", "userns_mode", "runtime",
            "cgroup_parent", "cpuset", "devices", "group_add", "pids_limit", "cpu_shares", "oom_score_adj",
            "oom_kill_disable", "mem_reservation", "memswap_limit", "storage_opt", "gpus", "cpu_quota", "cpu_period",
            "mem_swappiness", "uts", "cgroup", "device_cgroup_rules");

    private final NodeReader reader;
    private final ServiceOptions options;
    private final Map<String, Object> config = new TreeMap<>();
    private final Map<String, Object> hostConfig = new TreeMap<>();

    EngineSettings(NodeReader reader, ServiceOptions options, JsonNode node, String path) {
        this.reader = reader;
        this.options = options;
        read(node, path);
    }

    /** Fields of the create body, by the engine's names; empty when the service gives none. */
    Map<String, Object> config() {
        return config;
    }

    /** Fields of the create body's HostConfig, by the engine's names; empty when the service gives none. */
    Map<String, Object> hostConfig() {
        return hostConfig;
    }

    /** Each key on its own, so that the problems of all of them are found at once. */
    private void read(JsonNode node, String path) {
        List<Runnable> keys = List.of(
                () -> flag(node, path, "tty", config, "Tty"),
                () -> flag(node, path, "stdin_open", config, "OpenStdin"),
                () -> text(node, path, "stop_signal", config, "StopSignal", SIGNAL, "a signal, such as SIGQUIT or 3"),
                () -> domainname(node, path),
                () -> text(node, path, "mac_address", config, "MacAddress", MAC, "a MAC address, such as"
                        + " 02:42:ac:11:00:02"),
                () -> securityOpt(node, path),
                () -> sysctls(node, path),
                () -> checkedList(node, path, "dns", "Dns", AddressRules::isIp, ip -> "'" + ip + "' is not an IP"
                        + " address"),
                () -> checkedList(node, path, "dns_search", "DnsSearch", d -> d.equals(".")
                        || ServiceOptions.isHostName(d), d -> "'" + d + "' is not a domain name"),
                () -> checkedList(node, path, "dns_opt", "DnsOptions", o -> OPTION.matcher(o).matches(),
                        o -> "'" + o + "' is not a resolver option, such as ndots:2"),
                () -> flag(node, path, "read_only", hostConfig, "ReadonlyRootfs"),
                () -> namespaces(node, path),
                () -> devices(node.get("devices"), path + ".devices"),
                () -> checkedList(node, path, "group_add", "GroupAdd", g -> GROUP.matcher(g).matches(),
                        g -> "'" + g + "' is not a group name or GID"),
                () -> number(node, path, "pids_limit", "PidsLimit", -1, Long.MAX_VALUE),
                () -> number(node, path, "cpu_quota", "CpuQuota", -1, Long.MAX_VALUE),
                () -> number(node, path, "cpu_period", "CpuPeriod", 1000, 1_000_000),
                () -> number(node, path, "mem_swappiness", "MemorySwappiness", 0, 100),
                () -> text(node, path, "uts", hostConfig, "UTSMode", Pattern.compile("host"), "host"),
                () -> text(node, path, "cgroup", hostConfig, "CgroupnsMode", Pattern.compile("host|private"),
                        "host or private"),
                () -> checkedList(node, path, "device_cgroup_rules", "DeviceCgroupRules",
                        r -> r.matches("[abc] (?:\\*|[0-9]+):(?:\\*|[0-9]+) [rwm]{1,3}"), r -> "'" + r + "' is not a"
                                + " rule such as 'c 1:3 mr' (type a, b or c; major:minor, * for any; permissions r,"
                                + " w, m)"),
                () -> number(node, path, "cpu_shares", "CpuShares", 0, 262144),
                () -> number(node, path, "oom_score_adj", "OomScoreAdj", -1000, 1000),
                () -> flag(node, path, "oom_kill_disable", hostConfig, "OomKillDisable"),
                () -> memory(node, path),
                () -> storageOpt(node, path),
                () -> gpus(node.get("gpus"), path + ".gpus"));
        keys.forEach(reader::attempt);
    }

    private void domainname(JsonNode node, String path) {
        String domain = node.has("domainname") ? reader.string(node.get("domainname"), path + ".domainname") : null;
        if (domain != null) {
            if (!ServiceOptions.isHostName(domain)) {
                throw reader.error(path + ".domainname", "'" + domain + "' is not a domain name");
            }
            config.put("Domainname", domain);
        }
    }

    private void sysctls(JsonNode node, String path) {
        Map<String, String> sysctls = reader.stringMap(node.get("sysctls"), path + ".sysctls");
        for (String key : sysctls.keySet()) {
            if (!SYSCTL.matcher(key).matches()) {
                throw reader.error(path + ".sysctls", "'" + key + "' is not a kernel parameter, such as"
                        + " net.core.somaxconn");
            }
        }
        if (!sysctls.isEmpty()) {
            hostConfig.put("Sysctls", new TreeMap<>(sysctls));
        }
    }

    private void storageOpt(JsonNode node, String path) {
        Map<String, String> storage = reader.stringMap(node.get("storage_opt"), path + ".storage_opt");
        if (!storage.isEmpty()) {
            hostConfig.put("StorageOpt", new TreeMap<>(storage));
        }
    }

    /** {@code security_opt}: the options the engine's CLI takes, but a seccomp profile's file. */
    private void securityOpt(JsonNode node, String path) {
        List<String> securityOpt = list(node, path, "security_opt");
        if (securityOpt == null) {
            return;
        }
        for (String item : securityOpt) {
            if (!SECURITY_OPT.matcher(item).matches()) {
                throw reader.error(path + ".security_opt", "'" + item + "' is not a security option, such as"
                        + " no-new-privileges:true, apparmor:PROFILE, label:disable or seccomp:unconfined");
            }
            if (item.startsWith("systempaths") && !item.substring("systempaths".length() + 1).equals("unconfined")) {
                throw reader.error(path + ".security_opt", "'" + item + "': systempaths takes only unconfined");
            }
            if (item.startsWith("seccomp") && !item.substring("seccomp".length() + 1).equals("unconfined")) {
                // the engine takes a profile's content, and a bundle carries no other files
                throw reader.error(path + ".security_opt", "'" + item + "': a seccomp profile file is not carried"
                        + " in the bundle; only seccomp:unconfined is taken (the engine's default profile holds"
                        + " without it)");
            }
        }
        // systempaths=unconfined is the CLI's: it sends the container no masked and no read-only paths instead
        List<String> engineOpts = securityOpt.stream().filter(o -> !o.matches("systempaths[:=]unconfined")).toList();
        if (engineOpts.size() < securityOpt.size()) {
            hostConfig.put("MaskedPaths", List.of());
            hostConfig.put("ReadonlyPaths", List.of());
        }
        if (!engineOpts.isEmpty()) {
            hostConfig.put("SecurityOpt", engineOpts);
        }
    }

    /** The namespaces and the runtime: pid, ipc, userns_mode, runtime, cgroup_parent, cpuset. */
    private void namespaces(JsonNode node, String path) {
        for (String key : List.of("pid", "ipc")) {
            if (node.has(key) && reader.string(node.get(key), path + "." + key).startsWith("service:")) {
                throw reader.error(path + "." + key, "'service:' is not supported: a service's namespace is lost when"
                        + " run replaces its container; use host, or for ipc a tmpfs volume both services mount");
            }
        }
        text(node, path, "pid", hostConfig, "PidMode", NAMESPACE, "host or container:NAME");
        text(node, path, "ipc", hostConfig, "IpcMode", IPC, "host, private, shareable, none or container:NAME");
        text(node, path, "userns_mode", hostConfig, "UsernsMode", Pattern.compile("host"), "host");
        text(node, path, "runtime", hostConfig, "Runtime", NAME, "a runtime's name, such as runc or nvidia");
        text(node, path, "cgroup_parent", hostConfig, "CgroupParent", Pattern.compile("[A-Za-z0-9_./-]+"),
                "a cgroup path");
        text(node, path, "cpuset", hostConfig, "CpusetCpus", CPUSET, "CPU numbers, such as 0-3 or 0,2");
    }

    /** {@code mem_reservation} and {@code memswap_limit} (0: not set, as the engine reads it; -1: unlimited). */
    private void memory(JsonNode node, String path) {
        Long reservation = options.size(node, "mem_reservation", path);
        if (reservation != null) {
            hostConfig.put("MemoryReservation", reservation);
        }
        if (node.has("memswap_limit")) {
            String swap = reader.string(node.get("memswap_limit"), path + ".memswap_limit").trim();
            if (!swap.equals("0")) { // 0: not set, as the engine reads it
                hostConfig.put("MemorySwap", swap.equals("-1") ? -1L : options.size(node, "memswap_limit", path));
            }
        }
    }

    /** A value or a list of them, each {@code valid}, into a HostConfig field; the first that is not one is refused. */
    private void checkedList(JsonNode node, String path, String key, String field, Predicate<String> valid,
                             Function<String, String> message) {
        List<String> values = list(node, path, key);
        if (values != null) {
            values.stream().filter(valid.negate()).findFirst().ifPresent(v -> {
                throw reader.error(path + "." + key, message.apply(v));
            });
            hostConfig.put(field, values);
        }
    }

    private void flag(JsonNode node, String path, String key, Map<String, Object> into, String field) {
        if (node.has(key) && !node.get(key).isNull()) {
            into.put(field, reader.bool(node.get(key), path + "." + key));
        }
    }

    private void text(JsonNode node, String path, String key, Map<String, Object> into, String field, Pattern valid,
                      String expected) {
        if (!node.has(key)) {
            return;
        }
        String value = reader.string(node.get(key), path + "." + key);
        if (!valid.matcher(value).matches()) {
            throw reader.error(path + "." + key, "'" + value + "' is not " + expected);
        }
        into.put(field, value);
    }

    private void number(JsonNode node, String path, String key, String field, long min, long max) {
        if (!node.has(key)) {
            return;
        }
        String text = reader.string(node.get(key), path + "." + key).trim();
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = min - 1;
        }
        if (value < min || value > max) {
            throw reader.error(path + "." + key, "expected a whole number from " + min + " to " + max + ", not '" + text
                    + "'");
        }
        hostConfig.put(field, value);
    }

    /** A single value or a list of them; null when the key is absent. */
    private List<String> list(JsonNode node, String path, String key) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        return reader.oneOrList(value, path + "." + key);
    }

    /** {@code HOST[:CONTAINER[:PERMISSIONS]]}, or {@code {source, target, permissions}}. */
    private void devices(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            throw reader.error(path, "expected a list of HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]");
        }
        List<Map<String, String>> devices = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String item = path + "[" + i + "]";
            String host;
            String target;
            String permissions;
            if (node.get(i).isObject()) {
                reader.keys(node.get(i), item, "source", "target", "permissions");
                host = reader.string(node.get(i).get("source"), item + ".source");
                target = node.get(i).has("target") ? reader.string(node.get(i).get("target"), item + ".target") : host;
                permissions = node.get(i).has("permissions")
                        ? reader.string(node.get(i).get("permissions"), item + ".permissions") : "rwm";
            } else {
                String[] parts = reader.string(node.get(i), item).split(":", -1);
                if (parts.length > 3) {
                    throw reader.error(item, "expected HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]");
                }
                host = parts[0];
                // HOST:PERMISSIONS is allowed too, as the engine's CLI reads it
                boolean second = parts.length > 1 && !PERMISSIONS.matcher(parts[1]).matches();
                target = second ? parts[1] : host;
                permissions = parts.length == 3 ? parts[2] : parts.length == 2 && !second ? parts[1] : "rwm";
            }
            if (!host.startsWith("/") || !target.startsWith("/")) {
                throw reader.error(item, "a device is an absolute path on the host (and in the container), such as"
                        + " /dev/ttyUSB0");
            }
            if (!PERMISSIONS.matcher(permissions).matches()) {
                throw reader.error(item, "'" + permissions + "' is not device permissions (r, w and m)");
            }
            Map<String, String> device = new LinkedHashMap<>();
            device.put("PathOnHost", host);
            device.put("PathInContainer", target);
            device.put("CgroupPermissions", permissions);
            devices.add(device);
        }
        hostConfig.put("Devices", devices);
    }

    /** {@code all}, or a list of {driver, count, device_ids, capabilities, options}: the engine's DeviceRequests. */
    private void gpus(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return;
        }
        List<Map<String, Object>> requests = new ArrayList<>();
        if (node.isValueNode()) {
            String value = reader.string(node, path);
            if (!value.equals("all")) {
                throw reader.error(path, "expected all, or a list of {driver, count, device_ids, capabilities}");
            }
            requests.add(request("", -1, null, List.of("gpu"), null));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String item = path + "[" + i + "]";
                JsonNode g = node.get(i);
                if (!g.isObject()) {
                    throw reader.error(item, "expected a mapping of driver, count, device_ids, capabilities, options");
                }
                reader.keys(g, item, "driver", "count", "device_ids", "capabilities", "options");
                String driver = g.has("driver") ? reader.string(g.get("driver"), item + ".driver") : "";
                List<String> ids = g.has("device_ids") ? reader.stringList(g.get("device_ids"), item + ".device_ids")
                        : null;
                long count = 0;
                if (g.has("count")) {
                    String text = reader.string(g.get("count"), item + ".count");
                    if (!text.equals("all") && !text.matches("[0-9]{1,4}")) {
                        throw reader.error(item + ".count", "expected all or a number of devices, not '" + text + "'");
                    }
                    count = text.equals("all") ? -1 : Long.parseLong(text);
                    if (ids != null) {
                        throw reader.error(item, "count and device_ids cannot be given together");
                    }
                } else if (ids == null) {
                    count = -1; // neither: all, as Compose does
                }
                List<String> capabilities = g.has("capabilities")
                        ? reader.stringList(g.get("capabilities"), item + ".capabilities") : List.of("gpu");
                Map<String, String> driverOptions = reader.stringMap(g.get("options"), item + ".options");
                requests.add(request(driver, count, ids, capabilities,
                        driverOptions.isEmpty() ? null : new TreeMap<>(driverOptions)));
            }
        } else {
            throw reader.error(path, "expected all, or a list of {driver, count, device_ids, capabilities}");
        }
        hostConfig.put("DeviceRequests", requests);
    }

    private static Map<String, Object> request(String driver, long count, List<String> ids, List<String> capabilities,
                                               Map<String, String> driverOptions) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("Driver", driver);
        request.put("Count", count);
        if (ids != null) {
            request.put("DeviceIDs", ids);
        }
        request.put("Capabilities", List.of(capabilities));
        if (driverOptions != null) {
            request.put("Options", driverOptions);
        }
        return request;
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.stackfile.StackSpec.NetworkSpec;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The stack's networks (top-level {@code networks}, with their address pools) and those a service joins. */
final class NetworkReader {
    private final NodeReader reader;

    NetworkReader(NodeReader reader) {
        this.reader = reader;
    }

    /** A top-level network. */
    NetworkSpec network(String key, JsonNode node, String path) {
        if (!NodeReader.NAME.matcher(key).matches()) {
            throw reader.error(path, "'" + key + "' is not a valid network name");
        }
        if (node == null || node.isNull()) {
            return new NetworkSpec(key, "bridge", false);
        }
        reader.object(node, path);
        reader.keys(node, path, "name", "driver", "external", "labels", "driver_opts", "internal", "attachable",
                "enable_ipv6", "ipam");
        String name = node.has("name") ? reader.string(node.get("name"), path + ".name") : key;
        String driver = reader.driver(node, path);
        return new NetworkSpec(name, driver == null ? "bridge" : driver,
                reader.bool(node.get("external"), path + ".external"),
                new TreeMap<>(reader.stringMap(node.get("labels"), path + ".labels")),
                new TreeMap<>(reader.stringMap(node.get("driver_opts"), path + ".driver_opts")),
                reader.bool(node.get("internal"), path + ".internal"),
                reader.bool(node.get("attachable"), path + ".attachable"),
                reader.bool(node.get("enable_ipv6"), path + ".enable_ipv6"), ipam(node.get("ipam"), path + ".ipam"));
    }

    /** {@code ipam}: driver, config (a list of subnet, ip_range, gateway, aux_addresses) and options. */
    private NetworkCreate.Ipam ipam(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        reader.keys(node, path, "driver", "config", "options");
        List<NetworkCreate.Pool> pools = new ArrayList<>();
        JsonNode config = node.get("config");
        if (config != null && !config.isNull()) {
            if (!config.isArray()) {
                throw reader.error(path + ".config", "expected a list of {subnet, ip_range, gateway, aux_addresses}");
            }
            for (int i = 0; i < config.size(); i++) {
                pools.add(pool(config.get(i), path + ".config[" + i + "]"));
            }
        }
        Map<String, String> options = new TreeMap<>(reader.stringMap(node.get("options"), path + ".options"));
        return new NetworkCreate.Ipam(reader.driver(node, path), pools.isEmpty() ? null : pools,
                options.isEmpty() ? null : options);
    }

    /** One address pool of {@code ipam.config}, checked as the engine would take it. */
    private NetworkCreate.Pool pool(JsonNode pool, String item) {
        reader.keys(pool, item, "subnet", "ip_range", "gateway", "aux_addresses");
        String subnet = pool.has("subnet") ? block(pool.get("subnet"), item + ".subnet") : null;
        String range = pool.has("ip_range") ? block(pool.get("ip_range"), item + ".ip_range") : null;
        String gateway = pool.has("gateway") ? reader.string(pool.get("gateway"), item + ".gateway") : null;
        if (gateway != null && !AddressRules.isIp(gateway)) {
            throw reader.error(item + ".gateway", "'" + gateway + "' is not an IP address");
        }
        Map<String, String> aux = new TreeMap<>(reader.stringMap(pool.get("aux_addresses"), item + ".aux_addresses"));
        aux.forEach((host, ip) -> {
            if (!AddressRules.isIp(ip)) {
                throw reader.error(item + ".aux_addresses." + host, "'" + ip + "' is not an IP address");
            }
        });
        if (subnet == null && (range != null || gateway != null || !aux.isEmpty())) {
            throw reader.error(item, "ip_range, gateway and aux_addresses need the subnet they are in");
        }
        if (subnet != null) { // what the engine would take and then hold as a pool, or refuse half-way
            if (!AddressRules.startsClean(subnet)) {
                throw reader.error(item + ".subnet", "'" + subnet + "' has host bits set; the block starts at "
                        + AddressRules.fromStart(subnet));
            }
            if (range != null && !AddressRules.inside(subnet, range)) {
                throw reader.error(item + ".ip_range", "'" + range + "' is not within subnet " + subnet);
            }
            if (gateway != null && !AddressRules.inside(subnet, gateway)) {
                throw reader.error(item + ".gateway", "'" + gateway + "' is not within subnet " + subnet);
            }
            aux.forEach((host, ip) -> {
                if (!AddressRules.inside(subnet, ip)) {
                    throw reader.error(item + ".aux_addresses." + host, "'" + ip + "' is not within subnet " + subnet);
                }
            });
        }
        return new NetworkCreate.Pool(subnet, range, gateway, aux.isEmpty() ? null : aux);
    }

    /** An address block such as 10.20.0.0/16 or fd00:1::/64. */
    private String block(JsonNode node, String path) {
        String text = reader.string(node, path);
        if (!AddressRules.isBlock(text)) {
            throw reader.error(path, "'" + text + "' is not an address block such as 10.20.0.0/16");
        }
        return text;
    }

    /**
     * {@code network_mode}: host (the host's network), none, or bridge (the engine's default network); null when the
     * service joins the stack's networks.
     */
    String networkMode(JsonNode node, String path, List<PortSpec> ports) {
        if (!node.has("network_mode")) {
            return null;
        }
        String mode = reader.string(node.get("network_mode"), path + ".network_mode");
        boolean joins = mode.startsWith("service:") || mode.startsWith("container:");
        if (!List.of("host", "none", "bridge").contains(mode) && !(joins
                && NodeReader.NAME.matcher(mode.substring(mode.indexOf(':') + 1)).matches())) {
            throw reader.error(path + ".network_mode", "'" + mode + "' is not host, none, bridge, service:NAME or"
                    + " container:NAME");
        }
        if (node.has("networks")) {
            throw reader.error(path + ".network_mode", "a service takes network_mode or networks, not both");
        }
        if (joins && (node.has("hostname") || node.has("mac_address") || node.has("dns") || node.has("extra_hosts"))) {
            throw reader.error(path + ".network_mode", "a container that shares another's network takes that one's"
                    + " hostname, mac_address, dns and extra_hosts: give them there");
        }
        if (!mode.equals("bridge") && !ports.isEmpty()) {
            throw reader.error(path + ".ports", "a container with network_mode " + mode + " publishes no ports"
                    + (mode.equals("host") ? " (it listens on the host's own)" : ""));
        }
        if (mode.equals("host") && node.has("mac_address")) {
            throw reader.error(path + ".mac_address", "a container with network_mode host has the host's network, and"
                    + " no MAC address of its own");
        }
        if (mode.equals("host") && reader.stringMap(node.get("sysctls"), path + ".sysctls").keySet().stream()
                .anyMatch(k -> k.startsWith("net."))) {
            throw reader.error(path + ".sysctls", "net.* parameters of a container with network_mode host are the"
                    + " host's own, which the engine does not let it set");
        }
        return mode;
    }

    /**
     * The networks a service joins; the stack's default one, declared or not, when it names none.
     *
     * @param networks the stack's, given its default network when a service joins it
     * @param aliases  filled with the aliases given per network
     */
    List<String> serviceNetworks(JsonNode node, String path, Map<String, NetworkSpec> networks, String stack,
                                 Map<String, List<String>> aliases) {
        List<String> names = new ArrayList<>();
        if (node == null || node.isNull()) {
            networks.putIfAbsent("default", new NetworkSpec(stack + "_default", "bridge", false));
            names.add("default");
            return names;
        }
        if (node.isArray()) {
            names.addAll(reader.stringList(node, path));
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : reader.entries(node, path)) {
                aliases(e.getValue(), path + "." + e.getKey(), e.getKey(), aliases);
                names.add(e.getKey());
            }
        } else {
            throw reader.error(path, "expected a list of network names");
        }
        for (String n : names) {
            if (n.equals("default")) { // as in Compose, the stack's default network needs no declaration
                networks.putIfAbsent("default", new NetworkSpec(stack + "_default", "bridge", false));
            }
            if (!networks.containsKey(n)) {
                throw reader.error(path, "network '" + n + "' is not declared under the top-level networks");
            }
        }
        return names;
    }

    /** A service's aliases on one network, put in {@code aliases} under the network's key. */
    private void aliases(JsonNode node, String item, String network, Map<String, List<String>> aliases) {
        if (node == null || node.isNull()) {
            return;
        }
        reader.keys(node, item, "aliases");
        List<String> names = reader.stringList(node.get("aliases"), item + ".aliases");
        for (String alias : names) {
            if (!NodeReader.NAME.matcher(alias).matches()) {
                throw reader.error(item + ".aliases", "'" + alias + "' is not a valid name");
            }
        }
        if (!names.isEmpty()) {
            aliases.put(network, names);
        }
    }
}

package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A service's published ports: Compose's short syntax, its long one, and ranges as one port each. */
final class PortSyntax {
    private static final Pattern PORT = Pattern.compile(
            "(?:([0-9.]*|\\[[0-9a-fA-F:.]+\\]):)?([0-9]{1,5})(?:-([0-9]{1,5}))?:([0-9]{1,5})(?:-([0-9]{1,5}))?"
            + "(?:/((?i)tcp|udp|sctp))?");
    private static final int MAX_RANGE = 1000;

    private final NodeReader reader;

    PortSyntax(NodeReader reader) {
        this.reader = reader;
    }

    /** The ports of a service's {@code ports} list. */
    List<PortSpec> read(JsonNode node, String path) {
        List<PortSpec> ports = new ArrayList<>();
        for (String p : reader.shortOrLong(node, path, this::longPort)) {
            reader.attempt(() -> ports.addAll(ports(p, path)));
        }
        return ports;
    }

    /** One published port, or a range ({@code 8000-8009:8000-8009}) as one port each. */
    private List<PortSpec> ports(String text, String path) {
        Matcher m = PORT.matcher(text);
        if (!m.matches()) {
            throw reader.error(path, "'" + text + "' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp|sctp] (a port"
                    + " or a range such as 8000-8009)");
        }
        int host = Integer.parseInt(m.group(2));
        int hostLast = m.group(3) == null ? host : Integer.parseInt(m.group(3));
        int container = Integer.parseInt(m.group(4));
        int containerLast = m.group(5) == null ? container : Integer.parseInt(m.group(5));
        for (int port : new int[] {host, hostLast, container, containerLast}) {
            if (port < 1 || port > 65535) {
                throw reader.error(path, "'" + text + "': ports go from 1 to 65535");
            }
        }
        if (hostLast < host || containerLast < container) {
            throw reader.error(path, "'" + text + "': a range goes from the lower port to the higher one");
        }
        if (hostLast - host != containerLast - container) {
            throw reader.error(path, "'" + text + "': the host range and the container range need as many ports");
        }
        if (hostLast - host >= MAX_RANGE) {
            throw reader.error(path, "'" + text + "': a range of more than " + MAX_RANGE + " ports");
        }
        String ip = m.group(1) == null ? "" : m.group(1).replace("[", "").replace("]", "");
        if (!ip.isEmpty() && !(m.group(1).startsWith("[") ? AddressRules.isIpv6(ip) : AddressRules.isIpv4(ip))) {
            throw reader.error(path, "'" + text + "': '" + m.group(1) + "' is not an IP address (such as 127.0.0.1"
                    + " or [::1])");
        }
        String protocol = m.group(6) == null ? "tcp" : m.group(6).toLowerCase(Locale.ROOT);
        List<PortSpec> ports = new ArrayList<>();
        for (int i = 0; i <= hostLast - host; i++) {
            ports.add(new PortSpec(ip, host + i, container + i, protocol));
        }
        return ports;
    }

    /** A port in Compose's long syntax (target, published, host_ip, protocol, mode: host, name), as the short one. */
    private String longPort(JsonNode node, String path) {
        reader.keys(node, path, "target", "published", "host_ip", "protocol", "mode", "name",
                "app_protocol");
        if (!node.has("target") || !node.has("published")) {
            throw reader.error(path, "a port needs target (the container's) and published (the host's)");
        }
        String mode = node.has("mode") ? reader.string(node.get("mode"), path + ".mode") : "host";
        if (!mode.equals("host")) {
            throw reader.error(path + ".mode", "'" + mode + "' is not host");
        }
        String ip = node.has("host_ip") ? reader.string(node.get("host_ip"), path + ".host_ip") : null;
        return (ip == null || ip.isEmpty() ? "" : (ip.contains(":") ? "[" + ip + "]" : ip) + ":")
                + reader.string(node.get("published"), path + ".published") + ":"
                + reader.string(node.get("target"), path + ".target")
                + (node.has("protocol") ? "/" + reader.string(node.get("protocol"), path + ".protocol") : "");
    }

    /**
     * Whether two host addresses of a published port meet: the same, or either is every address (none given: of both
     * families; 0.0.0.0: every IPv4 address; ::, every IPv6 one).
     */
    static boolean overlaps(String a, String b) {
        if (a.equals(b) || a.isEmpty() || b.isEmpty()) {
            return true;
        }
        boolean v6a = a.contains(":");
        boolean v6b = b.contains(":");
        return v6a == v6b && (a.equals("0.0.0.0") || b.equals("0.0.0.0") || a.equals("::") || b.equals("::"));
    }
}

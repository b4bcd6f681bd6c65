package com.mlreef.offline.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to carry and run: a Compose-file subset plus the {@code x-offline} extension, after interpolation.
 * Volume and network names are used as they are written (no project prefix), so that the default stack keeps the
 * names of the original installer.
 */
public record StackSpec(String name, Map<String, Service> services, Map<String, VolumeSpec> volumes,
                        Map<String, NetworkSpec> networks, List<String> extraImages, Map<String, String> files) {

    public record Service(String name, String image, String containerName, List<String> command,
                          List<PortSpec> ports, List<MountSpec> mounts, Map<String, String> environment,
                          List<String> networks, String restart, HealthcheckSpec healthcheck,
                          Map<String, String> labels, ReadyRule ready, List<List<String>> afterReady) {

        /** The container's name: {@code container_name}, else {@code <stack>-<service>}. */
        public String containerName(String stack) {
            return containerName != null ? containerName : stack + "-" + name;
        }
    }

    /** A published port: {@code [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]}. */
    public record PortSpec(String hostIp, int hostPort, int containerPort, String protocol) {

        /** Whether a host address stands for every address of the host: none, 0.0.0.0 or ::. */
        public static boolean everyAddress(String ip) {
            return ip == null || ip.isEmpty() || ip.equals("0.0.0.0") || ip.equals("::");
        }

        /** An address as it is written before {@code :PORT}: an IPv6 one in brackets. */
        public static String beforePort(String ip) {
            return ip.contains(":") ? "[" + ip + "]" : ip;
        }
    }

    /**
     * A named volume or a bind mount: {@code SOURCE:TARGET[:ro|rw][,z|Z]}.
     *
     * @param relabel the SELinux relabelling ({@code z} shared, {@code Z} private), or null
     */
    public record MountSpec(Kind kind, String source, String target, boolean readOnly, String relabel) {
        public enum Kind { VOLUME, BIND }

        /** The mount as the engine's {@code Binds} take it. */
        public String bind() {
            String mode = (readOnly ? "ro" : "") + (relabel == null ? "" : (readOnly ? "," : "") + relabel);
            return source + ":" + target + (mode.isEmpty() ? "" : ":" + mode);
        }
    }

    public record HealthcheckSpec(List<String> test, Duration interval, Duration timeout, Integer retries,
                                  Duration startPeriod) {
    }

    /** When a service counts as ready: a log line, the engine's healthcheck, or an HTTP answer; within a timeout. */
    public record ReadyRule(String log, boolean healthcheck, String http, Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    }

    public record VolumeSpec(String name, boolean external, Map<String, String> labels) {
    }

    public record NetworkSpec(String name, String driver, boolean external) {
    }

    /** Every image the bundle carries: the services' images, then the extra ones, each once, in order. */
    public List<String> images() {
        Set<String> all = new LinkedHashSet<>();
        services.values().forEach(s -> all.add(s.image()));
        all.addAll(extraImages);
        return new ArrayList<>(all);
    }

    /** The ports the stack publishes (address, port, protocol), in order. */
    public List<PortSpec> publishedPorts() {
        List<PortSpec> ports = new ArrayList<>();
        services.values().forEach(s -> ports.addAll(s.ports()));
        return ports;
    }

    /** The network of the first service that joins one (the network run reads the gateway of), or null. */
    public NetworkSpec firstNetwork() {
        for (Service s : services.values()) {
            if (!s.networks().isEmpty()) {
                return networks.get(s.networks().get(0));
            }
        }
        return null;
    }
}

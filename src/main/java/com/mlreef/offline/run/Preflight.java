package com.mlreef.offline.run;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.EngineUnreachableException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.VersionInfo;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Sizes;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The checks {@code doctor} runs before a first {@code run}: can the engine be reached and is it recent enough,
 * does it have room, are the stack's host ports free, is the DNS set up for a pip server on another host.
 */
public final class Preflight {
    static final long FAIL_BELOW = 2L << 30;
    static final long WARN_BELOW = 20L << 30;

    /**
     * What a refused bind says of a host port, from the C library's text of its error: EACCES, EADDRNOTAVAIL as glibc
     * ("Cannot assign requested address") and musl (the static executable: "Address not available") say it, else
     * EADDRINUSE.
     */
    static PortProbe.State bindFailure(String message) {
        String m = String.valueOf(message).toLowerCase(java.util.Locale.ROOT);
        return m.contains("permission") || m.contains("access") ? PortProbe.State.NOT_ALLOWED
                : m.contains("assign") || m.contains("not available") ? PortProbe.State.NOT_LOCAL
                : PortProbe.State.IN_USE;
    }

    /** Registered: in the native executable Jackson finds {@link #label()} only on a class registered so. */
    @RegisterForReflection
    public enum Status {
        OK, INFO, WARN, FAIL;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @RegisterForReflection
    public record Check(String check, Status status, String detail) {
    }

    @RegisterForReflection
    public record Report(String engine, boolean ok, List<Check> checks) {
        /** This report with one more check, first or last; a failed one makes it not ok. */
        public Report with(Check check, boolean first) {
            List<Check> all = new ArrayList<>(checks);
            all.add(first ? 0 : all.size(), check);
            return new Report(engine, ok && check.status() != Status.FAIL, all);
        }
    }

    /** Whether a host port can be taken; binding it is the only reliable test. */
    public interface PortProbe {
        /** NOT_LOCAL: the address is not one of this host's; UNCHECKED: a protocol that is not probed (sctp). */
        enum State { FREE, IN_USE, NOT_ALLOWED, NOT_LOCAL, UNCHECKED }

        /** A TCP port on every address. */
        State probe(int port);

        /**
         * @param hostIp   an IP literal, or "" for every address
         * @param protocol tcp, udp or sctp (not probed: UNCHECKED)
         */
        default State probe(String hostIp, int port, String protocol) {
            return probe(port);
        }

        PortProbe BIND = new PortProbe() {
            @Override
            public State probe(int port) {
                return probe("", port, "tcp");
            }

            @Override
            public State probe(String hostIp, int port, String protocol) {
                try {
                    InetSocketAddress address = hostIp.isEmpty() ? new InetSocketAddress(port)
                            : new InetSocketAddress(InetAddress.getByName(hostIp), port); // a literal: no lookup
                    if (protocol.equals("udp")) {
                        try (DatagramSocket socket = new DatagramSocket(null)) {
                            socket.bind(address);
                        }
                    } else if (protocol.equals("tcp")) {
                        try (ServerSocket socket = new ServerSocket()) {
                            socket.setReuseAddress(true);
                            socket.bind(address);
                        }
                    } else {
                        return State.UNCHECKED;
                    }
                    return State.FREE;
                } catch (BindException e) {
                    return bindFailure(e.getMessage());
                } catch (IOException e) {
                    // IPv6 turned off on this host: nothing can hold the port there, and no IPv6 address is its own
                    if (String.valueOf(e.getMessage()).toLowerCase().contains("family")) {
                        return hostIp.isEmpty() ? State.FREE : State.NOT_LOCAL;
                    }
                    return State.IN_USE;
                }
            }
        };
    }

    private final DockerEngine engine;
    private final boolean engineLocal;
    private final Path daemonConfig;
    private final StackSpec stack;
    private final PortProbe portProbe;

    /**
     * @param engineLocal true when the engine runs on this host (unix socket, loopback TCP): only then do host ports
     *                    and the engine's disk concern this host
     * @param stack       the stack to check for: its network's gateway, the host ports it publishes
     */
    public Preflight(DockerEngine engine, boolean engineLocal, Path daemonConfig, StackSpec stack,
                     PortProbe portProbe) {
        this.engine = engine;
        this.engineLocal = engineLocal;
        this.daemonConfig = daemonConfig;
        this.stack = stack;
        this.portProbe = portProbe;
    }

    public Report run() {
        List<Check> checks = new ArrayList<>();
        List<ContainerSummary> running = engineChecks(checks);
        portChecks(checks, running);
        if (engineLocal) {
            missingBindSources(stack).forEach(m -> checks.add(new Check("host path " + m.source(), Status.WARN,
                    "missing; " + m.service() + " mounts it, and the engine would create an empty folder there")));
        }
        checks.add(daemonConfigCheck());
        boolean ok = checks.stream().noneMatch(c -> c.status() == Status.FAIL);
        return new Report(engine.address(), ok, checks);
    }

    /** A bind mount whose host path is missing. */
    public record MissingSource(String service, String source) {
    }

    /**
     * The bind mounts whose host path does not exist on this host (where the engine runs): the engine would create an
     * empty folder in its place, so a missing socket or file becomes a folder the service cannot use.
     */
    public static List<MissingSource> missingBindSources(StackSpec stack) {
        List<MissingSource> missing = new ArrayList<>();
        for (StackSpec.Service service : stack.services().values()) {
            for (StackSpec.MountSpec mount : service.mounts()) {
                if (mount.kind() == StackSpec.MountSpec.Kind.BIND && !Files.exists(Path.of(mount.source()))) {
                    missing.add(new MissingSource(service.name(), mount.source()));
                }
            }
        }
        return missing;
    }

    /** Returns the running containers (for naming who holds a port), or null when the engine cannot be asked. */
    private List<ContainerSummary> engineChecks(List<Check> checks) {
        try {
            engine.ping();
            checks.add(new Check("engine", Status.OK, engine.address() + " answers"));
        } catch (EngineUnreachableException e) {
            checks.add(new Check("engine", Status.FAIL, e.reason()));
            return null;
        } catch (DockerException e) {
            checks.add(new Check("engine", Status.FAIL, e.getMessage()));
            return null;
        }
        try {
            String using = engine.apiVersion();
            VersionInfo v = engine.version();
            checks.add(new Check("engine version", Status.OK, "Docker Engine " + v.version() + ", API " + v.apiVersion()
                    + " (" + v.os() + "/" + v.arch() + "); using API " + using));
        } catch (DockerException e) {
            checks.add(new Check("engine version", Status.FAIL, e.getMessage()));
            return null;
        }
        try {
            SystemInfo info = engine.info();
            String driver = info.driver() == null ? "unknown" : info.driver();
            checks.add(driver.equals("vfs")
                    ? new Check("storage driver", Status.WARN, "vfs: every layer is a full copy; expect slow loads and "
                        + "much disk use (overlay2 is the usual driver)")
                    : new Check("storage driver", Status.OK, driver));
            checks.add(rootDirCheck(info.dockerRootDir()));
            checks.add(gatewayCheck("docker0 gateway", NetworkGateway.BRIDGE_NETWORK, Status.WARN, "the default bridge network is missing"));
            StackSpec.NetworkSpec first = stack.firstNetwork();
            for (StackSpec.NetworkSpec network : stack.networks().values()) {
                String missing = network.external() ? "missing: the stack names it external, so it must exist before"
                        + " run" : "not created yet; run creates it";
                Status whenMissing = network.external() ? Status.FAIL : Status.INFO;
                if (network.equals(first)) { // the network run reads the gateway of
                    checks.add(gatewayCheck(network.name() + " gateway", network.name(), whenMissing, missing));
                } else if (network.external()) {
                    checks.add(existsCheck("network " + network.name(), network.name(), whenMissing, missing));
                }
            }
            return engine.listContainers(List.of(), false);
        } catch (DockerException e) {
            checks.add(new Check("engine info", Status.FAIL, e.getMessage()));
            return null;
        }
    }

    private Check rootDirCheck(String rootDir) {
        String name = "docker root dir";
        if (rootDir == null) {
            return new Check(name, Status.WARN, "the engine did not report its root directory");
        }
        Path dir = Path.of(rootDir);
        if (!engineLocal || !Files.isDirectory(dir)) {
            return new Check(name, Status.INFO, rootDir + " (not visible from here: free space not checked)");
        }
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            String detail = rootDir + ": " + Sizes.bytes(free) + " free";
            if (free < FAIL_BELOW) {
                return new Check(name, Status.FAIL, detail + "; the stack's images need several GiB: free some space");
            }
            if (free < WARN_BELOW) {
                return new Check(name, Status.WARN, detail + "; the MLReef images need several GiB, upgrades more");
            }
            return new Check(name, Status.OK, detail);
        } catch (IOException e) {
            return new Check(name, Status.WARN, rootDir + ": free space unknown (" + e.getMessage() + ")");
        }
    }

    private Check existsCheck(String name, String network, Status whenMissing, String missingDetail) {
        try {
            engine.inspectNetwork(network);
            return new Check(name, Status.OK, "exists");
        } catch (NotFoundException e) {
            return new Check(name, whenMissing, missingDetail);
        }
    }

    private Check gatewayCheck(String name, String network, Status whenMissing, String missingDetail) {
        try {
            NetworkGateway.Address gateway = NetworkGateway.of(engine.inspectNetwork(network), engineLocal);
            return gateway == null ? new Check(name, Status.WARN, network + " has no IPv4 gateway")
                    : new Check(name, Status.OK, gateway.shown());
        } catch (NotFoundException e) {
            return new Check(name, whenMissing, missingDetail);
        }
    }

    private void portChecks(List<Check> checks, List<ContainerSummary> running) {
        if (!engineLocal) {
            checks.add(new Check("ports", Status.INFO, "the engine is on another host; its ports are not checked from here"));
            return;
        }
        Set<StackSpec.PortSpec> seen = new HashSet<>();
        for (StackSpec.PortSpec p : stack.publishedPorts()) {
            String ip = p.hostIp() == null ? "" : p.hostIp();
            StackSpec.PortSpec port = new StackSpec.PortSpec(ip, p.hostPort(), 0,
                    p.protocol() == null ? "tcp" : p.protocol());
            if (!seen.add(port)) {
                continue;
            }
            String name = "port " + (ip.isEmpty() ? "" : StackSpec.PortSpec.beforePort(ip) + ":")
                    + port.hostPort() + (port.protocol().equals("tcp") ? "" : "/" + port.protocol());
            switch (portProbe.probe(ip, port.hostPort(), port.protocol())) {
                case FREE -> checks.add(new Check(name, Status.OK, "free"));
                case NOT_ALLOWED -> checks.add(new Check(name, Status.WARN, "cannot be checked without root"));
                case IN_USE -> checks.add(portInUse(name, port, running));
                case NOT_LOCAL -> checks.add(new Check(name, Status.FAIL, ip + " is not an address of this host; "
                        + "publish the port on one of its addresses"));
                case UNCHECKED -> checks.add(new Check(name, Status.INFO, port.protocol() + " ports are not checked"));
                default -> throw new IllegalStateException();
            }
        }
    }

    /** The container that publishes a host port of this protocol, if one does. */
    static Optional<ContainerSummary> publisher(List<ContainerSummary> running, int port, String protocol) {
        return running == null ? Optional.empty() : running.stream()
                .filter(c -> c.ports() != null && c.ports().stream()
                        .anyMatch(p -> p.publicPort() != null && p.publicPort() == port
                                && protocol.equals(p.type() == null ? "tcp" : p.type())))
                .findFirst();
    }

    private Check portInUse(String name, StackSpec.PortSpec port, List<ContainerSummary> running) {
        Optional<ContainerSummary> holder = publisher(running, port.hostPort(), port.protocol());
        if (holder.isEmpty()) {
            return new Check(name, Status.FAIL, "in use by another program on this host; stop it or publish the stack "
                    + "on another port");
        }
        ContainerSummary c = holder.get();
        String itsStack = c.labels() == null ? null : c.labels().get(StackLabels.STACK_LABEL);
        // a container without the label but with a service's name: the one the original installer started
        boolean ours = stack.name().equals(itsStack) || itsStack == null && stack.services().values().stream()
                .anyMatch(s -> c.name().equals(s.containerName(stack.name())));
        if (ours) {
            return new Check(name, Status.OK, "published by container " + c.name() + " of the stack");
        }
        return new Check(name, Status.FAIL, "in use by container " + c.name() + (itsStack == null ? ""
                : " of stack " + itsStack + ", not of stack " + stack.name() + " (doctor -d DIR or -f STACK checks"
                + " another stack)") + "; stop it or publish the stack on another port");
    }

    private Check daemonConfigCheck() {
        String name = "daemon.json";
        if (!Files.exists(daemonConfig)) {
            return new Check(name, Status.INFO, daemonConfig + " absent: containers use the engine's default DNS "
                    + "(enough unless the pip server is on another intranet host)");
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(daemonConfig.toFile());
        } catch (JsonProcessingException e) {
            return new Check(name, Status.FAIL, daemonConfig + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + "): the engine will not start with it; fix it");
        } catch (IOException e) {
            return new Check(name, Status.WARN, daemonConfig + " cannot be read: " + e.getMessage());
        }
        if (config == null || !config.isObject()) {
            return new Check(name, Status.FAIL, daemonConfig + " is not a JSON object: the engine will not start with it");
        }
        JsonNode dns = config.get("dns");
        if (dns == null || !dns.isArray() || dns.isEmpty()) {
            return new Check(name, Status.INFO, daemonConfig + " has no dns entries: a pip server on another intranet "
                    + "host must be reachable by IP, or add \"dns\": [\"<DNS server IP>\"] and restart the engine");
        }
        List<String> servers = new ArrayList<>();
        dns.forEach(n -> servers.add(n.asText()));
        List<String> bad = servers.stream().filter(ip -> !StackFile.isIp(ip)).toList();
        if (!bad.isEmpty()) { // the engine refuses to start with such a file
            return new Check(name, Status.FAIL, daemonConfig + ": dns " + String.join(", ", bad) + (bad.size() == 1
                    ? " is not an IP address" : " are not IP addresses") + "; the engine does not start with it");
        }
        return new Check(name, Status.OK, "dns " + String.join(", ", servers));
    }
}

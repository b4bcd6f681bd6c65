package com.mlreef.offline.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The container a service asks for, as the engine takes it; its configuration hash (with the image ID) is a label. */
public final class ContainerSpecFactory {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private ContainerSpecFactory() {
    }

    /** The container of a service of the stack, labelled with its configuration hash and the bundle (if any). */
    public static ContainerSpec containerSpec(StackSpec spec, StackSpec.Service service, String imageId,
                                              String bundleId) {
        Map<String, String> labels = labels(spec, service);
        StackSpec.ContainerOptions options = service.options();
        String network = service.networks().isEmpty() ? null : spec.networks().get(service.networks().get(0)).name();
        List<String> cmd = service.command() == null || service.command().isEmpty() ? null : service.command();
        // the engine keeps an image's digests only when it pulled it, never when it loaded it: a service that names
        // its image by digest gets a container of the image ID
        String image = service.image().contains("@") ? imageId : service.image();
        // Tty has a field of its own (always written): the other settings only when the stack gives them, so that a
        // stack without them keeps its configuration hash
        Map<String, Object> more = options.config() == null ? new TreeMap<>() : new TreeMap<>(options.config());
        boolean tty = Boolean.TRUE.equals(more.remove("Tty"));
        List<String> env = new ArrayList<>();
        service.environment().forEach((k, v) -> env.add(k + "=" + v));
        ContainerSpec withoutHash = ContainerSpec.builder(image).cmd(cmd).entrypoint(options.entrypoint()).env(env)
                .labels(labels).exposedPorts(exposedPorts(service)).healthcheck(healthcheck(service.healthcheck()))
                .workingDir(options.workingDir()).user(options.user()).tty(tty)
                .hostConfig(hostConfig(spec, service, network))
                .networkingConfig(network == null ? null : new ContainerSpec.NetworkingConfig(Map.of(network,
                        new ContainerSpec.EndpointConfig(options.namesOn(service.networks().get(0), service.name()),
                        links(spec, options)))))
                .hostname(options.hostname()).stopTimeout(options.stopSeconds()).more(more)
                .build();
        labels.put(StackLabels.CONFIG_LABEL, hash(spec, service, imageId, withoutHash));
        if (bundleId != null) {
            labels.put(StackLabels.BUNDLE_LABEL, bundleId);
        }
        return withoutHash.withLabels(labels);
    }

    /** Compose's {@code restart} (no, always, unless-stopped, on-failure[:N]) as the engine takes it. */
    public static ContainerSpec.RestartPolicy restartPolicy(String restart) {
        if (restart == null) {
            return null;
        }
        int colon = restart.indexOf(':');
        return colon < 0 ? new ContainerSpec.RestartPolicy(restart, null)
                : new ContainerSpec.RestartPolicy(restart.substring(0, colon), Integer.valueOf(restart.substring(colon + 1)));
    }

    private static Map<String, String> labels(StackSpec spec, StackSpec.Service service) {
        Map<String, String> labels = new TreeMap<>(service.labels());
        labels.put(StackLabels.STACK_LABEL, spec.name());
        labels.put(StackLabels.SERVICE_LABEL, service.name());
        if (!service.dependsOn().isEmpty()) { // for start, stop and restart, which have no stack file
            labels.put(StackLabels.DEPENDS_LABEL, String.join(",", service.dependsOn().entrySet().stream()
                    .map(d -> d.getKey() + ":" + d.getValue()).toList()));
        }
        return labels;
    }

    private static Map<String, Map<String, Object>> exposedPorts(StackSpec.Service service) {
        Map<String, Map<String, Object>> exposed = new TreeMap<>();
        if (service.options().expose() != null) {
            service.options().expose().forEach(port -> exposed.put(port, Map.of()));
        }
        service.ports().forEach(port -> exposed.put(portKey(port), Map.of()));
        return exposed;
    }

    private static String portKey(StackSpec.PortSpec port) {
        return port.containerPort() + "/" + (port.protocol() == null ? "tcp" : port.protocol());
    }

    private static ContainerSpec.Healthcheck healthcheck(StackSpec.HealthcheckSpec hc) {
        return hc == null ? null : new ContainerSpec.Healthcheck(hc.test(), nanos(hc.interval()), nanos(hc.timeout()),
                hc.retries(), nanos(hc.startPeriod()));
    }

    /** Compose's links as the engine takes them: the linked service's container, and the name it has here. */
    private static List<String> links(StackSpec spec, StackSpec.ContainerOptions options) {
        if (options.links() == null) {
            return null;
        }
        return options.links().stream().map(link -> {
            int colon = link.indexOf(':');
            return spec.services().get(link.substring(0, colon)).containerName(spec.name()) + link.substring(colon);
        }).toList();
    }

    /** {@code service:NAME} is the container of that service, whose network namespace this one shares. */
    static String networkMode(StackSpec spec, StackSpec.ContainerOptions options) {
        String mode = options.networkMode();
        if (mode != null && mode.startsWith("service:")) {
            return "container:" + spec.services().get(mode.substring("service:".length())).containerName(spec.name());
        }
        return mode;
    }

    private static ContainerSpec.HostConfig hostConfig(StackSpec spec, StackSpec.Service service, String network) {
        StackSpec.ContainerOptions options = service.options();
        Map<String, List<ContainerSpec.PortBinding>> bindings = new TreeMap<>();
        for (StackSpec.PortSpec port : service.ports()) {
            bindings.computeIfAbsent(portKey(port), k -> new ArrayList<>()).add(new ContainerSpec.PortBinding(
                    port.hostIp() == null ? "" : port.hostIp(), String.valueOf(port.hostPort())));
        }
        List<String> binds = new ArrayList<>();
        for (StackSpec.MountSpec mount : service.mounts()) {
            // a volume's source is its engine name already (its name: key, else its key)
            binds.add(mount.bind());
        }
        StackSpec.Logging logging = options.logging();
        List<ContainerSpec.Ulimit> ulimits = options.ulimits() == null ? null : options.ulimits().entrySet().stream()
                .map(u -> new ContainerSpec.Ulimit(u.getKey(), u.getValue().soft(), u.getValue().hard())).toList();
        return ContainerSpec.HostConfig.builder().binds(binds).portBindings(bindings)
                .restartPolicy(restartPolicy(service.restart()))
                .networkMode(network != null ? network : networkMode(spec, options)).extraHosts(options.extraHosts())
                .privileged(options.privileged()).init(options.init()).capAdd(options.capAdd())
                .capDrop(options.capDrop()).shmSize(options.shmSize()).memory(options.memLimit())
                .nanoCpus(options.cpus())
                .logConfig(logging == null ? null : new ContainerSpec.LogConfig(logging.driver(), logging.options()))
                .tmpfs(options.tmpfs()).ulimits(ulimits).more(options.hostConfig())
                .build();
    }

    /** The first 16 hex digits of the SHA-256 of the image ID, the container and the networks it joins. */
    private static String hash(StackSpec spec, StackSpec.Service service, String imageId, ContainerSpec container) {
        StackSpec.ContainerOptions options = service.options();
        try {
            // each network the container joins, with its names there when the stack gives aliases
            byte[] canonical = CANONICAL.writeValueAsBytes(List.of(imageId, container, service.networks().stream()
                    .map(n -> spec.networks().get(n).name() + (options.namesOn(n, service.name()).size() == 1 ? ""
                            : " " + String.join(",", options.namesOn(n, service.name())))).toList()));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long nanos(Duration d) {
        return d == null ? null : d.toNanos();
    }
}

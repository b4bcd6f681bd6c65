package com.mlreef.offline.stackfile;

import com.mlreef.offline.docker.model.NetworkCreate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What to carry and run: a Compose-file subset plus the {@code x-offline} extension, after interpolation.
 * Volume and network names are used as they are written (no project prefix), so that the default stack keeps the
 * names of the original installer.
 *
 * @param carried the files of the project folder the stack references by relative paths (bind sources, env files,
 *                secrets, configs, .env)
 * @param project the folder those paths resolve against, or null for a stack that was not read from a file
 * @param written the secrets and configs given by {@code environment:} or {@code content:}, which run writes into the
 *                stack folder before the containers that mount them are created
 */
public record StackSpec(String name, Map<String, Service> services, Map<String, VolumeSpec> volumes,
                        Map<String, NetworkSpec> networks, List<String> extraImages, Map<String, String> files,
                        List<CarriedFile> carried, java.nio.file.Path project, List<WrittenFile> written) {
    /** The longest file name a bundle's image file takes before .gz/.zst (and .partial while written). */
    public static final int MAX_FILE_NAME = 200;

    /** A stack that references no file of a project folder. */
    public StackSpec(String name, Map<String, Service> services, Map<String, VolumeSpec> volumes,
                     Map<String, NetworkSpec> networks, List<String> extraImages, Map<String, String> files) {
        this(name, services, volumes, networks, extraImages, files, List.of(), null, List.of());
    }

    /** A stack whose secrets and configs are all files of its project folder. */
    public StackSpec(String name, Map<String, Service> services, Map<String, VolumeSpec> volumes,
                     Map<String, NetworkSpec> networks, List<String> extraImages, Map<String, String> files,
                     List<CarriedFile> carried, java.nio.file.Path project) {
        this(name, services, volumes, networks, extraImages, files, carried, project, List.of());
    }

    /** The same stack with other services. */
    public StackSpec withServices(Map<String, Service> other) {
        return new StackSpec(name, other, volumes, networks, extraImages, files, carried, project, written);
    }

    /**
     * A secret or config whose text the stack gives ({@code environment: VAR}, {@code content:}): run writes it at
     * {@code source}, readable by its owner only when it is a secret. Its text is never printed.
     *
     * @param source absolute path the services mount
     * @param where  the key that gives it, for messages
     */
    public record WrittenFile(String source, String text, boolean secret, String where) {
        @Override
        public String toString() {
            return "WrittenFile[" + source + " from " + where + "]";
        }
    }


    public record Service(String name, String image, String containerName, List<String> command,
                          List<PortSpec> ports, List<MountSpec> mounts, Map<String, String> environment,
                          List<String> networks, String restart, HealthcheckSpec healthcheck,
                          Map<String, String> labels, ReadyRule ready, List<List<String>> afterReady,
                          Map<String, String> dependsOn, ContainerOptions options) {

        /** The same service with {@code more} labels. */
        public Service withLabels(Map<String, String> more) {
            Map<String, String> all = new java.util.LinkedHashMap<>(labels);
            all.putAll(more);
            return new Service(name, image, containerName, command, ports, mounts, environment, networks, restart,
                    healthcheck, all, ready, afterReady, dependsOn, options);
        }

        /** The same service waiting for {@code rule} to be ready. */
        public Service withReady(ReadyRule rule) {
            return new Service(name, image, containerName, command, ports, mounts, environment, networks, restart,
                    healthcheck, labels, rule, afterReady, dependsOn, options);
        }

        /** The container's name: {@code container_name}, else {@code <stack>-<service>}. */
        public String containerName(String stack) {
            return containerName != null ? containerName : stack + "-" + name;
        }
    }

    /** {@code depends_on}'s conditions: the service starts once the one it depends on has started, is ready, or has
     * exited with 0. */
    public static final String STARTED = "service_started";
    public static final String HEALTHY = "service_healthy";
    public static final String COMPLETED = "service_completed_successfully";

    /**
     * The container settings a service may give besides the above, each null when the stack does not give it (the
     * image's or the engine's default then holds), so that a stack without them keeps its containers' configuration.
     *
     * @param entrypoint  empty to run without the image's entrypoint
     * @param extraHosts  {@code HOST:IP} each
     * @param shmSize     bytes
     * @param memLimit    bytes
     * @param cpus        in nano-CPUs (1.5 CPUs: 1500000000)
     * @param stopSeconds stop_grace_period: seconds the container has to stop after its stop signal
     * @param tmpfs       target path to mount options ("" for none)
     * @param expose      container ports, as {@code PORT/PROTOCOL}
     * @param aliases     per network (its key in the stack), names the container has there besides the service's
     * @param networkMode host, none or bridge: instead of the stack's networks
     * @param config      fields of the container's create body, by the engine's names (Tty, StopSignal, ...)
     * @param hostConfig  fields of its HostConfig, by the engine's names (SecurityOpt, Sysctls, Devices, ...)
     * @param links       Compose's links: {@code SERVICE:ALIAS} each, the names the container gives other services
     */
    public record ContainerOptions(List<String> entrypoint, String workingDir, String user, String hostname,
                                   List<String> extraHosts, Boolean privileged, Boolean init, List<String> capAdd,
                                   List<String> capDrop, Long shmSize, Long memLimit, Long cpus, Integer stopSeconds,
                                   Logging logging, Map<String, String> tmpfs, List<String> expose,
                                   Map<String, Ulimit> ulimits, Map<String, List<String>> aliases,
                                   String networkMode, Map<String, Object> config, Map<String, Object> hostConfig,
                                   List<String> links) {
        public static final ContainerOptions NONE = new ContainerOptions(null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);

        public ContainerOptions withNetworks(String mode, Map<String, List<String>> networkAliases) {
            return new ContainerOptions(entrypoint, workingDir, user, hostname, extraHosts, privileged, init, capAdd,
                    capDrop, shmSize, memLimit, cpus, stopSeconds, logging, tmpfs, expose, ulimits,
                    networkAliases.isEmpty() ? null : networkAliases, mode, config, hostConfig, links);
        }

        /**
         * The same settings with Compose's links ({@code SERVICE:ALIAS}) and anonymous volumes (paths in the
         * container, each a new unnamed volume, as the engine's Volumes field takes them).
         */
        public ContainerOptions withLinksAndVolumes(List<String> serviceLinks, List<String> anonymous) {
            Map<String, Object> withVolumes = config;
            if (!anonymous.isEmpty()) {
                withVolumes = new TreeMap<>(config == null ? Map.of() : config);
                Map<String, Object> volumes = new TreeMap<>();
                anonymous.forEach(v -> volumes.put(v, Map.of()));
                withVolumes.put("Volumes", volumes);
            }
            return new ContainerOptions(entrypoint, workingDir, user, hostname, extraHosts, privileged, init, capAdd,
                    capDrop, shmSize, memLimit, cpus, stopSeconds, logging, tmpfs, expose, ulimits, aliases,
                    networkMode, withVolumes, hostConfig, serviceLinks.isEmpty() ? null : serviceLinks);
        }

        /** The names the container has on a network: its service's, then the aliases the stack gives there. */
        public List<String> namesOn(String network, String service) {
            List<String> names = new ArrayList<>(List.of(service));
            if (aliases != null) {
                names.addAll(aliases.getOrDefault(network, List.of()));
            }
            return names;
        }
    }

    /** {@code logging}: the engine's log driver and its options. */
    public record Logging(String driver, Map<String, String> options) {
    }

    public record Ulimit(long soft, long hard) {
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

    /**
     * When a service counts as ready: a log line, the engine's healthcheck, or an HTTP answer; or, for a service
     * another depends on with condition service_completed_successfully, its exit with code 0; within a timeout.
     *
     * @param byDependency set by a depends_on condition (the service has no ready rule of its own): an unhealthy
     *                     healthcheck fails at once, as in Compose
     */
    public record ReadyRule(String log, boolean healthcheck, String http, boolean exited, boolean byDependency,
                            Duration timeout) {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
        /** How long depends_on waits for a service to be healthy or to complete, unless its ready timeout says. */
        public static final Duration DEPENDENCY_TIMEOUT = Duration.ofHours(1);

        /** Only a timeout: ready once it runs (the timeout is for a depends_on condition's wait). */
        public boolean running() {
            return log == null && !healthcheck && http == null && !exited;
        }

        public ReadyRule(String log, boolean healthcheck, String http, Duration timeout) {
            this(log, healthcheck, http, false, false, timeout);
        }
    }

    /**
     * @param driver  null for the engine's default (local)
     * @param options the driver's options (driver_opts), empty for none
     */
    public record VolumeSpec(String name, boolean external, Map<String, String> labels, String driver,
                             Map<String, String> options) {
        public VolumeSpec(String name, boolean external, Map<String, String> labels) {
            this(name, external, labels, null, Map.of());
        }
    }

    /**
     * @param options the driver's options (driver_opts), empty for none
     * @param ipam    the address pools, or null for the engine's choice
     */
    public record NetworkSpec(String name, String driver, boolean external, Map<String, String> labels,
                              Map<String, String> options, boolean internal, boolean attachable, boolean ipv6,
                              NetworkCreate.Ipam ipam) {
        public NetworkSpec(String name, String driver, boolean external) {
            this(name, driver, external, Map.of(), Map.of(), false, false, false, null);
        }

        /** What the engine is asked to create, labelled with {@code labels} besides the stack file's own. */
        public NetworkCreate create(Map<String, String> stackLabels) {
            Map<String, String> all = new TreeMap<>(this.labels);
            all.putAll(stackLabels);
            return new NetworkCreate(name, driver, true, internal ? Boolean.TRUE : null, attachable ? Boolean.TRUE : null,
                    ipv6 ? Boolean.TRUE : null, ipam, options.isEmpty() ? null : options, all);
        }
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

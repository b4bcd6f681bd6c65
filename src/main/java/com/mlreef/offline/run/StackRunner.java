package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.ImageReference;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code run}: from a bundle folder to a running stack, changing only what is not already right. Plans first (images
 * to load, network and volumes to create, containers to create, start or replace), checks the host ports, then
 * applies, waits for each service's readiness rule and runs its after-ready commands. Existing volumes are never
 * touched; a container whose configuration or image changed is replaced, and put back if its successor never becomes
 * ready.
 */
public final class StackRunner {
    /**
     * @param timeout       overrides every service's ready timeout; null keeps the stack's
     * @param pipServer     the -s value, already checked, or null
     * @param ports         how host ports are checked; null when the engine runs on another host, whose ports and
     *                      paths are not checked from here
     * @param removeOrphans whether the stack's containers of services it no longer has are removed
     */
    public record Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                          Preflight.PortProbe ports, boolean removeOrphans) {
        public Options withPipServer(URI server) {
            return new Options(stackFile, server, timeout, dryRun, env, ports, removeOrphans);
        }
    }

    /** What a service's container needs. */
    enum Action { CREATE, START, UNPAUSE, KEEP, REPLACE }

    /**
     * @param previousId  a container that an interrupted replacement left as NAME-previous: put back if the new one
     *                    fails, removed once it is ready
     * @param renamedFrom the name the service's container was given by hand, or null: it gets its name back
     * @param why         why the container is replaced
     */
    record ServicePlan(StackSpec.Service service, String container, Action action, String existingId,
                       ContainerSpec spec, String previousId, String imageId, String renamedFrom, String why) {
    }

    private final DockerEngine engine;
    private final Console console;
    private final ImageLoader loader;
    private final ServiceReadiness readiness;
    private final Set<String> warned = new HashSet<>();
    private boolean usesPipServer;
    /** ${PIP_SERVER}, ${PIP_SERVER:-...} or $PIP_SERVER: where the stack takes the variable. */
    private static final java.util.regex.Pattern USES_PIP_SERVER =
            java.util.regex.Pattern.compile("\\$\\{?PIP_SERVER(?![A-Za-z0-9_])");
    /** What an interruption now leaves to the next run, said in a sentence, or null: nothing to add. */
    private volatile String interruption;

    public StackRunner(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
        this.loader = new ImageLoader(engine, console);
        this.readiness = new ServiceReadiness(engine, console);
    }

    /** What an interruption now leaves to the next run (a replacement, after-ready commands), or null. */
    public String interruption() {
        return interruption;
    }

    /** Whether the stack last read takes ${PIP_SERVER} (the environment's is passed on only then). */
    public boolean usesPipServer() {
        return usesPipServer;
    }

    /**
     * Refuses volumes that an interrupted restore was filling (its helper container still holds them): a stack started
     * on them would write into half its data, and the restore, run again, over the stack's.
     */
    private void refuseUnfinishedRestore(StackSpec planned) {
        Set<String> names = new HashSet<>(planned.volumes().values().stream().map(StackSpec.VolumeSpec::name).toList());
        String held = UnfinishedRestore.among(engine, names);
        if (held != null) {
            throw new ToolException(ExitCode.FAILED, held + ": run that restore again to finish it, or give it up"
                    + " with 'mlreef-offline down --stack " + planned.name() + " --volumes' (which deletes them);"
                    + " nothing was changed");
        }
    }

    /** Reads and checks the stack a run would start, changing nothing (a mistake in it is found before the lock). */
    public StackSpec check(BundleSource source, Options options) {
        return carried(source, options, stack(source, options, "0.0.0.0"));
    }

    public StackSpec run(BundleSource source, Options options) {
        if (!source.isBundle()) {
            // an image the stack needs may be in one of them: the error that it is missing follows
            BundleVerifier.unreadArchives(source.dir()).stream().filter(warned::add).forEach(console::warn);
        }
        StackSpec spec = carried(source, options, stack(source, options, "0.0.0.0"));
        List<ImageLoader.FileLoad> loads = loader.plan(source);
        Map<String, String> imageIds = imageIds(source, loads);
        StackSpec planned = options.pipServer() == null ? spec : stack(source, options, gatewayOf(spec, options));
        List<ServicePlan> services = planServices(planned, imageIds, source.id());
        checkLimits(planned);

        List<String> plan = new ArrayList<>();
        loads.forEach(l -> plan.add(ImageLoader.describe(l)));
        List<String> networkDrivers = null;
        for (StackSpec.NetworkSpec n : planned.networks().values()) {
            Network existing = DockerEngine.orNull(() -> engine.inspectNetwork(n.name()));
            if (existing != null) {
                boolean made = existing.labels() != null && existing.labels().containsKey(StackLabels.STACK_LABEL);
                plan.add("keep   network " + n.name() + (made || n.external() ? ""
                        : " (made outside mlreef-offline; used as it is)"));
                String differs = n.external() ? null : differs(n, existing);
                if (differs != null) {
                    boolean ours = existing.labels() != null
                            && planned.name().equals(existing.labels().get(StackLabels.STACK_LABEL));
                    console.warn("network " + n.name() + " exists " + differs + "; it is used as it is (" + (ours
                            ? "down, then run, makes it anew as the stack says)" : "it is not this stack's to remove:"
                            + " once its containers are gone, 'docker network rm " + n.name() + "', then run, makes it"
                            + " anew)"));
                }
                continue;
            }
            if (n.external()) {
                throw new ToolException(ExitCode.FAILED, "network " + n.name() + " is external but does not exist;"
                        + " create it first (nothing was changed)");
            }
            if (networkDrivers == null) {
                SystemInfo.Plugins plugins = engine.info().plugins();
                networkDrivers = plugins == null || plugins.network() == null ? List.of() : plugins.network();
            }
            if (!networkDrivers.isEmpty() && !n.driver().contains("/") && !networkDrivers.contains(n.driver())
                    && !networkDrivers.contains(n.driver() + ":latest")) { // a managed plugin: NAME:TAG
                throw new ToolException(ExitCode.FAILED, "network " + n.name() + ": this engine has no network driver '"
                        + n.driver() + "' (it has " + String.join(", ", networkDrivers) + "); nothing was changed");
            }
            plan.add("create network " + n.name());
        }
        refuseUnfinishedRestore(planned);
        List<String> volumeDrivers = null;
        for (StackSpec.VolumeSpec v : planned.volumes().values()) {
            Volume existing = DockerEngine.orNull(() -> engine.inspectVolume(v.name()));
            if (existing == null && !v.external() && v.driver() != null) {
                if (volumeDrivers == null) {
                    SystemInfo.Plugins plugins = engine.info().plugins();
                    volumeDrivers = plugins == null || plugins.volume() == null ? List.of() : plugins.volume();
                }
                if (!volumeDrivers.isEmpty() && !v.driver().contains("/") && !volumeDrivers.contains(v.driver())
                        && !volumeDrivers.contains(v.driver() + ":latest")) {
                    throw new ToolException(ExitCode.FAILED, "volume " + v.name() + ": this engine has no volume driver"
                            + " '" + v.driver() + "' (it has " + String.join(", ", volumeDrivers) + "); nothing was"
                            + " changed");
                }
            }
            if (existing != null) {
                String owner = existing.labels() == null ? null : existing.labels().get(StackLabels.STACK_LABEL);
                plan.add("keep   volume " + v.name() + (owner == null && !v.external() ? " (made outside"
                        + " mlreef-offline; used with its data)" : ""));
                if (owner != null && !owner.equals(planned.name()) && !v.external()) {
                    console.warn("volume " + v.name() + " belongs to stack " + owner + "; stack " + planned.name()
                            + " uses it too, with its data (mark it external: true in the stack file if that is"
                            + " meant, or give it another name)");
                } else if (!v.external() && differs(v, existing)) {
                    // a volume is data: never re-made by run, as Compose asks before it re-makes one
                    console.warn("volume " + v.name() + " exists with another driver or driver_opts than the stack"
                            + " gives; it is used as it is, with its data (to make it anew, copy the data out, then"
                            + " 'down --volumes' and run)");
                }
            } else if (v.external()) {
                throw new ToolException(ExitCode.FAILED, "volume " + v.name() + " is external but does not exist;"
                        + " create it first (nothing was changed)");
            } else {
                plan.add("create volume " + v.name());
            }
        }
        services.forEach(s -> plan.add(switch (s.action()) {
            case CREATE -> "create container " + s.container();
            case START -> "start  container " + s.container() + " (stopped)";
            case UNPAUSE -> "unpause container " + s.container() + " (paused)";
            case KEEP -> "keep   container " + s.container() + " (running, unchanged)";
            case REPLACE -> "replace container " + s.container() + " (" + s.why() + ")";
        }));
        services.stream().filter(s -> s.renamedFrom() != null).forEach(s -> plan.add("rename container "
                + s.renamedFrom() + " to " + s.container() + " (service " + s.service().name() + "'s container, under"
                + " another name)"));
        List<ContainerSummary> orphans = orphans(planned, services);
        orphans.forEach(o -> plan.add((options.removeOrphans() ? "remove container " : "leave  container ") + o.name()
                + " (" + orphanReason(planned, o) + ")"));
        if (options.ports() != null) {
            Preflight.missingBindSources(planned).forEach(m -> console.warn("service " + m.service() + " mounts host"
                    + " path " + m.source() + ", which does not exist on this host: the engine will create an empty"
                    + " folder there"));
        }
        if (options.dryRun()) {
            checkHealthchecks(services, false);
            plan.forEach(console::result);
            if (options.ports() != null) { // a port run would find taken fails the dry run too
                checkPorts(planned.name(), services, options.ports(), options.removeOrphans() ? orphans : List.of());
            }
            return planned;
        }
        plan.forEach(line -> console.debug("plan: " + line));
        if (!orphans.isEmpty() && !options.removeOrphans()) {
            StackSpec stack = planned;
            console.warn("container" + (orphans.size() == 1 ? " " : "s ") + String.join(", ", orphans.stream()
                    .map(o -> o.name() + " (" + orphanReason(stack, o) + ")").toList()) + " of stack " + planned.name()
                    + (orphans.size() == 1 ? " is" : " are") + " left as " + (orphans.size() == 1 ? "it is" : "they are")
                    + " ('run --remove-orphans' removes " + (orphans.size() == 1 ? "it" : "them") + ", keeping the"
                    + " volumes)");
        }
        if (options.ports() != null) {
            checkPorts(planned.name(), services, options.ports(), options.removeOrphans() ? orphans : List.of());
        }
        if (options.removeOrphans()) {
            for (ContainerSummary orphan : orphans) {
                engine.stopContainer(orphan.id(), null);
                engine.removeContainer(orphan.id(), true);
                console.info("removed container " + orphan.name() + " (" + orphanReason(planned, orphan)
                        + "; its volumes are kept)");
            }
        }

        loads.stream().filter(l -> !l.present()).forEach(loader::load);
        checkHealthchecks(services, true);
        for (StackSpec.NetworkSpec network : planned.networks().values()) {
            ensureNetwork(planned, network);
        }
        StackSpec applied = planned;
        if (options.pipServer() != null && PipServer.isLocal(options.pipServer())) {
            // the gateway is known now that the network exists
            applied = stack(source, options, gatewayOf(spec, options));
            services = planServices(applied, imageIds, source.id());
        }
        for (StackSpec.VolumeSpec volume : applied.volumes().values()) {
            ensureVolume(applied, volume);
        }
        for (ServicePlan service : services) {
            apply(applied, service, options);
        }
        return applied;
    }

    /** Whether an existing volume's driver or driver options are not those the stack gives. */
    private static boolean differs(StackSpec.VolumeSpec wanted, Volume existing) {
        String driver = wanted.driver() == null ? "local" : wanted.driver();
        Map<String, String> options = existing.options() == null ? Map.of() : existing.options();
        return existing.driver() != null && !existing.driver().equals(driver) || !options.equals(wanted.options());
    }

    /** How an existing network differs from what the stack gives (driver, internal, subnets), or null. */
    private static String differs(StackSpec.NetworkSpec wanted, Network existing) {
        List<String> differences = new ArrayList<>();
        if (existing.driver() != null && !existing.driver().equals(wanted.driver())) {
            differences.add("with driver " + existing.driver() + ", not " + wanted.driver());
        }
        if (Boolean.TRUE.equals(existing.internal()) != wanted.internal()) {
            differences.add(wanted.internal() ? "not internal" : "internal");
        }
        if (wanted.ipam() != null && wanted.ipam().config() != null) {
            Set<String> subnets = new HashSet<>();
            if (existing.ipam() != null && existing.ipam().config() != null) {
                existing.ipam().config().forEach(c -> subnets.add(c.subnet()));
            }
            wanted.ipam().config().stream().map(NetworkCreate.Pool::subnet)
                    .filter(subnet -> subnet != null && !subnets.contains(subnet)).findFirst()
                    .ifPresent(subnet -> differences.add("without subnet " + subnet));
        }
        return differences.isEmpty() ? null : String.join(", ", differences);
    }

    /** The stack: -f, else the bundle's, else (plain folder) the default; interpolated with PIP_SERVER. */
    private StackSpec stack(BundleSource source, Options options, String gateway) {
        Consumer<String> warnings = w -> {
            if (warned.add(w)) { // the stack is read again once the network's gateway is known
                console.warn(w);
            }
        };
        Map<String, String> vars = new LinkedHashMap<>(options.env());
        if (options.pipServer() != null) {
            vars.put("PIP_SERVER", PipServer.forContainers(options.pipServer(), gateway));
        }
        String text;
        StackSpec spec;
        if (options.stackFile() != null || !source.isBundle()) {
            StackFile.Loaded loaded = StackFile.load(options.stackFile(), vars, warnings);
            text = loaded.text();
            spec = loaded.spec();
        } else {
            text = source.stackText();
            spec = StackFile.parse(text, source.stackSource(), source.manifest().stack().name(), vars, warnings);
        }
        usesPipServer = USES_PIP_SERVER.matcher(text).find();
        if (options.pipServer() != null && !usesPipServer) {
            warnings.accept("-s: stack " + spec.name() + " does not use ${PIP_SERVER}: no container is given the pip"
                    + " server");
        }
        return spec;
    }

    /**
     * The bundle's own stack, refused when it runs an image the bundle does not carry: its image names took other
     * values of their variables here than on the online host (an image of that name in the engine would be another).
     */
    private static StackSpec carried(BundleSource source, Options options, StackSpec spec) {
        if (options.stackFile() != null || !source.isBundle()) {
            return spec;
        }
        Set<String> carried = new java.util.LinkedHashSet<>();
        source.manifest().images().forEach(i -> carried.addAll(i.references()));
        List<String> missing = spec.images().stream().filter(i -> !carried.contains(i)).toList();
        if (!missing.isEmpty()) {
            List<String> unused = carried.stream().filter(i -> !spec.images().contains(i)).toList();
            throw new ToolException(ExitCode.FAILED, "stack " + spec.name() + " runs " + String.join(", ", missing)
                    + " here, which the bundle does not carry" + (unused.isEmpty() ? "" : " (it carries "
                    + String.join(", ", unused) + ")") + ": a ${VAR} in an image name takes this host's value; set"
                    + " it as it was for export, or give a stack file with -f; nothing was changed");
        }
        return spec;
    }

    /** The gateway a local pip server is reached at; the engine's interfaces are this host's when ports are checked. */
    private String gatewayOf(StackSpec spec, Options options) {
        return NetworkGateway.forStack(engine, spec, options.ports() != null);
    }

    /**
     * The image ID each reference of the bundle or folder names, by the reference's full form (and each image ID by
     * itself). Two files of a plain folder that tag one reference as different images are refused: whichever the
     * engine loaded last would win, another at each run.
     */
    private Map<String, String> imageIds(BundleSource source, List<ImageLoader.FileLoad> loads) {
        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> fileOf = new HashMap<>();
        for (ImageLoader.FileLoad load : loads) {
            load.imageIds().forEach(id -> ids.put(id, id));
            for (Map.Entry<String, String> tag : load.tags().entrySet()) {
                String reference = ImageReference.normalized(tag.getKey());
                String before = ids.put(reference, tag.getValue());
                if (before != null && !before.equals(tag.getValue())) {
                    throw new ToolException(ExitCode.FAILED, tag.getKey() + " is tagged in both " + fileOf.get(reference)
                            + " and " + load.name() + ", as different images (" + before + ", " + tag.getValue() + "):"
                            + " move the one not meant out of " + source.dir() + "; nothing was changed");
                }
                fileOf.put(reference, load.name());
            }
        }
        return ids;
    }

    private List<ServicePlan> planServices(StackSpec spec, Map<String, String> imageIds, String bundleId) {
        List<ServicePlan> plans = new ArrayList<>();
        List<ContainerSummary> stackContainers = engine.listContainers(
                List.of(StackLabels.STACK_LABEL + "=" + spec.name()), true);
        Map<String, String> networkIds = new HashMap<>();
        for (StackSpec.Service service : spec.services().values()) {
            String name = service.containerName(spec.name());
            String imageId = imageIds.get(ImageReference.normalized(service.image()));
            if (imageId == null) {
                try {
                    imageId = engine.inspectImage(service.image()).id();
                } catch (NotFoundException e) {
                    throw new ToolException(ExitCode.FAILED, "service " + service.name() + " runs " + service.image()
                            + ", which neither the bundle nor the engine has; export it with the stack");
                }
            }
            ContainerSpec container = ContainerSpecFactory.containerSpec(spec, service, imageId, bundleId);
            ContainerInspect previous = ours(spec, previousName(name));
            ContainerInspect existing = ours(spec, name);
            String renamedFrom = null;
            if (existing == null && previous == null) {
                // renamed by hand (docker rename): still the service's container, by its labels
                ContainerSummary renamed = stackContainers.stream().filter(c -> c.labels() != null
                        && service.name().equals(c.labels().get(StackLabels.SERVICE_LABEL))
                        && !c.name().endsWith(StackLabels.PREVIOUS)).findFirst().orElse(null);
                if (renamed != null) {
                    existing = engine.inspectContainer(renamed.id());
                    renamedFrom = renamed.name();
                }
            }
            if (existing == null) {
                plans.add(new ServicePlan(service, name, Action.CREATE, null, container,
                        previous == null ? null : previous.id(), imageId, null, null));
                continue;
            }
            boolean same = container.labels().get(StackLabels.CONFIG_LABEL).equals(existing.config().labels().get(StackLabels.CONFIG_LABEL));
            String lost = same ? lostNetwork(spec, service, existing, networkIds) : null;
            boolean running = Boolean.TRUE.equals(existing.state().running());
            boolean paused = Boolean.TRUE.equals(existing.state().paused());
            Action action = !same || lost != null ? Action.REPLACE : paused ? Action.UNPAUSE : running ? Action.KEEP
                    : Action.START;
            plans.add(new ServicePlan(service, name, action, existing.id(), container,
                    previous == null ? null : previous.id(), imageId, renamedFrom, !same
                    ? "its image or configuration changed" : lost == null ? null
                    : "its network " + lost + " was removed, or it was disconnected from it, by hand"));
        }
        return plans;
    }

    /**
     * The network of the service that its container is no longer attached to (removed, or made again since, by hand),
     * or null: such a container cannot start.
     */
    private String lostNetwork(StackSpec spec, StackSpec.Service service, ContainerInspect container,
                               Map<String, String> networkIds) {
        Map<String, ContainerInspect.EndpointSettings> attached = container.networkSettings() == null
                || container.networkSettings().networks() == null ? Map.of() : container.networkSettings().networks();
        for (String key : service.networks()) {
            String name = spec.networks().get(key).name();
            String id = networkIds.computeIfAbsent(name, n -> {
                Network network = DockerEngine.orNull(() -> engine.inspectNetwork(n));
                return network == null ? "" : network.id();
            });
            ContainerInspect.EndpointSettings endpoint = attached.get(name);
            if (id.isEmpty() || endpoint == null || !id.equals(endpoint.networkId())) {
                return name;
            }
        }
        return null;
    }

    /**
     * The stack's containers that no service of it will use: those of services it no longer has, and another
     * container of one of its services (made while its own was renamed by hand). An old container kept during a
     * replacement is not one.
     */
    private List<ContainerSummary> orphans(StackSpec spec, List<ServicePlan> plans) {
        Set<String> used = new HashSet<>();
        for (ServicePlan plan : plans) {
            used.add(plan.container());
            used.add(previousName(plan.container()));
            if (plan.existingId() != null) {
                used.add(plan.existingId());
            }
        }
        return engine.listContainers(List.of(StackLabels.STACK_LABEL + "=" + spec.name()), true).stream()
                .filter(c -> c.labels() != null && c.labels().get(StackLabels.SERVICE_LABEL) != null
                        && !used.contains(c.name()) && !used.contains(c.id()))
                .toList();
    }

    /** Why an orphan is one, for the plan. */
    private static String orphanReason(StackSpec spec, ContainerSummary orphan) {
        String service = orphan.labels().get(StackLabels.SERVICE_LABEL);
        return spec.services().containsKey(service) ? "another container of service " + service + ", not the one run"
                + " uses" : "service " + service + " is no longer in the stack";
    }

    static String previousName(String container) {
        return container + StackLabels.PREVIOUS;
    }

    /** The container of that name, or null; one the tool did not create for this stack is an error. */
    private ContainerInspect ours(StackSpec spec, String name) {
        ContainerInspect existing = DockerEngine.orNull(() -> engine.inspectContainer(name));
        if (existing == null) {
            return null;
        }
        Map<String, String> labels = existing.config().labels() == null ? Map.of() : existing.config().labels();
        String owner = labels.get(StackLabels.STACK_LABEL);
        if (owner != null && !spec.name().equals(owner)) {
            throw new ToolException(ExitCode.FAILED, "a container named " + name + " belongs to stack " + owner + "; give"
                    + " the service another container_name, or take that stack down first");
        }
        if (owner == null) {
            throw new ToolException(ExitCode.FAILED, "a container named " + name + " exists that mlreef-offline did"
                    + " not create for stack " + spec.name() + "; remove or rename it (its volumes stay), then run"
                    + " again");
        }
        return existing;
    }

    /** The container a service asks for; its configuration hash (with the image ID) is one of its labels. */
    public static ContainerSpec containerSpec(StackSpec spec, StackSpec.Service service, String imageId, String bundleId) {
        return ContainerSpecFactory.containerSpec(spec, service, imageId, bundleId);
    }

    /**
     * Fails before anything changes when a service asks for more CPUs or memory than the engine's host has, or for a
     * runtime it lacks.
     */
    private void checkLimits(StackSpec spec) {
        SystemInfo info = null;
        for (StackSpec.Service service : spec.services().values()) {
            StackSpec.ContainerOptions o = service.options();
            Object runtime = o.hostConfig() == null ? null : o.hostConfig().get("Runtime");
            Object cpuset = o.hostConfig() == null ? null : o.hostConfig().get("CpusetCpus");
            if (o.cpus() == null && o.memLimit() == null && runtime == null && cpuset == null) {
                continue;
            }
            info = info == null ? engine.info() : info;
            if (cpuset != null && info.ncpu() != null) {
                int highest = java.util.Arrays.stream(cpuset.toString().split("[,-]")).mapToInt(Integer::parseInt).max()
                        .orElse(0);
                if (highest >= info.ncpu()) {
                    throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for cpuset: " + cpuset
                            + ", but this host's CPUs are 0 to " + (info.ncpu() - 1) + "; nothing was changed");
                }
            }
            if (runtime != null && info.runtimes() != null && !info.runtimes().containsKey(runtime)) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for runtime " + runtime
                        + ", but this engine has " + String.join(", ", new java.util.TreeSet<>(info.runtimes()
                        .keySet())) + "; nothing was changed");
            }
            if (o.cpus() != null && info.ncpu() != null && o.cpus() > info.ncpu() * 1_000_000_000L) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for cpus: "
                        + java.math.BigDecimal.valueOf(o.cpus(), 9).stripTrailingZeros().toPlainString()
                        + ", but this host has " + info.ncpu() + "; nothing was changed");
            }
            if (o.memLimit() != null && info.memTotal() != null && o.memLimit() > info.memTotal()) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for mem_limit: "
                        + Sizes.bytes(o.memLimit()) + ", but this host has " + Sizes.bytes(info.memTotal())
                        + "; nothing was changed");
            }
        }
    }

    /**
     * Fails before any container changes when a service waits for a healthcheck that neither it nor its image has.
     * @param loaded whether every image is in the engine now; before the load, an image it lacks is not checked
     */
    private void checkHealthchecks(List<ServicePlan> services, boolean loaded) {
        for (ServicePlan plan : services) {
            StackSpec.Service service = plan.service();
            if (service.ready() == null || !service.ready().healthcheck()
                    || service.healthcheck() != null && !service.healthcheck().test().isEmpty()) {
                continue;
            }
            ImageInspect image;
            try {
                image = engine.inspectImage(plan.imageId());
            } catch (NotFoundException e) {
                if (loaded) {
                    throw e;
                }
                continue;
            }
            if (image.config() == null || image.config().healthcheck() == null
                    || !image.config().healthcheck().enabled()) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " is waited for by its"
                        + " healthcheck (its ready: {healthcheck: true}, or a depends_on with condition "
                        + StackSpec.HEALTHY + "), but neither the service nor its image " + service.image()
                        + " has one; give the service a healthcheck or another ready rule (no container was changed)");
            }
        }
    }

    /** Compose's {@code restart} (no, always, unless-stopped, on-failure[:N]) as the engine takes it. */
    public static ContainerSpec.RestartPolicy restartPolicy(String restart) {
        return ContainerSpecFactory.restartPolicy(restart);
    }

    /**
     * Fails before anything changes when a host port the run needs is taken by something else, naming every such
     * port at once.
     */
    private void checkPorts(String stack, List<ServicePlan> services, Preflight.PortProbe probe,
                            List<ContainerSummary> leaving) {
        List<ContainerSummary> running = engine.listContainers(List.of(), false);
        List<String> taken = new ArrayList<>();
        boolean moved = false; // held by another container of the stack
        for (ServicePlan plan : services) {
            if (plan.action() == Action.KEEP || plan.action() == Action.UNPAUSE) {
                continue;
            }
            for (StackSpec.PortSpec port : plan.service().ports()) {
                String ip = port.hostIp() == null ? "" : port.hostIp();
                String protocol = port.protocol() == null ? "tcp" : port.protocol();
                Preflight.PortProbe.State state = probe.probe(ip, port.hostPort(), protocol);
                if (state == Preflight.PortProbe.State.NOT_LOCAL) {
                    throw new ToolException(ExitCode.FAILED, "host address " + ip + " that " + plan.service().name()
                            + " publishes port " + port.hostPort() + " on is not an address of this host; nothing was"
                            + " changed");
                }
                if (state != Preflight.PortProbe.State.IN_USE) {
                    continue;
                }
                ContainerSummary holder = Preflight.publisher(running, port.hostPort(), protocol).orElse(null);
                // a predecessor started by hand is stopped before its replacement finishes (CREATE), not otherwise
                if (holder != null && (holder.id().equals(plan.existingId())
                        || plan.action() == Action.CREATE && holder.id().equals(plan.previousId())
                        || leaving.stream().anyMatch(o -> o.id().equals(holder.id())))) {
                    continue;
                }
                String holderStack = holder == null || holder.labels() == null ? null
                        : holder.labels().get(StackLabels.STACK_LABEL);
                moved |= stack.equals(holderStack);
                taken.add("host port " + port.hostPort() + ("tcp".equals(protocol) ? "" : "/" + protocol) + " that "
                        + plan.service().name() + " publishes is in use" + (holder == null ? " by another program"
                        : " by container " + holder.name() + (stack.equals(holderStack) ? " of this stack" : "")));
            }
        }
        if (!taken.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, String.join("; ", taken) + "; nothing was changed. " + (moved
                    ? "A port that moves from one service to another needs the stack stopped first, as run replaces"
                    + " one service at a time: 'mlreef-offline stop --stack " + stack + "', then run again (the"
                    + " volumes are kept)" : "Free " + (taken.size() == 1 ? "the port" : "the ports") + ", or publish"
                    + " another one in the stack file (-f)"));
        }
    }

    private void ensureNetwork(StackSpec spec, StackSpec.NetworkSpec network) {
        if (DockerEngine.orNull(() -> engine.inspectNetwork(network.name())) != null) {
            return;
        }
        if (network.external()) {
            throw new ToolException(ExitCode.FAILED, "network " + network.name() + " is external but does not exist;"
                    + " create it first");
        }
        engine.createNetwork(network.create(Map.of(StackLabels.STACK_LABEL, spec.name())));
        console.info("created network " + network.name());
    }

    private void ensureVolume(StackSpec spec, StackSpec.VolumeSpec volume) {
        if (DockerEngine.orNull(() -> engine.inspectVolume(volume.name())) != null) {
            return;
        }
        if (volume.external()) {
            throw new ToolException(ExitCode.FAILED, "volume " + volume.name() + " is external but does not exist;"
                    + " create it first");
        }
        Map<String, String> labels = new TreeMap<>(volume.labels());
        labels.put(StackLabels.STACK_LABEL, spec.name());
        engine.createVolume(volume.name(), volume.driver(), volume.options(), labels);
        console.info("created volume " + volume.name());
    }

    private void apply(StackSpec spec, ServicePlan plan, Options options) {
        Duration timeout = options.timeout() != null ? options.timeout()
                : plan.service().ready() != null ? plan.service().ready().timeout() : StackSpec.ReadyRule.DEFAULT_TIMEOUT;
        String existing = plan.existingId();
        if (plan.renamedFrom() != null) {
            engine.renameContainer(existing, plan.container());
            console.info("renamed container " + plan.renamedFrom() + " to " + plan.container());
        }
        switch (plan.action()) {
            case UNPAUSE -> {
                engine.unpauseContainer(existing);
                console.info("unpaused " + plan.container());
                String ready = readyOrPutBack(plan, () -> readiness.ready(existing, plan.service(), timeout, 0));
                console.info(plan.service().name() + " is ready: " + ready);
                if (!readiness.afterReadyDone(existing, plan.service())) {
                    afterReady(existing, plan);
                }
            }
            case KEEP -> {
                // unchanged, but an earlier run may have failed waiting for it: it is ready since its last start
                String ready = readyOrPutBack(plan, () -> readiness.ready(existing, plan.service(), timeout, 0));
                if (readiness.afterReadyDone(existing, plan.service())) {
                    console.info(plan.container() + ": running, unchanged" + (plan.service().ready() == null ? ""
                            : ", ready: " + ready));
                } else {
                    // an earlier run stopped before its after-ready commands finished
                    console.info(plan.service().name() + " is ready: " + ready);
                    afterReady(existing, plan);
                }
            }
            case START -> {
                long since = System.currentTimeMillis() / 1000;
                engine.startContainer(plan.container()); // by name: an error names it
                console.info("started " + plan.container());
                String ready = readyOrPutBack(plan, () -> readiness.ready(existing, plan.service(), timeout, since));
                console.info(plan.service().name() + " is ready: " + ready);
                afterReady(existing, plan);
            }
            case CREATE -> {
                if (plan.previousId() == null) {
                    startNew(spec, plan, timeout);
                } else {
                    // an interrupted replacement: the old container waits as NAME-previous (started by hand, it
                    // would hold the ports)
                    engine.stopContainer(plan.previousId(), null);
                    replace(spec, plan, plan.previousId(), true, timeout);
                }
            }
            case REPLACE -> {
                if (plan.previousId() != null) {
                    engine.removeContainer(plan.previousId(), true);
                    console.info("removed " + previousName(plan.container()) + ", the old container an interrupted"
                            + " replacement left: " + plan.container() + " is replaced again");
                }
                boolean wasRunning = Boolean.TRUE.equals(engine.inspectContainer(existing).state().running());
                interruption = beingReplaced(plan.container());
                engine.stopContainer(existing, null);
                engine.renameContainer(existing, previousName(plan.container()));
                replace(spec, plan, existing, wasRunning, timeout);
            }
            default -> throw new IllegalStateException();
        }
        if (plan.previousId() != null && plan.action() != Action.CREATE && plan.action() != Action.REPLACE) {
            // the replacement finished before an interruption: the old container is no longer needed
            engine.removeContainer(plan.previousId(), true);
            console.info("removed " + previousName(plan.container()) + ", the old container of a replacement an"
                    + " interrupted run had finished");
        }
    }

    private void startNew(StackSpec spec, ServicePlan plan, Duration timeout) {
        Set<String> unnamed = unmountedVolumes(plan);
        if (!unnamed.isEmpty()) {
            console.warn("service " + plan.service().name() + ": its image keeps " + String.join(", ", unnamed)
                    + " in " + (unnamed.size() == 1 ? "an unnamed volume" : "unnamed volumes") + " (the image's VOLUME,"
                    + " which the stack does not mount); a replacement takes " + (unnamed.size() == 1 ? "it" : "them")
                    + " over, but after down, run starts without " + (unnamed.size() == 1 ? "it" : "them")
                    + ": mount a named volume there to keep that data");
        }
        String id = create(spec, plan, plan.container(), null);
        long since = System.currentTimeMillis() / 1000;
        engine.startContainer(plan.container()); // by name: an error names it
        console.info("created and started " + plan.container());
        readiness.await(id, plan.service(), timeout, since);
        afterReady(id, plan);
    }

    /** Creates the service's container; a successor ({@code previousId} not null) takes over its unnamed volumes. */
    private String create(StackSpec spec, ServicePlan plan, String name, String previousId) {
        ContainerSpec body = plan.spec();
        List<ContainerInspect.Mount> inherited = previousId == null ? List.of() : unnamedVolumes(plan, previousId);
        if (!inherited.isEmpty()) {
            List<String> binds = new ArrayList<>(body.hostConfig().binds());
            inherited.forEach(m -> binds.add(m.name() + ":" + m.destination()
                    + (Boolean.FALSE.equals(m.rw()) ? ":ro" : "")));
            body = body.withBinds(binds);
            console.info(plan.container() + ": the new container keeps the unnamed volume" + (inherited.size() == 1
                    ? " at " : "s at ") + String.join(", ", inherited.stream().map(ContainerInspect.Mount::destination)
                    .toList()) + " (the image's VOLUME, which the stack does not mount)");
        }
        String id = engine.createContainer(name, body);
        for (String key : plan.service().networks().subList(Math.min(1, plan.service().networks().size()),
                plan.service().networks().size())) {
            engine.connectNetwork(spec.networks().get(key).name(), id,
                    plan.service().options().namesOn(key, plan.service().name()));
        }
        return id;
    }

    /**
     * The unnamed volumes of the container a successor replaces, at the paths the successor's image declares as VOLUME
     * and the stack does not mount: the successor takes them over, as Compose does, so their data stays in use.
     */
    private List<ContainerInspect.Mount> unnamedVolumes(ServicePlan plan, String previousId) {
        Set<String> unmounted = unmountedVolumes(plan);
        List<ContainerInspect.Mount> mounts = engine.inspectContainer(previousId).mounts();
        return unmounted.isEmpty() || mounts == null ? List.of() : mounts.stream()
                .filter(m -> m.unnamed() && m.destination() != null && unmounted.contains(cleanPath(m.destination())))
                .toList();
    }

    /** The paths the service's image declares as VOLUME and the stack mounts nothing on: each gets an unnamed volume. */
    private Set<String> unmountedVolumes(ServicePlan plan) {
        ImageInspect.Config image = engine.inspectImage(plan.imageId()).config();
        if (image == null || image.volumes() == null) {
            return Set.of();
        }
        Set<String> paths = new java.util.TreeSet<>();
        image.volumes().keySet().forEach(path -> paths.add(cleanPath(path)));
        plan.service().mounts().forEach(m -> paths.remove(cleanPath(m.target())));
        if (plan.service().options().tmpfs() != null) {
            plan.service().options().tmpfs().keySet().forEach(path -> paths.remove(cleanPath(path)));
        }
        return paths;
    }

    private static String cleanPath(String path) {
        String clean = path.replaceAll("/+", "/");
        return clean.length() > 1 && clean.endsWith("/") ? clean.substring(0, clean.length() - 1) : clean;
    }

    /**
     * Starts the new container while the old one, stopped (it holds the ports) and renamed NAME-previous, waits; removes
     * the old one once the new one is ready, or puts the old one back (started if it ran) if it is not.
     */
    private void replace(StackSpec spec, ServicePlan plan, String previousId, boolean wasRunning, Duration timeout) {
        String id = null;
        String previous = previousName(plan.container());
        interruption = beingReplaced(plan.container());
        try {
            id = create(spec, plan, plan.container(), previousId);
            long since = System.currentTimeMillis() / 1000;
            engine.startContainer(plan.container()); // by name: an error names it
            console.info("replacing " + plan.container() + ": the new container started");
            interruption = "the new " + plan.container() + " runs but was not seen ready yet; the old container waits,"
                    + " stopped, as " + previous + ": the next run keeps the new one once it is ready (and removes"
                    + " the old one), or puts the old one back";
            readiness.await(id, plan.service(), timeout, since);
        } catch (ToolException | DockerException e) {
            throw putBack(plan, id, previousId, wasRunning, e);
        } finally {
            interruption = null;
        }
        engine.removeContainer(previousId, true);
        console.info("replaced " + plan.container() + " (the old container, " + previous + ", is removed); its"
                + " volumes are kept");
        afterReady(id, plan);
    }

    /** What an interruption leaves from the stop of a container being replaced until its successor starts. */
    private static String beingReplaced(String container) {
        return container + " was being replaced, so it is down now: the old container waits, stopped (as "
                + previousName(container) + " once renamed), and the next run finishes the replacement or puts the old"
                + " one back if the new one does not become ready";
    }

    /** Runs a service's after-ready commands; an interruption meanwhile leaves the running one going. */
    private void afterReady(String id, ServicePlan plan) {
        interruption = "an after-ready command of " + plan.service().name() + " goes on in " + plan.container()
                + " if it was running: the next run waits for it, or takes its exit code 0 while the engine still"
                + " knows it (some minutes; later it runs again)";
        try {
            readiness.afterReady(id, plan.service());
        } finally {
            interruption = null;
        }
    }

    /**
     * A service's readiness, for a container that an interrupted replacement may have left beside its predecessor
     * (NAME-previous): should it fail, the predecessor is put back, as the interrupted run would have done.
     */
    private String readyOrPutBack(ServicePlan plan, java.util.function.Supplier<String> ready) {
        try {
            return ready.get();
        } catch (ToolException | DockerException e) {
            if (plan.previousId() == null) {
                throw e;
            }
            throw putBack(plan, plan.existingId(), plan.previousId(), true, e);
        }
    }

    /** Removes a failed successor (when there is one) and puts the previous container back; the error to throw. */
    private ToolException putBack(ServicePlan plan, String failedId, String previousId, boolean wasRunning,
                                  RuntimeException cause) {
        console.info(plan.container() + ": the new container failed; putting the previous one back");
        if (failedId != null) {
            engine.removeContainer(failedId, true);
        }
        engine.renameContainer(previousId, plan.container());
        String previous = wasRunning ? "the previous container runs again" : "the previous container is back,"
                + " stopped as it was";
        if (wasRunning) {
            try {
                engine.startContainer(previousId);
            } catch (DockerException again) {
                previous = "the previous container is back but does not start either (" + again.getMessage() + ")";
            }
        }
        return new ToolException(ExitCode.FAILED, "the new " + plan.container() + " failed: " + cause.getMessage()
                + "; " + previous + ", its volumes untouched", cause);
    }

}

package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.ImageReference;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes the {@link RunPlan} of a stack from what the engine reports, changing nothing; fails, naming what is missing,
 * when the plan could not be applied (an external network or volume, a driver, an image, a container in the way).
 */
final class RunPlanner {
    private final DockerEngine engine;
    private final Console console;
    private final PlanChecks checks;
    private final BackupPlanner backups;

    RunPlanner(DockerEngine engine, Console console, PlanChecks checks) {
        this.engine = engine;
        this.console = console;
        this.checks = checks;
        this.backups = new BackupPlanner(engine, console);
    }

    /** Whether and where the stack's volumes are backed up before an upgrade; without it, they are not. */
    void backups(UpgradeBackups settings) {
        backups.settings(settings);
    }

    /**
     * The plan for the stack, given the image files of the bundle or folder and the image IDs they tag.
     *
     * @param bindSources whether host paths of bind mounts are checked (the engine runs on this host)
     */
    RunPlan plan(StackSpec planned, List<ImageLoader.FileLoad> loads, Map<String, String> imageIds, String bundleId,
                 boolean removeOrphans, boolean bindSources) {
        List<ServicePlan> services = services(planned, imageIds, bundleId);
        checks.limits(planned);
        List<RunPlan.Resource> networks = networks(planned);
        refuseUnfinishedRestore(planned);
        List<RunPlan.Resource> volumes = volumes(planned);
        List<RunPlan.Orphan> orphans = orphans(planned, services).stream()
                .map(o -> orphan(planned, o)).toList();
        if (bindSources) {
            Preflight.missingBindSources(planned).forEach(m -> console.warn("service " + m.service() + " mounts host"
                    + " path " + m.source() + ", which does not exist on this host: the engine will create an empty"
                    + " folder there"));
        }
        BackupStep backup = backups.plan(planned, services, orphans, removeOrphans);
        return new RunPlan(planned, loads, imageIds, networks, volumes, BackupPlanner.afterStop(services, backup),
                orphans, removeOrphans, backup);
    }

    /**
     * The image ID each reference of the bundle or folder names, by the reference's full form (and each image ID by
     * itself). Two files of a plain folder that tag one reference as different images are refused: whichever the
     * engine loaded last would win, another at each run.
     */
    static Map<String, String> imageIds(BundleSource source, List<ImageLoader.FileLoad> loads) {
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

    private List<RunPlan.Resource> networks(StackSpec planned) {
        List<RunPlan.Resource> networks = new ArrayList<>();
        Drivers drivers = new Drivers(SystemInfo.Plugins::network);
        for (StackSpec.NetworkSpec n : planned.networks().values()) {
            Network existing = DockerEngine.orNull(() -> engine.inspectNetwork(n.name()));
            if (existing != null) {
                boolean made = existing.labels() != null && existing.labels().containsKey(StackLabels.STACK_LABEL);
                networks.add(new RunPlan.Resource("network", n.name(), false, made || n.external() ? null
                        : "made outside mlreef-offline; used as it is"));
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
            List<String> known = drivers.lacking(n.driver());
            if (known != null) {
                throw new ToolException(ExitCode.FAILED, "network " + n.name() + ": this engine has no network driver '"
                        + n.driver() + "' (it has " + String.join(", ", known) + "); nothing was changed");
            }
            networks.add(new RunPlan.Resource("network", n.name(), true, null));
        }
        return networks;
    }

    private List<RunPlan.Resource> volumes(StackSpec planned) {
        List<RunPlan.Resource> volumes = new ArrayList<>();
        Drivers drivers = new Drivers(SystemInfo.Plugins::volume);
        for (StackSpec.VolumeSpec v : planned.volumes().values()) {
            Volume existing = DockerEngine.orNull(() -> engine.inspectVolume(v.name()));
            List<String> known = existing == null && !v.external() && v.driver() != null ? drivers.lacking(v.driver())
                    : null;
            if (known != null) {
                throw new ToolException(ExitCode.FAILED, "volume " + v.name() + ": this engine has no volume driver"
                        + " '" + v.driver() + "' (it has " + String.join(", ", known) + "); nothing was"
                        + " changed");
            }
            if (existing != null) {
                String owner = existing.labels() == null ? null : existing.labels().get(StackLabels.STACK_LABEL);
                volumes.add(new RunPlan.Resource("volume", v.name(), false, owner == null && !v.external()
                        ? "made outside mlreef-offline; used with its data" : null));
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
                volumes.add(new RunPlan.Resource("volume", v.name(), true, null));
            }
        }
        return volumes;
    }

    /** The engine's network or volume drivers, asked for once, when a driver is to be checked. */
    private final class Drivers {
        private final Function<SystemInfo.Plugins, List<String>> kind;
        private List<String> known;

        Drivers(Function<SystemInfo.Plugins, List<String>> kind) {
            this.kind = kind;
        }

        /** The engine's drivers when it lacks this one, else null (an engine that names none is not judged). */
        List<String> lacking(String driver) {
            if (known == null) {
                SystemInfo.Plugins plugins = engine.info().plugins();
                known = plugins == null || kind.apply(plugins) == null ? List.of() : kind.apply(plugins);
            }
            boolean lacks = !known.isEmpty() && !driver.contains("/") && !known.contains(driver)
                    && !known.contains(driver + ":latest"); // a managed plugin: NAME:TAG
            return lacks ? known : null;
        }
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

    /** What each service's container needs, in the stack's order. */
    List<ServicePlan> services(StackSpec spec, Map<String, String> imageIds, String bundleId) {
        List<ServicePlan> plans = new ArrayList<>();
        List<ContainerSummary> stackContainers = engine.listContainers(
                List.of(StackLabels.STACK_LABEL + "=" + spec.name()), true);
        Map<String, String> networkIds = new HashMap<>();
        Set<String> renewed = new HashSet<>(); // services whose container is created or replaced
        for (StackSpec.Service service : spec.services().values()) {
            ServicePlan plan = service(spec, service, imageId(service, imageIds), bundleId, stackContainers,
                    networkIds);
            String mode = service.options().networkMode();
            String joined = mode != null && mode.startsWith("service:") ? mode.substring("service:".length()) : null;
            if (joined != null && renewed.contains(joined) && plan.existingId() != null
                    && plan.action() != ServicePlan.Action.REPLACE) { // its namespace goes with the old container
                plan = new ServicePlan(service, plan.container(), ServicePlan.Action.REPLACE, plan.existingId(),
                        plan.spec(), plan.previousId(), plan.imageId(), plan.renamedFrom(), "it shares the network of"
                        + " service " + joined + ", whose container is new");
            }
            if (plan.action() == ServicePlan.Action.CREATE || plan.action() == ServicePlan.Action.REPLACE) {
                renewed.add(service.name());
            }
            plans.add(plan);
        }
        return plans;
    }

    /** The image ID of the service's image: the bundle's, else the engine's. */
    private String imageId(StackSpec.Service service, Map<String, String> imageIds) {
        String imageId = imageIds.get(ImageReference.normalized(service.image()));
        if (imageId != null) {
            return imageId;
        }
        try {
            return engine.inspectImage(service.image()).id();
        } catch (NotFoundException e) {
            throw new ToolException(ExitCode.FAILED, "service " + service.name() + " runs " + service.image()
                    + ", which neither the bundle nor the engine has; export it with the stack");
        }
    }

    private ServicePlan service(StackSpec spec, StackSpec.Service service, String imageId, String bundleId,
                                List<ContainerSummary> stackContainers, Map<String, String> networkIds) {
        String name = service.containerName(spec.name());
        ContainerSpec container = ContainerSpecFactory.containerSpec(spec, service, imageId, bundleId);
        ContainerInspect previous = ours(spec, ServicePlan.previousName(name));
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
            return new ServicePlan(service, name, ServicePlan.Action.CREATE, null, container,
                    previous == null ? null : previous.id(), imageId, null, null);
        }
        boolean same = container.labels().get(StackLabels.CONFIG_LABEL).equals(existing.config().labels().get(StackLabels.CONFIG_LABEL));
        String lost = same ? lostNetwork(spec, service, existing, networkIds) : null;
        boolean running = Boolean.TRUE.equals(existing.state().running());
        boolean paused = Boolean.TRUE.equals(existing.state().paused());
        ServicePlan.Action action = !same || lost != null ? ServicePlan.Action.REPLACE : paused
                ? ServicePlan.Action.UNPAUSE : running ? ServicePlan.Action.KEEP : ServicePlan.Action.START;
        return new ServicePlan(service, name, action, existing.id(), container,
                previous == null ? null : previous.id(), imageId, renamedFrom, !same
                ? "its image or configuration changed" : lost == null ? null
                : "its network " + lost + " was removed, or it was disconnected from it, by hand");
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
            used.add(ServicePlan.previousName(plan.container()));
            if (plan.existingId() != null) {
                used.add(plan.existingId());
            }
        }
        return engine.listContainers(List.of(StackLabels.STACK_LABEL + "=" + spec.name()), true).stream()
                .filter(c -> c.labels() != null && c.labels().get(StackLabels.SERVICE_LABEL) != null
                        && !used.contains(c.name()) && !used.contains(c.id()))
                .toList();
    }

    /**
     * An orphan, and why it is one, for the plan. The package index of an earlier {@code run --pip} is removed: the
     * operator dropped --pip, it holds no data, and left running it would keep the port others may need.
     */
    static RunPlan.Orphan orphan(StackSpec spec, ContainerSummary orphan) {
        if (!spec.services().containsKey(PipService.SERVICE) && PipService.isIndex(orphan)) {
            return new RunPlan.Orphan(orphan, PipService.DROPPED, true);
        }
        return new RunPlan.Orphan(orphan, orphanReason(spec, orphan));
    }

    /** Why an orphan is one, for the plan. */
    private static String orphanReason(StackSpec spec, ContainerSummary orphan) {
        String service = orphan.labels().get(StackLabels.SERVICE_LABEL);
        return spec.services().containsKey(service) ? "another container of service " + service + ", not the one run"
                + " uses" : "service " + service + " is no longer in the stack";
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
}

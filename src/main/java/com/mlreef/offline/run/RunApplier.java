package com.mlreef.offline.run;

import com.mlreef.offline.docker.ConflictException;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Carries out a {@link RunPlan}: removes orphans (when asked), loads images, creates the network and volumes, then
 * each service's container in turn, waiting for its readiness and running its after-ready commands. Existing volumes
 * are never touched; a container replaced is put back if its successor never becomes ready.
 */
final class RunApplier {
    private final DockerEngine engine;
    private final Console console;
    private final ImageLoader loader;
    private final ServiceReadiness readiness;
    private final PlanChecks checks;
    private final BackupApplier backups;
    /** What an interruption now leaves to the next run, said in a sentence, or null: nothing to add. */
    private volatile String interruption;

    RunApplier(DockerEngine engine, Console console, ImageLoader loader, ServiceReadiness readiness,
               PlanChecks checks) {
        this.engine = engine;
        this.console = console;
        this.loader = loader;
        this.readiness = readiness;
        this.checks = checks;
        this.backups = new BackupApplier(engine, console);
    }

    /** What writes the backups before an upgrade. */
    void backupWriter(UpgradeBackups.Writer writer) {
        backups.writer(writer);
    }

    /** What an interruption now leaves to the next run (a replacement, after-ready commands), or null. */
    String interruption() {
        return interruption;
    }

    /**
     * What comes before the stack's gateway is known: the orphans warned about, the ports, the loads, the
     * healthchecks of the images loaded, the backup, the orphans removed, the networks.
     *
     * @param ports how host ports are checked, or null: not checked
     */
    void prepare(RunPlan plan, Preflight.PortProbe ports) {
        List<RunPlan.Orphan> orphans = plan.left();
        if (!orphans.isEmpty()) {
            console.warn("container" + (orphans.size() == 1 ? " " : "s ") + String.join(", ", orphans.stream()
                    .map(o -> o.container().name() + " (" + o.reason() + ")").toList()) + " of stack "
                    + plan.stack().name() + (orphans.size() == 1 ? " is" : " are") + " left as "
                    + (orphans.size() == 1 ? "it is" : "they are") + " ('run --remove-orphans' removes "
                    + (orphans.size() == 1 ? "it" : "them") + ", keeping the volumes)");
        }
        if (ports != null) {
            checks.ports(plan, ports);
        }
        // the images first: the stack runs while they load, and a backup that fails leaves the stack as it was
        plan.loads().stream().filter(l -> !l.present()).forEach(loader::load);
        checks.healthchecks(plan.services(), true);
        if (plan.backup() != null && !plan.backup().skipped()) {
            backups.apply(plan.stack().name(), plan.backup(), note -> interruption = note);
        }
        for (RunPlan.Orphan orphan : plan.removed()) {
            engine.stopContainer(orphan.container().id(), null);
            engine.removeContainer(orphan.container().id(), true);
            console.info("removed container " + orphan.container().name() + " (" + orphan.reason()
                    + "; its volumes are kept)");
        }
        for (StackSpec.NetworkSpec network : plan.stack().networks().values()) {
            ensureNetwork(plan.stack(), network);
        }
    }

    /**
     * After a run that failed: starts again the containers the backup stopped that do not run now; says how that went
     * ("; ..."), or "" when there were none.
     */
    String startStopped() {
        return backups.startAgain();
    }

    /** The volumes, then each service's container, in the plan's order. */
    void start(RunPlan plan, Duration timeout) {
        for (StackSpec.VolumeSpec volume : plan.stack().volumes().values()) {
            ensureVolume(plan.stack(), volume);
        }
        for (ServicePlan service : plan.services()) {
            apply(plan.stack(), service, timeout);
        }
        // a one-shot seen ready by its log while it still ran has mostly ended by now: status counts it done
        plan.services().forEach(service -> readiness.markCompleted(service.container(), service.service()));
    }

    private void ensureNetwork(StackSpec spec, StackSpec.NetworkSpec network) {
        if (DockerEngine.orNull(() -> engine.inspectNetwork(network.name())) != null) {
            return;
        }
        if (network.external()) {
            throw new ToolException(ExitCode.FAILED, "network " + network.name() + " is external but does not exist;"
                    + " create it first");
        }
        try {
            engine.createNetwork(network.create(Map.of(StackLabels.STACK_LABEL, spec.name())));
        } catch (ConflictException e) {
            if (!madeForStack(DockerEngine.orNull(() -> engine.inspectNetwork(network.name())), spec)) {
                throw e;
            }
            return; // created since the plan by a run that was killed while the engine made it
        }
        console.info("created network " + network.name());
    }

    private static boolean madeForStack(Network network, StackSpec spec) {
        return network != null && network.labels() != null
                && spec.name().equals(network.labels().get(StackLabels.STACK_LABEL));
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

    /** @param override every service's ready timeout, or null: the stack's */
    private void apply(StackSpec spec, ServicePlan plan, Duration override) {
        Duration timeout = override != null ? override
                : plan.service().ready() != null ? plan.service().ready().timeout() : StackSpec.ReadyRule.DEFAULT_TIMEOUT;
        String existing = plan.existingId();
        if (plan.renamedFrom() != null) {
            engine.renameContainer(existing, plan.container());
            console.info("renamed container " + plan.renamedFrom() + " to " + plan.container());
        }
        switch (plan.action()) {
            case UNPAUSE -> unpause(plan, timeout);
            case KEEP -> keep(plan, timeout);
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
            case REPLACE -> replaceExisting(spec, plan, timeout);
            default -> throw new IllegalStateException();
        }
        if (plan.previousId() != null && plan.action() != ServicePlan.Action.CREATE
                && plan.action() != ServicePlan.Action.REPLACE) {
            // the replacement finished before an interruption: the old container is no longer needed
            engine.removeContainer(plan.previousId(), true);
            console.info("removed " + ServicePlan.previousName(plan.container()) + ", the old container of a"
                    + " replacement an interrupted run had finished");
        }
    }

    private void unpause(ServicePlan plan, Duration timeout) {
        String existing = plan.existingId();
        engine.unpauseContainer(existing);
        console.info("unpaused " + plan.container());
        String ready = readyOrPutBack(plan, () -> readiness.ready(existing, plan.service(), timeout, 0));
        console.info(plan.service().name() + " is ready: " + ready);
        if (!readiness.afterReadyDone(existing, plan.service())) {
            afterReady(existing, plan);
        }
    }

    private void keep(ServicePlan plan, Duration timeout) {
        String existing = plan.existingId();
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

    private void replaceExisting(StackSpec spec, ServicePlan plan, Duration timeout) {
        String existing = plan.existingId();
        if (plan.previousId() != null) {
            engine.removeContainer(plan.previousId(), true);
            console.info("removed " + ServicePlan.previousName(plan.container()) + ", the old container an"
                    + " interrupted replacement left: " + plan.container() + " is replaced again");
        }
        boolean wasRunning = Boolean.TRUE.equals(engine.inspectContainer(existing).state().running())
                || backups.stoppedForBackup(existing);
        interruption = beingReplaced(plan.container());
        engine.stopContainer(existing, null);
        engine.renameContainer(existing, ServicePlan.previousName(plan.container()));
        replace(spec, plan, existing, wasRunning, timeout);
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
        String id = createOrTake(name, body);
        for (String key : plan.service().networks().subList(Math.min(1, plan.service().networks().size()),
                plan.service().networks().size())) {
            engine.connectNetwork(spec.networks().get(key).name(), id,
                    plan.service().options().namesOn(key, plan.service().name()));
        }
        return id;
    }

    /**
     * Creates the container, or takes the one of that name and configuration that a run killed while the engine made
     * it left after the plan was made (never started: its name was not yet said).
     */
    private String createOrTake(String name, ContainerSpec body) {
        try {
            return engine.createContainer(name, body);
        } catch (ConflictException e) {
            ContainerInspect left = DockerEngine.orNull(() -> engine.inspectContainer(name));
            String config = body.labels() == null ? null : body.labels().get(StackLabels.CONFIG_LABEL);
            if (left == null || left.config() == null || left.config().labels() == null || config == null
                    || !config.equals(left.config().labels().get(StackLabels.CONFIG_LABEL))
                    || !"created".equals(left.state().status())) {
                throw e;
            }
            return left.id();
        }
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
        if ((image == null || image.volumes() == null) && anonymousVolumes(plan).isEmpty()) {
            return Set.of();
        }
        Set<String> paths = new TreeSet<>();
        if (image != null && image.volumes() != null) {
            image.volumes().keySet().forEach(path -> paths.add(cleanPath(path)));
        }
        anonymousVolumes(plan).forEach(path -> paths.add(cleanPath(path)));
        plan.service().mounts().forEach(m -> paths.remove(cleanPath(m.target())));
        if (plan.service().options().tmpfs() != null) {
            plan.service().options().tmpfs().keySet().forEach(path -> paths.remove(cleanPath(path)));
        }
        return paths;
    }

    /** The service's anonymous volumes ({@code - /var/lib/x}): the engine's Volumes field of its container. */
    private static Set<String> anonymousVolumes(ServicePlan plan) {
        Map<String, Object> config = plan.service().options().config();
        return config != null && config.get("Volumes") instanceof Map<?, ?> volumes
                ? volumes.keySet().stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()) : Set.of();
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
        String previous = ServicePlan.previousName(plan.container());
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
                + ServicePlan.previousName(container) + " once renamed), and the next run finishes the replacement or"
                + " puts the old one back if the new one does not become ready";
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
    private String readyOrPutBack(ServicePlan plan, Supplier<String> ready) {
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

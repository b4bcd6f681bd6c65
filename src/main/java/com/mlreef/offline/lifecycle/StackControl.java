package com.mlreef.offline.lifecycle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The life of a running stack, found by the label {@code run} puts on everything it creates: status, logs, stop,
 * start, restart and down. Volumes are deleted only by {@link #down} when the caller asked for exactly that.
 */
public final class StackControl {
    /** Seconds a container has to stop before the engine kills it, as docker stop. */
    public static final int STOP_SECONDS = 10;
    private static final int MAX_AT_ONCE = 8;

    /**
     * One container of the stack, as status shows it.
     *
     * @param parked     the predecessor of an unfinished replacement (NAME-previous) while NAME exists
     * @param done       a one-shot service's container (restart no or on-failure) that run saw run to completion
     * @param unfinished what an interrupted run left undone for it, which the next run does; null when nothing
     */
    @RegisterForReflection
    public record ContainerStatus(String service, String container, String state, String health, String status,
                                  String image, List<String> ports, String bundle, boolean parked, boolean done,
                                  String unfinished) {

        /**
         * Whether it is as run leaves it: running and not unhealthy, or done, with nothing unfinished; a parked
         * predecessor does not count.
         */
        public boolean up() {
            return unfinished == null && (parked || done || "running".equals(state) && !"unhealthy".equals(health));
        }
    }

    /** {@code size}: bytes on disk, or -1 when the engine could not tell. */
    @RegisterForReflection
    public record VolumeStatus(String name, long size, String mountpoint) {
    }

    @RegisterForReflection
    public record Status(String stack, List<ContainerStatus> containers, List<VolumeStatus> volumes) {

        /** Whether the stack has containers and each is {@link ContainerStatus#up() up}. */
        @JsonProperty("ok")
        public boolean ok() {
            return !containers.isEmpty() && containers.stream().allMatch(ContainerStatus::up);
        }
    }

    /** A stack named that the engine has nothing of. */
    public static final class NoSuchStack extends ToolException {
        NoSuchStack(String message) {
            super(ExitCode.FAILED, message);
        }
    }

    private final DockerEngine engine;
    private final Console console;

    public StackControl(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /**
     * The stack a command is pointed at: the stack file {@code file} (read by the caller, once); else the stack of the
     * bundle in {@code dir} (a folder of plain tars runs the default stack); else the default stack.
     */
    public static StackSpec specOf(StackDocument file, Path dir) {
        StackDocument document = file;
        if (file == null && dir != null) {
            BundleSource source = BundleSource.open(dir);
            if (source.isBundle()) {
                document = StackDocument.of(source.stackText(), source.stackSource(), source.manifest().stack().name());
            }
        }
        return (document != null ? document : StackDocument.load(null, s -> { })).resolve(System.getenv(), s -> { });
    }

    /** Rows for the services of {@code spec} that have no container (removed by hand): run creates them. */
    public static List<ContainerStatus> missing(Status status, StackSpec spec) {
        Set<String> present = new HashSet<>();
        status.containers().forEach(c -> present.add(c.service()));
        return spec.services().values().stream().filter(s -> !present.contains(s.name()))
                .map(s -> missing(s.name(), s.containerName(spec.name()), s.image())).toList();
    }

    private static ContainerStatus missing(String service, String container, String image) {
        return new ContainerStatus(service, container, "missing", "", "run creates it", image, List.of(), null, false,
                false, null);
    }

    /** The name of the stack a bundle folder runs: its own stack's, or the default one's for plain docker save tars. */
    public static String stackOf(Path dir) {
        BundleSource source = BundleSource.open(dir);
        return source.isBundle() ? source.manifest().stack().name()
                : StackFile.load(null, System.getenv(), s -> { }).spec().name();
    }

    /**
     * The stack's name: the one given, if the engine has a container, network or volume of it; else the only stack
     * that has containers. Otherwise an error saying which stacks exist.
     */
    public String resolve(String stack) {
        Set<String> stacks = new LinkedHashSet<>();
        engine.listContainers(List.of(StackLabels.STACK_LABEL), true)
                .forEach(c -> stacks.add(c.labels().get(StackLabels.STACK_LABEL)));
        if (stack != null) {
            if (stacks.contains(stack) || !engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack)).isEmpty()
                    || engine.listNetworks().stream().anyMatch(n -> n.labels() != null
                    && stack.equals(n.labels().get(StackLabels.STACK_LABEL)))) {
                return stack;
            }
            engine.listVolumes(List.of(StackLabels.STACK_LABEL)).forEach(v -> stacks.add(
                    v.labels().get(StackLabels.STACK_LABEL)));
            throw new NoSuchStack("this engine has no stack " + stack + " (no container, network or volume of it)"
                    + (stacks.isEmpty() ? "" : "; stacks here: " + String.join(", ", stacks)));
        }
        if (stacks.size() == 1) {
            return stacks.iterator().next();
        }
        if (stacks.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "no stack run by mlreef-offline has containers on this engine;"
                    + " start one with 'mlreef-offline run -d DIR'");
        }
        // which one is the user's to say: a usage error, as a missing option is
        throw new ToolException(ExitCode.USAGE, "several stacks run here (" + String.join(", ", stacks) + "); name"
                + " one with --stack");
    }

    /** The containers of the named services (all when none is named); a service without one is an error. */
    private List<ContainerSummary> of(String stack, List<String> services) {
        List<ContainerSummary> all = containers(stack);
        if (services.isEmpty()) {
            return all;
        }
        List<String> present = all.stream().map(c -> c.labels().get(StackLabels.SERVICE_LABEL)).distinct().toList();
        List<String> unknown = services.stream().filter(s -> !present.contains(s)).toList();
        if (!unknown.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "stack " + stack + " has no container of service "
                    + String.join(", ", unknown) + (all.isEmpty() ? " (it has none: 'run' creates them)"
                    : " (it has containers of: " + String.join(", ", present) + "; if the stack has such a service,"
                    + " 'run' creates its container)"));
        }
        return all.stream().filter(c -> services.contains(c.labels().get(StackLabels.SERVICE_LABEL))).toList();
    }

    /**
     * Starts a container; one whose network was removed, or that was disconnected from every network, by hand is
     * named as such, with what mends it.
     */
    private static void startOrExplain(ContainerSummary c, Consumer<String> start) {
        String mend = "; 'mlreef-offline run' replaces it, keeping the volumes";
        if (c.networkSettings() != null && c.networkSettings().networks() != null
                && c.networkSettings().networks().isEmpty()) {
            throw new ToolException(ExitCode.FAILED, c.name() + " is on no network (disconnected by hand?), so its"
                    + " ports would not answer" + mend);
        }
        try {
            start.accept(c.id());
        } catch (DockerException e) {
            if (e.getMessage().contains("network") && e.getMessage().contains("not found")) {
                throw new ToolException(ExitCode.FAILED, c.name() + " cannot start: its network was removed by hand ("
                        + e.getMessage().replaceFirst("^.*: ", "") + ")" + mend);
            }
            throw e;
        }
    }

    /**
     * The containers an interrupted replacement left as NAME-previous while NAME exists, with what they wait for:
     * 'run' puts one back or removes it, and starting it would take its successor's ports.
     */
    private static Map<String, String> parked(List<ContainerSummary> containers) {
        Set<String> names = new HashSet<>(containers.stream().map(ContainerSummary::name).toList());
        Map<String, String> parked = new HashMap<>();
        for (ContainerSummary c : containers) {
            String successor = c.name().endsWith(StackLabels.PREVIOUS)
                    ? c.name().substring(0, c.name().length() - StackLabels.PREVIOUS.length()) : null;
            if (successor != null && names.contains(successor)) {
                parked.put(c.id(), "the predecessor of " + successor + ", kept until 'run' finishes replacing it");
            }
        }
        return parked;
    }

    /**
     * What an interrupted run left undone for a container, or null: a replacement whose successor is gone (the old
     * container waits as NAME-previous), or after-ready commands begun and not finished.
     */
    private String unfinished(ContainerSummary c, boolean parked) {
        String service = c.labels().get(StackLabels.SERVICE_LABEL);
        if (!parked && c.name().endsWith(StackLabels.PREVIOUS)) {
            return "the old container of an unfinished replacement of " + service + ": 'run' finishes it";
        }
        if (parked || !"running".equals(c.state())
                || engine.hasPath(c.id(), "/" + StackLabels.AFTER_READY_MARK)
                || !engine.hasPath(c.id(), "/" + StackLabels.AFTER_READY_MARK + "-1")) {
            return null;
        }
        return "its after-ready commands did not finish: 'run' finishes them";
    }

    private List<ContainerSummary> containers(String stack) {
        List<ContainerSummary> list = new ArrayList<>(engine.listContainers(
                List.of(StackLabels.STACK_LABEL + "=" + stack), true));
        list.sort(Comparator.comparing(ContainerSummary::name));
        return list;
    }

    public Status status(String stack) {
        List<ContainerStatus> rows = new ArrayList<>();
        List<ContainerSummary> all = containers(stack);
        Map<String, String> parked = parked(all);
        for (ContainerSummary c : all) {
            String health = "";
            boolean done;
            try {
                ContainerInspect inspect = engine.inspectContainer(c.id());
                if (inspect.state().health() != null) {
                    health = inspect.state().health().status();
                }
                String restart = inspect.hostConfig() == null || inspect.hostConfig().restartPolicy() == null ? null
                        : inspect.hostConfig().restartPolicy().name();
                // a one-shot that run saw complete (a daemon stopped with exit code 0 is not done); a read-only one
                // keeps no mark: its restart policy alone tells
                done = "exited".equals(inspect.state().status()) && Integer.valueOf(0).equals(inspect.state().exitCode())
                        && (restart == null || restart.isEmpty() || restart.equals("no") || restart.equals("on-failure"))
                        && (engine.hasPath(c.id(), "/" + StackLabels.COMPLETED_MARK)
                        || inspect.hostConfig() != null && Boolean.TRUE.equals(inspect.hostConfig().readonlyRootfs()));
            } catch (NotFoundException e) {
                continue;
            }
            List<String> ports = c.ports() == null ? List.of() : c.ports().stream()
                    .filter(p -> p.publicPort() != null)
                    .map(p -> published(p.ip()) + p.publicPort() + "->" + p.privatePort() + "/" + p.type()).distinct()
                    .toList();
            String unfinished = unfinished(c, parked.containsKey(c.id()));
            rows.add(new ContainerStatus(c.labels().get(StackLabels.SERVICE_LABEL), c.name(), c.state(), health,
                    parked.getOrDefault(c.id(), c.status()) + (unfinished == null ? "" : "; " + unfinished),
                    c.image(), ports, c.labels().get(StackLabels.BUNDLE_LABEL), parked.containsKey(c.id()), done,
                    unfinished));
        }
        List<Volume> stackVolumes = engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack));
        Map<String, Long> sizes = new HashMap<>();
        List<DiskUsage.VolumeUsage> usage = stackVolumes.isEmpty() ? null : engine.diskUsage().volumes();
        if (usage != null) {
            usage.forEach(v -> sizes.put(v.name(),
                    v.usageData() == null || v.usageData().size() == null ? -1 : v.usageData().size()));
        }
        List<VolumeStatus> volumes = stackVolumes.stream().sorted(Comparator.comparing(Volume::name))
                .map(v -> new VolumeStatus(v.name(), sizes.getOrDefault(v.name(), -1L), v.mountpoint())).toList();
        return new Status(stack, rows, volumes);
    }

    public void logs(String stack, String service, LogOptions options, OutputSink sink) {
        List<ContainerSummary> all = containers(stack);
        List<ContainerSummary> chosen = service == null ? all : all.stream()
                .filter(c -> service.equals(c.labels().get(StackLabels.SERVICE_LABEL))).toList();
        if (chosen.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, service == null || all.isEmpty() ? "stack " + stack + " has no"
                    + " containers (after down, or removed by hand; 'run' creates them)"
                    : "stack " + stack + " has no container of service " + service + " (it has containers of: "
                    + String.join(", ", all.stream().map(c -> c.labels().get(StackLabels.SERVICE_LABEL)).distinct()
                    .toList()) + "; if the stack has such a service, 'run' creates its container)");
        }
        // several: each line starts with its service, as in Compose, so that a saved log tells them apart
        List<String> labels = chosen.stream().map(c -> c.labels().get(StackLabels.SERVICE_LABEL)).toList();
        boolean oneEach = labels.stream().distinct().count() == labels.size();
        int width = chosen.stream().mapToInt(c -> (oneEach ? c.labels().get(StackLabels.SERVICE_LABEL)
                : c.name()).length()).max().orElse(0);
        if (chosen.size() == 1) {
            engine.logs(chosen.get(0).id(), options, sink);
            return;
        }
        Object lock = new Object();
        List<Runnable> each = new ArrayList<>();
        for (ContainerSummary c : chosen) {
            String label = oneEach ? c.labels().get(StackLabels.SERVICE_LABEL) : c.name();
            each.add(() -> {
                Lines lines = new Lines(label + " ".repeat(width - label.length()) + " | ", sink, lock);
                try {
                    engine.logs(c.id(), options, lines);
                } finally {
                    lines.finish();
                }
            });
        }
        if (!options.follow()) {
            each.forEach(Runnable::run); // one service after another
            return;
        }
        // followed: all at once, line by line as they come, until each container's log ends (or Ctrl-C)
        List<Thread> threads = new ArrayList<>();
        RuntimeException[] failed = new RuntimeException[1];
        for (int i = 0; i < each.size(); i++) {
            Runnable follow = each.get(i);
            Thread t = new Thread(() -> {
                try {
                    follow.run();
                } catch (RuntimeException e) {
                    synchronized (failed) {
                        failed[0] = failed[0] == null ? e : failed[0];
                    }
                }
            }, "logs-" + labels.get(i));
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            // until every log ends, or one fails (the output closed: the others stop with the process)
            for (Thread t : threads) {
                while (t.isAlive() && failedOf(failed) == null) {
                    t.join(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ExitCode.INTERRUPTED, "interrupted");
        }
        if (failedOf(failed) != null) {
            throw failedOf(failed);
        }
    }

    private static RuntimeException failedOf(RuntimeException[] failed) {
        synchronized (failed) {
            return failed[0];
        }
    }

    /**
     * {@code sink} with {@code prefix} before each line, per stream, written a whole line at a time under
     * {@code lock}, so that the logs of containers followed at once do not mix within a line.
     */
    static final class Lines implements OutputSink {
        // a longer line is written in parts, each a line with the prefix (the engine's own logs keep lines whole)
        private static final int LONGEST = 1 << 20;
        private final byte[] prefix;
        private final OutputSink sink;
        private final Object lock;
        private final java.io.ByteArrayOutputStream[] pending = {new java.io.ByteArrayOutputStream(),
            new java.io.ByteArrayOutputStream()};

        Lines(String prefix, OutputSink sink, Object lock) {
            this.prefix = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.sink = sink;
            this.lock = lock;
        }

        @Override
        public void write(Stream stream, byte[] bytes, int offset, int length) {
            java.io.ByteArrayOutputStream line = pending[stream.ordinal()];
            int start = offset;
            int end = offset + length;
            for (int i = offset; i < end; i++) {
                if (bytes[i] == '\n') {
                    line.write(bytes, start, i + 1 - start);
                    emit(stream, line);
                    start = i + 1;
                }
            }
            line.write(bytes, start, end - start);
            if (line.size() >= LONGEST) {
                line.write('\n'); // a part of its own, so that no other container's line lands inside it
                emit(stream, line);
            }
        }

        /** Writes what is left of a last line, ended. */
        void finish() {
            for (Stream stream : Stream.values()) {
                java.io.ByteArrayOutputStream line = pending[stream.ordinal()];
                if (line.size() > 0) {
                    line.write('\n');
                    emit(stream, line);
                }
            }
        }

        private void emit(Stream stream, java.io.ByteArrayOutputStream line) {
            synchronized (lock) {
                sink.write(stream, prefix, 0, prefix.length);
                sink.write(stream, line.toByteArray(), 0, line.size());
            }
            line.reset();
        }
    }

    /** The address a port is published on, as docker ps shows it: nothing for every address. */
    private static String published(String ip) {
        return StackSpec.PortSpec.everyAddress(ip) ? "" : StackSpec.PortSpec.beforePort(ip) + ":";
    }

    /**
     * @param services only these services' containers; all when empty
     * @param seconds  how long each container has to stop before it is killed; null: its stop_grace_period
     */
    public int stop(String stack, List<String> services, Integer seconds) {
        return each(stack, services, "stopping", "stopped", "already stopped", StackControl::stopped,
                c -> engine.stopContainer(c.id(), seconds), stopping(seconds), true);
    }

    /** @param services only these services' containers; all when empty */
    public int start(String stack, List<String> services) {
        return each(stack, services, "starting", "started", "already running", c -> c.state().equals("running"),
                c -> startOrExplain(c, "paused".equals(c.state()) ? engine::unpauseContainer : engine::startContainer),
                "", false);
    }

    /** Whether a container is stopped: not running, paused, or being restarted by its restart policy. */
    private static boolean stopped(ContainerSummary c) {
        return Set.of("created", "exited", "dead").contains(c.state());
    }

    /**
     * @param services only these services' containers; all when empty
     * @param seconds  how long each container has to stop before it is killed; null: its stop_grace_period
     */
    public int restart(String stack, List<String> services, Integer seconds) {
        return each(stack, services, "restarting", "restarted", null, c -> false,
                c -> startOrExplain(c, id -> engine.restartContainer(id, seconds)), stopping(seconds), false);
    }

    /**
     * Does something to each of the stack's containers that is not in that state already, to all at once, saying so;
     * returns how many containers the stack has.
     */
    private int each(String stack, List<String> services, String doing, String done, String already,
                     Predicate<ContainerSummary> isDone, Consumer<ContainerSummary> action, String note,
                     boolean stopping) {
        List<ContainerSummary> list = of(stack, services);
        Map<String, String> parked = parked(list);
        List<ContainerSummary> todo = new ArrayList<>();
        list.forEach(c -> {
            if (!stopping && parked.containsKey(c.id())) { // stopping one leaves it as it is
                console.info(c.name() + ": left stopped; " + parked.get(c.id()));
            } else if (isDone.test(c)) {
                console.info(c.name() + ": " + already);
            } else {
                todo.add(c);
            }
        });
        if (!todo.isEmpty()) {
            console.info(doing + " " + count(todo.size()) + note);
        }
        // in the order of depends_on: dependencies first (dependents first when stopping), each wave at once
        List<List<ContainerSummary>> waves = waves(todo);
        if (stopping) {
            java.util.Collections.reverse(waves);
        }
        List<ContainerSummary> whole = stopping || services.isEmpty() ? list : containers(stack);
        for (List<ContainerSummary> wave : waves) {
            if (!stopping) {
                wave.forEach(c -> awaitDependencies(c, list, parked, whole));
            }
            atOnce(wave, c -> {
                action.accept(c);
                console.info(done + " " + c.name());
            });
        }
        return list.size();
    }

    /** The service a container runs and what it depends on (from the label run put on it): service to condition. */
    private static Map<String, String> dependencies(ContainerSummary c) {
        Map<String, String> deps = new java.util.LinkedHashMap<>();
        String label = c.labels() == null ? null : c.labels().get(StackLabels.DEPENDS_LABEL);
        if (label != null && !label.isEmpty()) {
            for (String d : label.split(",")) {
                int colon = d.indexOf(':');
                deps.put(colon < 0 ? d : d.substring(0, colon), colon < 0 ? StackSpec.STARTED : d.substring(colon + 1));
            }
        }
        return deps;
    }

    /** The containers in waves: each after those of the services it depends on (the others are not waited for). */
    static List<List<ContainerSummary>> waves(List<ContainerSummary> containers) {
        Map<String, List<ContainerSummary>> byService = new HashMap<>();
        containers.forEach(c -> byService.computeIfAbsent(c.labels().get(StackLabels.SERVICE_LABEL),
                k -> new ArrayList<>()).add(c));
        Map<String, Integer> level = new HashMap<>();
        List<List<ContainerSummary>> waves = new ArrayList<>();
        for (ContainerSummary c : containers) {
            int l = level(c, byService, level, new HashSet<>());
            while (waves.size() <= l) {
                waves.add(new ArrayList<>());
            }
            waves.get(l).add(c);
        }
        return waves;
    }

    private static int level(ContainerSummary c, Map<String, List<ContainerSummary>> byService,
                             Map<String, Integer> level, Set<String> visiting) {
        Integer known = level.get(c.id());
        if (known != null) {
            return known;
        }
        int l = 0;
        if (visiting.add(c.id())) { // a cycle (labels changed by hand) ends here
            for (String dep : dependencies(c).keySet()) {
                for (ContainerSummary d : byService.getOrDefault(dep, List.of())) {
                    l = Math.max(l, level(d, byService, level, visiting) + 1);
                }
            }
        }
        level.put(c.id(), l);
        return l;
    }

    /**
     * Before a container starts: waits for the containers of its dependencies among {@code stack} to be healthy or
     * to have completed, as its depends_on conditions say; an unhealthy one, or one that exits otherwise, fails.
     */
    private void awaitDependencies(ContainerSummary c, List<ContainerSummary> stack, Map<String, String> parked,
                                   List<ContainerSummary> whole) {
        dependencies(c).forEach((service, condition) -> {
            if (whole.stream().noneMatch(d -> service.equals(d.labels().get(StackLabels.SERVICE_LABEL)))) {
                throw new ToolException(ExitCode.FAILED, c.name() + " depends on " + service + ", which has no"
                        + " container (removed by hand?); 'mlreef-offline run' creates it");
            }
            if (condition.equals(StackSpec.STARTED)) {
                return;
            }
            for (ContainerSummary d : stack) {
                if (service.equals(d.labels().get(StackLabels.SERVICE_LABEL)) && !parked.containsKey(d.id())) {
                    awaitCondition(c, d, service, condition);
                }
            }
        });
    }

    private void awaitCondition(ContainerSummary dependent, ContainerSummary dependency, String service,
                                String condition) {
        boolean healthy = condition.equals(StackSpec.HEALTHY);
        String what = healthy ? "healthy" : "done (exit code 0)";
        long deadline = System.nanoTime() + StackSpec.ReadyRule.DEPENDENCY_TIMEOUT.toNanos();
        boolean said = false;
        while (true) {
            ContainerInspect d = engine.inspectContainer(dependency.id());
            ContainerInspect.State state = d.state();
            boolean running = Boolean.TRUE.equals(state.running());
            if (healthy && running && state.health() != null && "healthy".equals(state.health().status())
                    || !healthy && !running && Integer.valueOf(0).equals(state.exitCode())) {
                return;
            }
            String failed = healthy && state.health() == null ? "it has no healthcheck"
                    : healthy && "unhealthy".equals(state.health().status()) ? "it is unhealthy"
                    + state.health().lastProbe()
                    : !running && !Boolean.TRUE.equals(state.restarting()) && (healthy || state.exitCode() != 0)
                    ? "it exited with code " + state.exitCode() : null;
            if (failed != null || System.nanoTime() > deadline) {
                throw new ToolException(ExitCode.FAILED, dependent.name() + " depends on " + service + " being "
                        + what + ", but " + (failed != null ? failed : "it was not within "
                        + StackSpec.ReadyRule.DEPENDENCY_TIMEOUT.toMinutes() + " minutes") + "; " + dependent.name()
                        + " was not started");
            }
            if (!said) {
                console.info("waiting for " + service + " to be " + what + " before " + dependent.name());
                said = true;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolException(ExitCode.INTERRUPTED, "interrupted while waiting for " + service);
            }
        }
    }

    private static String count(int containers) {
        return containers == 1 ? "1 container" : containers + " containers";
    }

    /** What a stop may take: each container gets {@code seconds} (null: its own) after SIGTERM, all at once. */
    private static String stopping(Integer seconds) {
        return " (each has up to " + (seconds == null ? "its stop_grace_period, " + STOP_SECONDS + " s unless the stack"
                + " sets one," : seconds + " s") + " to stop after SIGTERM, then it is killed)";
    }

    /**
     * Runs {@code action} on the containers at the same time, as Compose does: stopping N containers takes one grace
     * period, not N. The first failure is thrown once all have finished.
     */
    private static void atOnce(List<ContainerSummary> containers, Consumer<ContainerSummary> action) {
        if (containers.size() <= 1) {
            containers.forEach(action);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(containers.size(), MAX_AT_ONCE), r -> {
            Thread t = new Thread(r, "container");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = containers.stream().<Future<?>>map(c -> pool.submit(() -> action.accept(c)))
                    .toList();
            RuntimeException first = null;
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ExitCode.INTERRUPTED, "interrupted; run the command again to finish");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Where container output (logs, exec) goes: its stdout to stdout, its stderr to stderr, as it arrives. */
    /**
     * Removes the stack's containers and networks; its volumes only when {@code volumes} is true (the caller has the
     * user's confirmation). Images are kept.
     */
    public void down(String stack, boolean volumes, Integer seconds) {
        List<ContainerSummary> containers = containers(stack);
        if (!containers.isEmpty()) {
            console.info("removing " + count(containers.size()) + stopping(seconds));
        }
        List<List<ContainerSummary>> waves = waves(containers);
        java.util.Collections.reverse(waves); // dependents first, as stop does
        for (List<ContainerSummary> wave : waves) {
            atOnce(wave, c -> {
                engine.stopContainer(c.id(), seconds);
                engine.removeContainer(c.id(), true, volumes); // with --volumes, its unnamed ones too, as compose does
                List<String> unnamed = new ArrayList<>();
                if (volumes && c.mounts() != null) {
                    for (ContainerInspect.Mount m : c.mounts().stream().filter(ContainerInspect.Mount::unnamed).toList()) {
                        // one a replacement took over is mounted by name, which the engine's v=true leaves
                        try {
                            engine.removeVolume(m.name());
                        } catch (NotFoundException e) {
                            // deleted with the container
                        } catch (DockerException e) {
                            console.warn("kept the unnamed volume " + m.name() + " at " + m.destination() + " of "
                                    + c.name() + ": " + e.getMessage());
                            continue;
                        }
                        unnamed.add(m.destination());
                    }
                }
                console.info("removed container " + c.name() + (unnamed.isEmpty() ? "" : " and its unnamed volume"
                        + (unnamed.size() == 1 ? " at " : "s at ") + String.join(", ", unnamed)));
            });
        }
        Set<String> joined = new HashSet<>();
        containers.stream().filter(c -> c.networkSettings() != null && c.networkSettings().networks() != null)
                .forEach(c -> joined.addAll(c.networkSettings().networks().keySet()));
        List<String> kept = new ArrayList<>();
        for (Network n : engine.listNetworks()) {
            if (joined.contains(n.name()) && (n.labels() == null || !n.labels().containsKey(StackLabels.STACK_LABEL))
                    && !List.of("bridge", "host", "none").contains(n.name())) {
                console.info("kept network " + n.name() + ": stack " + stack + " used it but did not make it ('docker"
                        + " network rm " + n.name() + "' removes it)");
            }
            if (n.labels() != null && stack.equals(n.labels().get(StackLabels.STACK_LABEL))) {
                try {
                    engine.removeNetwork(n.id());
                    console.info("removed network " + n.name());
                } catch (DockerException e) {
                    // another stack's containers joined it (an external network of theirs): they keep it
                    List<String> users = users(n);
                    kept.add("network " + n.name() + (users.isEmpty() ? " could not be removed (" + e.getMessage()
                            + ")" : " is used by " + String.join(", ", users)));
                }
            }
        }
        List<Volume> stackVolumes = engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack));
        if (volumes) {
            // containers of backup and restore (created, never started) hold the volumes until they are removed;
            // one of an interrupted restore was to fill them, which deleting them gives up
            Set<String> names = new HashSet<>(stackVolumes.stream().map(Volume::name).toList());
            for (ContainerSummary helper : engine.listContainers(List.of(StackLabels.HELPER_LABEL), true)) {
                if (helper.mounts() != null && helper.mounts().stream().anyMatch(m -> names.contains(m.name()))) {
                    engine.removeContainer(helper.id(), true);
                    console.info("removed " + helper.name() + ", left by an interrupted backup or restore");
                }
            }
            for (Volume v : stackVolumes) {
                engine.removeVolume(v.name());
                console.info("deleted volume " + v.name());
            }
            // volumes the containers used that the stack did not make (docker volume create, the original
            // installer's): not the stack's to delete
            Set<String> deleted = new HashSet<>(stackVolumes.stream().map(Volume::name).toList());
            containers.stream().filter(c -> c.mounts() != null).flatMap(c -> c.mounts().stream())
                    .filter(m -> "volume".equals(m.type()) && m.name() != null && !deleted.contains(m.name())
                            && !m.unnamed()) // deleted with its container
                    .map(ContainerInspect.Mount::name).distinct()
                    .forEach(v -> console.info("kept volume " + v + ": stack " + stack + " used it but did not make"
                            + " it ('docker volume rm " + v + "' deletes it)"));
        } else {
            if (!stackVolumes.isEmpty()) {
                console.info("kept volumes " + String.join(", ", stackVolumes.stream().map(Volume::name).toList())
                        + " ('down --volumes' deletes them)");
            }
            // an image's VOLUME the stack mounted nothing on: the next run's container gets a new one
            containers.stream().filter(c -> c.mounts() != null).forEach(c -> c.mounts().stream()
                    .filter(ContainerInspect.Mount::unnamed).forEach(m -> console.info("kept the unnamed volume of "
                            + c.name() + " at " + m.destination() + ", which run does not use again ('docker volume"
                            + " rm " + m.name() + "' deletes it)")));
        }
        if (!kept.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, String.join("; ", kept) + ": the rest of stack " + stack
                    + " is down; take " + (kept.size() == 1 ? "that network's" : "those networks'") + " other"
                    + " containers down first, then run down again");
        }
    }

    /** The containers attached to a network, with their stacks: "NAME (stack S)". */
    private List<String> users(Network network) {
        List<String> users = new ArrayList<>();
        for (ContainerSummary c : engine.listContainers(List.of(), true)) {
            if (c.networkSettings() == null || c.networkSettings().networks() == null) {
                continue;
            }
            boolean attached = c.networkSettings().networks().values().stream()
                    .anyMatch(e -> network.id().equals(e.networkId()));
            if (attached) {
                String stack = c.labels() == null ? null : c.labels().get(StackLabels.STACK_LABEL);
                users.add("container " + c.name() + (stack == null ? "" : " (stack " + stack + ")"));
            }
        }
        return users;
    }
}

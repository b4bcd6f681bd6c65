package com.mlreef.offline.lifecycle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.LogOptions;
import com.mlreef.offline.docker.OutputSink;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The life of a running stack, found by the label {@code run} puts on everything it creates: status, logs, stop,
 * start, restart and down. Volumes are deleted only by {@link #down} when the caller asked for exactly that.
 * Each job has its class; what they share (the stack's containers, in waves by depends_on, acted on at once) is here.
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

    private final StackFinder finder;
    private final StatusReader status;
    private final StackLogs logs;
    private final ContainerActions actions;
    private final StackRemoval removal;

    public StackControl(DockerEngine engine, Console console) {
        this.finder = new StackFinder(engine);
        this.status = new StatusReader(engine);
        this.logs = new StackLogs(engine);
        this.actions = new ContainerActions(engine, console);
        this.removal = new StackRemoval(engine, console);
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

    /**
     * The stack's name: the one given, if the engine has a container, network or volume of it; else the only stack
     * that has containers. Otherwise an error saying which stacks exist.
     */
    public String resolve(String stack) {
        return finder.resolve(stack);
    }

    /**
     * What the last run of the stack recorded on its containers: the stack folder it used (null: the default one) and
     * the files it read variables from with --env-file.
     */
    public StackLabels.Recorded recorded(String stack) {
        return finder.recorded(stack);
    }

    public Status status(String stack) {
        return status.status(stack);
    }

    public void logs(String stack, String service, LogOptions options, OutputSink sink) {
        logs.logs(stack, service, options, sink);
    }

    /**
     * @param services only these services' containers; all when empty
     * @param seconds  how long each container has to stop before it is killed; null: its stop_grace_period
     */
    public int stop(String stack, List<String> services, Integer seconds) {
        return actions.stop(stack, services, seconds);
    }

    /** @param services only these services' containers; all when empty */
    public int start(String stack, List<String> services) {
        return actions.start(stack, services);
    }

    /**
     * @param services only these services' containers; all when empty
     * @param seconds  how long each container has to stop before it is killed; null: its stop_grace_period
     */
    public int restart(String stack, List<String> services, Integer seconds) {
        return actions.restart(stack, services, seconds);
    }

    /**
     * Removes the stack's containers and networks; its volumes only when {@code volumes} is true (the caller has the
     * user's confirmation). Images are kept.
     */
    public void down(String stack, boolean volumes, Integer seconds) {
        removal.down(stack, volumes, seconds);
    }

    static List<ContainerSummary> containers(DockerEngine engine, String stack) {
        List<ContainerSummary> list = new ArrayList<>(engine.listContainers(
                List.of(StackLabels.STACK_LABEL + "=" + stack), true));
        list.sort(Comparator.comparing(ContainerSummary::name));
        return list;
    }

    /**
     * The containers an interrupted replacement left as NAME-previous while NAME exists, with what they wait for:
     * 'run' puts one back or removes it, and starting it would take its successor's ports.
     */
    static Map<String, String> parked(List<ContainerSummary> containers) {
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

    static String count(int containers) {
        return containers == 1 ? "1 container" : containers + " containers";
    }

    /** What a stop may take: each container gets {@code seconds} (null: its own) after SIGTERM, all at once. */
    static String stopping(Integer seconds) {
        return " (each has up to " + (seconds == null ? "its stop_grace_period, " + STOP_SECONDS + " s unless the stack"
                + " sets one," : seconds + " s") + " to stop after SIGTERM, then it is killed)";
    }

    /** The service a container runs and what it depends on (from the label run put on it): service to condition. */
    static Map<String, String> dependencies(ContainerSummary c) {
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
     * Runs {@code action} on the containers at the same time, as Compose does: stopping N containers takes one grace
     * period, not N. The first failure is thrown once all have finished.
     */
    static void atOnce(List<ContainerSummary> containers, Consumer<ContainerSummary> action) {
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
}

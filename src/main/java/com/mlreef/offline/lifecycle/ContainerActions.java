package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Stop, start and restart of a stack's containers, in the order of depends_on, each wave at once. */
final class ContainerActions {
    private final DockerEngine engine;
    private final Console console;

    ContainerActions(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    int stop(String stack, List<String> services, Integer seconds) {
        return each(stack, services, "stopping", "stopped", "already stopped", ContainerActions::stopped,
                c -> engine.stopContainer(c.id(), seconds), StackControl.stopping(seconds), true);
    }

    int start(String stack, List<String> services) {
        return each(stack, services, "starting", "started", "already running", c -> c.state().equals("running"),
                c -> startOrExplain(c, "paused".equals(c.state()) ? engine::unpauseContainer : engine::startContainer),
                "", false);
    }

    int restart(String stack, List<String> services, Integer seconds) {
        return each(stack, services, "restarting", "restarted", null, c -> false,
                c -> startOrExplain(c, id -> engine.restartContainer(id, seconds)), StackControl.stopping(seconds),
                false);
    }

    /** Whether a container is stopped: not running, paused, or being restarted by its restart policy. */
    private static boolean stopped(ContainerSummary c) {
        return Set.of("created", "exited", "dead").contains(c.state());
    }

    /** The containers of the named services (all when none is named); a service without one is an error. */
    private List<ContainerSummary> of(String stack, List<String> services) {
        List<ContainerSummary> all = StackControl.containers(engine, stack);
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
     * Does something to each of the stack's containers that is not in that state already, to all at once, saying so;
     * returns how many containers the stack has.
     */
    private int each(String stack, List<String> services, String doing, String done, String already,
                     Predicate<ContainerSummary> isDone, Consumer<ContainerSummary> action, String note,
                     boolean stopping) {
        List<ContainerSummary> list = of(stack, services);
        Map<String, String> parked = StackControl.parked(list);
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
            console.info(doing + " " + StackControl.count(todo.size()) + note);
        }
        // in the order of depends_on: dependencies first (dependents first when stopping), each wave at once
        List<List<ContainerSummary>> waves = StackControl.waves(todo);
        if (stopping) {
            java.util.Collections.reverse(waves);
        }
        List<ContainerSummary> whole = stopping || services.isEmpty() ? list : StackControl.containers(engine, stack);
        for (List<ContainerSummary> wave : waves) {
            if (!stopping) {
                wave.forEach(c -> awaitDependencies(c, list, parked, whole));
            }
            StackControl.atOnce(wave, c -> {
                action.accept(c);
                console.info(done + " " + c.name());
            });
        }
        return list.size();
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
     * Before a container starts: waits for the containers of its dependencies among {@code stack} to be healthy or
     * to have completed, as its depends_on conditions say; an unhealthy one, or one that exits otherwise, fails.
     */
    private void awaitDependencies(ContainerSummary c, List<ContainerSummary> stack, Map<String, String> parked,
                                   List<ContainerSummary> whole) {
        StackControl.dependencies(c).forEach((service, condition) -> {
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
}

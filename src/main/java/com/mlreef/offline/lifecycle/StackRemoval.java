package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** down: the stack's containers and networks removed, its volumes deleted only when asked; what is kept is named. */
final class StackRemoval {
    private final DockerEngine engine;
    private final Console console;

    StackRemoval(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    void down(String stack, boolean volumes, Integer seconds) {
        List<ContainerSummary> containers = StackControl.containers(engine, stack);
        if (!containers.isEmpty()) {
            console.info("removing " + StackControl.count(containers.size()) + StackControl.stopping(seconds));
        }
        List<List<ContainerSummary>> waves = StackControl.waves(containers);
        java.util.Collections.reverse(waves); // dependents first, as stop does
        for (List<ContainerSummary> wave : waves) {
            StackControl.atOnce(wave, c -> remove(c, volumes, seconds));
        }
        List<String> kept = removeNetworks(stack, containers);
        List<Volume> stackVolumes = engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack));
        if (volumes) {
            deleteVolumes(stack, containers, stackVolumes);
        } else {
            keepVolumes(containers, stackVolumes);
        }
        if (!kept.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, String.join("; ", kept) + ": the rest of stack " + stack
                    + " is down; take " + (kept.size() == 1 ? "that network's" : "those networks'") + " other"
                    + " containers down first, then run down again");
        }
    }

    private void remove(ContainerSummary c, boolean volumes, Integer seconds) {
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
    }

    /** Removes the stack's networks; returns those another stack's containers keep, with why. */
    private List<String> removeNetworks(String stack, List<ContainerSummary> containers) {
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
        return kept;
    }

    private void deleteVolumes(String stack, List<ContainerSummary> containers, List<Volume> stackVolumes) {
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
    }

    private void keepVolumes(List<ContainerSummary> containers, List<Volume> stackVolumes) {
        if (!stackVolumes.isEmpty()) {
            console.info("kept volumes " + String.join(", ", stackVolumes.stream().map(Volume::name).toList())
                    + " ('down --volumes' deletes them)");
        }
        // an anonymous volume of the stack (- /PATH) or an image's VOLUME: a replacement took it over, but the next
        // run's container gets a new one, so its data stays behind unused
        List<String> unnamed = new ArrayList<>();
        containers.stream().filter(c -> c.mounts() != null).forEach(c -> c.mounts().stream()
                .filter(ContainerInspect.Mount::unnamed).forEach(m -> {
                    unnamed.add(m.name());
                    console.warn("kept the unnamed volume of " + c.name() + " at " + m.destination() + ", which"
                            + " run does not use again ('docker volume rm " + m.name() + "' deletes it)");
                }));
        if (unnamed.size() > 1) {
            console.warn("their data stays on disk: 'docker volume rm " + String.join(" ", unnamed) + "' deletes"
                    + " them all");
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

package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.lifecycle.StackControl.ContainerStatus;
import com.mlreef.offline.lifecycle.StackControl.Status;
import com.mlreef.offline.lifecycle.StackControl.VolumeStatus;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A stack's status: a row for each of its containers (what the engine and run's marks tell), and its volumes. */
final class StatusReader {
    private final DockerEngine engine;

    StatusReader(DockerEngine engine) {
        this.engine = engine;
    }

    Status status(String stack) {
        List<ContainerStatus> rows = new ArrayList<>();
        List<ContainerSummary> all = StackControl.containers(engine, stack);
        Map<String, String> parked = StackControl.parked(all);
        for (ContainerSummary c : all) {
            ContainerStatus row = row(c, parked);
            if (row != null) {
                rows.add(row);
            }
        }
        return new Status(stack, rows, volumes(stack));
    }

    /** The row of a container; null for one removed since it was listed. */
    private ContainerStatus row(ContainerSummary c, Map<String, String> parked) {
        String health = "";
        boolean done;
        try {
            ContainerInspect inspect = engine.inspectContainer(c.id());
            if (inspect.state().health() != null) {
                health = inspect.state().health().status();
            }
            done = done(c, inspect);
        } catch (NotFoundException e) {
            return null;
        }
        List<String> ports = c.ports() == null ? List.of() : c.ports().stream()
                .filter(p -> p.publicPort() != null)
                .map(p -> published(p.ip()) + p.publicPort() + "->" + p.privatePort() + "/" + p.type()).distinct()
                .toList();
        String unfinished = unfinished(c, parked.containsKey(c.id()));
        return new ContainerStatus(c.labels().get(StackLabels.SERVICE_LABEL), c.name(), c.state(), health,
                parked.getOrDefault(c.id(), c.status()) + (unfinished == null ? "" : "; " + unfinished),
                c.image(), ports, c.labels().get(StackLabels.BUNDLE_LABEL), parked.containsKey(c.id()), done,
                unfinished);
    }

    private boolean done(ContainerSummary c, ContainerInspect inspect) {
        String restart = inspect.hostConfig() == null || inspect.hostConfig().restartPolicy() == null ? null
                : inspect.hostConfig().restartPolicy().name();
        // a one-shot that run saw complete (a daemon stopped with exit code 0 is not done); a read-only one
        // keeps no mark: its restart policy alone tells
        return "exited".equals(inspect.state().status()) && Integer.valueOf(0).equals(inspect.state().exitCode())
                && (restart == null || restart.isEmpty() || restart.equals("no") || restart.equals("on-failure"))
                && (engine.hasPath(c.id(), "/" + StackLabels.COMPLETED_MARK)
                || inspect.hostConfig() != null && Boolean.TRUE.equals(inspect.hostConfig().readonlyRootfs()));
    }

    private List<VolumeStatus> volumes(String stack) {
        List<Volume> stackVolumes = engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack));
        Map<String, Long> sizes = new HashMap<>();
        List<DiskUsage.VolumeUsage> usage = stackVolumes.isEmpty() ? null : engine.diskUsage().volumes();
        if (usage != null) {
            usage.forEach(v -> sizes.put(v.name(),
                    v.usageData() == null || v.usageData().size() == null ? -1 : v.usageData().size()));
        }
        return stackVolumes.stream().sorted(Comparator.comparing(Volume::name))
                .map(v -> new VolumeStatus(v.name(), sizes.getOrDefault(v.name(), -1L), v.mountpoint())).toList();
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

    /** The address a port is published on, as docker ps shows it: nothing for every address. */
    private static String published(String ip) {
        return StackSpec.PortSpec.everyAddress(ip) ? "" : StackSpec.PortSpec.beforePort(ip) + ":";
    }
}

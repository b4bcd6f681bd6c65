package com.mlreef.offline.run;

import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What run will do, and why, from the stack and what the engine reports: the image files to load (or keep), the
 * networks and volumes to create (or keep), each service's container (created, started, unpaused, kept or replaced,
 * and renamed back when it was renamed by hand) and the stack's other containers (removed, or left).
 *
 * @param imageIds      the image ID each reference of the bundle names (see {@link RunPlanner#imageIds})
 * @param removeOrphans whether the orphans are removed (else left as they are, but those always removed)
 * @param backup        the backup of the stack's volumes before its first replacement or removal, or null: none
 */
public record RunPlan(StackSpec stack, List<ImageLoader.FileLoad> loads, Map<String, String> imageIds,
                      List<Resource> networks, List<Resource> volumes, List<ServicePlan> services,
                      List<Orphan> orphans, boolean removeOrphans, BackupStep backup) {

    /**
     * A network or volume of the stack, created or kept as it is.
     *
     * @param kind "network" or "volume"
     * @param note why a kept one is used as it is (made outside mlreef-offline), or null
     */
    public record Resource(String kind, String name, boolean create, String note) {
        String line() {
            return create ? "create " + kind + " " + name : "keep   " + kind + " " + name
                    + (note == null ? "" : " (" + note + ")");
        }
    }

    /**
     * A container of the stack that no service of it will use, and why.
     *
     * @param always whether run removes it even without --remove-orphans (the package index of an earlier --pip)
     */
    public record Orphan(ContainerSummary container, String reason, boolean always) {
        public Orphan(ContainerSummary container, String reason) {
            this(container, reason, false);
        }

        /** Whether run removes it, given --remove-orphans. */
        boolean removed(boolean removeOrphans) {
            return always || removeOrphans;
        }

        String line(boolean removeOrphans) {
            return (removed(removeOrphans) ? "remove container " : "leave  container ") + container.name() + " ("
                    + reason + ")";
        }
    }

    /** The plan as run --dry-run prints it, a line a step. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        loads.forEach(l -> lines.add(ImageLoader.describe(l)));
        if (backup != null) {
            lines.add(backup.line());
        }
        networks.forEach(n -> lines.add(n.line()));
        volumes.forEach(v -> lines.add(v.line()));
        services.forEach(s -> lines.add(s.line()));
        services.stream().filter(s -> s.renamedFrom() != null).forEach(s -> lines.add("rename container "
                + s.renamedFrom() + " to " + s.container() + " (service " + s.service().name() + "'s container, under"
                + " another name)"));
        orphans.forEach(o -> lines.add(o.line(removeOrphans)));
        return lines;
    }

    /** The orphans that run removes before it starts anything (their host ports are then free). */
    List<ContainerSummary> leaving() {
        return removed().stream().map(Orphan::container).toList();
    }

    /** The orphans that run removes. */
    List<Orphan> removed() {
        return orphans.stream().filter(o -> o.removed(removeOrphans)).toList();
    }

    /** The orphans that run leaves as they are. */
    List<Orphan> left() {
        return orphans.stream().filter(o -> !o.removed(removeOrphans)).toList();
    }

    /** This plan for the stack read again, with the services planned for it. */
    RunPlan with(StackSpec other, List<ServicePlan> otherServices) {
        return new RunPlan(other, loads, imageIds, networks, volumes, otherServices, orphans, removeOrphans, backup);
    }
}

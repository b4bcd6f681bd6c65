package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a run backs up the stack's volumes before it changes the stack, and how: when it replaces or removes a
 * container and a volume of the stack holds data. Refuses, before anything changes, a backup the folder has no room
 * for and one that containers of other stacks would write into meanwhile.
 */
final class BackupPlanner {
    /** Room beyond the volumes' own sizes: the tar's headers, the manifest. */
    static final long OVERHEAD = 1 << 20;
    private static final String STOPPED = "stopped for the backup";

    private final DockerEngine engine;
    private final Console console;
    private UpgradeBackups settings;

    BackupPlanner(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** Backups are planned from now on, made as {@code backups} says; without it, none. */
    void settings(UpgradeBackups backups) {
        this.settings = backups;
    }

    /** The backup before the run's first replacement or removal, or null: none is needed. */
    BackupStep plan(StackSpec stack, List<ServicePlan> services, List<RunPlan.Orphan> orphans, boolean removeOrphans) {
        String before = settings == null ? null : firstChange(services, orphans, removeOrphans);
        if (before == null) {
            return null;
        }
        List<Volume> volumes = new ArrayList<>(engine.listVolumes(List.of(StackLabels.STACK_LABEL + "="
                + stack.name())));
        volumes.sort(Comparator.comparing(Volume::name));
        Map<String, Long> sizes = volumes.isEmpty() ? Map.of() : sizes();
        // empty: the engine counts no byte in it; a size it cannot tell is taken as data
        if (volumes.stream().allMatch(v -> Long.valueOf(0).equals(sizes.get(v.name())))) {
            return null;
        }
        notCarried(stack, volumes);
        if (settings.skip()) {
            console.warn("--no-backup: no backup of the volumes of stack " + stack.name() + " is made before "
                    + before + "; should the new version damage their data, there is no way back");
            return new BackupStep(null, volumes, -1, List.of(), List.of(), before);
        }
        refuseOtherUsers(stack, volumes);
        long bytes = volumes.stream().anyMatch(v -> sizes.getOrDefault(v.name(), -1L) < 0) ? -1
                : volumes.stream().mapToLong(v -> sizes.get(v.name())).sum();
        checkSpace(stack, bytes);
        List<ContainerSummary> running = stopping(stack, services);
        Set<String> leaving = orphans.stream().filter(o -> !o.removed(removeOrphans)).map(o -> o.container().id())
                .collect(Collectors.toSet());
        return new BackupStep(BackupFiles.next(settings.dir(), stack.name(), Instant.now()), volumes, bytes, running,
                running.stream().filter(c -> leaving.contains(c.id())).toList(), before);
    }

    /** The services' plans once the backup stopped the stack: those that ran are started again by the run. */
    static List<ServicePlan> afterStop(List<ServicePlan> services, BackupStep backup) {
        if (backup == null || backup.skipped()) {
            return services;
        }
        return services.stream().map(s -> s.action() != ServicePlan.Action.KEEP
                && s.action() != ServicePlan.Action.UNPAUSE ? s : new ServicePlan(s.service(), s.container(),
                ServicePlan.Action.START, s.existingId(), s.spec(), s.previousId(), s.imageId(), s.renamedFrom(),
                STOPPED)).toList();
    }

    /** The first container the run replaces or removes, as the plan says it, or null: none. */
    static String firstChange(List<ServicePlan> services, List<RunPlan.Orphan> orphans, boolean removeOrphans) {
        // the package index of an earlier --pip, always removed, holds no data: not a reason for a backup
        RunPlan.Orphan removed = orphans.stream().filter(o -> removeOrphans && !o.always()).findFirst().orElse(null);
        if (removed != null) {
            return "removing container " + removed.container().name();
        }
        return services.stream().filter(s -> s.action() == ServicePlan.Action.REPLACE
                        || s.action() == ServicePlan.Action.CREATE && s.previousId() != null)
                .map(s -> "replacing container " + s.container()).findFirst().orElse(null);
    }

    /** Each volume's size as the engine counts it (it walks them), by name; -1 when it cannot tell. */
    private Map<String, Long> sizes() {
        Map<String, Long> sizes = new HashMap<>();
        DiskUsage usage = engine.diskUsage();
        if (usage != null && usage.volumes() != null) {
            usage.volumes().forEach(v -> sizes.put(v.name(), v.usageData() == null || v.usageData().size() == null
                    ? -1 : v.usageData().size()));
        }
        return sizes;
    }

    /** Names the volumes the stack mounts that the backup does not carry, as 'backup' does. */
    private void notCarried(StackSpec stack, List<Volume> volumes) {
        Set<String> carried = volumes.stream().map(Volume::name).collect(Collectors.toSet());
        List<String> left = stack.volumes().values().stream().map(StackSpec.VolumeSpec::name)
                .filter(n -> !carried.contains(n) && DockerEngine.orNull(() -> engine.inspectVolume(n)) != null)
                .sorted().toList();
        if (!left.isEmpty()) {
            console.warn("not in the backup before the upgrade: volume" + (left.size() == 1 ? " " : "s ")
                    + String.join(", ", left) + ", which run did not make for stack " + stack.name() + " (external,"
                    + " made by hand or by another stack); copy " + (left.size() == 1 ? "it" : "them") + " on its own");
        }
    }

    /** Refuses a backup that running containers of other stacks would write into while it reads. */
    private void refuseOtherUsers(StackSpec stack, List<Volume> volumes) {
        Set<String> names = volumes.stream().map(Volume::name).collect(Collectors.toSet());
        List<String> others = engine.listContainers(List.of(), false).stream()
                .filter(c -> c.labels() == null || !stack.name().equals(c.labels().get(StackLabels.STACK_LABEL)))
                .filter(c -> c.mounts() != null && c.mounts().stream().anyMatch(m -> "volume".equals(m.type())
                        && names.contains(m.name())))
                .map(ContainerSummary::name).sorted().toList();
        if (!others.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "containers outside stack " + stack.name() + " use its volumes ("
                    + String.join(", ", others) + "), so the backup before the upgrade could copy data being written:"
                    + " stop them and run again, or give --no-backup; nothing was changed");
        }
    }

    /** Refuses a backup that does not fit the free space of its folder (or of the folder it will be made in). */
    private void checkSpace(StackSpec stack, long bytes) {
        Path dir = settings.dir().toAbsolutePath();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ToolException(ExitCode.USAGE, "--backup-dir: " + dir + " is not a folder");
        }
        if (bytes < 0) {
            console.warn("the engine does not tell the size of every volume of stack " + stack.name() + ": the free"
                    + " space in " + dir + " is not checked before the backup");
            return;
        }
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        long needed = bytes + bytes / 100 + OVERHEAD;
        long free;
        try {
            free = Files.getFileStore(existing == null ? Path.of("/") : existing).getUsableSpace();
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot tell the free space in " + dir + ": " + e.getMessage()
                    + "; give --backup-dir DIR; nothing was changed", e);
        }
        if (free < needed) {
            throw new ToolException(ExitCode.FAILED, "not enough free space in " + dir + " for the backup before the"
                    + " upgrade: the volumes of stack " + stack.name() + " hold " + Sizes.bytes(bytes) + ", so it needs"
                    + " up to " + Sizes.bytes(needed) + ", and " + Sizes.bytes(free) + " is free; free some space or"
                    + " give --backup-dir DIR on another disk (--no-backup skips the backup: not advised); nothing was"
                    + " changed");
        }
    }

    /** The stack's running (or paused) containers, the services' dependents first, then the others. */
    private List<ContainerSummary> stopping(StackSpec stack, List<ServicePlan> services) {
        List<ContainerSummary> running = engine.listContainers(List.of(StackLabels.STACK_LABEL + "=" + stack.name()),
                false);
        List<String> order = new ArrayList<>(services.stream().map(ServicePlan::existingId).toList());
        java.util.Collections.reverse(order);
        List<ContainerSummary> sorted = new ArrayList<>(running);
        sorted.sort(Comparator.comparingInt(c -> order.contains(c.id()) ? order.indexOf(c.id()) : order.size()));
        return sorted;
    }
}

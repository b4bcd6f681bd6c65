package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.DiskUsage;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ToolException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whether and how the plan backs up a stack's volumes before an upgrade, against a narrow stand-in engine. */
class BackupPlannerTest {
    private static final StackSpec STACK = StackDocument.of("""
            name: s
            services:
              app:
                image: app:2
                volumes: [data:/data, etc:/etc/app]
              worker:
                image: app:2
                volumes: [data:/data]
            volumes:
              data: {}
              etc: {}
              made-by-hand: {}
            """, "test", "s").resolve(Map.of(), w -> { });

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err,
            true, StandardCharsets.UTF_8), false, false, false);

    /** An engine with the stack's volumes of these sizes, running these containers. */
    public static final class Engine {
        private final Map<String, Long> sizes;
        private final List<ContainerSummary> running;
        final List<String> calls = new ArrayList<>();

        Engine(Map<String, Long> sizes, List<ContainerSummary> running) {
            this.sizes = sizes;
            this.running = running;
        }

        public List<Volume> listVolumes(List<String> filters) {
            assertEquals(List.of(StackLabels.STACK_LABEL + "=s"), filters);
            calls.add("listVolumes");
            return sizes.keySet().stream().map(n -> new Volume(n, "local", "/v/" + n, Map.of(StackLabels.STACK_LABEL,
                    "s"), "local", null, Map.of())).toList();
        }

        public DiskUsage diskUsage() {
            calls.add("diskUsage");
            List<DiskUsage.VolumeUsage> volumes = new ArrayList<>();
            sizes.forEach((n, size) -> volumes.add(new DiskUsage.VolumeUsage(n, new DiskUsage.UsageData(size, 1L))));
            volumes.add(new DiskUsage.VolumeUsage("made-by-hand", new DiskUsage.UsageData(7L, 0L)));
            return new DiskUsage(volumes);
        }

        public Volume inspectVolume(String name) {
            return new Volume(name, "local", "/v/" + name, Map.of(), "local", null, Map.of());
        }

        public List<ContainerSummary> listContainers(List<String> filters, boolean all) {
            assertEquals(false, all);
            return filters.isEmpty() ? running : running.stream().filter(c -> filters.get(0).equals(
                    StackLabels.STACK_LABEL + "=" + c.labels().get(StackLabels.STACK_LABEL))).toList();
        }
    }

    private static ContainerSummary container(String id, String name, String stack, String... volumes) {
        return new ContainerSummary(id, List.of("/" + name), "app:2", "sha256:a", "running", "Up", 0L,
                Map.of(StackLabels.STACK_LABEL, stack), List.of(), null, java.util.Arrays.stream(volumes)
                .map(v -> new ContainerInspect.Mount("volume", v, "/v/" + v, "/data", true)).toList());
    }

    private static ServicePlan service(String name, ServicePlan.Action action) {
        return new ServicePlan(STACK.services().get(name), "s-" + name, action, "id-" + name, null, null, "sha256:a",
                null, action == ServicePlan.Action.REPLACE ? "its image or configuration changed" : null);
    }

    private static final List<ContainerSummary> RUNNING = List.of(container("id-app", "s-app", "s", "data", "etc"),
            container("id-worker", "s-worker", "s", "data"), container("id-old", "s-old", "s"));

    private BackupPlanner planner(Engine engine, boolean skip) {
        BackupPlanner planner = new BackupPlanner(FakeEngine.of(engine), console);
        planner.settings(new UpgradeBackups(tmp.resolve("backups"), skip, (stack, volumes, target) -> {
            throw new AssertionError("planning writes nothing");
        }));
        return planner;
    }

    @Test
    void aReplacementOfAStackWhoseVolumesHoldDataIsBackedUpFirstWithTheStackStopped() {
        Engine engine = new Engine(Map.of("data", 5_000_000L, "etc", 0L), RUNNING);
        List<ServicePlan> services = List.of(service("app", ServicePlan.Action.REPLACE),
                service("worker", ServicePlan.Action.KEEP));
        RunPlan.Orphan orphan = new RunPlan.Orphan(RUNNING.get(2), "service old is no longer in the stack");
        BackupStep step = planner(engine, false).plan(STACK, services, List.of(orphan), false);

        assertTrue(step.target().getFileName().toString().matches("s-before-upgrade-[0-9]{8}-[0-9]{6}\\.tar\\.zst"),
                step.target().toString());
        assertEquals(tmp.resolve("backups"), step.target().getParent());
        assertEquals(List.of("data", "etc"), step.names(), "every volume of the stack, as 'backup' takes them");
        assertEquals(5_000_000L, step.bytes());
        assertEquals(List.of("s-worker", "s-app", "s-old"), step.stopping().stream().map(ContainerSummary::name)
                .toList(), "dependents first");
        assertEquals(List.of("s-old"), step.orphans().stream().map(ContainerSummary::name).toList(),
                "a running orphan left as it is runs again after the backup");
        assertEquals("back up volumes data, etc (about 4.8 MiB) into " + step.target() + ", the stack stopped for it,"
                + " before replacing container s-app", step.line());
        assertTrue(err.toString().contains("warning: not in the backup before the upgrade: volume made-by-hand,"),
                err.toString());

        List<ServicePlan> after = BackupPlanner.afterStop(services, step);
        assertEquals(ServicePlan.Action.REPLACE, after.get(0).action());
        assertEquals("start  container s-worker (stopped for the backup)", after.get(1).line(),
                "started again by the run, waited for as usual");
    }

    @Test
    void nothingToReplaceOrRemoveMakesNoBackupAndAsksTheEngineNothing() {
        Engine engine = new Engine(Map.of("data", 5_000_000L), RUNNING);
        List<ServicePlan> services = List.of(service("app", ServicePlan.Action.KEEP),
                service("worker", ServicePlan.Action.START), service("worker", ServicePlan.Action.CREATE));
        RunPlan.Orphan orphan = new RunPlan.Orphan(RUNNING.get(2), "service old is no longer in the stack");
        assertNull(planner(engine, false).plan(STACK, services, List.of(orphan), false), "an orphan left");
        assertEquals(List.of(), engine.calls);
        assertEquals(services, BackupPlanner.afterStop(services, null));
    }

    @Test
    void removingAnOrphanOrFinishingAnInterruptedReplacementIsBackedUpFirst() {
        Engine engine = new Engine(Map.of("data", 1L), RUNNING);
        RunPlan.Orphan orphan = new RunPlan.Orphan(RUNNING.get(2), "service old is no longer in the stack");
        BackupStep step = planner(engine, false).plan(STACK, List.of(service("app", ServicePlan.Action.KEEP)),
                List.of(orphan), true);
        assertEquals("removing container s-old", step.before());
        assertEquals(List.of(), step.orphans(), "removed, not started again");

        ServicePlan interrupted = new ServicePlan(STACK.services().get("app"), "s-app", ServicePlan.Action.CREATE,
                null, null, "id-previous", "sha256:a", null, null);
        assertEquals("replacing container s-app", BackupPlanner.firstChange(List.of(interrupted), List.of(), false));
    }

    @Test
    void emptyVolumesOrNoneMakeNoBackup() {
        List<ServicePlan> services = List.of(service("app", ServicePlan.Action.REPLACE));
        assertNull(planner(new Engine(Map.of("data", 0L, "etc", 0L), RUNNING), false).plan(STACK, services, List.of(),
                false));
        Engine none = new Engine(Map.of(), RUNNING);
        assertNull(planner(none, false).plan(STACK, services, List.of(), false));
        assertEquals(List.of("listVolumes"), none.calls, "no volume: their sizes are not asked for");
        BackupPlanner unset = new BackupPlanner(FakeEngine.of(new Object()), console);
        assertNull(unset.plan(STACK, services, List.of(), false), "backups not asked for");
    }

    @Test
    void noBackupSkipsItWithAWarningAndTheStackIsNotStopped() {
        Engine engine = new Engine(Map.of("data", 5L), RUNNING);
        List<ServicePlan> services = List.of(service("app", ServicePlan.Action.REPLACE),
                service("worker", ServicePlan.Action.KEEP));
        BackupStep step = planner(engine, true).plan(STACK, services, List.of(), false);
        assertTrue(step.skipped());
        assertEquals("no backup of volumes data before replacing container s-app (--no-backup)", step.line());
        assertTrue(err.toString().contains("warning: --no-backup: no backup of the volumes of stack s is made before"
                + " replacing container s-app"), err.toString());
        assertEquals(services, BackupPlanner.afterStop(services, step));
    }

    @Test
    void aBackupTheFolderHasNoRoomForIsRefusedSayingHowMuchItNeeds() {
        Engine engine = new Engine(Map.of("data", 1L << 60), RUNNING);
        ToolException e = assertThrows(ToolException.class, () -> planner(engine, false).plan(STACK,
                List.of(service("app", ServicePlan.Action.REPLACE)), List.of(), false));
        assertTrue(e.getMessage().startsWith("not enough free space in " + tmp.resolve("backups") + " for the backup"
                + " before the upgrade: the volumes of stack s hold 1024 PiB, so it needs up to 1034 PiB, and "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; nothing was changed"), e.getMessage());
    }

    @Test
    void containersOfAnotherStackUsingTheVolumesAreRefused() {
        List<ContainerSummary> running = new ArrayList<>(RUNNING);
        running.add(container("id-x", "x-reader", "x", "etc"));
        ToolException e = assertThrows(ToolException.class, () -> planner(new Engine(Map.of("data", 5L, "etc", 5L),
                running), false).plan(STACK, List.of(service("app", ServicePlan.Action.REPLACE)), List.of(), false));
        assertEquals("containers outside stack s use its volumes (x-reader), so the backup before the upgrade could"
                + " copy data being written: stop them and run again, or give --no-backup; nothing was changed",
                e.getMessage());
    }
}

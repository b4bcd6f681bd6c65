package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.mlreef.offline.docker.ImageReference;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The plan of a run without --pip for a stack whose package index (of an earlier run --pip) still runs: that
 * container is removed, with or without --remove-orphans, while another dropped service's is left unless asked.
 */
class PipOrphanPlanTest {
    private static final StackSpec STACK = StackDocument.of("""
            name: s
            services:
              app:
                image: app:1
            """, "test", "s").resolve(Map.of(), w -> { });

    private static ContainerSummary container(String name, String service, String image, String mountSource) {
        List<ContainerInspect.Mount> mounts = mountSource == null ? List.of() : List.of(new ContainerInspect.Mount(
                "bind", null, mountSource, PipService.PACKAGES, false));
        return new ContainerSummary("id-" + name, List.of("/" + name), image, "sha256:" + "1".repeat(64), "running",
                "Up", 1L, Map.of(StackLabels.STACK_LABEL, "s", StackLabels.SERVICE_LABEL, service), List.of(), null,
                mounts);
    }

    /** The engine: no container of service app yet, these containers of the stack, nothing else. */
    public static final class Engine {
        private final List<ContainerSummary> containers;

        Engine(List<ContainerSummary> containers) {
            this.containers = containers;
        }

        public List<ContainerSummary> listContainers(List<String> filters, boolean all) {
            // the stack's containers; no helper of an unfinished restore
            return filters.equals(List.of(StackLabels.STACK_LABEL + "=s")) ? containers : List.of();
        }

        public ContainerInspect inspectContainer(String id) {
            throw new NotFoundException("inspect", "no such container: " + id);
        }

        public Network inspectNetwork(String name) {
            throw new NotFoundException("inspect", "no such network: " + name);
        }

        public List<Volume> listVolumes(List<String> filters) {
            return List.of();
        }

        public SystemInfo info() {
            return new SystemInfo("host", "24.0", "overlay2", "/var/lib/docker", "Debian", "linux", "x86_64", 2,
                    1L << 30, 0, 0, "2", null, Map.of());
        }
    }

    private static RunPlan plan(List<ContainerSummary> containers, boolean removeOrphans) {
        Engine behaviour = new Engine(containers);
        var engine = FakeEngine.of(behaviour);
        Console console = new Console(new PrintStream(new ByteArrayOutputStream()), new PrintStream(
                new ByteArrayOutputStream()), false, false, false);
        return new RunPlanner(engine, console, new PlanChecks(engine)).plan(STACK, List.of(),
                Map.of(ImageReference.normalized("app:1"), "sha256:" + "2".repeat(64)), null, removeOrphans, false);
    }

    @Test
    void theIndexOfAnEarlierPipIsRemovedAnotherDroppedServiceLeft() {
        ContainerSummary index = container("s-pip", "pip", "mlreef-offline-pip:0.1.0-abc", null);
        ContainerSummary old = container("s-old", "old", "old:1", null);
        RunPlan plan = plan(List.of(index, old), false);
        List<String> lines = plan.lines();
        assertEquals("remove container s-pip (service pip is no longer in the stack: run without --pip; its"
                + " packages are kept)", lines.get(lines.size() - 2));
        assertEquals("leave  container s-old (service old is no longer in the stack)", lines.get(lines.size() - 1));
        assertEquals(List.of(index), plan.leaving());
        assertEquals(List.of(old), plan.left().stream().map(RunPlan.Orphan::container).toList());
        // no backup for it: it holds no data
        assertNull(BackupPlanner.firstChange(List.of(), plan.orphans(), false));

        RunPlan all = plan(List.of(index, old), true);
        assertEquals(List.of(index, old), all.leaving());
        assertEquals("removing container s-old", BackupPlanner.firstChange(List.of(), all.orphans(), true));
    }

    @Test
    void itIsKnownByItsPackagesFolderOnceItsImageTagMovedOn() {
        ContainerSummary untagged = container("s-pip", "pip", "sha256:" + "3".repeat(64),
                "/var/lib/mlreef-offline/pip/s");
        ContainerSummary other = container("s-pip2", "pip", "python:3", "/srv/pkgs");
        RunPlan plan = plan(List.of(untagged, other), false);
        assertEquals(List.of(untagged), plan.leaving());
        assertEquals(List.of(other), plan.left().stream().map(RunPlan.Orphan::container).toList());
    }
}

package com.mlreef.offline.lifecycle;

import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** down without --volumes: the unnamed volumes it leaves (a stack's - /PATH, an image's VOLUME) are named, kept. */
class StackRemovalTest {
    private static final String CACHE = "a".repeat(64);
    private static final String DATA = "b".repeat(64);

    public static class Engine {
        final List<String> calls = new ArrayList<>();

        public List<ContainerSummary> listContainers(List<String> labels, boolean all) {
            return List.of(container("s-web", "web", new ContainerInspect.Mount("volume", CACHE, null,
                            "/var/lib/cache", true), new ContainerInspect.Mount("volume", "s_named", null, "/named",
                            true)),
                    container("s-db", "db", new ContainerInspect.Mount("volume", DATA, null, "/var/lib/db", true)));
        }

        private static ContainerSummary container(String name, String service, ContainerInspect.Mount... mounts) {
            return new ContainerSummary("id-" + name, List.of("/" + name), "img", "sha256:1", "running", "Up", 0L,
                    Map.of(StackLabels.STACK_LABEL, "s", StackLabels.SERVICE_LABEL, service), List.of(), null,
                    List.of(mounts));
        }

        public void stopContainer(String id, Integer seconds) {
            calls.add("stop " + id);
        }

        public void removeContainer(String id, boolean force, boolean unnamedVolumes) {
            calls.add("remove " + id + (unnamedVolumes ? " with its unnamed volumes" : ""));
        }

        public void removeVolume(String name) {
            calls.add("remove volume " + name);
        }

        public List<Network> listNetworks() {
            return List.of();
        }

        public List<Volume> listVolumes(List<String> labels) {
            return List.of(new Volume("s_named", "local", "/var/lib/docker/volumes/s_named/_data",
                    Map.of(StackLabels.STACK_LABEL, "s"), "local", null, Map.of()));
        }
    }

    @Test
    void theUnnamedVolumesLeftAreNamedWithTheCommandThatDeletesThem() {
        Engine fake = new Engine();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Console console = new Console(new PrintStream(OutputStream.nullOutputStream()), new PrintStream(err, true),
                false, false);
        new StackControl(FakeEngine.of(fake), console).down("s", false, null);
        String said = err.toString();
        assertTrue(said.contains("warning: kept the unnamed volume of s-web at /var/lib/cache, which run does not use"
                + " again ('docker volume rm " + CACHE + "' deletes it)"), said);
        assertTrue(said.contains("warning: kept the unnamed volume of s-db at /var/lib/db, which run does not use"
                + " again ('docker volume rm " + DATA + "' deletes it)"), said);
        assertTrue(said.contains("warning: their data stays on disk: 'docker volume rm " + DATA + " " + CACHE
                + "' deletes them all"), said);
        assertTrue(said.contains("kept volumes s_named ('down --volumes' deletes them)"), said);
        assertTrue(fake.calls.stream().noneMatch(c -> c.startsWith("remove volume") || c.contains("unnamed")),
                "nothing deleted: " + fake.calls);
        assertEquals(4, fake.calls.size(), fake.calls.toString());
    }
}

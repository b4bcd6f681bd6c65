package com.mlreef.offline.backup;

import com.mlreef.offline.docker.ApiException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The helper containers of backup and restore: each command makes its own under a name of its own and leaves the
 * others' alone (the fake fails any call that would list or remove them), and removes its own when its creation fails.
 */
class ArchiveContainersTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
            false, false);

    public static class Engine {
        final List<String> calls = new ArrayList<>();
        RuntimeException createFails;
        RuntimeException removeFails;

        public ImageInspect inspectImage(String name) {
            return new ImageInspect("sha256:e", List.of(name), List.of(), null, 0L, null, null, null, null, null);
        }

        public String createContainer(String name, ContainerSpec spec) {
            calls.add("create " + name + " " + spec.labels().get(StackLabels.HELPER_LABEL));
            if (createFails != null) {
                throw createFails;
            }
            return "id-" + name;
        }

        public void removeContainer(String id, boolean force, boolean unnamedVolumes) {
            calls.add("remove " + id);
            if (removeFails != null) {
                throw removeFails;
            }
        }
    }

    @Test
    void aHelperIsMadeUnderANameOfItsOwnAndNoOtherIsTouched() {
        Engine fake = new Engine();
        ArchiveContainers helpers = new ArchiveContainers(FakeEngine.of(fake), console);
        String first = helpers.create("backup", "s1", List.of("s1_data"), true, Map.of());
        String second = helpers.create("backup", "s2", List.of("s2_data"), true, Map.of());
        assertTrue(first.matches("id-mlreef-offline-backup-s1-[0-9a-f]{8}"), first);
        assertTrue(second.matches("id-mlreef-offline-backup-s2-[0-9a-f]{8}"), second);
        assertEquals(2, fake.calls.size(), "two creations, nothing listed or removed: " + fake.calls);
        assertTrue(fake.calls.stream().allMatch(c -> c.startsWith("create ") && c.endsWith(" backup")), fake.calls.toString());
    }

    @Test
    void aFailedCreationRemovesWhatItMayHaveLeftUnderItsName() {
        Engine fake = new Engine();
        fake.createFails = new ApiException("creating a container", 500, "context deadline exceeded");
        ArchiveContainers helpers = new ArchiveContainers(FakeEngine.of(fake), console);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> helpers.create("probe", "", List.of("v"), true, Map.of()));
        assertSame(fake.createFails, e);
        assertEquals(2, fake.calls.size(), fake.calls.toString());
        String name = fake.calls.get(0).split(" ")[1];
        assertTrue(name.matches("mlreef-offline-probe-[0-9a-f]{8}"), name);
        assertEquals("remove " + name, fake.calls.get(1));
        assertEquals("", err.toString(), "nothing to say when it was removed");
    }

    @Test
    void aHelperThatCannotBeRemovedAfterAFailedCreationIsNamed() {
        Engine fake = new Engine();
        fake.createFails = new ApiException("creating a container", 500, "timeout");
        fake.removeFails = new ApiException("removing a container", 500, "engine busy");
        ArchiveContainers helpers = new ArchiveContainers(FakeEngine.of(fake), console);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> helpers.create("backup", "s", List.of("v"), true, Map.of()));
        assertSame(fake.createFails, e);
        assertSame(fake.removeFails, e.getSuppressed()[0]);
        String name = fake.calls.get(0).split(" ")[1];
        assertTrue(err.toString().contains("the helper container " + name + " may be left: 'docker rm " + name
                + "' removes it"), err.toString());
    }

    @Test
    void aCreationThatMadeNothingLeavesNothingToSay() {
        Engine fake = new Engine();
        fake.createFails = new ApiException("creating a container", 500, "no space left on device");
        fake.removeFails = new NotFoundException("removing a container", "no such container");
        ArchiveContainers helpers = new ArchiveContainers(FakeEngine.of(fake), console);
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> helpers.create("backup", "s", List.of("v"), true, Map.of()));
        assertSame(fake.createFails, e);
        assertEquals(0, e.getSuppressed().length);
        assertEquals("", err.toString());
    }
}

package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.ExecInspect;
import com.mlreef.offline.docker.model.ExecSpec;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.docker.model.VersionInfo;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint of {@link DockerEngine} against the real engine. */
class DockerClientIT {
    private static DockerClient engine;
    private static Created created;
    private static String base;

    @BeforeAll
    static void setUp() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        base = TestImages.busybox(engine, created, "base");
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @Test
    void systemEndpoints() {
        engine.ping();
        VersionInfo version = engine.version();
        assertNotNull(version.version());
        assertTrue(ApiVersion.parse(version.apiVersion()).compareTo(DockerClient.MINIMUM_API) >= 0);
        assertEquals(DockerClient.negotiate(version), engine.apiVersion());
        SystemInfo info = engine.info();
        assertNotNull(info.driver());
        assertTrue(info.dockerRootDir().startsWith("/"), info.dockerRootDir());
    }

    @Test
    void callsAreCountedAndTimedToTheEndOfTheirAnswers() throws Exception {
        DockerClient fresh = new DockerClient(TestEngine.transport());
        assertEquals(new DockerEngine.Usage(0, 0), fresh.usage());
        fresh.ping();
        fresh.info();
        DockerEngine.Usage two = fresh.usage();
        assertTrue(two.calls() >= 2 && two.nanos() > 0, two.toString());
        long before = fresh.usage().nanos();
        try (InputStream tar = fresh.saveImages(List.of(base))) {
            Thread.sleep(200); // an answer read slowly counts until it is closed
            tar.transferTo(OutputStream.nullOutputStream());
        }
        DockerEngine.Usage three = fresh.usage();
        assertEquals(two.calls() + 1, three.calls());
        assertTrue(three.nanos() - before >= 200_000_000L, three + " after " + two);
    }

    @Test
    void imagesInspectTagListRemove() {
        ImageInspect image = engine.inspectImage(base);
        assertTrue(image.id().startsWith("sha256:"));
        assertEquals("linux", image.os());
        assertEquals(1, image.rootFs().layers().size());

        String tagged = created.image(TestEngine.unique("tagged") + ":2");
        engine.tagImage(base, tagged.substring(0, tagged.indexOf(':')), "2");
        assertEquals(image.id(), engine.inspectImage(tagged).id());
        assertTrue(engine.listImages().stream().anyMatch(i -> i.repoTags() != null && i.repoTags().contains(tagged)));

        engine.removeImage(tagged, false);
        assertThrows(NotFoundException.class, () -> engine.inspectImage(tagged));
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> engine.inspectImage("mlro-test-absent:never"));
        assertEquals(404, missing.status());
        assertTrue(missing.getMessage().contains("No such image"), missing.getMessage());
    }

    @Test
    void saveAndLoadSmallImageRoundTrip() throws Exception {
        String ref = created.image(TestEngine.unique("roundtrip") + ":1");
        engine.tagImage(base, ref.substring(0, ref.indexOf(':')), "1");
        String id = engine.inspectImage(ref).id();
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (InputStream in = engine.saveImages(List.of(ref))) {
            TestImages.copy(in, archive);
        }
        engine.removeImage(ref, false);
        List<ProgressMessage> progress = new ArrayList<>();
        List<String> loaded = engine.loadImages(new ByteArrayInputStream(archive.toByteArray()), -1, progress::add);
        assertEquals(List.of(ref), loaded);
        assertEquals(id, engine.inspectImage(ref).id());
    }

    @Test
    void loadOfACorruptArchiveIsAnApiError() {
        byte[] garbage = "this is not a tar archive at all".repeat(100).getBytes(StandardCharsets.UTF_8);
        ApiException e = assertThrows(ApiException.class,
                () -> engine.loadImages(new ByteArrayInputStream(garbage), garbage.length, ProgressListener.NONE));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void volumes() {
        String name = created.volume(TestEngine.unique("vol"));
        String label = "mlro-test-label=" + name;
        Volume volume = engine.createVolume(name, Map.of("mlro-test-label", name));
        assertEquals(name, volume.name());
        assertEquals(name, engine.inspectVolume(name).name());
        List<Volume> listed = engine.listVolumes(List.of(label));
        assertEquals(List.of(name), listed.stream().map(Volume::name).toList());
        engine.removeVolume(name);
        assertThrows(NotFoundException.class, () -> engine.inspectVolume(name));
    }

    @Test
    void networks() {
        String name = created.network(TestEngine.unique("net"));
        String id = engine.createNetwork(name, "bridge", Map.of("mlro-test", "1"));
        Network network = engine.inspectNetwork(name);
        assertEquals(id, network.id());
        assertNotNull(network.gateway(), "a user-defined bridge has an IPAM gateway");
        assertTrue(engine.listNetworks().stream().anyMatch(n -> n.name().equals(name)));
        ConflictException taken = assertThrows(ConflictException.class,
                () -> engine.createNetwork(name, "bridge", Map.of()));
        assertEquals(409, taken.status());
        engine.removeNetwork(name);
        assertThrows(NotFoundException.class, () -> engine.inspectNetwork(name));
    }

    @Test
    void containerLifecycleLogsAndConflict() throws Exception {
        String name = created.container(TestEngine.unique("ctr"));
        String label = "mlro-test-ctr";
        ContainerSpec spec = new ContainerSpec(base, List.of("sh", "-c",
                "echo to-stdout; echo to-stderr >&2; echo second-out; exec sleep 300"), null, null,
                Map.of(label, name), null, null, null, null, false, null, null);
        String id = engine.createContainer(name, spec);
        ConflictException taken = assertThrows(ConflictException.class, () -> engine.createContainer(name, spec));
        assertTrue(taken.getMessage().contains("already in use"), taken.getMessage());

        engine.startContainer(id);
        engine.startContainer(id); // already running: left alone
        ContainerInspect running = engine.inspectContainer(name);
        assertTrue(running.state().running());
        List<ContainerSummary> byLabel = engine.listContainers(List.of(label + "=" + name), true);
        assertEquals(List.of(id), byLabel.stream().map(ContainerSummary::id).toList());

        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!out.toString().contains("second-out") && System.currentTimeMillis() < deadline) {
            out.setLength(0);
            err.setLength(0);
            engine.logs(id, LogOptions.ALL, (stream, b, off, len) ->
                    (stream == OutputSink.Stream.STDOUT ? out : err).append(new String(b, off, len, StandardCharsets.UTF_8)));
            Thread.sleep(100);
        }
        assertEquals("to-stdout\nsecond-out\n", out.toString());
        assertEquals("to-stderr\n", err.toString());

        engine.restartContainer(id, 1);
        assertTrue(engine.inspectContainer(id).state().running());
        engine.stopContainer(id, 1);
        engine.stopContainer(id, 1); // already stopped: left alone
        assertFalse(engine.inspectContainer(id).state().running());
        engine.removeContainer(id, false);
        assertThrows(NotFoundException.class, () -> engine.inspectContainer(id));
    }

    @Test
    void waitReturnsTheExitCodeAndFollowedLogsEndWithTheContainer() {
        String name = created.container(TestEngine.unique("wait"));
        String id = engine.createContainer(name, ContainerSpec.of(base,
                List.of("sh", "-c", "for i in 1 2 3; do echo line$i; sleep 0.2; done; exit 7")));
        engine.startContainer(id);
        StringBuilder followed = new StringBuilder();
        engine.logs(id, new LogOptions(true, -1, 0, false),
                (stream, b, off, len) -> followed.append(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals("line1\nline2\nline3\n", followed.toString());
        assertEquals(7, engine.waitContainer(id, "not-running"));
        StringBuilder tail = new StringBuilder();
        engine.logs(id, LogOptions.tail(1), (stream, b, off, len) -> tail.append(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals("line3\n", tail.toString());
    }

    @Test
    void execReportsOutputAndExitCode() {
        String name = created.container(TestEngine.unique("exec"));
        String id = engine.createContainer(name, ContainerSpec.of(base, List.of("sleep", "300")));
        engine.startContainer(id);
        String exec = engine.createExec(id, ExecSpec.of(List.of("sh", "-c", "echo from-exec; echo oops >&2; exit 3")));
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        engine.startExec(exec, (stream, b, off, len) ->
                (stream == OutputSink.Stream.STDOUT ? out : err).append(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals("from-exec\n", out.toString());
        assertEquals("oops\n", err.toString());
        ExecInspect result = engine.inspectExec(exec);
        assertFalse(result.running());
        assertEquals(3, result.exitCode());
        assertThrows(NotFoundException.class, () -> engine.inspectExec("0123456789abcdef"));
    }

    @Test
    void archivePutAndGet() throws Exception {
        String name = created.container(TestEngine.unique("archive"));
        String id = engine.createContainer(name, ContainerSpec.of(base, List.of("sleep", "300")));
        engine.startContainer(id);
        byte[] tar = TestImages.tarOf("note.txt", "carried across the air gap\n");
        engine.putArchive(id, "/tmp", new ByteArrayInputStream(tar), tar.length);
        try (InputStream in = engine.getArchive(id, "/tmp/note.txt");
             TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry = entries.getNextEntry();
            assertEquals("note.txt", entry.getName());
            assertEquals("carried across the air gap\n", new String(entries.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertThrows(NotFoundException.class, () -> engine.getArchive(id, "/tmp/absent"));
        assertThrows(NotFoundException.class,
                () -> engine.putArchive(id, "/absent-dir", new ByteArrayInputStream(tar), tar.length));
    }
}

package com.mlreef.offline.stackfile;

import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several stack files merged as Compose merges them, and the override file beside compose.yaml. */
class ComposeMergeTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private Path write(String name, String yaml) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private StackFile.Loaded load(List<Path> files) {
        return StackDocument.loadAll(files, warnings::add).resolveLoaded(Map.of("TAG", "2"), warnings::add);
    }

    @Test
    void servicesMergeByComposesRules() throws Exception {
        Path base = write("base.yaml", "name: merged\nservices:\n  web:\n    image: busybox:1\n"
                + "    command: [sleep, '10']\n    ports: ['8080:80', '8443:443']\n    dns: 1.1.1.1\n"
                + "    environment: [A=1, B=2]\n    labels: {x: '1'}\n    cap_add: [NET_ADMIN]\n"
                + "    volumes: ['data:/data', './conf:/conf:ro']\n"
                + "    healthcheck: {test: [CMD, 'true'], interval: 5s}\n  db:\n    image: busybox:1\n"
                + "volumes:\n  data:\n");
        Path over = write("over.yaml", "services:\n  web:\n    image: busybox:${TAG}\n    command: [sleep, '20']\n"
                + "    ports: ['8443:443', '9000:9000']\n    dns: [8.8.8.8]\n    environment: {B: '3', C: '4'}\n"
                + "    labels: [y=2]\n    cap_add: [SYS_TIME]\n    volumes: ['other:/data']\n"
                + "    healthcheck: {test: [CMD, 'false']}\n  db:\n    ports: !reset []\n  cache:\n"
                + "    image: busybox:3\nvolumes:\n  other:\n");
        StackSpec spec = load(List.of(base, over)).spec();
        Service web = spec.services().get("web");
        assertEquals("busybox:2", web.image());
        assertEquals(List.of("sleep", "20"), web.command());
        assertEquals(List.of(8080, 8443, 9000), web.ports().stream().map(p -> p.hostPort()).toList());
        assertEquals(Map.of("A", "1", "B", "3", "C", "4"), web.environment());
        assertEquals("1", web.labels().get("x"));
        assertEquals("2", web.labels().get("y"));
        assertEquals(List.of("other", dir.toAbsolutePath().normalize() + "/conf"),
                web.mounts().stream().map(MountSpec::source).toList());
        assertEquals(List.of("web", "db", "cache").stream().sorted().toList(),
                spec.services().keySet().stream().sorted().toList());
        assertEquals(List.of(), warnings);
        assertEquals(List.of("NET_ADMIN", "SYS_TIME"), web.options().capAdd());
        assertEquals(List.of("CMD", "false"), web.healthcheck().test());
    }

    @Test
    void sequencesAppendAndTheMergedTextReadsBackTheSame() throws Exception {
        Path base = write("a.yaml", "services:\n  web:\n    image: busybox:1\n    cap_add: [NET_ADMIN]\n"
                + "    entrypoint: [sh]\n");
        Path over = write("b.yaml", "services:\n  web:\n    cap_add: [SYS_TIME]\n    entrypoint: !override [bash]\n"
                + "    user: '1000'\n");
        StackFile.Loaded loaded = load(List.of(base, over));
        String text = loaded.text();
        assertTrue(text.contains("- NET_ADMIN\n") && text.contains("- SYS_TIME\n"), text);
        assertTrue(!text.contains("- sh"), text);
        StackSpec again = StackFile.parse(text, "again", "a", Map.of(), warnings::add);
        assertEquals(loaded.spec().services().get("web").options().entrypoint(), again.services().get("web").options().entrypoint());
        assertEquals(List.of("bash"), again.services().get("web").options().entrypoint());
    }

    @Test
    void anOverrideFileBesideComposeYamlIsMergedAndProblemsNameItsLines() throws Exception {
        Path main = write("compose.yaml", "services:\n  web:\n    image: busybox:1\n");
        write("compose.override.yaml", "services:\n  web:\n    portz: ['80:80']\n");
        String message = assertThrows(StackFileException.class, () -> load(List.of(main))).getMessage();
        assertTrue(message.contains("services.web.portz: unknown key; did you mean ports? (line 3 of "
                + dir.resolve("compose.override.yaml") + ")"), message);
        assertTrue(warnings.get(0).startsWith("reading " + dir.resolve("compose.override.yaml") + " too"),
                warnings.toString());
        Files.writeString(dir.resolve("compose.override.yaml"), "services:\n  web:\n    user: '7'\n");
        assertEquals("7", load(List.of(main)).spec().services().get("web").options().user());
        Path named = write("stack.yaml", "services:\n  web:\n    image: busybox:1\n");
        assertNull(load(List.of(named)).spec().services().get("web").options().user());
        assertNull(StackDocument.override(named));
    }
}

package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipServiceTest {
    @TempDir
    Path tmp;

    private StackSpec stack(String services) throws IOException {
        Path file = Files.writeString(tmp.resolve("s.yaml"), "name: s\nservices:\n" + services);
        return StackDocument.load(file, w -> { }).resolve(Map.of(), w -> { });
    }

    private static final ProgramFiles PROGRAM = new ProgramFiles(Map.of(), Map.of(), List.of("/mlreef-offline"),
            "/usr/lib/x86_64-linux-gnu", List.of());

    @Test
    void theIndexRunsThisProgramOnTheHostsNetworkWithTheStacksRestartPolicy() throws IOException {
        StackSpec spec = stack("  a:\n    image: a:1\n    restart: always\n  b:\n    image: b:1\n    restart: always\n"
                + "  c:\n    image: c:1\n");
        PipService pip = new PipService(8123, "172.17.0.1");
        assertEquals("http://172.17.0.1:8123/simple/", pip.url().toString());
        StackSpec with = pip.addTo(spec, "mlreef-offline-pip:1-abc", PROGRAM, "/var/lib/mlreef-offline/pip/s");
        StackSpec.Service service = with.services().get("pip");
        assertNotNull(service);
        assertEquals(List.of("/mlreef-offline", "pip-serve", "/packages", "-p", "8123", "--bind", "172.17.0.1"),
                service.command());
        assertEquals("always", service.restart());
        assertEquals("host", service.options().networkMode());
        assertEquals("/var/lib/mlreef-offline/pip/s:/packages:ro", service.mounts().get(0).bind());
        assertEquals("/usr/lib/x86_64-linux-gnu", service.environment().get("LD_LIBRARY_PATH"));
        assertEquals(pip.url().toString(), service.ready().http());
        assertEquals(List.of("a", "b", "c", "pip"), List.copyOf(with.services().keySet()));
        assertEquals("unless-stopped", PipService.restartOf(stack("  a:\n    image: a:1\n")));
    }

    @Test
    void aServiceNamedPipIsNotReplaced() throws IOException {
        StackSpec spec = stack("  pip:\n    image: a:1\n");
        ToolException e = assertThrows(ToolException.class, () -> new PipService(8080, "172.17.0.1")
                .addTo(spec, "i:1", PROGRAM, "/x"));
        assertTrue(e.getMessage().startsWith("--pip: stack s has a service named pip already"), e.getMessage());
    }

    @Test
    void theElfInterpreterAndTheMappedLibrariesAreFound() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String interpreter = ProgramFiles.interpreter(java);
        assertNotNull(interpreter, "a dynamically linked launcher names its interpreter");
        assertTrue(Files.isRegularFile(Path.of(interpreter)), interpreter);
        assertEquals(null, ProgramFiles.interpreter(Files.writeString(tmp.resolve("text"), "not an ELF file at all,"
                + " but long enough to read a header from it: 64 bytes and more of plain text here")));
        List<Path> mapped = ProgramFiles.mappedLibraries(Path.of("/proc/self/maps"));
        assertTrue(mapped.stream().anyMatch(p -> p.getFileName().toString().startsWith("libjvm.so")), mapped.toString());
        assertTrue(mapped.stream().anyMatch(p -> p.getFileName().toString().startsWith("libc.so")), mapped.toString());
    }
}

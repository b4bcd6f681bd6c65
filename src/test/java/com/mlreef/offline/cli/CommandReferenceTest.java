package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/commands/ is what the commands' help says: a command or option added, changed or removed without the reference
 * regenerated fails here. With {@code -Ddocs.write=true} (scripts/docs.sh) it writes the reference instead.
 */
class CommandReferenceTest {
    private static final Path FOLDER = Path.of(CommandReference.FOLDER);

    @Test
    void theReferenceIsWhatTheCommandsSay() throws IOException {
        Map<String, String> files = CommandReference.files();
        if (Boolean.getBoolean("docs.write")) {
            write(files);
        }
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = FOLDER.resolve(file.getKey());
            if (!Files.exists(path) || !Files.readString(path, StandardCharsets.UTF_8).equals(file.getValue())) {
                differ.add(path + (Files.exists(path) ? " differs" : " is missing"));
            }
        }
        for (Path stale : markdown()) {
            if (!files.containsKey(stale.getFileName().toString())) {
                differ.add(stale + " is no command's");
            }
        }
        assertEquals(List.of(), differ, "the command reference is out of date with the commands' help: run "
                + CommandReference.REGENERATE + " and commit " + FOLDER);
    }

    @Test
    void everyCommandHasItsPageWithoutColoursOrLongLines() {
        Map<String, String> files = CommandReference.files();
        for (String page : List.of("mlreef-offline.md", "run.md", "doctor.md", "status.md", "stack-show.md")) {
            assertTrue(files.containsKey(page), page + " in " + files.keySet());
        }
        files.forEach((name, text) -> {
            assertTrue(!text.contains("\u001b["), name + " has ANSI escapes");
            assertTrue(text.lines().allMatch(line -> line.length() <= 100 || line.startsWith("| ")), name);
        });
        assertTrue(files.get("run.md").contains("-s, --pip-server=PIP_SERVER"), files.get("run.md"));
    }

    private static void write(Map<String, String> files) throws IOException {
        Files.createDirectories(FOLDER);
        for (Path stale : markdown()) {
            if (!files.containsKey(stale.getFileName().toString())) {
                Files.delete(stale);
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(FOLDER.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
    }

    private static List<Path> markdown() throws IOException {
        if (!Files.isDirectory(FOLDER)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(FOLDER)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList();
        }
    }
}

package com.mlreef.offline.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/stack-files.md has a row for each key the readers take or name as Compose's, and no other. */
class StackFilesDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_-]+)` \\|", Pattern.MULTILINE);

    @Test
    void theReferenceListsTheKeysTheReadersTake() throws Exception {
        String doc = Files.readString(Path.of("docs/stack-files.md"));
        Set<String> documented = new TreeSet<>();
        Matcher m = ROW.matcher(doc);
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> keys = new LinkedHashSet<>(List.of("name", "version", "services", "volumes", "networks",
                "x-offline"));
        keys.addAll(StackReader.UNSUPPORTED.keySet());
        Stream.of(ServiceReader.KEYS, ServiceOptions.KEYS, EngineSettings.KEYS, ComposeKeys.KEYS,
                List.copyOf(ServiceOptions.INSTEAD.keySet())).forEach(keys::addAll);
        assertEquals(new TreeSet<>(keys), documented, "docs/stack-files.md's tables and the readers' keys differ");
        for (String line : doc.split("\n")) {
            if (line.startsWith("| `")) {
                for (String cell : line.split("\\|")) {
                    assertEquals(true, cell.length() < 200, "a cell under 200 characters: " + cell);
                }
            }
        }
    }
}

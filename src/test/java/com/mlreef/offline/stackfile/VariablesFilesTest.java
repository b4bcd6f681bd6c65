package com.mlreef.offline.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * run --env-file: files of the offline host read instead of the project's .env, as Compose's --env-file (the
 * environment wins, a later file wins over an earlier one); and the labels that record them for the later commands.
 */
class VariablesFilesTest {
    @TempDir
    Path dir;

    private StackDocument document() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve(".env"), "PASSWORD=from-dotenv\nHOST=dotenv.example\n");
        Path file = project.resolve("compose.yaml");
        Files.writeString(file, """
                name: vars
                services:
                  app:
                    image: busybox
                    environment:
                      PASSWORD: ${PASSWORD}
                      HOST: ${HOST:-none}
                      URL: ${URL:-none}
                """);
        return StackDocument.load(file, w -> { });
    }

    private static Map<String, String> environment(StackDocument document, Map<String, String> env) {
        return document.resolve(env, w -> { }).services().get("app").environment();
    }

    @Test
    void withoutFilesTheProjectsDotenvGivesTheValues() throws Exception {
        Map<String, String> env = environment(document(), Map.of());
        assertEquals("from-dotenv", env.get("PASSWORD"));
        assertEquals("dotenv.example", env.get("HOST"));
    }

    @Test
    void filesReplaceTheDotenvALaterOneWinsAndTheEnvironmentWinsOverAll() throws Exception {
        Path first = Files.writeString(dir.resolve("first.env"), "PASSWORD=first\nHOST=first.example\n");
        Path second = Files.writeString(dir.resolve("second.env"), "PASSWORD=second\nURL=http://${HOST}/\n");
        StackDocument document = document().withVariablesFiles(List.of(first, second));
        Map<String, String> env = environment(document, Map.of());
        assertEquals("second", env.get("PASSWORD"));
        assertEquals("first.example", env.get("HOST"));
        assertEquals("http://first.example/", env.get("URL"), "a value takes an earlier file's");
        Map<String, String> withEnvironment = environment(document, Map.of("PASSWORD", "exported", "HOST", "h"));
        assertEquals("exported", withEnvironment.get("PASSWORD"));
        assertEquals("http://h/", withEnvironment.get("URL"), "the environment wins in a file's values too");
        Map<String, String> alone = environment(document().withVariablesFiles(List.of(second)), Map.of());
        assertEquals("none", alone.get("HOST"), "the project's .env is not read besides the files");
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        Path missing = dir.resolve("nowhere.env");
        StackDocument document = document().withVariablesFiles(List.of(missing));
        assertEquals("--env-file: " + missing + " does not exist", assertThrows(StackFileException.class,
                () -> document.resolve(Map.of(), w -> { })).getMessage());
    }

    @Test
    void theFilesAreKeptWhenTheProjectFolderChanges() throws Exception {
        Path file = Files.writeString(dir.resolve("op.env"), "PASSWORD=op\n");
        StackDocument document = document().withVariablesFiles(List.of(file))
                .withProject(ProjectFolder.of(dir), null);
        assertEquals("op", environment(document, Map.of()).get("PASSWORD"));
    }

    @Test
    void theLabelsRecordTheFolderAndFilesAndAreReadBackFromTheNewestContainer() {
        Path folder = Path.of("/srv/app");
        List<Path> files = List.of(Path.of("/etc/a.env"), Path.of("/etc/b.env"));
        Map<String, String> labels = StackLabels.Recorded.labels(folder, files);
        assertEquals(Map.of(StackLabels.FOLDER_LABEL, "/srv/app", StackLabels.ENV_FILES_LABEL,
                "/etc/a.env\n/etc/b.env"), labels);
        assertEquals(Map.of(), StackLabels.Recorded.labels(null, List.of()), "the defaults need no label");
        StackLabels.Recorded read = StackLabels.Recorded.of(List.of(Map.of(StackLabels.SERVICE_LABEL, "pip"),
                labels, Map.of(StackLabels.FOLDER_LABEL, "/old")));
        assertEquals(new StackLabels.Recorded(folder, files), read);
        assertEquals(new StackLabels.Recorded(null, List.of()), StackLabels.Recorded.of(List.of(
                Map.of(StackLabels.SERVICE_LABEL, "app"))));
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static com.mlreef.offline.testing.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What run records about a stack's folder and variables, and the commands after it read back: a --project-dir that
 * status, run again and down use without being told; --env-file on the offline host (the environment winning over
 * it); down naming the unnamed volumes it leaves; and down --volumes, which removes a stack folder run made and keeps
 * one that was there before.
 */
class StackFolderIT {
    private static DockerClient engine;
    private static Created created;
    private static String image;

    @TempDir
    Path tmp;

    private String stack;
    private final List<String> leftVolumes = new ArrayList<>();

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        image = TestImages.busybox(engine, created, "folder");
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @AfterEach
    void down() throws Exception {
        if (stack != null) {
            CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        }
        for (String volume : leftVolumes) {
            docker("volume", "rm", "-f", volume);
        }
    }

    /**
     * A project whose stack needs RUNSIDE_PASSWORD (no file of the bundle gives it), takes RUNSIDE_GREETING from its
     * .env, mounts a carried file and has an anonymous volume; exported into a bundle.
     */
    private Path bundle() throws Exception {
        stack = "runside-" + UUID.randomUUID().toString().substring(0, 8);
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("compose.yaml"), """
                name: %s
                services:
                  app:
                    image: %s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    volumes:
                      - ./conf/app.conf:/etc/app.conf:ro
                      - /var/lib/cache
                    environment:
                      PASSWORD: ${RUNSIDE_PASSWORD:?give it with --env-file}
                      GREETING: ${RUNSIDE_GREETING}
                  web:
                    image: %s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                """.formatted(stack, image, image));
        Files.createDirectories(project.resolve("conf"));
        Files.writeString(project.resolve("conf/app.conf"), "listen 80\n");
        Files.writeString(project.resolve(".env"), "RUNSIDE_GREETING=hello from dotenv\n");
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result export = CliProcess.run(Map.of("RUNSIDE_PASSWORD", "online"), "export", "-q", "--no-pull",
                "-f", project.resolve("compose.yaml").toString(), "-o", bundle.toString());
        assertEquals(0, export.exit(), export.toString());
        return bundle;
    }

    /** The value the container was given for {@code variable} (null when it has none). */
    private String env(String variable) throws Exception {
        String lines = docker("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}", stack + "-app");
        return lines.lines().filter(l -> l.startsWith(variable + "=")).map(l -> l.substring(variable.length() + 1))
                .findFirst().orElse(null);
    }

    private String label(String label) throws Exception {
        return docker("inspect", "-f", "{{index .Config.Labels \"" + label + "\"}}", stack + "-app").strip();
    }

    @Test
    void theFolderAndVariablesFilesRunWasGivenAreUsedByTheCommandsAfterIt() throws Exception {
        Path bundle = bundle();
        Path folder = Files.createDirectories(tmp.resolve("srv/app")); // the operator's, there before run
        Files.writeString(folder.resolve("notes.txt"), "mine\n");
        Path secrets = Files.writeString(tmp.resolve("secrets.env"), "RUNSIDE_PASSWORD=offline\n");

        CliProcess.Result refused = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir",
                folder.toString());
        assertEquals(2, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("give it with --env-file"), refused.err());

        CliProcess.Result run = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir",
                folder.toString(), "--env-file", secrets.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals("offline", env("PASSWORD"));
        assertEquals("", env("GREETING"), "--env-file is read instead of the bundle's .env, as in Compose");
        assertEquals(folder.toString(), label(StackLabels.FOLDER_LABEL));
        assertEquals(secrets.toString(), label(StackLabels.ENV_FILES_LABEL));
        assertEquals("listen 80", docker("exec", stack + "-app", "cat", "/etc/app.conf").strip());

        // status -d reads the stack as run did: its folder's files and the --env-file it was given
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "-d", bundle.toString());
        assertEquals(0, status.exit(), status.toString());
        docker("rm", "-f", stack + "-app");
        CliProcess.Result missing = CliProcess.run(Map.of(), "status", "-d", bundle.toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.out().contains(stack + "-app") && missing.out().contains("missing"), missing.out());

        // run again without --project-dir: the recorded folder; the environment wins over the file
        CliProcess.Result again = CliProcess.run(Map.of("RUNSIDE_PASSWORD", "exported"), "run", "-d",
                bundle.toString(), "--env-file", secrets.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains("stack folder " + folder + ", as the last run's --project-dir"), again.err());
        assertEquals("exported", env("PASSWORD"));
        assertEquals(folder.toString(), label(StackLabels.FOLDER_LABEL));

        // a run that forgets --env-file is told what changes
        CliProcess.Result forgot = CliProcess.run(Map.of("RUNSIDE_PASSWORD", "exported"), "run", "-d",
                bundle.toString(), "--dry-run");
        assertEquals(0, forgot.exit(), forgot.toString());
        assertTrue(forgot.err().contains("the last run of stack " + stack + " read its variables from --env-file "
                + secrets + "; this one from the project's variables file (.env)"), forgot.err());

        // down --volumes removes the stack's data, but not a folder that was there before run
        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, down.exit(), down.toString());
        assertTrue(down.err().contains("kept the stack folder " + folder + ": it was there before run"), down.err());
        assertEquals("mine\n", Files.readString(folder.resolve("notes.txt")));
        assertTrue(Files.isRegularFile(folder.resolve("conf/app.conf")));
        stack = null;
    }

    @Test
    void downRemovesAFolderRunMadeOnlyWithVolumesAndNamesTheUnnamedVolumesItLeaves() throws Exception {
        Path bundle = bundle();
        Path folder = tmp.resolve("made-by-run/" + stack);
        Path secrets = Files.writeString(tmp.resolve("secrets.env"), "RUNSIDE_PASSWORD=p\n");
        CliProcess.Result run = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir",
                folder.toString(), "--env-file", secrets.toString());
        assertEquals(0, run.exit(), run.toString());
        String unnamed = docker("inspect", "-f",
                "{{range .Mounts}}{{if eq .Destination \"/var/lib/cache\"}}{{.Name}}{{end}}{{end}}", stack + "-app")
                .strip();
        assertTrue(unnamed.matches("[0-9a-f]{64}"), unnamed);
        docker("exec", stack + "-app", "sh", "-c", "echo data > /var/lib/cache/mark");

        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack);
        assertEquals(0, down.exit(), down.toString());
        leftVolumes.add(unnamed);
        assertTrue(down.err().contains("warning: kept the unnamed volume of " + stack + "-app at /var/lib/cache,"
                + " which run does not use again ('docker volume rm " + unnamed + "' deletes it)"), down.err());
        assertEquals(unnamed, docker("volume", "inspect", "-f", "{{.Name}}", unnamed).strip(), "kept");
        Path record = ProjectFolder.STACKS.resolve(stack + ".project-dir");
        assertTrue(down.err().contains("kept the stack folder " + folder + " with the stack's files (the next run"
                + " uses it again, as recorded in " + record), down.err());
        assertTrue(Files.isDirectory(folder));
        assertEquals(folder + "\n", Files.readString(record));

        // the containers that recorded the folder are gone: run finds it in the record and says so, and down
        // --volumes, not given it, finds it on the new containers and removes it, as run made it
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--env-file",
                secrets.toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.err().contains("stack folder " + folder + ", as an earlier run's --project-dir (recorded in "
                + record), again.err());
        assertEquals(folder.toString(), label(StackLabels.FOLDER_LABEL));
        // without a terminal to ask on, the volumes go once the stack's name is typed, the folder stays
        Path answer = Files.writeString(tmp.resolve("answer"), stack + "\n");
        CliProcess.Result asked = CliProcess.runIn(null, answer, List.of(), Map.of(), "down", "--stack", stack,
                "--volumes");
        assertEquals(0, asked.exit(), asked.toString());
        assertTrue(asked.err().contains("kept the stack folder " + folder + " (no terminal to ask; --yes removes it)"),
                asked.err());
        assertTrue(Files.isDirectory(folder));
        assertEquals(0, CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir", folder.toString(),
                "--env-file", secrets.toString()).exit());
        CliProcess.Result volumes = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, volumes.exit(), volumes.toString());
        assertTrue(volumes.err().contains("removed the stack folder " + folder), volumes.err());
        assertFalse(Files.exists(folder));
        assertFalse(Files.exists(record), "down --volumes forgets the stack's folder");
        stack = null;
    }
}

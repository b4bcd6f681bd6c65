package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static com.mlreef.offline.testing.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Compose project as it ships (relative bind mounts of a file, a folder with a link and a read-only file, an env
 * file, a .env, a secret and a config from files) exported on one host, its folder deleted, and run from the bundle
 * alone: the container sees the files, modes, owners and variables the project folder held. Then an operator's edit
 * in the stack folder meets a bundle that changed the same file.
 */
class ProjectFilesIT {
    private static DockerClient engine;
    private static Created created;
    private static String image;

    @TempDir
    Path tmp;

    private String stack;
    /** The value of the stack's secret from a variable: it must be set for export and run. */
    private static final Map<String, String> TOKEN = Map.of("API_TOKEN", "token");

    @BeforeAll
    static void images() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        image = TestImages.busybox(engine, created, "files");
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
    }

    /** The project: every kind of file a stack references, with modes and owners of its own. */
    private Path project() throws Exception {
        stack = TestEngine.unique("files").replace("mlro-test-", "mlrof");
        Path p = Files.createDirectories(tmp.resolve("checkout"));
        Files.writeString(p.resolve("compose.yaml"), """
                name: %s
                services:
                  app:
                    image: %s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    volumes:
                      - ./conf/app.conf:/etc/app.conf:ro
                      - ./site:/site
                    env_file:
                      - app.env
                      - {path: ./optional.env, required: false}
                    environment:
                      GREETING: ${GREETING}
                    secrets: [db_password, api_token]
                    configs:
                      - {source: site_conf, target: /etc/site.conf}
                      - {source: motd, target: /etc/motd}
                secrets:
                  db_password: {file: ./secrets/db.txt}
                  api_token: {environment: API_TOKEN}
                configs:
                  site_conf: {file: conf/site.conf}
                  motd:
                    content: |
                      motd ${GREETING}
                """.formatted(stack, image));
        Files.createDirectories(p.resolve("conf"));
        write(p.resolve("conf/app.conf"), "listen 80\n", "rw-r-----", 1234, 2345);
        write(p.resolve("conf/site.conf"), "site v1\n", "rw-r--r--", 0, 0);
        Files.createDirectories(p.resolve("site/sub"));
        write(p.resolve("site/sub/page.txt"), "page\n", "rw-rw-r--", 1000, 1000);
        write(p.resolve("site/run.sh"), "#!/bin/sh\necho hi\n", "rwxr-xr-x", 33, 33);
        Files.createSymbolicLink(p.resolve("site/link"), Path.of("sub/page.txt"));
        Files.setPosixFilePermissions(p.resolve("site/sub"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setAttribute(p.resolve("site/sub"), "unix:uid", 1000);
        write(p.resolve("app.env"), "# app settings\nexport DB_HOST=db\nQUOTED='a $b'\nFROM_DOTENV=${GREETING}-x\n",
                "rw-------", 0, 0);
        write(p.resolve(".env"), "GREETING=hello from dotenv\n", "rw-------", 0, 0);
        Files.createDirectories(p.resolve("secrets"));
        write(p.resolve("secrets/db.txt"), "s3cret\n", "rw-------", 999, 999);
        return p;
    }

    private static void write(Path file, String text, String mode, int uid, int gid) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        Files.setAttribute(file, "unix:uid", uid);
        Files.setAttribute(file, "unix:gid", gid);
    }

    /** What the container must see at each path: the project file's mode, owner and content. */
    private static Map<String, String> expected(Path p) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("/etc/app.conf", describe(p.resolve("conf/app.conf")));
        files.put("/etc/site.conf", describe(p.resolve("conf/site.conf")));
        files.put("/run/secrets/db_password", describe(p.resolve("secrets/db.txt")));
        try (Stream<Path> tree = Files.walk(p.resolve("site"))) {
            for (Path f : (Iterable<Path>) tree.sorted()::iterator) {
                files.put("/site" + (f.equals(p.resolve("site")) ? "" : "/" + p.resolve("site").relativize(f)),
                        describe(f));
            }
        }
        return files;
    }

    private static String describe(Path f) throws Exception {
        Map<String, Object> a = Files.readAttributes(f, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        String kind = Files.isSymbolicLink(f) ? "link " + Files.readSymbolicLink(f)
                : Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + Files.readString(f).strip();
        int mode = Files.isSymbolicLink(f) ? 0777 : (Integer) a.get("mode") & 07777;
        return Integer.toOctalString(mode) + " " + a.get("uid") + ":" + a.get("gid") + " " + kind;
    }

    /** The same, as the container sees it (busybox stat, readlink, cat through docker exec). */
    private String seen(String container, String path) throws Exception {
        String stat = docker("exec", container, "stat", "-c", "%a %u:%g %F", path).strip();
        String[] parts = stat.split(" ", 3);
        String kind = parts[2].equals("symbolic link") ? "link " + docker("exec", container, "readlink", path).strip()
                : parts[2].equals("directory") ? "dir" : "file " + docker("exec", container, "cat", path).strip();
        return parts[0] + " " + parts[1] + " " + kind;
    }

    @Test
    void theBundleAloneRunsTheProjectAsItsFolderHeldIt() throws Exception {
        Path checkout = project();
        Map<String, String> want = expected(checkout);
        Path bundle = tmp.resolve("bundle");
        CliProcess.Result export = CliProcess.run(Map.of("API_TOKEN", "online-token"), "export", "--no-pull", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", bundle.toString());
        assertEquals(0, export.exit(), export.toString());
        assertTrue(export.err().contains("carried from " + checkout.toRealPath()), export.err());
        assertTrue(export.err().contains("secrets/db.txt (secret)") && export.err().contains("app.env (env file)")
                && export.err().contains(".env (dotenv)") && export.err().contains("site"), export.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                bundle.resolve("project.tar"))));
        assertTrue(Files.readString(bundle.resolve("SHA256SUMS")).contains("  project.tar\n"));
        CliProcess.Result verify = CliProcess.run(TOKEN, "verify", "-d", bundle.toString());
        assertEquals(0, verify.exit(), verify.toString());

        // the offline host: no project folder, only the bundle
        Path elsewhere = tmp.resolve("checkout-gone");
        Files.move(checkout, elsewhere);
        Path stackDir = tmp.resolve("stacks/" + stack);
        CliProcess.Result run = CliProcess.run(Map.of("API_TOKEN", "offline-token"), "run", "-d", bundle.toString(),
                "--project-dir", stackDir.toString());
        assertEquals(0, run.exit(), run.toString());
        String container = stack + "-app";
        for (Map.Entry<String, String> file : want.entrySet()) {
            assertEquals(file.getValue(), seen(container, file.getKey()), file.getKey());
        }
        String env = docker("exec", container, "env");
        assertTrue(env.contains("DB_HOST=db\n") && env.contains("QUOTED=a $b\n")
                && env.contains("FROM_DOTENV=hello from dotenv-x\n") && env.contains("GREETING=hello from dotenv\n"),
                env);
        assertTrue(docker("inspect", "-f", "{{json .Mounts}}", container).contains("\"RW\":false"));
        assertTrue(Files.isRegularFile(stackDir.resolve(CarriedState.FILE_NAME)));
        // a secret from a variable and a config written inline: this host's values, never shown or kept elsewhere
        assertEquals("600 0:0 file offline-token", seen(container, "/run/secrets/api_token"));
        assertEquals("644 0:0 file motd hello from dotenv", seen(container, "/etc/motd"));
        String bundleJson = Files.readString(bundle.resolve("bundle.json"));
        String labels = docker("inspect", "-f", "{{json .Config.Labels}}", container);
        for (String text : List.of(run.out(), run.err(), bundleJson, labels)) {
            assertFalse(text.contains("offline-token") || text.contains("online-token"), text);
        }

        // a second run changes nothing
        CliProcess.Result again = CliProcess.run(Map.of("API_TOKEN", "offline-token"), "run", "-d", bundle.toString(), "--project-dir",
                stackDir.toString(), "--dry-run");
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.out().contains(stackDir.toString()), again.out());
        assertFalse(again.out().contains("replace"), again.out());

        // a changed value replaces the container that mounts it
        CliProcess.Result planned = CliProcess.run(Map.of("API_TOKEN", "rotated-token"), "run", "-d",
                bundle.toString(), "--project-dir", stackDir.toString(), "--dry-run");
        assertEquals(0, planned.exit(), planned.toString());
        assertTrue(planned.out().contains("write secret " + stackDir + "/.mlreef-offline-written/secrets/api_token"),
                planned.out());
        assertFalse(planned.out().contains("rotated-token") || planned.err().contains("rotated-token"), planned.out());
        CliProcess.Result rotated = CliProcess.run(Map.of("API_TOKEN", "rotated-token"), "run", "-d",
                bundle.toString(), "--project-dir", stackDir.toString());
        assertEquals(0, rotated.exit(), rotated.toString());
        assertEquals("600 0:0 file rotated-token", seen(container, "/run/secrets/api_token"));
        CliProcess.Result unset = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--project-dir",
                stackDir.toString(), "--dry-run");
        assertNotEquals(0, unset.exit(), unset.toString());
        assertTrue(unset.err().contains("the secret api_token takes its value from API_TOKEN, which is not set"),
                unset.toString());
        // commands that write no secret do not need its value
        CliProcess.Result verified = CliProcess.run(Map.of(), "verify", "-d", bundle.toString());
        assertEquals(0, verified.exit(), verified.toString());
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "-d", bundle.toString());
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("running"), status.out());
    }

    @Test
    void anEditOnTheOfflineHostIsNotLostToANewBundle() throws Exception {
        Path checkout = project();
        Path bundle = tmp.resolve("bundle-1");
        assertEquals(0, CliProcess.run(TOKEN, "export", "-q", "--no-pull", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", bundle.toString()).exit());
        Path stackDir = tmp.resolve("stacks/" + stack);
        CliProcess.Result first = CliProcess.run(TOKEN, "run", "-d", bundle.toString(), "--project-dir",
                stackDir.toString());
        assertEquals(0, first.exit(), first.toString());

        // the operator edits two carried files; the next bundle changes one of them
        Files.writeString(stackDir.resolve("conf/site.conf"), "site edited here\n");
        Files.writeString(stackDir.resolve("conf/app.conf"), "listen 8080\n");
        Files.writeString(checkout.resolve("conf/site.conf"), "site v2\n");
        Path bundle2 = tmp.resolve("bundle-2");
        assertEquals(0, CliProcess.run(TOKEN, "export", "-q", "--no-pull", "-f",
                checkout.resolve("compose.yaml").toString(), "-o", bundle2.toString()).exit());

        CliProcess.Result plan = CliProcess.run(TOKEN, "run", "-d", bundle2.toString(), "--project-dir",
                stackDir.toString(), "--dry-run");
        assertEquals(0, plan.exit(), plan.toString());
        assertTrue(plan.out().contains("replace file " + stackDir + "/conf/site.conf, edited here and changed by the"
                + " bundle (needs --yes"), plan.out());
        assertTrue(plan.out().contains("keep file " + stackDir + "/conf/app.conf as edited here"), plan.out());

        CliProcess.Result refused = CliProcess.run(TOKEN, "run", "-d", bundle2.toString(), "--project-dir",
                stackDir.toString());
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("edited in the stack folder and changed by the bundle: " + stackDir
                + "/conf/site.conf; nothing was changed"), refused.err());
        assertEquals("site edited here\n", Files.readString(stackDir.resolve("conf/site.conf")));

        CliProcess.Result yes = CliProcess.run(TOKEN, "run", "-d", bundle2.toString(), "--project-dir",
                stackDir.toString(), "--yes");
        assertEquals(0, yes.exit(), yes.toString());
        String date = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        Path kept = stackDir.resolve("conf/site.conf.local-" + date);
        assertTrue(yes.err().contains("the edited copy is " + kept), yes.err());
        assertEquals("site edited here\n", Files.readString(kept));
        assertEquals("site v2\n", Files.readString(stackDir.resolve("conf/site.conf")));
        assertEquals("listen 8080\n", Files.readString(stackDir.resolve("conf/app.conf")), "the other edit is kept");
        assertTrue(yes.err().contains("kept " + stackDir.resolve("conf/app.conf") + " as edited here"), yes.err());
        assertEquals("site v2", docker("exec", stack + "-app", "cat", "/etc/site.conf").strip());
        assertEquals("listen 8080", docker("exec", stack + "-app", "cat", "/etc/app.conf").strip());
    }

    /**
     * A stack file in a subfolder of its project ({@code docker/compose.yaml}) that references files beside that
     * folder: export carries them from the project's folder, and run puts them into the default stack folder as they
     * lay there, the stack file's paths resolved against its place in it.
     */
    @Test
    void aStackFileInASubfolderCarriesTheFilesAboveIt() throws Exception {
        stack = TestEngine.unique("above").replace("mlro-test-", "mlroa");
        Path p = Files.createDirectories(tmp.resolve("project"));
        Path docker = Files.createDirectories(p.resolve("docker"));
        Files.writeString(docker.resolve("compose.yaml"), """
                name: %s
                services:
                  app:
                    image: %s
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    volumes:
                      - ../conf:/conf:ro
                      - ./local.txt:/local.txt:ro
                    env_file: ../common.env
                    environment:
                      FROM_DOTENV: ${FROM_DOTENV}
                    secrets:
                      - s
                secrets:
                  s:
                    file: ../secrets/s.txt
                """.formatted(stack, image));
        Files.createDirectories(p.resolve("conf/sub"));
        write(p.resolve("conf/app.conf"), "listen 80\n", "rw-r-----", 1234, 2345);
        write(p.resolve("conf/sub/more.conf"), "more\n", "rw-r--r--", 0, 0);
        write(p.resolve("common.env"), "COMMON=from common.env\nREF=${FROM_DOTENV}-ref\n", "rw-------", 0, 0);
        write(p.resolve("docker/.env"), "FROM_DOTENV=dotenv beside the stack file\n", "rw-------", 0, 0);
        write(docker.resolve("local.txt"), "beside the stack file\n", "rw-r--r--", 0, 0);
        Files.createDirectories(p.resolve("secrets"));
        write(p.resolve("secrets/s.txt"), "above s3cret\n", "rw-------", 999, 999);
        Files.writeString(p.resolve("not-referenced.txt"), "never carried\n");
        Map<String, String> want = new LinkedHashMap<>();
        want.put("/conf/app.conf", describe(p.resolve("conf/app.conf")));
        want.put("/conf/sub/more.conf", describe(p.resolve("conf/sub/more.conf")));
        want.put("/local.txt", describe(docker.resolve("local.txt")));
        want.put("/run/secrets/s", describe(p.resolve("secrets/s.txt")));

        Path bundle = tmp.resolve("bundle");
        CliProcess.Result export = CliProcess.run(Map.of(), "export", "--no-pull", "-f",
                docker.resolve("compose.yaml").toString(), "-o", bundle.toString());
        assertEquals(0, export.exit(), export.toString());
        assertTrue(export.err().contains("carried from " + p.toAbsolutePath().normalize() + " into "), export.err());
        assertTrue(export.err().contains("the stack file's folder is docker in it"), export.err());
        String bundleJson = Files.readString(bundle.resolve("bundle.json"));
        assertTrue(bundleJson.contains("\"subpath\" : \"docker\"") && bundleJson.contains("\"envFile\" : \"docker/.env\"")
                && !bundleJson.contains("not-referenced"), bundleJson);
        CliProcess.Result verify = CliProcess.run(Map.of(), "verify", "-d", bundle.toString());
        assertEquals(0, verify.exit(), verify.toString());

        // the offline host: the project folder is gone, the bundle alone runs the stack in the default stack folder
        deleteTree(p);
        Path stackDir = com.mlreef.offline.stackfile.ProjectFolder.STACKS.resolve(stack);
        CliProcess.Result run = CliProcess.run(Map.of(), "run", "-d", bundle.toString());
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.err().contains("stack folder " + stackDir + " (the default"), run.err());
        String container = stack + "-app";
        for (Map.Entry<String, String> file : want.entrySet()) {
            assertEquals(file.getValue(), seen(container, file.getKey()), file.getKey());
        }
        String env = docker("exec", container, "env");
        assertTrue(env.contains("COMMON=from common.env\n") && env.contains("REF=dotenv beside the stack file-ref\n")
                && env.contains("FROM_DOTENV=dotenv beside the stack file\n"), env);
        assertEquals("listen 80\n", Files.readString(stackDir.resolve("conf/app.conf")));
        assertTrue(Files.isRegularFile(stackDir.resolve("docker/local.txt"))
                && Files.isRegularFile(stackDir.resolve("secrets/s.txt")), "the files lie as they lay in the project");
        assertTrue(docker("inspect", "-f", "{{json .Mounts}}", container).contains("\"Source\":\"" + stackDir
                + "/conf\""));

        // a second run changes nothing; an operator's edit is kept and named, and replaces the container that
        // mounts it; status and down find the stack folder
        CliProcess.Result again = CliProcess.run(Map.of(), "run", "-d", bundle.toString(), "--dry-run");
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.out().contains("replace") || again.out().contains(stackDir.toString()), again.out());
        Files.writeString(stackDir.resolve("conf/app.conf"), "listen 8080\n");
        CliProcess.Result edited = CliProcess.run(Map.of(), "run", "-d", bundle.toString());
        assertEquals(0, edited.exit(), edited.toString());
        assertTrue(edited.err().contains("kept " + stackDir.resolve("conf/app.conf") + " as edited here"),
                edited.err());
        assertEquals("listen 8080", docker("exec", container, "cat", "/conf/app.conf").strip());
        CliProcess.Result status = CliProcess.run(Map.of(), "status", "-d", bundle.toString());
        assertEquals(0, status.exit(), status.toString());
        CliProcess.Result down = CliProcess.run(Map.of(), "down", "--stack", stack, "--volumes", "--yes");
        assertEquals(0, down.exit(), down.toString());
        assertFalse(Files.exists(stackDir), "down --volumes removes the stack folder run made");
        stack = null;
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path f : (Iterable<Path>) tree.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}

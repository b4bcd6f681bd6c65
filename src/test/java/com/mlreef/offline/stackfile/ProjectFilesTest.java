package com.mlreef.offline.stackfile;

import com.mlreef.offline.stackfile.CarriedFile.Use;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relative paths, env files, secrets and configs of a stack file, resolved against its project folder. */
class ProjectFilesTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private StackSpec load(String yaml, Map<String, String> env) throws Exception {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, yaml);
        return StackFile.load(file, env, warnings::add).spec();
    }

    private String failure(String yaml) {
        return assertThrows(StackFileException.class, () -> load(yaml, Map.of())).getMessage();
    }

    @Test
    void relativePathsAreNormalizedAsComposeDoesAndMayLeadAboveTheFolder() {
        assertEquals("a", ProjectPaths.normalized("./a", "w"));
        assertEquals("b/c", ProjectPaths.normalized("a/../b/./c/", "w"));
        assertEquals(".", ProjectPaths.normalized(".", "w"));
        assertEquals("../data", ProjectPaths.normalized("../data", "w"));
        assertEquals("../b", ProjectPaths.normalized("a/../../b", "w"));
        assertEquals("../../y", ProjectPaths.normalized("./x/../../../y/z/..", "w"));
        assertEquals("..", ProjectPaths.normalized("../x/..", "w"));
        assertEquals(2, ProjectPaths.above("../../y"));
        assertEquals(0, ProjectPaths.above("y/.."));
        assertTrue(assertThrows(StackFileException.class, () -> ProjectPaths.normalized("/etc/app", "x")).getMessage()
                .contains("not a path relative"));
        assertTrue(assertThrows(StackFileException.class, () -> ProjectPaths.normalized("a\\b", "x")).getMessage()
                .contains("has a character a carried path cannot have"));
        assertTrue(ProjectPaths.isRelative("./a") && ProjectPaths.isRelative("a/b") && ProjectPaths.isRelative(".."));
        assertTrue(!ProjectPaths.isRelative("data") && !ProjectPaths.isRelative("/abs") && !ProjectPaths.isRelative("~/x"));
    }

    @Test
    void bindSourcesResolveAgainstTheStackFilesFolderAndAreListedToCarry() throws Exception {
        StackSpec spec = load("services:\n  web:\n    image: busybox:1\n    volumes:\n"
                + "      - ./conf/app.conf:/etc/app.conf:ro\n      - site/html:/www\n      - /var/log:/host-log\n"
                + "      - {type: bind, source: data, target: /data}\n", Map.of());
        Service web = spec.services().get("web");
        Path root = dir.toAbsolutePath().normalize();
        assertEquals(List.of(root + "/conf/app.conf", root + "/site/html", "/var/log", root + "/data"),
                web.mounts().stream().map(MountSpec::source).toList());
        assertTrue(web.mounts().get(0).readOnly());
        assertEquals(List.of("conf/app.conf", "site/html", "data"), spec.carried().stream().map(CarriedFile::path)
                .toList());
        assertEquals(root, spec.project());
        String toRoot = "./a/../" + "../".repeat(root.getNameCount()) + "etc";
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['" + toRoot + ":/x']\n")
                .contains("services.web.volumes (line 4): '" + toRoot + "' leads up to / (the filesystem root) from "
                        + root + ", and export carries from the folder that holds the stack file's folder and every"
                        + " relative path, which cannot be /"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['~other/x:/x']\n")
                .contains("'~other/x:/x': ~USER is not taken"));
    }

    @Test
    void aHomeFolderSourceIsTheHomeOfWhoReadsTheStackAndIsNotCarried() throws Exception {
        StackSpec spec = load("services:\n  web:\n    image: busybox:1\n    volumes:\n      - ~/.app/conf:/conf:ro\n"
                + "      - ~:/home/me\n      - {type: bind, source: ~/data, target: /data}\n", Map.of("HOME", "/home/op/"));
        assertEquals(List.of("/home/op/.app/conf", "/home/op", "/home/op/data"),
                spec.services().get("web").mounts().stream().map(MountSpec::source).toList());
        assertTrue(spec.services().get("web").mounts().get(0).readOnly());
        assertEquals(List.of(), spec.carried());
        String jvmHome = System.getProperty("user.home");
        assertEquals(jvmHome + "/x", load("services:\n  web:\n    image: busybox:1\n    volumes: ['~/x:/x']\n",
                Map.of()).services().get("web").mounts().get(0).source().replace("//", "/"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes:\n"
                + "      - {type: volume, source: ~/x, target: /x}\n").contains("a volume is named, not a path"));
    }

    @Test
    void envFilesFollowComposeEnvironmentWinsAndAMissingOptionalOneIsSkipped() throws Exception {
        Files.writeString(dir.resolve("app.env"), "# comment\nexport A=1\nB = 'lit $X'\nC=\"x\\ny ${A}\"\n"
                + "D=plain # note\nFROM_HOST\nE=${UNSET:-dflt}\n\n");
        Files.writeString(dir.resolve("more.env"), "A=2\n");
        StackSpec spec = load("services:\n  web:\n    image: busybox:1\n    env_file:\n      - app.env\n"
                + "      - path: ./more.env\n      - {path: missing.env, required: false}\n"
                + "    environment: {D: over}\n", Map.of("FROM_HOST", "h"));
        assertEquals(Map.of("A", "2", "B", "lit $X", "C", "x\ny 1", "D", "over", "FROM_HOST", "h", "E", "dflt"),
                spec.services().get("web").environment());
        assertEquals(List.of(new CarriedFile("app.env", Use.ENV_FILE, "services.web.env_file[0]", true),
                new CarriedFile("more.env", Use.ENV_FILE, "services.web.env_file[1]", true),
                new CarriedFile("missing.env", Use.ENV_FILE, "services.web.env_file[2]", false)), spec.carried());
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    env_file: nope.env\n")
                .contains("env file " + dir.toAbsolutePath().normalize().resolve("nope.env") + " does not exist"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    env_file: /etc/app.env\n")
                .contains("a path of this host, which a bundle does not carry"));
    }

    @Test
    void secretsAndConfigsFromFilesAreMountedReadOnlyWhereComposeMountsThem() throws Exception {
        StackSpec spec = load("services:\n  web:\n    image: busybox:1\n    secrets: [db_password, {source: api,"
                + " target: api.key}]\n    configs: [site, {source: site, target: /etc/site.conf}]\n"
                + "secrets:\n  db_password: {file: ./secrets/db.txt}\n  api: {file: api.txt}\n"
                + "configs:\n  site: {file: conf/site.conf}\n", Map.of());
        Path root = dir.toAbsolutePath().normalize();
        assertEquals(List.of(root + "/secrets/db.txt:/run/secrets/db_password:ro", root + "/api.txt:/run/secrets/api.key:ro",
                root + "/conf/site.conf:/site:ro", root + "/conf/site.conf:/etc/site.conf:ro"),
                spec.services().get("web").mounts().stream().map(MountSpec::bind).toList());
        assertEquals(List.of(Use.SECRET, Use.SECRET, Use.CONFIG), spec.carried().stream().map(CarriedFile::use)
                .toList());
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    secrets: [nope]\n")
                .contains("'nope' is not declared under the top-level secrets"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\nsecrets:\n  s: {external: true}\n")
                .contains("secrets.s.external: not supported"));
    }

    @Test
    void environmentSecretsAndContentConfigsAreWrittenFromTheVariablesAndMountedAsFileOnes() throws Exception {
        String yaml = "services:\n  web:\n    image: busybox:1\n    secrets: [db, {source: db, target: db.txt}]\n"
                + "    configs: [{source: site, target: /etc/site.conf}, greeting]\n"
                + "secrets:\n  db: {environment: DB_PASSWORD}\n"
                + "configs:\n  site:\n    content: |\n      host=${SITE_HOST}\n      port=80\n"
                + "  greeting: {environment: GREETING}\n";
        StackSpec spec = load(yaml, Map.of("DB_PASSWORD", "s3cret-value", "SITE_HOST", "example.invalid",
                "GREETING", "hello"));
        Path written = dir.toAbsolutePath().normalize().resolve(".mlreef-offline-written");
        assertEquals(List.of(written + "/secrets/db:/run/secrets/db:ro", written + "/secrets/db:/run/secrets/db.txt:ro",
                written + "/configs/site:/etc/site.conf:ro", written + "/configs/greeting:/greeting:ro"),
                spec.services().get("web").mounts().stream().map(MountSpec::bind).toList());
        assertEquals(List.of(), spec.carried(), "nothing of the project folder is carried for them");
        assertEquals(List.of("s3cret-value true", "host=example.invalid\nport=80\n false", "hello false"),
                spec.written().stream().map(w -> w.text() + " " + w.secret()).toList());
        assertTrue(!spec.toString().contains("s3cret-value"), spec.toString());
        Files.writeString(dir.resolve("compose.yaml"), yaml);
        String shown = StackDocument.load(dir.resolve("compose.yaml"), warnings::add)
                .resolvedText(Map.of("DB_PASSWORD", "s3cret-value", "SITE_HOST", "h", "GREETING", "hello"), w -> { });
        assertTrue(!shown.contains("s3cret-value") && shown.contains("environment: DB_PASSWORD"), shown);
        assertTrue(warnings.stream().noneMatch(w -> w.contains("s3cret-value")), warnings.toString());
    }

    @Test
    void anUnsetVariableOfASecretIsOneProblemNamingTheSecretAndTheVariable() {
        String message = failure("services:\n  web:\n    image: busybox:1\n    secrets: [db]\n  worker:\n"
                + "    image: busybox:1\n    secrets: [db]\nsecrets:\n  db:\n    environment: DB_PASSWORD\n");
        assertEquals(dir.resolve("compose.yaml") + ": secrets.db.environment: the secret db takes its value from"
                + " DB_PASSWORD, which is not set (line 10)", message);
    }

    @Test
    void aCommandThatWritesNoSecretReadsOneOfAnUnsetVariableAsEmpty() throws Exception {
        Path file = dir.resolve("compose.yaml");
        Files.writeString(file, "services:\n  web:\n    image: busybox:1\n    secrets: [db]\n"
                + "secrets:\n  db:\n    environment: DB_PASSWORD\n");
        StackSpec spec = StackDocument.load(file, warnings::add).withoutWrittenValues().resolve(Map.of(), w -> { });
        assertEquals(List.of("busybox:1"), spec.images());
        assertEquals(List.of(""), spec.written().stream().map(StackSpec.WrittenFile::text).toList());
        StackSpec withFiles = StackDocument.load(file, warnings::add).withoutWrittenValues()
                .withVariablesFiles(List.of()).resolve(Map.of(), w -> { });
        assertEquals(List.of(""), withFiles.written().stream().map(StackSpec.WrittenFile::text).toList(),
                "kept by the other with-methods");
        assertThrows(StackFileException.class, () -> StackDocument.load(file, warnings::add).resolve(Map.of(), w -> { }),
                "run, which writes it, still refuses it");
    }

    @Test
    void aRefusedSecretOrConfigIsNotReportedAgainForEachServiceThatUsesIt() {
        String message = failure("services:\n  web:\n    image: busybox:1\n    secrets: [s]\n    configs: [c]\n"
                + "  db:\n    image: busybox:1\n    secrets: [s]\n    configs: [c, nope]\n"
                + "secrets:\n  s: {external: true}\nconfigs:\n  c: {file: c.txt, content: x}\n");
        assertTrue(message.contains("secrets.s.external: not supported"), message);
        assertTrue(message.contains("configs.c: gives both file and content"), message);
        assertTrue(message.contains("'nope' is not declared under the top-level configs"), message);
        assertTrue(!message.contains("'s' is not declared") && !message.contains("'c' is not declared"), message);
        assertTrue(failure("services:\n  web:\n    image: busybox:1\nsecrets:\n  s: {content: x}\n")
                .contains("secrets.s.content: not supported"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\nconfigs:\n  c: {environment: 'A B'}\n")
                .contains("configs.c.environment: 'A B' is not a variable's name"));
    }
}

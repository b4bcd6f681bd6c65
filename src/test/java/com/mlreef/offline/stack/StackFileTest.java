package com.mlreef.offline.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.stack.StackSpec.MountSpec;
import com.mlreef.offline.stack.StackSpec.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackFileTest {
    private final List<String> warnings = new ArrayList<>();

    private StackSpec parse(String yaml, Map<String, String> env) {
        return StackFile.parse(yaml, "stack.yaml", "test", env, warnings::add);
    }

    private String failure(String yaml) {
        return assertThrows(StackFileException.class, () -> parse(yaml, Map.of())).getMessage();
    }

    @Test
    void theDefaultStackIsEverythingTheOriginalInstallerDidWithItsDefectsFixed() {
        StackSpec stack = StackFile.parse(StackFile.defaultText(), "the default stack", "x",
                Map.of("PIP_SERVER", "http://172.18.0.1:8080/simple"), warnings::add);
        assertEquals("mlreef", stack.name());
        assertEquals(List.of("registry.gitlab.com/mlreef/mlreef:latest",
                "registry.gitlab.com/mlreef/mlreef/experiment:master", "registry.gitlab.com/mlreef/mlreef/epf:master",
                "registry.gitlab.com/mlreef/devops/k8s-images/publishing-base-docker:latest", "docker:19.03.12-dind",
                "alpine:latest"), stack.images());
        assertEquals("mlreef.tar", stack.files().get("registry.gitlab.com/mlreef/mlreef:latest"));
        assertEquals("docker-dind.tar", stack.files().get("docker:19.03.12-dind"));
        Service mlreef = stack.services().get("mlreef");
        assertEquals("mlreef", mlreef.containerName("mlreef"));
        assertEquals("unless-stopped", mlreef.restart());
        // ssh, nginx, backend, registry, GitLab, Postgres, and the network, as the original installer had them
        assertEquals(List.of(2022, 80, 8081, 5050, 10080, 6000),
                stack.publishedPorts().stream().map(StackSpec.PortSpec::hostPort).toList());
        assertEquals(List.of("mlreef-docker-network"), mlreef.networks());
        assertEquals("mlreef-docker-network", stack.networks().get("mlreef-docker-network").name());
        assertEquals(List.of("/var/run/docker.sock", "mlreef-opt", "mlreef-etc", "mlreefdb-opt"),
                mlreef.mounts().stream().map(MountSpec::source).toList());
        assertEquals(MountSpec.Kind.BIND, mlreef.mounts().get(0).kind());
        assertEquals(Map.of("OFFLINE_MODE", "true", "PIP_SERVER", "http://172.18.0.1:8080/simple"), mlreef.environment());
        assertEquals("Gitlab is ready", mlreef.ready().log());
        assertEquals(Duration.ofMinutes(15), mlreef.ready().timeout());
        assertEquals(List.of(List.of("/assets/offline-setup")), mlreef.afterReady());
        assertEquals(List.of(), warnings);
    }

    @Test
    void aFileWithoutANameNamesTheStackAfterItself() {
        assertEquals("demo-stack", StackFile.nameFromFile(java.nio.file.Path.of("/srv/Demo Stack.yaml")));
        assertEquals("stack", StackFile.nameFromFile(java.nio.file.Path.of("/srv/.yml")));
        assertEquals("billing", StackFile.nameFromFile(java.nio.file.Path.of("/srv/Billing/compose.yaml")),
                "Compose's own file names take the folder's name, as Compose does");
        assertEquals("web-app", StackFile.nameFromFile(java.nio.file.Path.of("/srv/web.app/docker-compose.yml")));
        assertEquals("mlreef", StackFile.load(null, Map.of(), warnings::add).spec().name());
    }

    @Test
    void aDotEnvBesideTheStackFileIsNamedAsNotRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("stack.yaml");
        java.nio.file.Files.writeString(file, "services:\n  a:\n    image: busybox:1\n");
        StackFile.load(file, Map.of(), warnings::add);
        assertEquals(List.of(), warnings);
        java.nio.file.Files.writeString(dir.resolve(".env"), "TAG=1\n");
        StackFile.load(file, Map.of(), warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith(dir.resolve(".env") + " is not read"), warnings.toString());
    }

    @Test
    void interpolationFollowsCompose() {
        Interpolation i = new Interpolation(Map.of("SET", "value", "EMPTY", ""), warnings::add);
        assertEquals("value", i.apply("${SET}", "w"));
        assertEquals("value/x", i.apply("$SET/x", "w"));
        assertEquals("fallback", i.apply("${EMPTY:-fallback}", "w"));
        assertEquals("", i.apply("${EMPTY-fallback}", "w"));
        assertEquals("fallback", i.apply("${UNSET-fallback}", "w"));
        assertEquals("a-value-b", i.apply("a-${UNSET:-${SET}}-b", "w"));
        assertEquals("$HOME and $1", i.apply("$$HOME and $$1", "w"));
        assertEquals("", i.apply("${UNSET}", "w"));
        assertEquals(List.of("w: UNSET is not set; using an empty value"), warnings);
        StackFileException required = assertThrows(StackFileException.class, () -> i.apply("${UNSET:?give the pip URL}", "w"));
        assertEquals("w: UNSET must be set: give the pip URL", required.getMessage());
        assertEquals("w: UNSET must name the server", assertThrows(StackFileException.class,
                () -> i.apply("${UNSET?UNSET must name the server}", "w")).getMessage(), "the name is not said twice");
        assertEquals("other", i.apply("${SET:+other}", "w"));
        assertEquals("", i.apply("${EMPTY:+other}", "w"));
        assertEquals("other", i.apply("${EMPTY+other}", "w"));
        assertEquals("", i.apply("${UNSET+other}", "w"));
        assertThrows(StackFileException.class, () -> i.apply("${SET", "w"));
        assertThrows(StackFileException.class, () -> i.apply("cost: 5$", "w"));
    }

    @Test
    void composeShortSyntaxIsRead() {
        StackSpec stack = parse("""
                services:
                  web:
                    image: 127.0.0.1:5000/demo/web:1
                    command: httpd -f -p 80 -h "/data dir"
                    ports: ["127.0.0.1:8080:80", "9000:9000/udp"]
                    volumes: ["counts:/data:ro"]
                    environment: ["A=1", "B", "C"]
                    healthcheck:
                      test: wget -q -O - http://localhost/
                      interval: 1m30s
                      retries: 3
                    x-offline:
                      ready: {healthcheck: true}
                volumes:
                  counts:
                    name: demo-counts
                """, Map.of("C", "from the host"));
        Service web = stack.services().get("web");
        assertEquals("test", stack.name());
        assertEquals("test-web", web.containerName("test"));
        assertEquals(List.of("httpd", "-f", "-p", "80", "-h", "/data dir"), web.command());
        assertEquals(new StackSpec.PortSpec("127.0.0.1", 8080, 80, "tcp"), web.ports().get(0));
        assertEquals("udp", web.ports().get(1).protocol());
        assertEquals(new MountSpec(MountSpec.Kind.VOLUME, "demo-counts", "/data", true, null), web.mounts().get(0));
        assertEquals("demo-counts:/data:ro", StackRunner.containerSpec(stack, web, "sha256:" + "0".repeat(64), null)
                .hostConfig().binds().get(0), "the container mounts the volume by its name: key");
        // a variable without a value takes the host's, and is left out when the host has none, as in Compose
        assertEquals(Map.of("A", "1", "C", "from the host"), web.environment());
        assertEquals(List.of("CMD-SHELL", "wget -q -O - http://localhost/"), web.healthcheck().test());
        assertEquals(Duration.ofSeconds(90), web.healthcheck().interval());
        assertEquals(List.of("default"), web.networks());
        assertEquals("test_default", stack.networks().get("default").name());
        assertEquals("no", web.restart());
        assertEquals(StackSpec.ReadyRule.DEFAULT_TIMEOUT, web.ready().timeout());
        assertNull(web.ready().log());
    }

    @Test
    void mistakesAreErrorsNamingTheFileAndThePath() {
        assertEquals("stack.yaml: services.web.portz: unknown key (known here: image, container_name, command, ports, "
                + "volumes, environment, networks, restart, healthcheck, labels, x-offline)",
                failure("services:\n  web:\n    image: busybox:1\n    portz: ['80:80']\n"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    x-custom: ok\n    build: .\n")
                .contains("services.web.build: unknown key"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    ports: ['80']\n")
                .contains("'80' is not [HOST_IP:]HOST_PORT:CONTAINER_PORT"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    ports: ['70000:80']\n")
                .contains("ports go from 1 to 65535"));
        assertEquals(80, parse("services:\n  web:\n    image: busybox:1\n    ports: [8080:80]\n", Map.of())
                .services().get("web").ports().get(0).containerPort());
        assertEquals(List.of(new StackSpec.PortSpec("127.0.0.1", 8000, 9000, "udp"),
                new StackSpec.PortSpec("127.0.0.1", 8001, 9001, "udp")), parse("services:\n  web:\n    image: busybox:1\n"
                + "    ports: ['127.0.0.1:8000-8001:9000-9001/UDP']\n", Map.of()).services().get("web").ports(),
                "a range is one port each");
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    ports: ['8000-8002:80-81']\n")
                .contains("the host range and the container range need as many ports"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    ports: ['8002-8000:80-82']\n")
                .contains("from the lower port to the higher one"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['data:/data']\n")
                .contains("volume 'data' is not declared"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['./data:/data']\n")
                .contains("absolute host path"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['/data']\n")
                .contains("anonymous volumes"));
        assertTrue(failure("services:\n  web:\n    image: 'Busy Box'\n").contains("not a valid image reference"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    networks: [other]\n")
                .contains("network 'other' is not declared"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    restart: sometimes\n").contains("restart"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    x-offline:\n      ready: {log: up, http: 'http://x/'}\n")
                .contains("exactly one of"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    x-offline:\n      ready: {log: up, timeout: soon}\n")
                .contains("not a duration"));
        assertTrue(failure("x-offline:\n  files:\n    busybox:1: ../escape.tar\nservices:\n  web:\n    image: busybox:1\n")
                .contains("not a plain file name"));
        assertTrue(failure("x-offline:\n  files:\n    other:1: other.tar\nservices:\n  web:\n    image: busybox:1\n")
                .contains("neither runs nor lists"));
        assertTrue(failure("x-offline:\n  files:\n    busybox:1: b.tar.partial\nservices:\n  web:\n    image: busybox:1\n")
                .contains("export's name for a file it is still writing"));
        assertTrue(failure("x-offline:\n  images: [busybox:2]\n  files:\n    busybox:1: B.tar\n    busybox:2: b.tar\n"
                + "services:\n  web:\n    image: busybox:1\n").contains("differ only in case"));
        assertTrue(failure("services: {}\n").contains("at least one service"));
        assertTrue(failure("services:\n  web: [\n").contains("not valid YAML"));
        assertTrue(failure("- just\n- a list\n").contains("expected a mapping with 'services'"));
    }

    @Test
    void yamlIsReadAsComposeReadsIt() {
        StackSpec stack = parse("""
                x-common: &common
                  image: busybox:1
                  restart: no
                  environment:
                    YES_NO: yes
                    OCTAL: 010
                    VERSION: 1.10
                    QUOTED: "1.10"
                    TRUE: True
                    TIME: 22:22
                    NOTHING: ~
                services:
                  a:
                    <<: *common
                    restart: "on-failure:3"
                  b:
                    <<: *common
                """, Map.of());
        Service a = stack.services().get("a");
        Service b = stack.services().get("b");
        assertEquals("busybox:1", b.image());
        assertEquals("no", b.restart());
        assertEquals("on-failure:3", a.restart(), "the mapping's own keys win over merged ones");
        assertEquals(Map.of("YES_NO", "yes", "OCTAL", "10", "VERSION", "1.1", "QUOTED", "1.10", "TRUE", "true",
                "TIME", "22:22"), b.environment(), "YAML 1.2 as Compose reads it; a null value without a host variable is"
                + " left out");
        assertEquals(new com.mlreef.offline.docker.model.ContainerSpec.RestartPolicy("on-failure", 3),
                StackRunner.restartPolicy(a.restart()));
        assertEquals(new com.mlreef.offline.docker.model.ContainerSpec.RestartPolicy("no", null),
                StackRunner.restartPolicy(b.restart()));

        assertEquals("stack.yaml: services.a.image: given twice (line 4)",
                failure("services:\n  a:\n    image: busybox:1\n    image: busybox:2\n"));
        assertTrue(failure("x-a: &a {restart: always}\nx-b: &b {command: [sh]}\nservices:\n  a:\n    <<: *a\n"
                + "    <<: *b\n    image: busybox:1\n").startsWith("stack.yaml: services.a.<<: given twice (line 6)"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n---\nservices: {}\n")
                .contains("more than one YAML document (a second begins on line 5)"));
        assertTrue(failure("x: &a\n  b: *a\nservices:\n  a:\n    image: busybox:1\n").contains("x.b: an alias that"
                + " contains itself"));
        StringBuilder laughs = new StringBuilder("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
            laughs.append("l").append(i).append(": &l").append(i).append(" [").append(("*l" + (i - 1) + ", ").repeat(9))
                    .append("*l").append(i - 1).append("]\n");
        }
        assertTrue(failure("x-" + laughs.toString().replace("\nl", "\nx-l") + "services: {}\n")
                .contains("once aliases are expanded"));
        assertEquals("busybox:1", parse("services:\n  a:\n    image: busybox:1\n---\n", Map.of()).services().get("a")
                .image(), "an empty document after a trailing --- is no second document");
        String tab = failure("services:\n\ta:\n");
        assertTrue(tab.startsWith("stack.yaml is not valid YAML: ") && tab.endsWith("(line 2, column 1)")
                && !tab.contains("\n"), tab);
    }

    @Test
    void servicesCannotCollide() {
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports: ['8080:80']\n  b:\n    image: busybox:1\n"
                + "    ports: ['127.0.0.1:8080:81']\n").contains("services.b.ports: host port 8080/tcp is also published by"
                + " service a"));
        parse("services:\n  a:\n    image: busybox:1\n    ports: ['8080:80']\n  b:\n    image: busybox:1\n"
                + "    ports: ['8080:80/udp']\n", Map.of());
        parse("services:\n  a:\n    image: busybox:1\n    ports: ['127.0.0.1:8080:80']\n  b:\n    image: busybox:1\n"
                + "    ports: ['127.0.0.2:8080:80']\n", Map.of());
        parse("services:\n  a:\n    image: busybox:1\n    ports: ['0.0.0.0:8080:80']\n  b:\n    image: busybox:1\n"
                + "    ports: ['[::]:8080:80']\n", Map.of());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports: ['0.0.0.0:8080:80']\n  b:\n"
                + "    image: busybox:1\n    ports: ['10.0.0.1:8080:80']\n").contains("also published by service a"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    container_name: same\n  b:\n    image: busybox:1\n"
                + "    container_name: same\n").contains("services.b.container_name: 'same' is also the container name of"
                + " service a"));
    }

    @Test
    void portsAndDurationsAreChecked() {
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports: ['999.1.1.1:8080:80']\n")
                .contains("'999.1.1.1' is not an IP address"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports: ['[1:2::3::4]:8080:80']\n")
                .contains("is not an IP address"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports: ['99999999999:80']\n")
                .contains("is not [HOST_IP:]HOST_PORT:CONTAINER_PORT"));
        for (String ok : List.of("::1", "::", "fe80::1:2", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "1::")) {
            assertTrue(StackFile.isIpv6(ok), ok);
        }
        for (String bad : List.of("1:2:3:4:5:6:7", ":1", "1:::2", "1::2::3", "12345::1", "::ffff:300.0.0.1", "g::1")) {
            assertTrue(!StackFile.isIpv6(bad), bad);
        }
        assertEquals(Duration.ofMinutes(90), StackFile.parseDuration("1h30m"));
        assertEquals(Duration.ofSeconds(45), StackFile.parseDuration("45"));
        assertEquals(Duration.ofMillis(1500), StackFile.parseDuration("1.5s"));
        assertNull(StackFile.parseDuration("9999999999h"));
        assertNull(StackFile.parseDuration("31d"), "not a unit");
        assertNull(StackFile.parseDuration("721h"), "more than 30 days");
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    restart: 'on-failure:99999999999'\n")
                .contains("restart"));
        assertEquals("data:/d:ro,z", parse("services:\n  a:\n    image: busybox:1\n    volumes: ['data:/d:ro,z',"
                + " '/srv:/srv:Z']\nvolumes:\n  data: {}\n", Map.of()).services().get("a").mounts().get(0).bind());
        StackSpec.Service long1 = parse("services:\n  a:\n    image: busybox:1\n    ports:\n"
                + "      - {target: 80, published: '8080', host_ip: '::1', protocol: udp}\n"
                + "      - {target: 90, published: 9090}\n    volumes:\n"
                + "      - {type: volume, source: data, target: /d, read_only: true}\n"
                + "      - {type: bind, source: /srv, target: /srv, bind: {selinux: z}}\n"
                + "volumes:\n  data: {}\n", Map.of()).services().get("a");
        assertEquals(List.of(new StackSpec.PortSpec("::1", 8080, 80, "udp"), new StackSpec.PortSpec("", 9090, 90, "tcp")),
                long1.ports(), "the long syntax reads as the short one");
        assertEquals(List.of("data:/d:ro", "/srv:/srv:z"), long1.mounts().stream().map(MountSpec::bind).toList());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    volumes:\n      - {type: tmpfs, target: /t}\n")
                .contains("'tmpfs' is not volume or bind"));
        assertEquals(List.of(List.of("sh", "-c", "echo done > /x")), parse("services:\n  a:\n    image: busybox:1\n"
                + "    x-offline:\n      after-ready:\n        - sh -c 'echo done > /x'\n", Map.of()).services()
                .get("a").afterReady(), "an after-ready command as a line, split as command's is");
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    x-offline:\n      after-ready: [[]]\n")
                .contains("expected a command"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    ports:\n      - {target: 80}\n")
                .contains("a port needs target (the container's) and published (the host's)"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    volumes: ['/srv:/srv:ro,rw']\n")
                .contains("the mode is ro or rw, and z or Z"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    volumes: ['/a:/x', '/b:/x']\n")
                .contains("two mounts at /x"));
        assertEquals("test_default", parse("services:\n  a:\n    image: busybox:1\n    networks: [default, back]\n"
                + "networks:\n  back: {}\n", Map.of()).networks().get("default").name(),
                "the default network needs no declaration, as in Compose");
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    environment: ['=foo']\n")
                .contains("'=foo' has no name"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    healthcheck: {test: [RUN, x]}\n")
                .contains("healthcheck.test: expected a command"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    healthcheck: {test: [CMD-SHELL]}\n")
                .contains("healthcheck.test: expected a command"));
        assertEquals(List.of(), parse("services:\n  a:\n    image: busybox:1\n    healthcheck: {interval: 5s}\n",
                Map.of()).services().get("a").healthcheck().test(), "without a test, the image's runs");
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    healthcheck: {disable: true}\n"
                + "    x-offline:\n      ready: {healthcheck: true}\n").contains("disables its healthcheck"));
        // without a healthcheck of its own, the service may rely on its image's HEALTHCHECK (run checks that one)
        assertTrue(StackFile.parse("services:\n  a:\n    image: busybox:1\n    x-offline:\n"
                + "      ready: {healthcheck: true}\n", "t.yaml", "t", Map.of(), w -> { }).services().get("a").ready()
                .healthcheck());
    }
}

package com.mlreef.offline.stackfile;

import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.NetworkCreate;
import com.mlreef.offline.run.StackRunner;
import com.mlreef.offline.stackfile.StackSpec.MountSpec;
import com.mlreef.offline.stackfile.StackSpec.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


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
    void aDotEnvBesideTheStackFileGivesVariablesTheEnvironmentOverrides(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("stack.yaml");
        java.nio.file.Files.writeString(file, "services:\n  a:\n    image: busybox:${TAG:-0}\n");
        assertEquals("busybox:0", StackFile.load(file, Map.of(), warnings::add).spec().services().get("a").image());
        java.nio.file.Files.writeString(dir.resolve(".env"), "TAG=1\n");
        StackSpec spec = StackFile.load(file, Map.of(), warnings::add).spec();
        assertEquals("busybox:1", spec.services().get("a").image());
        assertEquals(List.of(new CarriedFile(".env", CarriedFile.Use.DOTENV, "the variables file", false)),
                spec.carried());
        assertEquals("busybox:2", StackFile.load(file, Map.of("TAG", "2"), warnings::add).spec().services().get("a")
                .image());
        assertEquals(List.of(), warnings);
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
        assertEquals("cost: 5$", i.apply("cost: 5$", "w"), "a lone $ is kept, as in Compose");
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
        assertEquals("stack.yaml: services.web.portz: unknown key; did you mean ports? (line 4)",
                failure("services:\n  web:\n    image: busybox:1\n    portz: ['80:80']\n"));
        assertEquals("stack.yaml: services.web.Container-Name: unknown key; did you mean container_name? (line 4)",
                failure("services:\n  web:\n    image: busybox:1\n    Container-Name: w\n"));
        assertEquals("stack.yaml: services.web.no_such_key: unknown key ('mlreef-offline stack show --help' lists the"
                + " keys a service takes) (line 4)", failure("services:\n  web:\n    image: busybox:1\n    no_such_key: {}\n"));
        assertEquals("stack.yaml: volumes.data.size: unknown key (known here: name, external, labels, driver,"
                + " driver_opts) (line 5)", failure("services:\n  web:\n    image: busybox:1\nvolumes:\n  data: {size: 1g}\n"));
        assertEquals("stack.yaml: services.web.extends: not supported: write the service out in full (line 5)",
                failure("services:\n  web:\n    image: busybox:1\n    x-custom: ok\n    extends: {service: x}\n"));
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
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['../data:/data']\n")
                .contains("'../data' leads above the stack folder"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    volumes: ['/a:/b:/c:/d']\n")
                .contains("is not SOURCE:TARGET[:ro] or an anonymous volume's /PATH"));
        assertTrue(failure("services:\n  web:\n    image: 'Busy Box'\n").contains("not a valid image reference"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    networks: [other]\n")
                .contains("network 'other' is not declared"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    restart: sometimes\n").contains("restart"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    x-offline:\n      ready: {log: up, http: 'http://x/'}\n")
                .contains("give one of log, healthcheck: true, http"));
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    x-offline:\n      ready: {log: up, timeout: soon}\n")
                .contains("not a duration"));
        assertTrue(failure("x-offline:\n  files:\n    busybox:1: ../escape.tar\nservices:\n  web:\n    image: busybox:1\n")
                .contains("not a plain file name"));
        assertTrue(failure("x-offline:\n  files:\n    other:1: other.tar\nservices:\n  web:\n    image: busybox:1\n")
                .contains("neither runs nor lists"));
        assertTrue(failure("x-offline:\n  files:\n    busybox:1: b.tar.partial\nservices:\n  web:\n    image: busybox:1\n")
                .contains("export's name for a file it is still writing"));
        assertTrue(failure("x-offline:\n  images: [busybox:2]\n  files:\n    busybox:1: B.tar\n    busybox:2: b.tar\n"
                + "services:\n  web:\n    image: busybox:1\n").contains("busybox:1 and busybox:2 share the file name b.tar"));
        assertTrue(failure("x-offline:\n  files:\n    busybox:1: " + "n".repeat(201) + ".tar\nservices:\n  web:\n"
                + "    image: busybox:1\n").contains("a name of 205 characters; at most 200"));
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

    @Test
    void composeContainerSettingsReachTheEngineAsItNamesThem() throws Exception {
        StackSpec stack = parse("""
                services:
                  a:
                    image: busybox:1
                    entrypoint: /bin/sh -c
                    working_dir: /srv
                    user: "1000:1000"
                    hostname: a-host.example
                    extra_hosts: ["registry.local:10.1.2.3", "v6=::1", "gw:host-gateway"]
                    privileged: true
                    init: false
                    cap_add: [net_admin, CAP_SYS_TIME]
                    cap_drop: [ALL]
                    shm_size: 64m
                    mem_limit: 1.5gb
                    cpus: "0.25"
                    stop_grace_period: 1m30s
                    logging:
                      driver: local
                      options: {max-size: 10m, max-file: 3}
                    tmpfs: [/run, "/tmp:size=8m,mode=1777"]
                    expose: [9000, "7000-7001/udp"]
                    ulimits:
                      nproc: 65535
                      nofile: {soft: 20000, hard: 40000}
                """, Map.of());
        Service a = stack.services().get("a");
        StackSpec.ContainerOptions o = a.options();
        assertEquals(List.of("/bin/sh", "-c"), o.entrypoint());
        assertEquals(List.of("registry.local:10.1.2.3", "v6:::1", "gw:host-gateway"), o.extraHosts());
        assertEquals(List.of("NET_ADMIN", "CAP_SYS_TIME"), o.capAdd());
        assertEquals(64L << 20, o.shmSize());
        assertEquals(3L << 29, o.memLimit());
        assertEquals(250_000_000L, o.cpus());
        assertEquals(90, o.stopSeconds());
        assertEquals(Boolean.FALSE, o.init());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().setPropertyNamingStrategy(
                com.fasterxml.jackson.databind.PropertyNamingStrategies.UPPER_CAMEL_CASE).writeValueAsString(
                StackRunner.containerSpec(stack, a, "sha256:" + "0".repeat(64), null));
        for (String field : List.of("\"Entrypoint\":[\"/bin/sh\",\"-c\"]", "\"WorkingDir\":\"/srv\"",
                "\"User\":\"1000:1000\"", "\"Hostname\":\"a-host.example\"", "\"StopTimeout\":90",
                "\"ExtraHosts\":[\"registry.local:10.1.2.3\",\"v6:::1\",\"gw:host-gateway\"]",
                "\"Privileged\":true", "\"Init\":false", "\"CapAdd\":[\"NET_ADMIN\",\"CAP_SYS_TIME\"]",
                "\"CapDrop\":[\"ALL\"]", "\"ShmSize\":67108864", "\"Memory\":1610612736", "\"NanoCpus\":250000000",
                "\"LogConfig\":{\"Type\":\"local\",\"Config\":{\"max-file\":\"3\",\"max-size\":\"10m\"}}",
                "\"Tmpfs\":{\"/run\":\"\",\"/tmp\":\"size=8m,mode=1777\"}",
                "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":20000,\"Hard\":40000},"
                        + "{\"Name\":\"nproc\",\"Soft\":65535,\"Hard\":65535}]",
                "\"7000/udp\":{}", "\"7001/udp\":{}", "\"9000/tcp\":{}")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        StackSpec aliased = parse("services:\n  a:\n    image: busybox:1\n    networks:\n      front: {aliases: [web]}\n"
                + "      back:\n        aliases: [api]\nnetworks:\n  front: {}\n  back: {}\n", Map.of());
        ContainerSpec onFront = StackRunner.containerSpec(aliased, aliased.services().get("a"), "sha256:" + "0".repeat(64),
                null);
        assertEquals(List.of("a", "web"), onFront.networkingConfig().endpointsConfig().get("front").aliases());
        assertEquals(List.of("a", "api"), aliased.services().get("a").options().namesOn("back", "a"),
                "the names it is given when connected to its second network");
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    networks:\n      front: {ipv4_address: 10.0.0.2}\n"
                + "networks:\n  front: {}\n").contains("services.a.networks.front.ipv4_address: unknown key"));
        StackSpec host = parse("services:\n  a:\n    image: busybox:1\n    network_mode: host\n", Map.of());
        assertEquals(List.of(), host.services().get("a").networks(), "no network of the stack's");
        assertEquals("host", StackRunner.containerSpec(host, host.services().get("a"), "sha256:" + "0".repeat(64), null)
                .hostConfig().networkMode());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    network_mode: host\n    ports: ['80:80']\n")
                .contains("services.a.ports: a container with network_mode host publishes no ports (it listens on the"
                        + " host's own)"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    network_mode: none\n    networks: [default]\n")
                .contains("a service takes network_mode or networks, not both"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    network_mode: 'service b'\n")
                .contains("'service b' is not host, none, bridge, service:NAME or container:NAME"));
        StackSpec.ContainerOptions compose = parse("services:\n  a:\n    image: busybox:1\n"
                + "    extra_hosts: ['db:10.0.0.1', 'db:fd00::1']\n    mem_limit: 512Mi\n    shm_size: 2GiB\n"
                + "    privileged: yes\n    hostname: my_host\n    logging: {options: {max-size: 1m}}\n"
                + "    ulimits: {nofile: {soft: 1024, hard: -1}}\n    stop_grace_period: 2h\n", Map.of())
                .services().get("a").options();
        assertEquals(List.of("db:10.0.0.1", "db:fd00::1"), compose.extraHosts(), "a name with two addresses");
        assertEquals(512L << 20, compose.memLimit());
        assertEquals(2L << 30, compose.shmSize());
        assertEquals(Boolean.TRUE, compose.privileged(), "yes, as Compose reads it");
        assertEquals("my_host", compose.hostname());
        assertNull(compose.logging().driver(), "without a driver, the engine's default takes the options");
        assertEquals(new StackSpec.Ulimit(1024, -1), compose.ulimits().get("nofile"));
        assertEquals(7200, compose.stopSeconds());
        assertEquals(List.of(), parse("services:\n  a:\n    image: busybox:1\n    entrypoint: []\n", Map.of())
                .services().get("a").options().entrypoint(), "an empty entrypoint runs without the image's");
    }

    @Test
    void composeKeysThatAreOneEngineFieldEachReachTheEngineUnderItsNames() throws Exception {
        StackSpec stack = parse("""
                services:
                  a:
                    image: busybox:1
                    tty: true
                    stdin_open: yes
                    stop_signal: SIGQUIT
                    domainname: example.com
                    mac_address: 02:42:ac:11:00:02
                    security_opt: ["no-new-privileges:true", "label:disable", "systempaths=unconfined"]
                    sysctls: [net.core.somaxconn=1024]
                    dns: 10.0.0.53
                    dns_search: [corp.example]
                    dns_opt: ["ndots:2"]
                    read_only: true
                    pid: host
                    ipc: shareable
                    userns_mode: host
                    runtime: runc
                    cgroup_parent: /mlreef
                    cpuset: 0-1
                    devices: ["/dev/fuse", "/dev/null:/dev/xnull:r", {source: /dev/zero, target: /dev/z}]
                    group_add: [audio, 1001]
                    pids_limit: 200
                    cpu_shares: 512
                    oom_score_adj: -500
                    oom_kill_disable: false
                    mem_reservation: 256m
                    memswap_limit: -1
                    storage_opt: {size: 20G}
                    gpus: all
                    cpu_quota: 50000
                    cpu_period: 100000
                    mem_swappiness: 0
                    uts: host
                    cgroup: private
                    device_cgroup_rules: ["c 1:3 mr", "a *:* rwm"]
                  b:
                    image: busybox:1
                    gpus:
                      - {driver: nvidia, device_ids: ["0", "2"], capabilities: [gpu, compute]}
                      - {count: 1}
                """, Map.of());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().setPropertyNamingStrategy(
                com.fasterxml.jackson.databind.PropertyNamingStrategies.UPPER_CAMEL_CASE).writeValueAsString(
                StackRunner.containerSpec(stack, stack.services().get("a"), "sha256:" + "0".repeat(64), null));
        for (String field : List.of("\"Tty\":true", "\"OpenStdin\":true", "\"StopSignal\":\"SIGQUIT\"",
                "\"Domainname\":\"example.com\"", "\"MacAddress\":\"02:42:ac:11:00:02\"",
                "\"SecurityOpt\":[\"no-new-privileges:true\",\"label:disable\"]", "\"MaskedPaths\":[]",
                "\"ReadonlyPaths\":[]",
                "\"Sysctls\":{\"net.core.somaxconn\":\"1024\"}", "\"Dns\":[\"10.0.0.53\"]",
                "\"DnsSearch\":[\"corp.example\"]", "\"DnsOptions\":[\"ndots:2\"]", "\"ReadonlyRootfs\":true",
                "\"PidMode\":\"host\"", "\"IpcMode\":\"shareable\"", "\"UsernsMode\":\"host\"", "\"Runtime\":\"runc\"",
                "\"CgroupParent\":\"/mlreef\"", "\"CpusetCpus\":\"0-1\"",
                "\"Devices\":[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"},"
                        + "{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/xnull\",\"CgroupPermissions\":\"r\"},"
                        + "{\"PathOnHost\":\"/dev/zero\",\"PathInContainer\":\"/dev/z\",\"CgroupPermissions\":\"rwm\"}]",
                "\"GroupAdd\":[\"audio\",\"1001\"]", "\"PidsLimit\":200", "\"CpuShares\":512", "\"OomScoreAdj\":-500",
                "\"OomKillDisable\":false", "\"MemoryReservation\":268435456", "\"MemorySwap\":-1",
                "\"StorageOpt\":{\"size\":\"20G\"}",
                "\"DeviceRequests\":[{\"Driver\":\"\",\"Count\":-1,\"Capabilities\":[[\"gpu\"]]}]",
                "\"CpuQuota\":50000", "\"CpuPeriod\":100000", "\"MemorySwappiness\":0", "\"UTSMode\":\"host\"",
                "\"CgroupnsMode\":\"private\"", "\"DeviceCgroupRules\":[\"c 1:3 mr\",\"a *:* rwm\"]")) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        assertTrue(json.indexOf("\"SecurityOpt\"") > json.indexOf("\"HostConfig\""), "in HostConfig: " + json);
        assertTrue(json.indexOf("\"StopSignal\"") < json.indexOf("\"HostConfig\"")
                || json.indexOf("\"StopSignal\"") > json.lastIndexOf("}}"), "in the body: " + json);
        assertEquals(List.of(
                Map.of("Driver", "nvidia", "Count", 0L, "DeviceIDs", List.of("0", "2"),
                        "Capabilities", List.of(List.of("gpu", "compute"))),
                Map.of("Driver", "", "Count", 1L, "Capabilities", List.of(List.of("gpu")))),
                stack.services().get("b").options().hostConfig().get("DeviceRequests"));
    }

    @Test
    void networksAndVolumesTakeComposesDriverAndAddressSettings() {
        StackSpec stack = parse("""
                services:
                  a:
                    image: busybox:1
                    networks: [back]
                    volumes: ["cache:/cache"]
                networks:
                  back:
                    internal: true
                    attachable: yes
                    labels: [tier=back]
                    driver_opts: {com.docker.network.driver.mtu: 1400}
                    ipam:
                      config:
                        - subnet: 10.20.0.0/16
                          ip_range: 10.20.5.0/24
                          gateway: 10.20.0.1
                          aux_addresses: {printer: 10.20.0.5}
                volumes:
                  cache:
                    driver: local
                    driver_opts: {type: tmpfs, device: tmpfs, o: "size=10m"}
                """, Map.of());
        NetworkCreate back = stack.networks().get("back").create(Map.of("stack", "s"));
        assertEquals(Boolean.TRUE, back.internal());
        assertEquals(Boolean.TRUE, back.attachable());
        assertNull(back.enableIpv6());
        assertEquals(Map.of("tier", "back", "stack", "s"), back.labels());
        assertEquals(Map.of("com.docker.network.driver.mtu", "1400"), back.options());
        assertEquals(List.of(new NetworkCreate.Pool("10.20.0.0/16", "10.20.5.0/24", "10.20.0.1",
                Map.of("printer", "10.20.0.5"))), back.ipam().config());
        StackSpec.VolumeSpec cache = stack.volumes().get("cache");
        assertEquals("local", cache.driver());
        assertEquals(Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=10m"), cache.options());
        NetworkCreate plain = parse("services:\n  a:\n    image: busybox:1\n", Map.of()).networks().get("default")
                .create(Map.of("stack", "s"));
        assertEquals(NetworkCreate.of(plain.name(), "bridge", Map.of("stack", "s")), plain,
                "a network without settings is created as before");
        String a = "services:\n  a:\n    image: busybox:1\n    networks: [n]\nnetworks:\n  n:\n";
        String[][] cases = { // each: what the network adds, and what the error says
            {"    ipam: {config: [{subnet: 10.20.0.0/33}]}\n",
                "networks.n.ipam.config[0].subnet: '10.20.0.0/33' is not an address block"},
            {"    ipam: {config: [{gateway: 10.20.0.1}]}\n",
                "ip_range, gateway and aux_addresses need the subnet they are in"},
            {"    ipam: {config: [{subnet: 10.20.0.0/16, gateway: gw}]}\n",
                "gateway: 'gw' is not an IP address"},
            {"    ipam: {config: [{subnet: 10.20.3.5/16}]}\n",
                "subnet: '10.20.3.5/16' has host bits set; the block starts at 10.20.0.0/16"},
            {"    ipam: {config: [{subnet: 10.20.3.0/24, ip_range: 10.20.5.0/25}]}\n",
                "ip_range: '10.20.5.0/25' is not within subnet 10.20.3.0/24"},
            {"    ipam: {config: [{subnet: 10.20.3.0/24, gateway: 10.20.4.1}]}\n",
                "gateway: '10.20.4.1' is not within subnet 10.20.3.0/24"},
            {"    ipam: {config: [{subnet: 'fd00:1::/64', aux_addresses: {p: 'fd00:2::5'}}]}\n",
                "aux_addresses.p: 'fd00:2::5' is not within subnet fd00:1::/64"},
            {"    ipam: {config: [{subnet: 10.20.3.0/24, gateway: 'fd00::1'}]}\n",
                "is not within subnet"},
            {"    ipam: {config: [{subnet: 10.20.0.0/16, iprange: x}]}\n",
                "ipam.config[0].iprange: unknown key; did you mean ip_range?"},
        };
        for (String[] c : cases) {
            String message = failure(a + c[0]);
            assertTrue(message.contains(c[1]), c[0] + ": " + message);
        }
        assertTrue(failure(a + "    driver: 'my driver'\n").contains("networks.n.driver: 'my driver' is not a driver"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\nvolumes:\n  v:\n    driver_opt: {}\n")
                .contains("volumes.v.driver_opt: unknown key; did you mean driver_opts?"));
    }

    @Test
    void aStackWithoutTheNewerSettingsKeepsItsContainersConfigurationHash() {
        // the hash a container of this service was labelled with before the stack file took depends_on, entrypoint
        // and the others: an upgrade of the tool alone must not replace containers
        StackSpec stack = parse("""
                name: keep
                services:
                  web:
                    image: busybox:1
                    command: [httpd, -f]
                    ports: ["8080:80"]
                    volumes: ["data:/data", "/srv:/srv:ro"]
                    environment: {A: "1"}
                    restart: unless-stopped
                    healthcheck: {test: [CMD, "true"], interval: 5s}
                    labels: {team: ops}
                volumes:
                  data: {}
                """, Map.of());
        assertEquals("d0031c68a73e8732", StackRunner.containerSpec(stack, stack.services().get("web"),
                "sha256:" + "0".repeat(64), null).labels().get(StackLabels.CONFIG_LABEL));
    }

    @Test
    void dependsOnOrdersTheStartAndWaitsAsItsConditionSays() {
        StackSpec stack = parse("""
                services:
                  web:
                    image: busybox:1
                    depends_on:
                      db: {condition: service_healthy}
                      migrate: {condition: service_completed_successfully}
                  migrate:
                    image: busybox:1
                    depends_on: [db]
                  db:
                    image: busybox:1
                  cache:
                    image: busybox:1
                """, Map.of());
        assertEquals(List.of("db", "migrate", "web", "cache"), List.copyOf(stack.services().keySet()),
                "each after what it depends on, otherwise as written");
        assertTrue(stack.services().get("db").ready().healthcheck(), "waited for as healthy");
        assertTrue(stack.services().get("migrate").ready().exited(), "waited for until it exits with 0");
        assertNull(stack.services().get("web").ready());
        assertEquals(Map.of("db", StackSpec.STARTED), stack.services().get("migrate").dependsOn());
        StackSpec twoWaiting = parse("services:\n  a:\n    image: busybox:1\n    depends_on: {db: {condition:"
                + " service_healthy}}\n  b:\n    image: busybox:1\n    depends_on: {db: {condition: service_healthy}}\n"
                + "  db:\n    image: busybox:1\n", Map.of());
        assertEquals(Map.of("db", StackSpec.HEALTHY), twoWaiting.services().get("b").dependsOn(),
                "the rule the first dependent gave db is not db's own");

        String service = "services:\n  a:\n    image: busybox:1\n    depends_on: %s\n%s"
                + "  b:\n    image: busybox:1\n    depends_on: [c]\n  c:\n    image: busybox:1\n    depends_on: [a]\n";
        assertEquals("stack.yaml: services.a.depends_on: a cycle: a -> b -> c -> a (line 4)", failure(service.formatted("[b]", "")));
        assertTrue(failure(service.formatted("[x]", "")).contains("services.a.depends_on: 'x' is not a service of this"
                + " stack"));
        assertTrue(failure(service.formatted("[a]", "")).contains("a service cannot depend on itself"));
        assertTrue(failure(service.formatted("{b: {condition: service_ready}}", "")).contains(
                "services.a.depends_on.b.condition: 'service_ready' is not one of service_started, service_healthy,"
                        + " service_completed_successfully"));
        String two = "services:\n  a:\n    image: busybox:1\n    depends_on: {b: {condition: %s}}\n"
                + "  b:\n    image: busybox:1\n%s";
        assertTrue(failure(two.formatted("service_completed_successfully", "    restart: always\n"))
                .contains("services.a.depends_on.b: b has restart: always, so it never completes"));
        assertTrue(failure(two.formatted("service_completed_successfully", "    x-offline:\n      ready: {log: up}\n"))
                .contains("b's x-offline.ready rule decides when it is ready"));
        StackSpec timed = parse(two.formatted("service_completed_successfully", "    x-offline:\n      ready: {timeout: 20m}\n"),
                Map.of());
        assertEquals(Duration.ofMinutes(20), timed.services().get("b").ready().timeout(), "only a timeout sets the wait");
        assertTrue(timed.services().get("b").ready().exited() && timed.services().get("b").ready().byDependency());
        assertEquals(StackSpec.ReadyRule.DEPENDENCY_TIMEOUT, parse(two.formatted("service_healthy", ""), Map.of())
                .services().get("b").ready().timeout());
        assertTrue(failure("services:\n  x:\n    image: busybox:1\n    depends_on: {job: {condition: service_healthy}}\n"
                + "  y:\n    image: busybox:1\n    depends_on: {job: {condition: service_completed_successfully}}\n"
                + "  job:\n    image: busybox:1\n").contains("services.y.depends_on.job: job is waited for as"
                + " service_completed_successfully here and as service_healthy by x: one service cannot be both"));
        StackSpec optional = parse("services:\n  a:\n    image: busybox:1\n    depends_on:\n"
                + "      gone: {condition: service_started, required: false}\n"
                + "      b: {condition: service_started, restart: true}\n  b:\n    image: busybox:1\n", Map.of());
        assertEquals(Map.of("b", StackSpec.STARTED), optional.services().get("a").dependsOn(),
                "a dependency that is not required may be missing; restart: is accepted");
        assertTrue(failure(two.formatted("service_healthy", "    healthcheck: {disable: true}\n"))
                .contains("b disables its healthcheck, so it never becomes healthy"));
        StackSpec own = parse(two.formatted("service_healthy", "    x-offline:\n      ready: {log: up}\n"), Map.of());
        assertEquals("up", own.services().get("b").ready().log(), "a ready rule of its own is what makes it ready");
        assertEquals(Map.of("b", StackSpec.STARTED), own.services().get("a").dependsOn(),
                "start and restart, which cannot read that rule, only start it first, as run did not check its health");
    }

    @Test
    void containerSettingsThatCannotWorkAreErrorsNamingThem() {
        String a = "services:\n  a:\n    image: busybox:1\n";
        // each: what the service adds, and what the error says
        String[][] cases = {
            {"    working_dir: srv\n", "working_dir: 'srv' is not an absolute path"},
            {"    user: 'a b'\n", "user: 'a b' is not a user"},
            {"    hostname: -bad-\n", "hostname: '-bad-' is not a host name"},
            {"    hostname: " + "h".repeat(65) + "\n", "is not a host name"},
            {"    extra_hosts: [nohost]\n", "'nohost' is not HOST:IP"},
            {"    extra_hosts: ['db:10.0.0.300']\n", "'10.0.0.300' (for db) is not an IP address or host-gateway"},
            {"    cap_add: ['NET ADMIN']\n", "is not a capability name"},
            {"    shm_size: lots\n", "shm_size: 'lots' is not a size"},
            {"    mem_limit: 0\n", "is not a size from 1 byte to 1 PiB"},
            {"    cpus: -1\n", "cpus: '-1' is not a number of CPUs"},
            {"    cpus: 0\n", "is not a number of CPUs"},
            {"    mem_limit: 1m\n", "mem_limit: the engine gives a container at least 6m"},
            {"    privileged: maybe\n", "expected true or false, not 'maybe'"},
            {"    logging: {driver: 'json file'}\n", "is not a log driver name"},
            {"    logging: {type: json-file}\n", "logging.type: unknown key"},
            {"    logging: {driver: none}\n    x-offline:\n      ready: {log: up}\n",
                "x-offline.ready.log: the log rule reads the container's log, which logging driver none does not keep"},
            {"    tmpfs: run\n", "the target must be an absolute path"},
            {"    tmpfs: /data\n    volumes: ['/srv:/data']\n", "two mounts at /data"},
            {"    expose: ['70000']\n", "is not a container port or range"},
            {"    ulimits: {files: 10}\n", "ulimits.files: not a limit the engine sets"},
            {"    ulimits: {nofile: {soft: 10, hard: 5}}\n", "soft 10 is above hard 5"},
            {"    ulimits: {nofile: many}\n", "expected a whole number"},
            {"    healthcheck: {test: [CMD, 'true'], start_interval: 1s}\n",
                "healthcheck.start_interval: not supported: it needs Docker Engine API 1.44"},
            {"    stop_signal: 'SIG TERM'\n", "stop_signal: 'SIG TERM' is not a signal"},
            {"    stop_signal: SIGFOO\n", "stop_signal: 'SIGFOO' is not a signal"},
            {"    network_mode: host\n    mac_address: 02:42:ac:11:00:02\n", "mac_address: a container with"
                + " network_mode host has the host's network"},
            {"    network_mode: host\n    sysctls: [net.core.somaxconn=1024]\n", "sysctls: net.* parameters of a"
                + " container with network_mode host are the host's own"},
            {"    mac_address: 02:42\n", "is not a MAC address"},
            {"    security_opt: [nonsense]\n", "'nonsense' is not a security option"},
            {"    security_opt: ['seccomp:/etc/profile.json']\n", "a seccomp profile file is not carried in the bundle"},
            {"    sysctls: {'Net Core': 1}\n", "is not a kernel parameter"},
            {"    dns: [dns.example]\n", "dns: 'dns.example' is not an IP address"},
            {"    dns_search: ['-x-']\n", "is not a domain name"},
            {"    pid: 'service:b'\n", "pid: 'service:' is not supported: a service's namespace is lost"},
            {"    ipc: 'container:test-b'\n  b:\n    image: busybox:1\n",
                "services.a.ipc: 'container:test-b' joins a container of this stack, which run replaces"},
            {"    ipc: everything\n", "is not host, private, shareable, none or container:NAME"},
            {"    userns_mode: private\n", "userns_mode: 'private' is not host"},
            {"    cpuset: all\n", "is not CPU numbers"},
            {"    devices: [ttyUSB0]\n", "a device is an absolute path on the host"},
            {"    devices: ['/dev/a:/dev/b:rwx']\n", "'rwx' is not device permissions"},
            {"    devices: /dev/fuse\n", "expected a list of HOST_PATH"},
            {"    pids_limit: lots\n", "pids_limit: expected a whole number from -1"},
            {"    oom_score_adj: 2000\n", "from -1000 to 1000, not '2000'"},
            {"    read_only: maybe\n", "expected true or false"},
            {"    memswap_limit: -2\n", "is not a size"},
            {"    memswap_limit: 1g\n", "memswap_limit: needs mem_limit"},
            {"    mem_limit: 1g\n    memswap_limit: 512m\n", "memswap_limit: is memory and swap together: at least"},
            {"    mem_limit: 1g\n    mem_reservation: 2g\n", "mem_reservation: is above mem_limit"},
            {"    security_opt: ['systempaths=strict']\n", "systempaths takes only unconfined"},
            {"    gpus: some\n", "gpus: expected all, or a list"},
            {"    read_only: true\n    x-offline:\n      after-ready: [[setup]]\n",
                "read_only: a read-only container cannot be marked as set up by its after-ready commands"},
            {"    gpus: [{count: 1, device_ids: ['0']}]\n", "count and device_ids cannot be given together"},
            {"    gpus: [{count: 1, kind: x}]\n", "gpus[0].kind: unknown key"},
            {"    links: [db]\n", "'db' is not a service of this stack"},
            {"    platform: linux arm64\n", "is not a platform such as linux/amd64"},
            {"    ipc_mode: host\n", "ipc_mode: unknown key; did you mean ipc?"},
            {"    memswap: 1g\n", "memswap: unknown key; did you mean memswap_limit?"},
            {"    post_start: [{command: x}]\n", "post_start: not supported: give the commands as x-offline"},
            {"    device_cgroup_rules: ['c 1:3']\n", "is not a rule such as 'c 1:3 mr'"},
            {"    mem_swappiness: 101\n", "from 0 to 100"},
        };
        for (String[] c : cases) {
            String message = failure(a + c[0]);
            assertTrue(message.contains(c[1]), c[0] + ": " + message);
        }
    }
}

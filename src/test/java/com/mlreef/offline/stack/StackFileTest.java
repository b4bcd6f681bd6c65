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
        assertEquals(DefaultStack.PORTS, stack.hostPorts());
        assertEquals(List.of(DefaultStack.NETWORK), mlreef.networks());
        assertEquals(DefaultStack.NETWORK, stack.networks().get(DefaultStack.NETWORK).name());
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
        assertEquals("mlreef", StackFile.load(null, Map.of(), warnings::add).spec().name());
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
                    environment: ["A=1", "B"]
                    healthcheck:
                      test: wget -q -O - http://localhost/
                      interval: 1m30s
                      retries: 3
                    x-offline:
                      ready: {healthcheck: true}
                volumes:
                  counts:
                    name: demo-counts
                """, Map.of());
        Service web = stack.services().get("web");
        assertEquals("test", stack.name());
        assertEquals("test-web", web.containerName("test"));
        assertEquals(List.of("httpd", "-f", "-p", "80", "-h", "/data dir"), web.command());
        assertEquals(new StackSpec.PortSpec("127.0.0.1", 8080, 80, "tcp"), web.ports().get(0));
        assertEquals("udp", web.ports().get(1).protocol());
        assertEquals(new MountSpec(MountSpec.Kind.VOLUME, "demo-counts", "/data", true), web.mounts().get(0));
        assertEquals(Map.of("A", "1", "B", ""), web.environment());
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
        assertTrue(failure("services: {}\n").contains("at least one service"));
        assertTrue(failure("services:\n  web: [\n").contains("not valid YAML"));
        assertTrue(failure("- just\n- a list\n").contains("expected a mapping with 'services'"));
    }
}

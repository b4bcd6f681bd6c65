package com.mlreef.offline.stackfile;

import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.run.ContainerSpecFactory;
import com.mlreef.offline.stackfile.StackSpec.PortSpec;
import com.mlreef.offline.stackfile.StackSpec.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compose's constructs that real files use, read as plain docker compose reads them. */
class ComposeConstructsTest {
    private final List<String> warnings = new ArrayList<>();

    private StackSpec parse(String yaml, Map<String, String> env) {
        return StackFile.parse(yaml, "stack.yaml", "app", env, warnings::add);
    }

    private String failure(String yaml) {
        return assertThrows(StackFileException.class, () -> parse(yaml, Map.of())).getMessage();
    }

    private static ContainerSpec container(StackSpec stack, String service) {
        return ContainerSpecFactory.containerSpec(stack, stack.services().get(service), "sha256:1", null);
    }

    @Test
    void anEmptyHostAddressIsEveryAddress() {
        StackSpec stack = parse("services:\n  a:\n    image: busybox:1\n    ports: [':2283:2283', ':53:53/udp']\n"
                + "  b:\n    image: busybox:1\n    ports: [{target: 80, published: 8080, app_protocol: http}]\n",
                Map.of());
        assertEquals(new PortSpec("", 2283, 2283, "tcp"), stack.services().get("a").ports().get(0));
        assertEquals(new PortSpec("", 53, 53, "udp"), stack.services().get("a").ports().get(1));
        assertEquals(new PortSpec("", 8080, 80, "tcp"), stack.services().get("b").ports().get(0));
    }

    @Test
    void aLoneDollarIsKeptAsWritten() {
        StackSpec stack = parse("services:\n  a:\n    image: busybox:1\n    environment:\n"
                + "      PRICE: 5$\n      PS1: '$ '\n      ARG: $1\n      HOME2: $$HOME\n", Map.of());
        assertEquals(Map.of("PRICE", "5$", "PS1", "$ ", "ARG", "$1", "HOME2", "$HOME"),
                stack.services().get("a").environment());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    command: 'echo ${'\n").contains("unclosed ${"));
    }

    @Test
    void scaleAttachPullPolicyAndPlatformAreTaken() {
        parse("services:\n  a:\n    image: busybox:1\n    scale: 1\n    attach: false\n    pull_policy: always\n"
                + "    platform: ''\n  b:\n    image: busybox:1\n    platform: linux/arm64/v8\n"
                + "    pull_policy: every_12h\n", Map.of());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    scale: 3\n")
                .contains("services.a.scale: run starts one container per service: write scale: 1"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    pull_policy: sometimes\n")
                .contains("'sometimes' is not always, never, missing"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    platform: 'linux amd64'\n")
                .contains("is not a platform such as linux/amd64"));
    }

    @Test
    void anonymousVolumesAreNewUnnamedVolumes() {
        StackSpec stack = parse("services:\n  a:\n    image: busybox:1\n    volumes:\n      - /var/lib/x\n"
                + "      - {type: volume, target: /cache}\n      - data:/data:cached\nvolumes:\n  data:\n", Map.of());
        Service a = stack.services().get("a");
        assertEquals(Map.of("/var/lib/x", Map.of(), "/cache", Map.of()), a.options().config().get("Volumes"));
        assertEquals(List.of("data:/data"), a.mounts().stream().map(StackSpec.MountSpec::bind).toList());
        assertEquals(Map.of("/var/lib/x", Map.of(), "/cache", Map.of()), container(stack, "a").more().get("Volumes"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    volumes: ['/x', 'data:/x']\nvolumes:\n  data:\n")
                .contains("two mounts at /x"));
    }

    @Test
    void networkModeServiceSharesTheOtherContainersNetworkAndStartsAfterIt() {
        StackSpec stack = parse("services:\n  app:\n    image: busybox:1\n    network_mode: service:vpn\n"
                + "  vpn:\n    image: busybox:1\n    container_name: the-vpn\n", Map.of());
        assertEquals(List.of("vpn", "app"), List.copyOf(stack.services().keySet()));
        assertEquals("container:the-vpn", container(stack, "app").hostConfig().networkMode());
        assertEquals(Map.of("vpn", StackSpec.STARTED), stack.services().get("app").dependsOn());
        assertTrue(failure("services:\n  app:\n    image: busybox:1\n    network_mode: service:vpn\n"
                + "    hostname: x\n  vpn:\n    image: busybox:1\n").contains("takes that one's hostname"));
        assertTrue(failure("services:\n  app:\n    image: busybox:1\n    network_mode: service:nope\n")
                .contains("'nope' is not a service of this stack"));
    }

    @Test
    void linksNameTheOtherServiceForThisContainerAndStartAfterIt() {
        StackSpec stack = parse("services:\n  web:\n    image: busybox:1\n    links: [db, 'cache:redis']\n"
                + "  db:\n    image: busybox:1\n  cache:\n    image: busybox:1\n", Map.of());
        assertEquals(List.of("db", "cache", "web"), List.copyOf(stack.services().keySet()));
        ContainerSpec web = container(stack, "web");
        assertEquals(List.of("app-db:db", "app-cache:redis"),
                web.networkingConfig().endpointsConfig().get("app_default").links());
        assertNull(container(stack, "db").networkingConfig().endpointsConfig().get("app_default").links());
        assertTrue(failure("services:\n  web:\n    image: busybox:1\n    links: ['a:b:c']\n")
                .contains("'a:b:c' is not SERVICE or SERVICE:ALIAS"));
    }

    @Test
    void profilesChooseTheServicesAsComposeProfilesAndProfileDo() {
        String yaml = "services:\n  web:\n    image: busybox:1\n  debug:\n    image: busybox:1\n    profiles: [dev]\n"
                + "  docs:\n    image: busybox:1\n    profiles: [docs, dev]\n";
        assertEquals(List.of("web"), List.copyOf(parse(yaml, Map.of()).services().keySet()));
        assertEquals(List.of("web", "debug", "docs"), List.copyOf(parse(yaml, Map.of("COMPOSE_PROFILES", "dev"))
                .services().keySet()));
        assertEquals(List.of("web", "docs"), List.copyOf(parse(yaml, Map.of("COMPOSE_PROFILES", "x, docs"))
                .services().keySet()));
        assertEquals(3, parse(yaml, Map.of("COMPOSE_PROFILES", "*")).services().size());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    profiles: [x]\n").contains("--profile"));
    }

    @Test
    void deployIsMappedAsDockerComposeMapsIt() {
        StackSpec stack = parse("""
                services:
                  a:
                    image: busybox:1
                    deploy:
                      replicas: 1
                      restart_policy: {condition: on-failure, max_attempts: 3, delay: 5s}
                      resources:
                        limits: {cpus: '0.5', memory: 512M, pids: 100}
                        reservations:
                          memory: 128m
                          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
                      update_config: {parallelism: 2}
                  b:
                    image: busybox:1
                    restart: unless-stopped
                    deploy: {restart_policy: {condition: any}}
                """, Map.of());
        Service a = stack.services().get("a");
        assertEquals("on-failure:3", a.restart());
        assertEquals(512L << 20, a.options().memLimit());
        assertEquals(500_000_000L, a.options().cpus());
        assertEquals(100L, a.options().hostConfig().get("PidsLimit"));
        assertEquals(128L << 20, a.options().hostConfig().get("MemoryReservation"));
        assertEquals(List.of(Map.of("Driver", "nvidia", "Count", 1L, "Capabilities", List.of(List.of("gpu")))),
                a.options().hostConfig().get("DeviceRequests"));
        assertEquals("unless-stopped", stack.services().get("b").restart(), "restart, given too, wins");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("services.a.deploy.update_config (line 12): ignored"), warnings.toString());
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    deploy: {replicas: 3}\n")
                .contains("services.a.deploy.replicas: run starts one container per service: write replicas: 1"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    deploy: {mode: global}\n")
                .contains("'global' needs Swarm"));
        assertTrue(failure("services:\n  a:\n    image: busybox:1\n    deploy: {resources: {limits: {memory: lots}}}\n")
                .contains("'lots' is not a size"));
    }

    @Test
    void aBuiltServiceIsTaggedAsItsImageOrStackDashService() {
        StackFile.Loaded loaded = StackDocument.of("""
                services:
                  api:
                    build: ./api
                  web:
                    image: registry.example/web:2
                    build:
                      context: web
                      dockerfile: docker/Web.Dockerfile
                      args: {VERSION: '2', FROM_ENV: null}
                      target: runtime
                      cache_from: [registry.example/web:cache]
                """, "stack.yaml", "shop").resolveLoaded(Map.of("FROM_ENV", "set"), warnings::add);
        assertEquals("shop-api", loaded.spec().services().get("api").image());
        assertEquals("registry.example/web:2", loaded.spec().services().get("web").image());
        assertEquals(new StackFile.Build("api", "Dockerfile", Map.of(), null), loaded.builds().get("api"));
        assertEquals(new StackFile.Build("web", "docker/Web.Dockerfile", Map.of("VERSION", "2", "FROM_ENV", "set"),
                "runtime"), loaded.builds().get("web"));
        assertEquals(List.of("shop-api", "registry.example/web:2"), loaded.spec().images());
        assertEquals("docker build -t registry.example/web:2 -f /p/web/docker/Web.Dockerfile --build-arg"
                + " FROM_ENV=set --build-arg VERSION=2 --target runtime /p/web",
                com.mlreef.offline.export.BuiltImages.command("registry.example/web:2", loaded.builds().get("web"),
                        java.nio.file.Path.of("/p")));
        assertTrue(failure("services:\n  a:\n    build: {context: ., dockerfile_inline: 'FROM x'}\n")
                .contains("dockerfile_inline: not supported"));
        assertTrue(failure("services:\n  a:\n    command: [x]\n").contains("a service needs an image, or a build"));
    }

    @Test
    void aBuildPathIsNormalizedAndMayLeaveTheStackFilesFolder() {
        StackFile.Loaded loaded = StackDocument.of("""
                services:
                  a:
                    build: {context: ./app/../app/, dockerfile: ../docker/A.Dockerfile, labels: [team=core]}
                  b:
                    build: {context: /srv/b/./src, dockerfile: /opt/B.Dockerfile}
                  c:
                    build: /srv/c
                """, "stack.yaml", "shop").resolveLoaded(Map.of(), warnings::add);
        assertEquals(new StackFile.Build("app", "../docker/A.Dockerfile", Map.of(), null, Map.of("team", "core")),
                loaded.builds().get("a"));
        assertEquals(new StackFile.Build("/srv/b/src", "/opt/B.Dockerfile", Map.of(), null),
                loaded.builds().get("b"));
        assertEquals("/srv/c", loaded.builds().get("c").context());
        // a build is sent to the online host's engine, not carried: it may leave the stack file's folder
        StackFile.Loaded up = StackDocument.of("services:\n  a:\n    build: {context: ../, dockerfile:"
                + " docker/A.Dockerfile}\n  b:\n    build: ../x/../elsewhere\n", "stack.yaml", "shop")
                .resolveLoaded(Map.of(), warnings::add);
        assertEquals("..", up.builds().get("a").context());
        assertEquals("docker/A.Dockerfile", up.builds().get("a").dockerfile());
        assertEquals("../elsewhere", up.builds().get("b").context());
        assertTrue(failure("services:\n  a:\n    build: https://github.com/x/y.git\n")
                .contains("is not a folder: export builds from a folder of this host"));
    }
}

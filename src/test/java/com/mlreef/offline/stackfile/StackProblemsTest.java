package com.mlreef.offline.stackfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A refused stack file names all its problems at once, in the file's order, with their lines. */
class StackProblemsTest {
    private final List<String> warnings = new ArrayList<>();

    private StackFileException failure(String yaml) {
        return assertThrows(StackFileException.class,
                () -> StackFile.parse(yaml, "stack.yaml", "test", Map.of(), warnings::add));
    }

    @Test
    void everyProblemIsNamedOnceInTheFilesOrder() {
        StackFileException e = failure("""
                secrets:
                  token: {file: ./token}
                services:
                  web:
                    image: busybox:1
                    portz: ['80:80']
                    ports: ['70000:80', '8080:80']
                    restart: sometimes
                  db:
                    image: 'Busy Box'
                    volumes: ['/a:/b:/c:/d', 'missing:/m']
                    user: 'a b'
                    cpus: lots
                include: [other.yaml]
                """);
        assertEquals("""
                stack.yaml has 9 problems:
                  services.web.portz: unknown key; did you mean ports? (line 6)
                  services.web.ports: '70000:80': ports go from 1 to 65535 (line 7)
                  services.web.restart: 'sometimes' is not one of no, always, unless-stopped, on-failure[:N] (line 8)
                  services.db.image: 'Busy Box' is not a valid image reference (line 10)
                  services.db.volumes: '/a:/b:/c:/d' is not SOURCE:TARGET[:ro] or an anonymous volume's /PATH\
                 (line 11)
                  services.db.volumes: volume 'missing' is not declared under the top-level volumes (line 11)
                  services.db.user: 'a b' is not a user: a name or UID, with :GROUP or :GID (line 12)
                  services.db.cpus: 'lots' is not a number of CPUs such as 0.5 or 2 (line 13)
                  include: not supported: copy the services, volumes and networks of the included files into this\
                 file (line 14)""", e.getMessage());
        assertEquals(6, e.line(), "the first problem's line (secrets from files are read since)");
    }

    @Test
    void oneProblemIsOneLineWithItsLine() {
        StackFileException e = failure("services:\n  web:\n    image: busybox:1\n    environment:\n"
                + "      A: ${UNSET:?set it}\n");
        assertEquals("stack.yaml: services.web.environment.A: UNSET must be set: set it (line 5)", e.getMessage());
        assertEquals(5, e.line());
    }

    @Test
    void composeKeysThatAreNotTakenSaySoAndWhatToDo() {
        String models = failure("models:\n  m: {model: ai/x}\nservices:\n  a:\n    image: busybox:1\n").getMessage();
        assertTrue(models.startsWith("stack.yaml: models: not supported: models need Docker Model Runner"), models);
        String service = failure("services:\n  a:\n    image: busybox:1\n    volumes_from: [b]\n    extends: {service: b}\n")
                .getMessage();
        assertTrue(service.contains("services.a.volumes_from: not supported: mount the same named volumes")
                && service.contains("services.a.extends: not supported: write the service out in full")
                && !service.contains("unknown key"), service);
    }

    @Test
    void aMergedKeyIsFoundOnItsOwnLine() {
        StackFileException e = failure("x-base: &base\n  restart: sometimes\nservices:\n  a:\n    <<: *base\n"
                + "    image: busybox:1\n");
        assertEquals("stack.yaml: services.a.restart: 'sometimes' is not one of no, always, unless-stopped,"
                + " on-failure[:N] (line 2)", e.getMessage());
    }

    @Test
    void checksAcrossServicesNameEveryProblemWithItsLine() {
        StackFileException e = failure("""
                secrets:
                  token: {file: ./token}
                services:
                  web:
                    image: busybox:1
                    container_name: same
                    ports: ['8080:80']
                    depends_on: [ghost]
                    secrets: [token, nope]
                  api:
                    image: busybox:1
                    container_name: same
                    network_mode: service:phantom
                    configs: [missing]
                  cache:
                    image: busybox:1
                    ports: ['8080:81']
                """);
        String message = e.getMessage();
        assertTrue(message.startsWith("stack.yaml has 6 problems:\n"), message);
        List<String> lines = List.of(message.split("\n")).subList(1, 7);
        assertEquals(List.of(
                "  services.web.depends_on: 'ghost' is not a service of this stack (line 8)",
                "  services.web.secrets[1]: 'nope' is not declared under the top-level secrets (line 9)",
                "  services.api.depends_on: 'phantom' is not a service of this stack (line 10)",
                "  services.api.container_name: 'same' is also the container name of service web (line 12)",
                "  services.api.configs[0]: 'missing' is not declared under the top-level configs (line 14)",
                "  services.cache.ports: host port 8080/tcp is also published by service web (line 17)"), lines);
    }
}

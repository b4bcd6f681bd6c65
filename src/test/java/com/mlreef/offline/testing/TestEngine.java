package com.mlreef.offline.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.EngineUnreachableException;
import com.mlreef.offline.docker.transport.EngineAddress;
import com.mlreef.offline.docker.transport.HttpTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker Engine the integration tests run against. With {@code -Ddocker.required=true} (CI) an unreachable
 * engine fails the test; without it (a laptop with no engine) the test is aborted and reported as skipped.
 */
public final class TestEngine {
    public static final boolean REQUIRED = Boolean.getBoolean("docker.required");
    private static HttpTransport transport;
    private static DockerClient client;

    private TestEngine() {
    }

    public static synchronized DockerClient client() {
        if (client == null) {
            try {
                transport = EngineAddress.resolve(null, System.getenv()).transport();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            client = new DockerClient(transport);
        }
        try {
            client.ping();
        } catch (EngineUnreachableException e) {
            if (REQUIRED) {
                fail("a Docker Engine is required (-Ddocker.required=true) but " + e.getMessage());
            }
            Assumptions.abort("no Docker Engine: " + e.getMessage());
        }
        return client;
    }

    /** The transport under {@link #client()}, for the few calls the product does not make (build, push). */
    public static synchronized HttpTransport transport() {
        client();
        return transport;
    }

    /** A name no other test run uses: everything a test creates carries this prefix. */
    public static String unique(String what) {
        return "mlro-test-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}

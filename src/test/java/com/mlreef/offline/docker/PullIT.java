package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.testing.Created;
import com.mlreef.offline.testing.TestEngine;
import com.mlreef.offline.testing.TestImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pulls from the registry on 127.0.0.1:5000 and receives progress while the pull runs. */
class PullIT {
    private static final String REGISTRY = "127.0.0.1:5000";
    private static DockerClient engine;
    private static Created created;
    private static String pushed;
    private static String imageId;

    @BeforeAll
    static void pushAnImage() throws Exception {
        engine = TestEngine.client();
        created = new Created(engine);
        String base = TestImages.busybox(engine, created, "pullbase");
        pushed = created.image(REGISTRY + "/" + TestEngine.unique("pulled") + ":1");
        // 96 MiB of random bytes: a pull long enough to see its progress arrive in steps
        TestImages.build("FROM " + base + "\nRUN head -c 100663296 /dev/urandom > /random.bin\n", pushed);
        TestImages.push(pushed);
        imageId = engine.inspectImage(pushed).id();
    }

    @AfterAll
    static void tearDown() {
        if (created != null) {
            created.close();
        }
    }

    @Test
    void progressArrivesWhileThePullRuns() {
        engine.removeImage(pushed, false);
        List<ProgressMessage> messages = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        engine.pullImage(pushed, m -> {
            messages.add(m);
            arrivals.add(System.nanoTime());
        });
        assertEquals(imageId, engine.inspectImage(pushed).id());

        long downloading = messages.stream().filter(m -> "Downloading".equals(m.status())).count();
        assertTrue(downloading >= 3, "several Downloading steps: " + downloading);
        assertTrue(messages.stream().anyMatch(m -> m.status() != null && m.status().startsWith("Digest: sha256:")));
        // a stream read to its end before decoding would deliver every message within a millisecond or two
        long spreadMs = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
        assertTrue(spreadMs >= 50, "messages arrived over " + spreadMs + " ms");
        List<Long> currents = messages.stream().filter(m -> "Downloading".equals(m.status()))
                .map(m -> m.progressDetail().current()).toList();
        assertTrue(currents.get(currents.size() - 1) > currents.get(0), "download progress grows: " + currents);
    }

    @Test
    void pullingAnAbsentReferenceIsAnErrorNamingIt() {
        DockerException e = org.junit.jupiter.api.Assertions.assertThrows(DockerException.class,
                () -> engine.pullImage(REGISTRY + "/mlro-test-absent:never", ProgressListener.NONE));
        assertTrue(e.getMessage().contains("mlro-test-absent"), e.getMessage());
    }
}

package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Spellings of one image reference compare equal, as the engine finds them. */
class ImageReferenceTest {
    @Test
    void theEnginesFullForm() {
        for (String alpine : new String[] {"alpine", "alpine:latest", "library/alpine", "docker.io/alpine",
            "docker.io/library/alpine:latest", "index.docker.io/library/alpine"}) {
            assertEquals("docker.io/library/alpine:latest", ImageReference.normalized(alpine), alpine);
        }
        assertEquals("docker.io/mlreef/web:1", ImageReference.normalized("mlreef/web:1"));
        assertEquals("docker.io/mlreef/web:1", ImageReference.normalized("docker.io/mlreef/web:1"));
        assertEquals("registry.gitlab.com/mlreef/mlreef:latest",
                ImageReference.normalized("registry.gitlab.com/mlreef/mlreef"));
        assertEquals("127.0.0.1:5000/app:2", ImageReference.normalized("127.0.0.1:5000/app:2"));
        assertEquals("localhost/app:latest", ImageReference.normalized("localhost/app"));
        assertEquals("docker.io/library/busybox@sha256:" + "a".repeat(64),
                ImageReference.normalized("busybox@sha256:" + "a".repeat(64)));
        assertEquals("sha256:" + "b".repeat(64), ImageReference.normalized("sha256:" + "b".repeat(64)));
    }
}

package com.mlreef.offline.testing;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import java.util.ArrayDeque;
import java.util.Deque;

/** What a test created in the engine, removed at the end whether the test passed or not. */
public final class Created implements AutoCloseable {
    private final DockerEngine engine;
    private final Deque<String> containers = new ArrayDeque<>();
    private final Deque<String> networks = new ArrayDeque<>();
    private final Deque<String> volumes = new ArrayDeque<>();
    private final Deque<String> images = new ArrayDeque<>();

    public Created(DockerEngine engine) {
        this.engine = engine;
    }

    public String container(String idOrName) {
        containers.push(idOrName);
        return idOrName;
    }

    public String network(String name) {
        networks.push(name);
        return name;
    }

    public String volume(String name) {
        volumes.push(name);
        return name;
    }

    public String image(String reference) {
        images.push(reference);
        return reference;
    }

    @Override
    public void close() {
        containers.forEach(c -> quietly(() -> engine.removeContainer(c, true)));
        networks.forEach(n -> quietly(() -> engine.removeNetwork(n)));
        volumes.forEach(v -> quietly(() -> engine.removeVolume(v)));
        images.forEach(i -> quietly(() -> engine.removeImage(i, true)));
        containers.clear();
        networks.clear();
        volumes.clear();
        images.clear();
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (DockerException e) {
            // already gone
        }
    }
}

package com.mlreef.offline.testing;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.ProgressListener;
import com.mlreef.offline.docker.transport.EngineAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the client's save or load in a JVM of its own, so that a test or the benchmark can limit its heap and read its
 * peak memory: {@code save REF FILE} or {@code load FILE}. Prints {@code seconds=} and {@code peak_rss_kb=}.
 */
public final class SaveLoadProbe {
    private SaveLoadProbe() {
    }

    public static void main(String[] args) throws Exception {
        DockerClient client = new DockerClient(EngineAddress.resolve(null, System.getenv()).transport());
        client.apiVersion();
        long start = System.nanoTime();
        long bytes;
        switch (args[0]) {
            case "save" -> {
                try (InputStream in = client.saveImages(List.of(args[1]));
                     OutputStream out = Files.newOutputStream(Path.of(args[2]))) {
                    bytes = TestImages.copy(in, out);
                }
            }
            case "load" -> {
                Path file = Path.of(args[1]);
                bytes = Files.size(file);
                try (InputStream in = Files.newInputStream(file)) {
                    List<String> loaded = client.loadImages(in, bytes, ProgressListener.NONE);
                    System.out.println("loaded=" + String.join(",", loaded));
                }
            }
            default -> throw new IllegalArgumentException("usage: save REF FILE | load FILE");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("bytes=%d%nseconds=%.3f%npeak_rss_kb=%d%n", bytes, seconds, peakRssKb());
    }

    static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}

package com.mlreef.offline.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --dns} options the engine's process ({@code dockerd}) was started with, read from /proc: the engine
 * refuses to start when an option is set both there and in daemon.json.
 */
public final class EngineFlags {
    /**
     * @param found whether a dockerd process was found
     * @param dns   its --dns values
     */
    public record Dns(boolean found, List<String> dns) {
    }

    private EngineFlags() {
    }

    public static Dns read(Path proc) {
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, p -> p.getFileName().toString()
                .matches("[0-9]+"))) {
            for (Path process : processes) {
                List<String> args = commandLine(process);
                if (!args.isEmpty() && Path.of(args.get(0)).getFileName() != null
                        && Path.of(args.get(0)).getFileName().toString().equals("dockerd")) {
                    return new Dns(true, dnsOf(args));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc to read: nothing known
        }
        return new Dns(false, List.of());
    }

    static List<String> dnsOf(List<String> args) {
        List<String> dns = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--dns") && i + 1 < args.size()) {
                dns.add(args.get(++i));
            } else if (a.startsWith("--dns=")) {
                dns.add(a.substring("--dns=".length()));
            }
        }
        return dns;
    }

    private static List<String> commandLine(Path process) {
        try {
            String text = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\0"));
        } catch (IOException e) {
            return List.of(); // a process that ended, or not ours to read
        }
    }
}

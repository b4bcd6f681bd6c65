package com.mlreef.offline.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This host's DNS servers as the engine finds them: {@code /etc/resolv.conf}, and when that names only
 * systemd-resolved's local stub, the upstream servers systemd-resolved writes to {@code /run/systemd/resolve/}.
 */
public final class HostResolvers {
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    public static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");
    /** Where the engine sends containers' queries when no server but loopback ones is left. */
    static final List<String> ENGINE_FALLBACK = List.of("8.8.8.8", "8.8.4.4");

    /**
     * @param hostFile      the resolver file read
     * @param host          its nameservers (null when it cannot be read)
     * @param upstream      systemd-resolved's upstream servers, or null when it does not run here
     * @param forContainers the servers the engine gives containers without "dns" of its own
     * @param fallback      whether those are the engine's public fallback (no usable server on this host)
     */
    public record Resolvers(Path hostFile, List<String> host, List<String> upstream, List<String> forContainers,
                            boolean fallback) {
    }

    private HostResolvers() {
    }

    public static Resolvers read(Path resolvConf, Path resolvedUpstream) {
        List<String> host = nameservers(resolvConf);
        List<String> upstream = Files.isRegularFile(resolvedUpstream) ? nameservers(resolvedUpstream) : null;
        boolean stubOnly = host != null && !host.isEmpty() && host.stream().allMatch(HostResolvers::loopback);
        // as the engine does: systemd-resolved's stub is loopback, unreachable from a container
        List<String> source = stubOnly && upstream != null ? upstream : host == null ? List.of() : host;
        List<String> usable = source.stream().filter(s -> !loopback(s)).toList();
        return new Resolvers(resolvConf, host, upstream, usable.isEmpty() ? ENGINE_FALLBACK : usable,
                usable.isEmpty());
    }

    /** The {@code nameserver} lines' addresses, or null when the file cannot be read. */
    static List<String> nameservers(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return null;
        }
        List<String> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                servers.add(words[1]);
            }
        }
        return servers;
    }

    static boolean loopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1");
    }
}

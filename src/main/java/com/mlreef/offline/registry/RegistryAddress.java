package com.mlreef.offline.registry;

import java.net.URI;
import java.util.Locale;

/**
 * Where a registry answers: {@code https://HOST}, or {@code http://HOST} when it is asked insecurely: with
 * {@code --insecure}, or, as the Docker Engine does by default, for {@code localhost} and the loopback addresses
 * ({@code 127.0.0.0/8}, {@code ::1}). Docker Hub's name {@code docker.io} answers at {@code registry-1.docker.io}.
 *
 * @param registry the registry as image references name it
 * @param base     its root URL, without {@code /v2/}
 */
public record RegistryAddress(String registry, URI base) {

    public static RegistryAddress of(String registry, boolean insecure) {
        String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        String scheme = insecure || loopback(host) ? "http" : "https";
        return new RegistryAddress(registry, URI.create(scheme + "://" + host));
    }

    /** Whether the host (with or without a port) is localhost or a loopback address. */
    public static boolean loopback(String hostAndPort) {
        String host = hostAndPort.toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            return host.startsWith("[::1]");
        }
        int colon = host.indexOf(':');
        host = colon < 0 ? host : host.substring(0, colon);
        return host.equals("localhost") || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
    }

    public boolean secure() {
        return base.getScheme().equals("https");
    }
}

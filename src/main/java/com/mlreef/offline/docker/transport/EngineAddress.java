package com.mlreef.offline.docker.transport;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the Docker Engine is, resolved as the docker CLI does: {@code -H/--host}, then {@code DOCKER_HOST}, then
 * {@code unix:///var/run/docker.sock}. TLS for {@code tcp://} follows DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH.
 */
public record EngineAddress(String scheme, String path, String host, int port, Path certPath, boolean tls,
                            boolean verify) {
    public static final String DEFAULT = "unix:///var/run/docker.sock";
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile(
            "(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}");

    /** @param option the value of -H/--host, or null; @param env the process environment */
    public static EngineAddress resolve(String option, Map<String, String> env) {
        String value = notBlank(option) ? option : notBlank(env.get("DOCKER_HOST")) ? env.get("DOCKER_HOST") : DEFAULT;
        boolean verify = notBlank(env.get("DOCKER_TLS_VERIFY"));
        boolean tls = verify || notBlank(env.get("DOCKER_TLS"));
        Path certPath = notBlank(env.get("DOCKER_CERT_PATH")) ? Path.of(env.get("DOCKER_CERT_PATH"))
                : Path.of(env.getOrDefault("HOME", "/root"), ".docker");
        return parse(value.trim(), tls, verify, certPath);
    }

    static EngineAddress parse(String value, boolean tls, boolean verify, Path certPath) {
        if (value.startsWith("unix://")) {
            String path = value.substring("unix://".length());
            if (path.isEmpty() || !path.startsWith("/")) {
                throw new IllegalArgumentException("invalid engine address " + value
                        + ": a unix socket needs an absolute path, as in unix:///var/run/docker.sock");
            }
            return new EngineAddress("unix", path, null, 0, null, false, false);
        }
        if (value.startsWith("/")) {
            return new EngineAddress("unix", value, null, 0, null, false, false);
        }
        if (value.startsWith("tcp://") || value.startsWith("http://") || value.startsWith("https://")) {
            URI uri;
            try {
                uri = new URI(value.startsWith("tcp://") ? "tcp" + value.substring(3) : value);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("invalid engine address " + value + ": expected "
                        + value.substring(0, value.indexOf("://")) + "://HOST:PORT, as in tcp://10.0.0.5:2376");
            }
            if (uri.getPort() > 65535) {
                throw new IllegalArgumentException("invalid engine address " + value + ": port " + uri.getPort()
                        + " is not from 1 to 65535");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("invalid engine address " + value + ": no host, as in tcp://10.0.0.5:2376");
            }
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                throw new IllegalArgumentException("invalid engine address " + value + ": a path is not supported");
            }
            boolean useTls = tls || value.startsWith("https://");
            int port = uri.getPort() > 0 ? uri.getPort() : useTls ? 2376 : 2375;
            String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                    : uri.getHost();
            return new EngineAddress("tcp", null, host, port, useTls ? certPath : null, useTls, verify);
        }
        if (HOST_PORT.matcher(value).matches()) { // as the docker CLI reads it: tcp
            return parse("tcp://" + value, tls, verify, certPath);
        }
        throw new IllegalArgumentException("unsupported engine address " + value + (value.contains("://") ? " (scheme "
                + value.substring(0, value.indexOf("://")) + ")" : "") + "; use unix:///path/to/docker.sock or"
                + " tcp://host:port");
    }

    public HttpTransport transport() throws IOException {
        if (scheme.equals("unix")) {
            return new UnixSocketTransport(Path.of(path));
        }
        return new TcpTransport(host, port, tls ? TlsFiles.socketFactory(certPath, verify) : null);
    }

    @Override
    public String toString() {
        if (scheme.equals("unix")) {
            return "unix://" + path;
        }
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}

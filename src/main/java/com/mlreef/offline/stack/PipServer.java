package com.mlreef.offline.stack;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code -s} pip server: an http(s) URL or {@code host:port}. A server on this host ({@code localhost},
 * {@code 127.0.0.1}) is unreachable under that name from inside a container, so it is rewritten to the gateway of the
 * stack's network, as the original installer did, for https too.
 */
public final class PipServer {
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]+):([0-9]{1,5})");
    private static final Pattern LOCAL = Pattern.compile("localhost|127(\\.[0-9]{1,3}){3}");

    private PipServer() {
    }

    /** Checks the value; returns it as a URL (a bare {@code host:port} becomes {@code http://host:port}). */
    public static URI parse(String value) {
        String text = value.strip();
        Matcher hostPort = HOST_PORT.matcher(text);
        if (hostPort.matches()) {
            text = "http://" + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw bad(value);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null
                || uri.getFragment() != null || uri.getPort() > 65535) {
            throw bad(value);
        }
        return uri;
    }

    /** Whether the server runs on this host. */
    public static boolean isLocal(URI uri) {
        return LOCAL.matcher(uri.getHost()).matches();
    }

    /** The URL as containers on the network reach it: a local host name replaced by the network's gateway. */
    public static String forContainers(URI uri, String gateway) {
        if (!isLocal(uri)) {
            return uri.toString();
        }
        try {
            return new URI(uri.getScheme(), null, gateway, uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ToolException bad(String value) {
        return new ToolException(ExitCode.USAGE, "-s: '" + value + "' is not a pip server: give an http(s) URL"
                + " (http://10.0.0.5:8080/simple) or host:port (localhost:8080)");
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code -s} pip server: an http(s) URL, or {@code host:port} with an optional path
 * ({@code localhost:8080/simple}), which the original installer took too and which becomes {@code http://...}.
 * A server on this host ({@code localhost}, {@code 127.0.0.1}) is unreachable under that name from inside a
 * container, so it is rewritten to the gateway of the stack's network, as the original installer did, for https too. A user and password in the URL
 * ({@code http://user:pw@host/simple}, as pip takes them) are passed on, and never printed.
 */
public final class PipServer {
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):[0-9]{1,5}(/\\S*)?");
    private static final Pattern LOCAL = Pattern.compile("localhost|127(\\.[0-9]{1,3}){3}|\\[::1\\]");

    private static final int PAGE_START = 64 * 1024;

    private PipServer() {
    }

    /** Checks the value; returns it as a URL (a bare {@code host:port[/path]} gets {@code http://} before it). */
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
                || uri.getHost() == null || uri.getQuery() != null
                || uri.getFragment() != null || uri.getPort() > 65535) {
            throw bad(value);
        }
        return uri;
    }

    /** The URL to print: a password in it shown as {@code ***}. */
    public static String shown(URI uri) {
        return masked(uri.toString());
    }

    /** A URL given as text with the password of its user part shown as {@code ***}. */
    private static String masked(String url) {
        return url.replaceFirst("//([^/@:]*):[^/]*@", "//$1:***@");
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
        // the raw parts as given: URI's constructors would quote a password's escapes again
        String user = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
        String host = gateway.contains(":") ? "[" + gateway + "]" : gateway;
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        return uri.getScheme() + "://" + user + host + port + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /**
     * When the server answers from this host, whether it looks like a simple index (PEP 503: an HTML page of links);
     * null when it does not answer from here (it may answer from the containers' network), else a warning.
     */
    public static String check(URI uri) {
        try {
            // with a password, no redirect is followed: the header would go wherever it points
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(3))
                    .followRedirects(uri.getUserInfo() == null ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
                    .build();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
            if (uri.getUserInfo() != null) {
                // as pip sends the user and password of the URL
                request.header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = r.body()) {
                // the start of the page tells: a mirror's whole index runs to tens of megabytes
                body = new String(in.readNBytes(PAGE_START), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            }
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                return "the pip server " + shown(uri) + " answers HTTP " + r.statusCode() + (uri.getUserInfo() == null
                        ? ": it wants a user and password (http://USER:PASSWORD@host/...)"
                        : ": it refuses the user and password given");
            }
            if (r.statusCode() / 100 == 3) {
                return null; // a redirect not followed: no opinion
            }
            if (r.statusCode() != 200) {
                return "the pip server " + shown(uri) + " answers HTTP " + r.statusCode() + ", not a package index";
            }
            return body.contains("<a ") || body.contains("simple") ? null
                    : "the pip server " + shown(uri) + " answers, but not with a simple index (a page of package"
                            + " links); pip may not find packages there (try .../simple/)";
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static ToolException bad(String value) {
        // a password that breaks the URL is not printed either
        return new ToolException(ExitCode.USAGE, "-s: '" + masked(value) + "' is not a pip server: give an http(s) URL"
                + " (http://10.0.0.5:8080/simple) or host:port[/path] (localhost:8080/simple)");
    }
}

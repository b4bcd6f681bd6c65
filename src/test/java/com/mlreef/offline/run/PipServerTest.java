package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** -s: what is accepted, and how a server on this host is named for the containers. */
class PipServerTest {
    @Test
    void aLocalServerIsReachedThroughTheGateway() {
        assertEquals("http://172.18.0.1:8080", PipServer.forContainers(PipServer.parse("localhost:8080"), "172.18.0.1"));
        assertEquals("http://172.18.0.1:8080/simple",
                PipServer.forContainers(PipServer.parse("http://127.0.0.1:8080/simple"), "172.18.0.1"));
        assertEquals("https://172.18.0.1/x", PipServer.forContainers(PipServer.parse("https://localhost/x"), "172.18.0.1"));
        assertEquals("http://172.18.0.1:8080/simple",
                PipServer.forContainers(PipServer.parse("http://[::1]:8080/simple"), "172.18.0.1"));
        assertEquals("http://pypi.intranet:3141/root/pypi/+simple/",
                PipServer.forContainers(PipServer.parse("http://pypi.intranet:3141/root/pypi/+simple/"), "172.18.0.1"));
    }

    /** The original rewrote a value starting with localhost: or http://localhost: to http://GATEWAY:, kept the rest. */
    @Test
    void everyFormTheOriginalTookIsTakenAsItTookIt() {
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("localhost:10010", "http://172.18.0.1:10010");
        forms.put("localhost:10010/simple", "http://172.18.0.1:10010/simple");
        forms.put("localhost:10010/simple/", "http://172.18.0.1:10010/simple/");
        forms.put("http://localhost:10010", "http://172.18.0.1:10010");
        forms.put("http://localhost:10010/simple", "http://172.18.0.1:10010/simple");
        forms.put("http://localhost:8081/repository/pypi-all/simple",
                "http://172.18.0.1:8081/repository/pypi-all/simple");
        // left as they were by the original; a bare host:port[/path] gets the scheme pip needs
        forms.put("pypi.intranet:8080/simple", "http://pypi.intranet:8080/simple");
        forms.put("10.0.0.5:8080/simple", "http://10.0.0.5:8080/simple");
        forms.put("10.0.0.5:8080", "http://10.0.0.5:8080");
        forms.put("http://pypi.intranet:8080/simple", "http://pypi.intranet:8080/simple");
        forms.put("https://pypi.intranet/simple", "https://pypi.intranet/simple");
        // the original missed these: this host's server reached through the gateway all the same
        forms.put("https://localhost:8443/simple", "https://172.18.0.1:8443/simple");
        forms.put("http://localhost/simple", "http://172.18.0.1/simple");
        forms.put("127.0.0.1:10010/simple", "http://172.18.0.1:10010/simple");
        forms.put("[::1]:10010/simple", "http://172.18.0.1:10010/simple");
        forms.forEach((given, forContainers) -> assertEquals(forContainers,
                PipServer.forContainers(PipServer.parse(given), "172.18.0.1"), given));
    }

    @Test
    void aUserAndPasswordArePassedOnAndNeverShown() {
        URI local = PipServer.parse("http://ops:s%40cret@localhost:8081/repository/pypi/simple");
        assertEquals("http://ops:s%40cret@172.18.0.1:8081/repository/pypi/simple",
                PipServer.forContainers(local, "172.18.0.1"), "the password's escapes as given");
        assertEquals("http://ops:***@localhost:8081/repository/pypi/simple", PipServer.shown(local));
        assertEquals("https://ops@nexus/simple", PipServer.shown(PipServer.parse("https://ops@nexus/simple")));
        assertEquals("http://nexus:8081/simple", PipServer.shown(PipServer.parse("http://nexus:8081/simple")));
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : List.of("ftp://host/x", "localhost", "http://", "host:99999",
                "not a url", "http://host/?q=1", "; rm -rf /", "ftp://ops:s3cret#x@host/", "localhost:8080simple",
                "localhost:/simple", "host:8080/simple?x=1", "localhost:8080/a b", "pypi.intranet/simple")) {
            ToolException e = assertThrows(ToolException.class, () -> PipServer.parse(bad), bad);
            assertEquals(2, e.exitCode());
            if (bad.contains("@")) {
                continue;
            }
            assertEquals("-s: '" + bad + "' is not a pip server: give an http(s) URL (http://10.0.0.5:8080/simple) or"
                    + " host:port[/path] (localhost:8080/simple)", e.getMessage());
        }
    }

    @Test
    void aRefusedValueDoesNotShowItsPassword() {
        ToolException e = assertThrows(ToolException.class, () -> PipServer.parse("ftp://ops:s3cret#x@host/"));
        assertEquals("-s: 'ftp://ops:***@host/' is not a pip server: give an http(s) URL (http://10.0.0.5:8080/simple)"
                + " or host:port[/path] (localhost:8080/simple)", e.getMessage());
    }

    @Test
    void anAnsweringServerThatIsNotAnIndexIsAWarning() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/simple/", x -> reply(x, 200, "<html><a href=\"numpy/\">numpy</a></html>"));
        server.createContext("/other", x -> reply(x, 200, "hello"));
        server.createContext("/missing", x -> reply(x, 404, "no"));
        server.createContext("/private/", x -> reply(x, "Basic b3BzOnNAY3JldA==".equals(x.getRequestHeaders()
                .getFirst("Authorization")) ? 200 : 401, "<a href=\"numpy/\">numpy</a>"));
        // a mirror's whole index: only its start is read
        server.createContext("/mirror/", x -> {
            x.sendResponseHeaders(200, 0);
            try (java.io.OutputStream out = x.getResponseBody()) {
                out.write("<html><a href=\"a/\">a</a>".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                byte[] more = new byte[1 << 20];
                for (int i = 0; i < 64; i++) {
                    out.write(more);
                }
            } catch (java.io.IOException e) {
                // the reader stopped: as meant
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertEquals(null, PipServer.check(PipServer.parse(base + "/simple/")));
            assertEquals("the pip server " + base + "/other answers, but not with a simple index (a page of package"
                    + " links); pip may not find packages there (try .../simple/)", PipServer.check(PipServer.parse(base + "/other")));
            assertEquals("the pip server " + base + "/missing answers HTTP 404, not a package index",
                    PipServer.check(PipServer.parse(base + "/missing")));
            String host = base.substring("http://".length());
            assertEquals(null, PipServer.check(PipServer.parse("http://ops:s%40cret@" + host + "/private/")),
                    "the user and password sent as pip sends them");
            assertEquals("the pip server http://ops:***@" + host + "/private/ answers HTTP 401: it refuses the user"
                    + " and password given", PipServer.check(PipServer.parse("http://ops:wrong@" + host + "/private/")));
            assertEquals("the pip server " + base + "/private/ answers HTTP 401: it wants a user and password"
                    + " (http://USER:PASSWORD@host/...)", PipServer.check(PipServer.parse(base + "/private/")));
            assertEquals(null, PipServer.check(PipServer.parse(base + "/mirror/")));
        } finally {
            server.stop(0);
        }
        assertEquals(null, PipServer.check(PipServer.parse("http://127.0.0.1:9")), "no answer from here: no warning");
    }

    private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }
}

package com.mlreef.offline.pip;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.testing.TestDistributions;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index's HTTP answers, from a server on loopback serving distributions the test writes. */
class PipIndexServerTest {
    private static final String JSON = "application/vnd.pypi.simple.v1+json";
    @TempDir
    Path tmp;
    private Path dir;
    private Path wheel;
    private Path sdist;
    private PipIndexServer server;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createDirectories(tmp.resolve("packages"));
        wheel = TestDistributions.wheel(dir, "Tiny.Mixed_Case", "1.0", "tiny", ">=3.7", List.of("dep-one>=0.1"));
        sdist = TestDistributions.sdist(Files.createDirectories(dir.resolve("sub")), "dep_one", "0.2", "depone", ">=3");
        Files.writeString(dir.resolve(".hidden-1.0.tar.gz"), "hidden");
        Files.writeString(tmp.resolve("secret-1.0-py3-none-any.whl"), "outside");
        Files.createSymbolicLink(dir.resolve("secret-1.0-py3-none-any.whl"), tmp.resolve("secret-1.0-py3-none-any.whl"));
        server = PipIndexServer.start(dir, new InetSocketAddress("127.0.0.1", 0),
                new AccessLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RequestSpecification http() {
        return given().baseUri("http://127.0.0.1").port(server.address().getPort()).redirects().follow(false);
    }

    @Test
    void theProjectListIsHtmlOrJsonAsAccepted() {
        http().get("/simple/").then().statusCode(200).contentType("text/html; charset=utf-8")
                .header("Vary", "Accept")
                .body(containsString("<a href=\"tiny-mixed-case/\">tiny-mixed-case</a>"),
                        containsString("<a href=\"dep-one/\">"), not(containsString("hidden")),
                        not(containsString("secret")));
        http().header("Accept", JSON).get("/simple/").then().statusCode(200).contentType(JSON)
                .body("meta.api-version", equalTo("1.0"), "projects.name", hasItem("tiny-mixed-case"));
        // PEP 691's negotiation: the q-values rank the forms
        http().header("Accept", JSON + ";q=0.1, text/html").get("/simple/").then().contentType("text/html; charset=utf-8");
        http().header("Accept", "application/vnd.pypi.simple.v1+html, " + JSON + ";q=0.5").get("/simple/").then()
                .contentType("application/vnd.pypi.simple.v1+html");
        http().header("Accept", "application/vnd.pypi.simple.latest+json").get("/simple/").then().contentType(JSON);
        http().header("Accept", "image/png").get("/simple/").then().statusCode(200).contentType("text/html; charset=utf-8");
        http().get("/").then().statusCode(301).header("Location", "/simple/");
    }

    @Test
    void pip22Point3To23Point0GetHtmlOnlyWhenTheIndexGivesThemMetadata() throws IOException {
        String pipAccept = JSON + ", application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
        String pip2301 = "pip/23.0.1 {\"installer\":{\"name\":\"pip\",\"version\":\"23.0.1\"}}";
        http().header("Accept", pipAccept).header("User-Agent", pip2301).get("/simple/tiny-mixed-case/").then()
                .contentType(JSON).header("Vary", "Accept");
        try (PipIndexServer old = PipIndexServer.start(dir, new InetSocketAddress("127.0.0.1", 0),
                new AccessLog(new PrintStream(log, true, StandardCharsets.UTF_8)), true)) {
            RequestSpecification http = given().baseUri("http://127.0.0.1").port(old.address().getPort());
            http.header("Accept", pipAccept).header("User-Agent", pip2301).get("/simple/tiny-mixed-case/").then()
                    .statusCode(200).contentType("application/vnd.pypi.simple.v1+html")
                    .header("Vary", "Accept, User-Agent").body(containsString(" data-dist-info-metadata=\"sha256="));
            for (String other : List.of("pip/22.3", "pip/23.1.2 {}", "pip/22.2.2 {}", "pip/24.0", "uv/0.4.0", "")) {
                given().baseUri("http://127.0.0.1").port(old.address().getPort()).header("Accept", pipAccept)
                        .header("User-Agent", other).get("/simple/tiny-mixed-case/").then()
                        .contentType(other.equals("pip/22.3") ? "application/vnd.pypi.simple.v1+html" : JSON);
            }
        }
    }

    @Test
    void aProjectPageLinksEachFileWithItsHashesAndRequiresPython() throws IOException {
        String wheelSha = TestDistributions.sha256(wheel);
        Response metadata = http().get("/packages/" + wheel.getFileName() + ".metadata");
        metadata.then().statusCode(200).contentType("text/plain; charset=utf-8");
        String metadataSha = TestDistributions.sha256(metadata.asByteArray());
        assertTrue(metadata.asString().contains("Name: Tiny.Mixed_Case"), metadata.asString());
        http().get("/simple/tiny-mixed-case/").then().statusCode(200).body(containsString(
                "<a href=\"../../packages/Tiny.Mixed_Case-1.0-py3-none-any.whl#sha256=" + wheelSha + "\""
                        + " data-requires-python=\"&gt;=3.7\" data-dist-info-metadata=\"sha256=" + metadataSha + "\""
                        + " data-core-metadata=\"sha256=" + metadataSha + "\">Tiny.Mixed_Case-1.0-py3-none-any.whl</a>"));
        http().header("Accept", JSON).get("/simple/dep-one/").then().statusCode(200).contentType(JSON)
                .body("name", equalTo("dep-one"), "files[0].filename", equalTo("dep_one-0.2.tar.gz"),
                        "files[0].url", equalTo("../../packages/sub/dep_one-0.2.tar.gz"),
                        "files[0].hashes.sha256", equalTo(TestDistributions.sha256(sdist)),
                        "files[0].requires-python", equalTo(">=3"), "files[0].core-metadata", equalTo(false));
        http().header("Accept", JSON).get("/simple/tiny-mixed-case/").then()
                .body("files[0].core-metadata.sha256", equalTo(metadataSha));
        // another spelling of the name is sent to the normalised one
        http().get("/simple/Tiny.Mixed_Case/").then().statusCode(301).header("Location", "/simple/tiny-mixed-case/");
        http().get("/simple/tiny-mixed-case").then().statusCode(301).header("Location", "/simple/tiny-mixed-case/");
        http().get("/simple/nothing-here/").then().statusCode(404);
        http().get("/packages/sub/dep_one-0.2.tar.gz.metadata").then().statusCode(404);
    }

    @Test
    void filesHaveTypesEntityTagsAndRanges() throws IOException {
        byte[] bytes = Files.readAllBytes(wheel);
        String path = "/packages/" + wheel.getFileName();
        Response whole = http().get(path);
        whole.then().statusCode(200).contentType("application/octet-stream").header("Accept-Ranges", "bytes")
                .header("Content-Length", String.valueOf(bytes.length));
        assertArrayEquals(bytes, whole.asByteArray());
        String etag = whole.header("ETag");
        assertEquals("\"" + TestDistributions.sha256(wheel) + "\"", etag);
        http().header("If-None-Match", etag).get(path).then().statusCode(304).header("ETag", etag);
        http().header("If-None-Match", "\"other\"").get(path).then().statusCode(200);
        http().get("/packages/sub/dep_one-0.2.tar.gz").then().statusCode(200).contentType("application/gzip");

        Response part = http().header("Range", "bytes=10-19").get(path);
        part.then().statusCode(206).header("Content-Range", "bytes 10-19/" + bytes.length);
        assertArrayEquals(Arrays.copyOfRange(bytes, 10, 20), part.asByteArray());
        Response tail = http().header("Range", "bytes=-5").get(path);
        tail.then().statusCode(206).header("Content-Range", "bytes " + (bytes.length - 5) + "-" + (bytes.length - 1)
                + "/" + bytes.length);
        assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 5, bytes.length), tail.asByteArray());
        http().header("Range", "bytes=" + bytes.length + "-").get(path).then().statusCode(416)
                .header("Content-Range", "bytes */" + bytes.length);
        // several ranges, or an If-Range that no longer matches: the whole file
        http().header("Range", "bytes=0-1,5-6").get(path).then().statusCode(200);
        http().header("Range", "bytes=0-1").header("If-Range", "\"old\"").get(path).then().statusCode(200);

        Response head = http().head(path);
        head.then().statusCode(200).header("Content-Length", String.valueOf(bytes.length));
        assertEquals(0, head.asByteArray().length);
        http().post(path).then().statusCode(405).header("Allow", "GET, HEAD");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("\"GET " + path + " HTTP/1.1\" 206 10 "), log.toString());
    }

    @Test
    void nothingOutsideTheFolderIsReachable() throws IOException {
        for (String path : List.of("/packages/../secret-1.0-py3-none-any.whl",
                "/packages/%2e%2e/secret-1.0-py3-none-any.whl", "/packages/%2E%2E%2Fsecret-1.0-py3-none-any.whl",
                "/packages/sub/..%2f..%2fsecret-1.0-py3-none-any.whl", "/packages/..%5c..%5csecret-1.0-py3-none-any.whl",
                "/packages//etc/passwd-1.0.tar.gz", "/packages/%00-1.0.tar.gz", "/packages/%zz-1.0.tar.gz")) {
            String answer = raw(path);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), path + ": " + answer);
            assertFalse(answer.contains("outside"), path + ": " + answer);
        }
        // a link out of the folder is neither listed nor served; nor are hidden files, nor other files
        assertTrue(raw("/packages/secret-1.0-py3-none-any.whl").startsWith("HTTP/1.1 404 "));
        assertTrue(raw("/packages/.hidden-1.0.tar.gz").startsWith("HTTP/1.1 404 "));
        Files.writeString(dir.resolve("notes.txt"), "text");
        assertTrue(raw("/packages/notes.txt").startsWith("HTTP/1.1 404 "));
        http().get("/simple/secret/").then().statusCode(404);
    }

    @Test
    void aFileAddedShowsWithoutARestart() throws Exception {
        http().get("/simple/later/").then().statusCode(404);
        Path added = TestDistributions.wheel(dir, "later", "2.0", "later", null, List.of());
        long deadline = System.nanoTime() + 5_000_000_000L;
        int status;
        do {
            Thread.sleep(100);
            status = http().get("/simple/later/").statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertEquals(200, status);
        http().get("/simple/later/").then().body(containsString(TestDistributions.sha256(added)),
                not(containsString("data-requires-python")));
    }

    /** A request sent as written: HTTP clients would normalise the dot segments away. */
    private String raw(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}

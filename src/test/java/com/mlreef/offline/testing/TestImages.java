package com.mlreef.offline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.transport.HttpRequest;
import com.mlreef.offline.docker.transport.HttpResponse;
import com.mlreef.offline.docker.transport.RequestBody;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Images made without internet: a busybox root file system imported as a base, and layers added on top with
 * {@code POST /build}; {@code POST /images/{name}/push} to put them in the local registry.
 */
public final class TestImages {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestImages() {
    }

    /** Imports a busybox image under a new unique reference that {@code created} removes at the end; returns it. */
    public static String busybox(DockerEngine engine, Created created, String what) throws IOException {
        String repository = TestEngine.unique(what);
        busybox(engine, repository, "1");
        return created.image(repository + ":1");
    }

    /** Imports a one-layer busybox image (shell, httpd, sleep, ...) under the reference; returns its ID. */
    public static String busybox(DockerEngine engine, String repository, String tag) throws IOException {
        if (!Files.isExecutable(BUSYBOX)) {
            throw new IllegalStateException("/bin/busybox is missing: install busybox-static (scripts/engine-up.sh does)");
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            directory(out, "bin/", 0755);
            directory(out, "tmp/", 01777);
            directory(out, "data/", 0755);
            directory(out, "etc/", 0755);
            TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
            busybox.setMode(0755);
            busybox.setSize(Files.size(BUSYBOX));
            out.putArchiveEntry(busybox);
            Files.copy(BUSYBOX, out);
            out.closeArchiveEntry();
            for (String applet : applets()) {
                if (applet.equals("busybox")) {
                    continue;
                }
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
            }
            file(out, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
            file(out, "etc/group", "root:x:0:\nnogroup:x:65534:\n");
        }
        return engine.importImage(new ByteArrayInputStream(tar.toByteArray()), repository, tag);
    }

    private static List<String> applets() throws IOException {
        Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.matches("[a-z0-9_.\\[\\-]+")) {
                    names.add(line);
                }
            }
        }
        return names;
    }

    private static void directory(TarArchiveOutputStream out, String name, int mode) throws IOException {
        TarArchiveEntry dir = new TarArchiveEntry(name);
        dir.setMode(040000 | mode);
        out.putArchiveEntry(dir);
        out.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream out, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0644);
        entry.setSize(bytes.length);
        out.putArchiveEntry(entry);
        out.write(bytes);
        out.closeArchiveEntry();
    }

    /** Builds {@code dockerfile} (its own FROM line included) with an empty context, tagged as {@code reference}. */
    public static void build(String dockerfile, String reference) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            file(out, "Dockerfile", dockerfile);
        }
        String target = "/v1.41/build?rm=1&forcerm=1&t=" + URLEncoder.encode(reference, StandardCharsets.UTF_8);
        byte[] context = tar.toByteArray();
        HttpRequest request = new HttpRequest("POST", target, Map.of(),
                RequestBody.stream(new ByteArrayInputStream(context), context.length, "application/x-tar"));
        jsonStream(request, "building " + reference);
    }

    /** Pushes a reference to its registry (the local one needs no credentials). */
    public static void push(String reference) throws IOException {
        push(reference, "e30=");
    }

    /** Pushes a reference with credentials, given as the engine's X-Registry-Auth value. */
    public static void push(String reference, String registryAuth) throws IOException {
        int colon = reference.lastIndexOf(':');
        String name = reference.substring(0, colon);
        String tag = reference.substring(colon + 1);
        HttpRequest request = new HttpRequest("POST", "/v1.41/images/" + name + "/push?tag=" + tag,
                Map.of("X-Registry-Auth", registryAuth), null);
        jsonStream(request, "pushing " + reference);
    }

    private static void jsonStream(HttpRequest request, String what) throws IOException {
        try (HttpResponse response = TestEngine.transport().exchange(request)) {
            if (response.status() != 200) {
                throw new IOException(what + ": HTTP " + response.status() + " " + response.bodyText(4096));
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                if (node.has("error") || node.has("errorDetail")) {
                    throw new IOException(what + ": " + node);
                }
            }
        }
    }

    /** A tar holding one file, for the archive endpoints. */
    public static byte[] tarOf(String name, String content) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            file(out, name, content);
        }
        return tar.toByteArray();
    }

    /** SHA-256 of a stream, read to its end in 1 MiB pieces. */
    public static String sha256(InputStream in) throws IOException {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies in 1 MiB pieces. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}

package com.mlreef.offline.pip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.TestDistributions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pip-serve} run as a user runs it (the built jar or native executable), with the machine's own pip
 * (Debian's python3-pip) as the client.
 */
class PipServeIT {
    private static final Pattern S_VALUE = Pattern.compile("-s (http://([0-9.]+):([0-9]+)/simple/)");
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    @TempDir
    Path tmp;

    @Test
    void pipDownloadsAndInstallsWithHashesThroughTheIndex() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("packages"));
        Path wheel = TestDistributions.wheel(dir, "Tiny.Mixed_Case", "1.0", "tiny", ">=3.7", List.of("dep-one>=0.1"));
        Path sdist = TestDistributions.sdist(Files.createDirectories(dir.resolve("sub")), "dep_one", "0.2", "depone", ">=3");
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Process server = CliProcess.start(logs, "pip-serve", dir.toString(), "-p", "0", "--bind", "127.0.0.1");
        try {
            Matcher s = waitForSValue(server, logs);
            String url = s.group(1);
            assertEquals("127.0.0.1", s.group(2));

            Path downloads = tmp.resolve("downloads");
            pip("download", "--index-url", url, "-d", downloads.toString(), "tiny.mixed-case");
            assertEquals(TestDistributions.sha256(wheel), TestDistributions.sha256(downloads.resolve(wheel.getFileName())));
            assertEquals(TestDistributions.sha256(sdist), TestDistributions.sha256(downloads.resolve(sdist.getFileName())));

            // every requirement pinned with its hash: pip refuses a file whose hash differs
            Path requirements = tmp.resolve("requirements.txt");
            Files.writeString(requirements, "Tiny.Mixed_Case==1.0 --hash=sha256:" + TestDistributions.sha256(wheel) + "\n"
                    + "dep_one==0.2 --hash=sha256:" + TestDistributions.sha256(sdist) + "\n");
            Path target = tmp.resolve("target");
            pip("install", "--index-url", url, "--require-hashes", "--no-build-isolation", "--target", target.toString(),
                    "-r", requirements.toString());
            assertTrue(Files.readString(target.resolve("tiny.py")).contains("Tiny.Mixed_Case 1.0"));
            assertTrue(Files.readString(target.resolve("depone.py")).contains("dep_one 0.2"));

            Files.writeString(requirements, "dep_one==0.2 --hash=sha256:" + "0".repeat(64) + "\n");
            Result refused = pipResult("download", "--index-url", url, "--require-hashes", "-d",
                    tmp.resolve("refused").toString(), "-r", requirements.toString());
            assertTrue(refused.exit != 0 && refused.out.contains("THESE PACKAGES DO NOT MATCH THE HASHES"), refused.out);

            checkJsonForm(url, TestDistributions.sha256(wheel));
            String log = Files.readString(logs.resolve("stderr.txt"));
            assertTrue(log.contains("\"GET /simple/tiny-mixed-case/ HTTP/1.1\" 200 "), log);
            assertTrue(log.contains("\"GET /simple/dep-one/ HTTP/1.1\" 200 "), log);
            assertTrue(log.contains("\"GET /packages/sub/dep_one-0.2.tar.gz HTTP/1.1\" 200 "), log);
        } finally {
            server.destroy();
        }
        assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, server.exitValue(), Files.readString(logs.resolve("stderr.txt")));
        assertTrue(Files.readString(logs.resolve("stderr.txt")).contains("pip-serve stopped"));
    }

    @Test
    void withMetadataForOldPipThisPipResolvesFromMetadataFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("packages"));
        Path top = TestDistributions.wheel(dir, "chaintop", "1.0", "chaintop", null, List.of("chainmid>=1"));
        Path mid = TestDistributions.wheel(Files.createDirectories(dir.resolve("sub")), "chainmid", "1.1", "chainmid",
                null, List.of("chainleaf"));
        Path leaf = TestDistributions.wheel(dir, "chainleaf", "2.0", "chainleaf", null, List.of());
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Process server = CliProcess.start(logs, "pip-serve", dir.toString(), "-p", "0", "--bind", "127.0.0.1",
                "--metadata-for-old-pip");
        try {
            String url = waitForSValue(server, logs).group(1);
            Path downloads = tmp.resolve("downloads");
            Result download = pipResult("download", "--index-url", url, "-d", downloads.toString(), "chaintop");
            assertEquals(0, download.exit, download.out);
            assertTrue(download.out.contains("Obtaining dependency information for chainmid"), download.out);
            for (Path wheel : List.of(top, mid, leaf)) {
                // the wheel as served, checked by pip against the hash in its link
                assertEquals(TestDistributions.sha256(wheel), TestDistributions.sha256(downloads.resolve(wheel.getFileName())));
            }
            Path target = tmp.resolve("target");
            pip("install", "--index-url", url, "--no-deps", "--target", target.toString(), "chainmid==1.1");
            assertTrue(Files.isRegularFile(target.resolve("chainmid.py")));

            String log = Files.readString(logs.resolve("stderr.txt"));
            for (String metadata : List.of("chaintop-1.0-py3-none-any.whl", "sub/chainmid-1.1-py3-none-any.whl",
                    "chainleaf-2.0-py3-none-any.whl")) {
                assertTrue(log.contains("\"GET /packages/" + metadata + ".metadata HTTP/1.1\" 200 "), log);
            }
            // pinned hashes are still checked (pip then reads no metadata file: it needs the checked wheel)
            Path wrong = Files.writeString(tmp.resolve("wrong.txt"), "chainleaf==2.0 --hash=sha256:" + "0".repeat(64));
            Result refused = pipResult("download", "--index-url", url, "--require-hashes", "-d",
                    tmp.resolve("refused").toString(), "-r", wrong.toString());
            assertTrue(refused.exit != 0 && refused.out.contains("THESE PACKAGES DO NOT MATCH THE HASHES"), refused.out);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void byDefaultItListensWhereContainersReachTheHost() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("packages"));
        TestDistributions.wheel(dir, "solo", "1.0", "solo", null, List.of());
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Process server = CliProcess.start(logs, "pip-serve", dir.toString(), "-p", "0");
        try {
            Matcher s = waitForSValue(server, logs);
            InetAddress address = InetAddress.getByName(s.group(2));
            assertFalse(address.isLoopbackAddress() || address.isAnyLocalAddress(), s.group());
            NetworkInterface nic = NetworkInterface.getByInetAddress(address);
            assertNotNull(nic, "an address of this host: " + s.group());
            HttpResponse<String> page = get(s.group(1) + "solo/", "text/html");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("solo-1.0-py3-none-any.whl"), page.body());
            // only there: not on loopback
            try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(s.group(3)))) {
                throw new AssertionError("listens on 127.0.0.1 too");
            } catch (ConnectException expected) {
                // refused
            }
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingFolderIsBadUsage() throws Exception {
        CliProcess.Result r = CliProcess.run(java.util.Map.of(), "pip-serve", tmp.resolve("absent").toString(),
                "--bind", "127.0.0.1");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("is not a folder"), r.toString());
        CliProcess.Result bind = CliProcess.run(java.util.Map.of(), "pip-serve", tmp.toString(), "--bind", "host.name");
        assertEquals(2, bind.exit(), bind.toString());
    }

    private void checkJsonForm(String url, String wheelSha) throws Exception {
        HttpResponse<String> list = get(url, "application/vnd.pypi.simple.v1+json");
        assertEquals("application/vnd.pypi.simple.v1+json", list.headers().firstValue("Content-Type").orElse(""));
        JsonNode projects = new ObjectMapper().readTree(list.body()).get("projects");
        assertEquals(2, projects.size(), list.body());
        HttpResponse<String> page = get(url + "tiny-mixed-case/", "application/vnd.pypi.simple.v1+json");
        JsonNode file = new ObjectMapper().readTree(page.body()).get("files").get(0);
        assertEquals(wheelSha, file.get("hashes").get("sha256").asText(), page.body());
        String metadataSha = file.get("core-metadata").get("sha256").asText();
        HttpResponse<byte[]> metadata = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "tiny-mixed-case/").resolve(file.get("url").asText() + ".metadata")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, metadata.statusCode());
        assertEquals(metadataSha, TestDistributions.sha256(metadata.body()));
    }

    private static HttpResponse<String> get(String url, String accept) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Matcher waitForSValue(Process server, Path logs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = S_VALUE.matcher(Files.readString(logs.resolve("stdout.txt")));
            if (m.find()) {
                return m;
            }
            if (!server.isAlive()) {
                throw new AssertionError("pip-serve ended: " + Files.readString(logs.resolve("stderr.txt")));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no -s value printed: " + Files.readString(logs.resolve("stderr.txt")));
    }

    private record Result(int exit, String out) {
    }

    private void pip(String... args) throws Exception {
        Result r = pipResult(args);
        assertEquals(0, r.exit, r.out);
    }

    private Result pipResult(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-m", "pip", "--no-cache-dir", "--disable-pip-version-check"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // pip reads every option from PIP_* variables too (PIP_FIND_LINKS, PIP_NO_INDEX...): only the arguments count
        pb.environment().keySet().removeIf(name -> name.startsWith("PIP_"));
        pb.environment().put("PIP_CONFIG_FILE", "/dev/null");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "pip ran too long");
        return new Result(p.exitValue(), command + "\n" + new String(out, StandardCharsets.UTF_8));
    }
}

package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.docker.ApiException;
import com.mlreef.offline.docker.BuildOptions;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.ProgressListener;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.testing.FakeEngine;
import com.mlreef.offline.ui.Console;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What export asks the engine to build, what it shows, and what it refuses before asking. */
class BuiltImagesTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Console console = new Console(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err,
            true, StandardCharsets.UTF_8), false, false);

    /** Records each build; answers with the messages given. */
    public static final class Builder {
        final List<BuildOptions> builds = new ArrayList<>();
        final List<Long> tarSizes = new ArrayList<>();
        final List<ProgressMessage> answer;
        final RuntimeException failure;

        Builder(List<ProgressMessage> answer, RuntimeException failure) {
            this.answer = answer;
            this.failure = failure;
        }

        public String buildImage(BuildOptions options, DockerEngine.BodyWriter context, ProgressListener progress)
                throws IOException {
            builds.add(options);
            long[] size = new long[1];
            context.writeTo(new OutputStream() {
                public void write(int b) { size[0]++; }
                public void write(byte[] b, int off, int len) { size[0] += len; }
            });
            tarSizes.add(size[0]);
            answer.forEach(progress::onProgress);
            if (failure != null) {
                throw failure;
            }
            return "sha256:0123456789abcdef0123456789abcdef";
        }

        public ImageInspect inspectImage(String name) {
            throw new NotFoundException("inspecting image " + name, "No such image: " + name);
        }
    }

    private static ProgressMessage stream(String text) {
        return new ProgressMessage(null, null, null, null, null, null, text, null);
    }

    private StackFile.Loaded stack(String build) throws IOException {
        Path file = tmp.resolve("project/compose.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "name: shop\nservices:\n  api:\n    build: " + build + "\n");
        return StackFile.load(file, Map.of(), w -> { });
    }

    @Test
    void eachServiceIsBuiltAsItsImageWithItsArgsTargetAndLabels() throws IOException {
        Files.createDirectories(tmp.resolve("project/api"));
        Files.writeString(tmp.resolve("project/api/Api.Dockerfile"), "FROM base\n");
        Files.writeString(tmp.resolve("project/api/main.py"), "print(1)\n");
        StackFile.Loaded stack = stack("{context: api, dockerfile: Api.Dockerfile, args: {V: '2'}, target: run,"
                + " labels: {team: core}}");
        Builder builder = new Builder(List.of(stream("Step 1/1 : FROM base\n"), stream("\n"),
                stream(" ---> 123abc\n")), null);
        new BuiltImages(FakeEngine.of(builder), console).prepare(stack, false, tmp.resolve("project"));
        assertEquals(List.of(new BuildOptions("shop-api", "Api.Dockerfile", Map.of("V", "2"), "run",
                Map.of("team", "core"))), builder.builds);
        assertTrue(builder.tarSizes.get(0) >= 3 * 512, "a tar of two files: " + builder.tarSizes);
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("api | Step 1/1 : FROM base\napi |  ---> 123abc\n"), said);
        assertTrue(said.contains("service api: built shop-api (sha256:0123456789ab)"), said);
    }

    @Test
    void anErrorInTheBuildIsOneLineNamingTheService() throws IOException {
        Files.createDirectories(tmp.resolve("project/api"));
        Files.writeString(tmp.resolve("project/api/Dockerfile"), "FROM base\nRUN false\n");
        Builder builder = new Builder(List.of(), new ApiException("building shop-api", 0,
                "The command '/bin/sh -c false' returned a non-zero code: 1"));
        BundleException e = assertThrows(BundleException.class, () -> new BuiltImages(FakeEngine.of(builder),
                console).prepare(stack("./api"), false, tmp.resolve("project")));
        assertEquals("service api: building shop-api failed: The command '/bin/sh -c false' returned a non-zero"
                + " code: 1", e.getMessage());
    }

    @Test
    void aContextAboveTheStackFilesFolderIsBuiltFromThere() throws IOException {
        // a stack file in docker/ that builds the repository's root: the context is sent, not carried
        Files.createDirectories(tmp.resolve("repo/docker"));
        Files.writeString(tmp.resolve("repo/Dockerfile"), "FROM base\n");
        Files.writeString(tmp.resolve("repo/app.py"), "print(1)\n");
        Builder builder = new Builder(List.of(), null);
        new BuiltImages(FakeEngine.of(builder), console).prepare(stack("../"), false, tmp.resolve("repo/docker"));
        assertEquals(List.of(new BuildOptions("shop-api", "Dockerfile", Map.of(), null, Map.of())), builder.builds);
        assertTrue(builder.tarSizes.get(0) >= 3 * 512, "a tar of the root's files: " + builder.tarSizes);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("building shop-api from " + tmp.resolve("repo")),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withNoBuildAMissingImageIsRefusedWithTheWayToMakeIt() throws IOException {
        Builder builder = new Builder(List.of(), null);
        BundleException e = assertThrows(BundleException.class, () -> new BuiltImages(FakeEngine.of(builder),
                console).prepare(stack("./api"), true, tmp.resolve("project")));
        assertEquals("service api: image shop-api is not in the engine (--no-build uses the engine's): export"
                + " without --no-build to build it, or build it with docker build -t shop-api "
                + tmp.resolve("project/api").toAbsolutePath(), e.getMessage());
        assertEquals(List.of(), builder.builds);
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.docker.BuildOptions;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Sizes;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The images of the services a stack builds ({@code build:}): export builds each through the engine (its classic
 * builder, the context streamed as a tar) and tags it as the service's image, which is then carried like any other;
 * with --no-build it carries the image the engine already has.
 */
public final class BuiltImages {
    private final DockerEngine engine;
    private final Console console;

    public BuiltImages(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** The images the stack's services build: export does not pull them. */
    public static Set<String> references(StackFile.Loaded stack) {
        Set<String> images = new HashSet<>();
        stack.builds().keySet().forEach(s -> images.add(stack.spec().services().get(s).image()));
        return images;
    }

    /**
     * Builds each built service's image, or with {@code noBuild} checks that the engine has it.
     *
     * @param folder the stack file's folder, which relative contexts are relative to; null for the current one
     */
    public void prepare(StackFile.Loaded stack, boolean noBuild, Path folder) {
        Path project = (folder == null ? Path.of("") : folder).toAbsolutePath().normalize();
        for (Map.Entry<String, StackFile.Build> e : stack.builds().entrySet()) {
            String image = stack.spec().services().get(e.getKey()).image();
            if (noBuild) {
                if (DockerEngine.orNull(() -> engine.inspectImage(image)) == null) {
                    throw new BundleException("service " + e.getKey() + ": image " + image + " is not in the engine"
                            + " (--no-build uses the engine's): export without --no-build to build it, or build it"
                            + " with " + command(image, e.getValue(), project));
                }
                console.info("service " + e.getKey() + ": " + image + " as the engine has it (--no-build)");
                continue;
            }
            build(e.getKey(), image, e.getValue(), project);
        }
    }

    private void build(String service, String image, StackFile.Build build, Path project) {
        String where = "service " + service;
        Path context = project.resolve(build.context()).normalize();
        Path dockerfile = context.resolve(build.dockerfile()).normalize();
        BuildContext tar = BuildContext.of(context, dockerfile, where);
        long start = System.nanoTime();
        console.info(where + ": building " + image + " from " + context);
        BuildOptions options = new BuildOptions(image, tar.dockerfileName(), build.args(), build.target(),
                build.labels());
        String id;
        try {
            id = engine.buildImage(options, tar::writeTo, m -> {
                if (m.stream() != null) {
                    m.stream().lines().map(String::stripTrailing).filter(l -> !l.isBlank())
                            .forEach(l -> console.info(service + " | " + l));
                } else if (m.status() != null) {
                    console.debug(service + " | " + m.status());
                }
            });
        } catch (DockerException e) {
            throw new BundleException(where + ": building " + image + " failed: " + reason(e), e);
        }
        console.info(where + ": built " + image + (id == null ? "" : " (" + id.substring(0, Math.min(19,
                id.length())) + ")") + " in " + Sizes.seconds(System.nanoTime() - start));
    }

    /** The engine's message; when it is about a pull, says that the engine pulls what FROM names and lacks. */
    private static String reason(DockerException e) {
        String message = e instanceof com.mlreef.offline.docker.ApiException api && api.engineMessage() != null
                ? api.engineMessage().strip() : e.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("pull access denied") || lower.contains("registry") || lower.contains("manifest")
                || lower.contains("dial tcp") || lower.contains("lookup ")) {
            return message + " (the engine pulls the image FROM names when it lacks it: pull or load it first)";
        }
        return message;
    }

    /** The docker build command line that makes the image as the stack file says. */
    public static String command(String image, StackFile.Build build, Path folder) {
        Path context = folder == null ? Path.of(build.context()) : folder.resolve(build.context()).normalize();
        StringBuilder line = new StringBuilder("docker build -t " + image);
        if (!build.dockerfile().equals("Dockerfile")) {
            line.append(" -f ").append(context.resolve(build.dockerfile()).normalize());
        }
        build.args().forEach((k, v) -> line.append(" --build-arg ").append(k).append("=").append(v));
        if (build.target() != null) {
            line.append(" --target ").append(build.target());
        }
        return line.append(" ").append(context).toString();
    }
}

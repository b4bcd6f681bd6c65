package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The images of the services a stack builds ({@code build:}): export carries the image the engine has under the
 * service's image name (--no-build); it does not build it itself yet, and says how to.
 */
public final class BuiltImages {
    private BuiltImages() {
    }

    /**
     * Checks that each built service's image is in the engine (with {@code noBuild}); without it, refuses, naming the
     * docker build command that makes the image.
     *
     * @param folder the stack file's folder, which build contexts are relative to
     */
    public static void check(StackFile.Loaded stack, boolean noBuild, DockerEngine engine, Path folder) {
        for (Map.Entry<String, StackFile.Build> e : stack.builds().entrySet()) {
            String image = stack.spec().services().get(e.getKey()).image();
            if (!noBuild) {
                throw new ToolException(ExitCode.USAGE, "service " + e.getKey() + " builds its image (build:), which"
                        + " export does not do: build it on this host (" + command(image, e.getValue(), folder)
                        + "), then export with --no-build");
            }
            if (DockerEngine.orNull(() -> engine.inspectImage(image)) == null) {
                throw new BundleException("service " + e.getKey() + ": image " + image + " is not in the engine"
                        + " (--no-build uses the engine's): build it with " + command(image, e.getValue(), folder));
            }
        }
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

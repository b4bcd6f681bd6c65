package com.mlreef.offline.lifecycle;

import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which stack a command means: the one named, the one of a stack file or bundle folder, or the only one running. */
public final class StackFinder {
    private final DockerEngine engine;

    StackFinder(DockerEngine engine) {
        this.engine = engine;
    }

    /**
     * The stack a command is pointed at: the stack file {@code file} (read by the caller, once); else the stack of the
     * bundle in {@code dir} (a folder of plain tars runs the default stack); else the default stack.
     */
    public static StackSpec specOf(StackDocument file, Path dir) {
        return specOf(file, dir, new StackLabels.Recorded(null, List.of()));
    }

    /**
     * The same, read as the last run read it ({@code last}, from its containers' labels): the bundle's stack with its
     * stack folder (the .env and env files run put there), the variables files given to run with --env-file (those
     * still there).
     */
    public static StackSpec specOf(StackDocument file, Path dir, StackLabels.Recorded last) {
        StackDocument document = file;
        if (file == null && dir != null) {
            BundleSource source = BundleSource.open(dir);
            if (source.isBundle()) {
                String name = source.manifest().stack().name();
                document = StackDocument.of(source.stackText(), source.stackSource(), name);
                Path root = last.folder() != null ? last.folder() : ProjectFolder.STACKS.resolve(name);
                BundleManifest.Project project = source.manifest().project();
                String subpath = project == null ? "" : project.stackFolder();
                ProjectFolder folder = Files.isDirectory(root) ? ProjectFolder.at(root, subpath,
                        relative -> ProjectFolder.readText(root.resolve(relative))) : ProjectFolder.unread(subpath);
                document = document.withProject(folder, project == null ? null : folder.fromTree(project.envFile()));
            }
        }
        document = document != null ? document : StackDocument.load(null, s -> { });
        List<Path> envFiles = last.envFiles().stream().filter(Files::isRegularFile).toList();
        return document.withVariablesFiles(envFiles).withoutWrittenValues().resolve(System.getenv(), s -> { });
    }

    /** The name of the stack a bundle folder runs: its own stack's, or the default one's for plain docker save tars. */
    public static String stackOf(Path dir) {
        BundleSource source = BundleSource.open(dir);
        return source.isBundle() ? source.manifest().stack().name()
                : StackFile.load(null, System.getenv(), s -> { }).spec().name();
    }

    /** What the last run of the stack recorded on its containers: its stack folder and --env-file files. */
    StackLabels.Recorded recorded(String stack) {
        List<ContainerSummary> containers = new ArrayList<>(engine.listContainers(
                List.of(StackLabels.STACK_LABEL + "=" + stack), true));
        containers.sort(Comparator.comparing((ContainerSummary c) -> c.created() == null ? 0L : c.created())
                .reversed());
        return StackLabels.Recorded.of(containers.stream().map(ContainerSummary::labels).toList());
    }

    /**
     * The stack's name: the one given, if the engine has a container, network or volume of it; else the only stack
     * that has containers. Otherwise an error saying which stacks exist.
     */
    String resolve(String stack) {
        Set<String> stacks = new LinkedHashSet<>();
        engine.listContainers(List.of(StackLabels.STACK_LABEL), true)
                .forEach(c -> stacks.add(c.labels().get(StackLabels.STACK_LABEL)));
        if (stack != null) {
            if (stacks.contains(stack) || !engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack)).isEmpty()
                    || engine.listNetworks().stream().anyMatch(n -> n.labels() != null
                    && stack.equals(n.labels().get(StackLabels.STACK_LABEL)))) {
                return stack;
            }
            engine.listVolumes(List.of(StackLabels.STACK_LABEL)).forEach(v -> stacks.add(
                    v.labels().get(StackLabels.STACK_LABEL)));
            throw new StackControl.NoSuchStack("this engine has no stack " + stack + " (no container, network or"
                    + " volume of it)" + (stacks.isEmpty() ? "" : "; stacks here: " + String.join(", ", stacks)));
        }
        if (stacks.size() == 1) {
            return stacks.iterator().next();
        }
        if (stacks.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "no stack run by mlreef-offline has containers on this engine;"
                    + " start one with 'mlreef-offline run -d DIR'");
        }
        // which one is the user's to say: a usage error, as a missing option is
        throw new ToolException(ExitCode.USAGE, "several stacks run here (" + String.join(", ", stacks) + "); name"
                + " one with --stack");
    }
}

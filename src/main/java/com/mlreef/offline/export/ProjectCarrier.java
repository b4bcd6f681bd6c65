package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.ProjectArchive;
import com.mlreef.offline.stackfile.CarriedFile;
import com.mlreef.offline.stackfile.CarriedTree;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The project files a stack references (relative bind sources, env files, secrets, configs, .env), checked before
 * anything is pulled and written into the bundle's project.tar; export says which it carried.
 */
final class ProjectCarrier {
    private final Console console;
    private final StackSpec spec;
    private CarriedTree tree;
    private ProjectArchive archive;

    ProjectCarrier(Console console, StackSpec spec) {
        this.console = console;
        this.spec = spec;
    }

    /**
     * Checks every referenced path (inside the tree carried: the stack file's folder, or the folder above it that
     * holds them all; links inside their tree); warns of missing ones.
     */
    void check() {
        if (spec.carried().isEmpty()) {
            return;
        }
        tree = CarriedTree.of(spec.project(), spec.carried().stream().map(CarriedFile::path).toList());
        List<String> paths = spec.carried().stream().map(c -> tree.inTree(c.path())).distinct().toList();
        archive = ProjectArchive.of(tree.root(), paths, missing -> {
            CarriedFile c = spec.carried().stream().filter(f -> tree.inTree(f.path()).equals(missing)).findFirst()
                    .orElseThrow();
            if (c.use() == CarriedFile.Use.BIND) {
                console.warn(c.where() + ": " + tree.file(c.path()) + " does not exist: not carried (the engine"
                        + " makes an empty folder there on the offline host)");
            } else if (c.required()) {
                throw new BundleException(c.where() + ": " + tree.file(c.path()) + " does not exist");
            }
        });
    }

    /**
     * Writes project.tar (or removes an earlier one when the stack carries nothing); null for none. A stack whose
     * paths lead above its folder gets one even when none of them exists yet, to say where its file lies.
     */
    BundleManifest.Project write(Path dir) throws IOException {
        Path target = dir.resolve(BundleManifest.Project.FILE_NAME);
        if (archive == null || archive.paths().isEmpty() && tree.subpath().isEmpty()) {
            Files.deleteIfExists(target);
            return null;
        }
        String envFile = spec.carried().stream().filter(c -> c.use() == CarriedFile.Use.DOTENV)
                .map(c -> tree.inTree(c.path())).findFirst().orElse(null);
        BundleManifest.Project project = archive.write(target, envFile, tree.subpath());
        List<String> said = new ArrayList<>();
        for (CarriedFile c : spec.carried()) {
            String path = tree.inTree(c.path());
            if (project.entries().stream().anyMatch(e -> e.path().equals(path))) {
                said.add(path + (c.sensitive() ? " (" + c.use().name().toLowerCase().replace('_', ' ') + ")"
                        : ""));
            }
        }
        long files = project.entries().stream().filter(e -> e.type().equals("file")).count();
        console.info("carried from " + tree.root() + " into " + target + " (mode 0600: env files and secrets may"
                + " hold passwords): " + (said.isEmpty() ? "nothing yet" : String.join(", ", said.stream().distinct()
                .toList())) + "; " + files + (files == 1 ? " file" : " files") + (tree.subpath().isEmpty() ? ""
                : "; the stack file's folder is " + tree.subpath() + " in it, and run puts the files into the stack"
                + " folder as they lie here"));
        return project;
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.ProjectArchive;
import com.mlreef.offline.stackfile.CarriedFile;
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
    private ProjectArchive archive;

    ProjectCarrier(Console console, StackSpec spec) {
        this.console = console;
        this.spec = spec;
    }

    /** Checks every referenced path (inside the folder, links inside their tree); warns of missing ones. */
    void check() {
        if (spec.carried().isEmpty()) {
            return;
        }
        List<String> paths = spec.carried().stream().map(CarriedFile::path).distinct().toList();
        archive = ProjectArchive.of(spec.project(), paths, missing -> {
            CarriedFile c = spec.carried().stream().filter(f -> f.path().equals(missing)).findFirst().orElseThrow();
            if (c.use() == CarriedFile.Use.BIND) {
                console.warn(c.where() + ": " + spec.project().resolve(missing) + " does not exist: not carried (the"
                        + " engine makes an empty folder there on the offline host)");
            } else if (c.required()) {
                throw new BundleException(c.where() + ": " + spec.project().resolve(missing) + " does not exist");
            }
        });
    }

    /** Writes project.tar (or removes an earlier one when the stack carries nothing); null for none. */
    BundleManifest.Project write(Path dir) throws IOException {
        Path target = dir.resolve(BundleManifest.Project.FILE_NAME);
        if (archive == null || archive.paths().isEmpty()) {
            Files.deleteIfExists(target);
            return null;
        }
        String envFile = spec.carried().stream().filter(c -> c.use() == CarriedFile.Use.DOTENV)
                .map(CarriedFile::path).findFirst().orElse(null);
        BundleManifest.Project project = archive.write(target, envFile);
        List<String> said = new ArrayList<>();
        for (CarriedFile c : spec.carried()) {
            if (project.entries().stream().anyMatch(e -> e.path().equals(c.path()))) {
                said.add(c.path() + (c.sensitive() ? " (" + c.use().name().toLowerCase().replace('_', ' ') + ")"
                        : ""));
            }
        }
        long files = project.entries().stream().filter(e -> e.type().equals("file")).count();
        console.info("carried from " + spec.project() + " into " + target + " (mode 0600: env files and secrets may"
                + " hold passwords): " + String.join(", ", said.stream().distinct().toList()) + "; " + files
                + (files == 1 ? " file" : " files"));
        return project;
    }
}

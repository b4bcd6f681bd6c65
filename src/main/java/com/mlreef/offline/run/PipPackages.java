package com.mlreef.offline.run;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The folder on this host the package index serves: the bundle's package files copied there, each sha256 checked as
 * it is copied. Files of earlier bundles stay, so that a differential bundle, which carries only new files, adds to
 * them; and the index keeps working when the bundle's folder (a removable disk) is gone.
 */
final class PipPackages {
    /** Where each stack's packages are kept: {@code /var/lib/mlreef-offline/pip/STACK}. */
    static final Path ROOT = Path.of("/var/lib/mlreef-offline/pip");

    private PipPackages() {
    }

    static Path folder(Path root, String stack) {
        return root.resolve(stack);
    }

    /** Copies the files the folder lacks (a file of the listed size is taken as copied: it was checked then). */
    static int copy(Console console, Path bundleDir, List<BundleManifest.PackageFile> files, Path folder) {
        try {
            Files.createDirectories(folder);
            int copied = 0;
            long total = files.stream().mapToLong(BundleManifest.PackageFile::size).sum();
            try (Progress progress = Progress.start(console, "copying packages to " + folder, total)) {
                long done = 0;
                for (BundleManifest.PackageFile p : files) {
                    Path target = folder.resolve(Path.of(p.file()).getFileName().toString());
                    if (!(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == p.size())) {
                        copyChecked(bundleDir.resolve(p.file()), target, p.sha256());
                        copied++;
                    }
                    done += p.size();
                    progress.update(done);
                }
            }
            return copied;
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "--pip: cannot copy the packages to " + folder + ": "
                    + IoReason.of(e), e);
        }
    }

    private static void copyChecked(Path source, Path target, String sha256) throws IOException {
        try (AtomicFile copy = AtomicFile.create(target)) {
            ImageFileWriter.HashingStream hashed = new ImageFileWriter.HashingStream(copy.stream(), n -> { });
            Files.copy(source, hashed);
            if (!hashed.hex().equals(sha256)) {
                throw new ToolException(ExitCode.FAILED, source + " differs from its sha256 in bundle.json; copy the"
                        + " bundle again (verify names what changed); nothing of it was served");
            }
            copy.commit();
        }
    }
}

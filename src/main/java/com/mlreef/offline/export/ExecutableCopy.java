package com.mlreef.offline.export;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

/** The copy of the mlreef-offline executable in the bundle, so that the offline host has the tool with the bundle. */
final class ExecutableCopy {
    static final String NAME = "mlreef-offline";

    private ExecutableCopy() {
    }

    /** The executable's copy in the bundle: copied when running natively, else the previous copy if still whole. */
    static BundleManifest.Executable into(Console console, Path dir, Path source, BundleManifest previous)
            throws IOException {
        Path target = dir.resolve(NAME);
        if (source == null) {
            return found(console, dir, target, previous);
        }
        if (!(Files.exists(target) && Files.isSameFile(source, target))) {
            try (AtomicFile copy = AtomicFile.create(target)) {
                Files.copy(source, copy.stream());
                copy.commit();
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return checked(console, target);
    }

    /** Running from the jar: the copy the previous bundle listed if still whole, or one put there by hand. */
    private static BundleManifest.Executable found(Console console, Path dir, Path target, BundleManifest previous)
            throws IOException {
        BundleManifest.Executable old = previous == null ? null : previous.executable();
        if (old != null && Files.isRegularFile(target) && Files.size(target) == old.size()) {
            try (Progress progress = Progress.start(console, "checking " + NAME, old.size())) {
                if (BundleVerifier.sha256(target, progress::update).equals(old.sha256())) {
                    return old;
                }
            }
        }
        if (isExecutable(target)) {
            // the native executable put into the folder by hand, as this hint asks
            console.info("listed " + NAME + ", which is in " + dir + ", in the bundle: verify checks it");
            return checked(console, target);
        }
        console.info("running from the jar: no executable copied into the bundle; copy the native"
                + " mlreef-offline into " + dir + " and export again to list it");
        return null;
    }

    private static BundleManifest.Executable checked(Console console, Path target) throws IOException {
        try (Progress progress = Progress.start(console, "checking " + NAME, Files.size(target))) {
            return new BundleManifest.Executable(NAME, Files.size(target),
                    BundleVerifier.sha256(target, progress::update));
        }
    }

    /** Whether the file is an executable program (ELF), as the native mlreef-offline is; not a link. */
    private static boolean isExecutable(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        }
    }
}

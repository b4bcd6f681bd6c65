package com.mlreef.offline.export;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.ImageFileWriter;
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
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            return checked(console, target);
        }
        BundleManifest.Executable old = previous == null ? null : previous.executable();
        if (old != null && unchanged(source, target, old.size())) {
            return old;
        }
        return copied(console, source, target);
    }

    /**
     * Whether the copy is the one the previous export made of this same executable: its size and modification time
     * (which the copy takes from the executable) agree, so that it need not be read again. verify still checks it.
     */
    private static boolean unchanged(Path source, Path target, long listedSize) throws IOException {
        return Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(source) == listedSize
                && Files.size(target) == listedSize
                && Files.getLastModifiedTime(source).equals(Files.getLastModifiedTime(target));
    }

    /** Copies the running executable into the bundle, hashed in the same pass, with its modification time. */
    private static BundleManifest.Executable copied(Console console, Path source, Path target) throws IOException {
        String sha256;
        try (Progress progress = Progress.start(console, "copying " + NAME, Files.size(source));
             AtomicFile copy = AtomicFile.create(target)) {
            ImageFileWriter.HashingStream hashed = new ImageFileWriter.HashingStream(copy.stream(), progress::update);
            Files.copy(source, hashed);
            sha256 = hashed.hex();
            copy.commit();
        }
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setLastModifiedTime(target, Files.getLastModifiedTime(source));
        return new BundleManifest.Executable(NAME, Files.size(target), sha256);
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

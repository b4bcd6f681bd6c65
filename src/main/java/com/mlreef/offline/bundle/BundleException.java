package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A bundle folder that cannot be read or written as asked; the message names the file. */
public class BundleException extends ToolException {
    public BundleException(String message) {
        super(ExitCode.FAILED, message);
    }

    private BundleException(int exitCode, String message) {
        super(exitCode, message);
    }

    /** A folder named on the command line that is missing or is a file: bad usage, not a bad bundle. */
    public static void requireFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BundleException(ExitCode.USAGE, dir + (Files.exists(dir) ? " is not a folder"
                    : " does not exist"));
        }
    }

    /**
     * Refuses the images/ folder of a bundle given for the bundle itself: read alone, it would pass for a folder of
     * plain docker save tars, its checksums unchecked and its stack replaced by the default one.
     */
    public static void refuseImagesFolder(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (!Files.exists(dir.resolve(BundleManifest.FILE_NAME)) && parent != null
                && dir.toAbsolutePath().normalize().getFileName().toString().equals(BundleFiles.IMAGES)
                && Files.exists(parent.resolve(BundleManifest.FILE_NAME))) {
            throw new BundleException(ExitCode.USAGE, dir + " is the images folder of the bundle in " + parent
                    + ": give -d " + parent);
        }
    }

    public BundleException(String message, Throwable cause) {
        super(ExitCode.FAILED, message, cause);
    }
}

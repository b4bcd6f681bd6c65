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

    public BundleException(String message, Throwable cause) {
        super(ExitCode.FAILED, message, cause);
    }
}

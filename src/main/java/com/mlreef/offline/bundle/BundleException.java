package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;

/** A bundle folder that cannot be read or written as asked; the message names the file. */
public class BundleException extends ToolException {
    public BundleException(String message) {
        super(ExitCode.FAILED, message);
    }

    public BundleException(String message, Throwable cause) {
        super(ExitCode.FAILED, message, cause);
    }
}

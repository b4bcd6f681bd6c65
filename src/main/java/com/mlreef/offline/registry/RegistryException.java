package com.mlreef.offline.registry;

import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;

/** A registry refused a request, could not be reached, or sent what it should not have; the message is one line. */
public class RegistryException extends ToolException {
    public RegistryException(String message) {
        super(ExitCode.FAILED, message);
    }

    public RegistryException(String message, Throwable cause) {
        super(ExitCode.FAILED, message, cause);
    }

    /** A name, reference or platform given by the user that is not valid (exit 2). */
    public static RegistryException usage(String message) {
        return new Usage(message);
    }

    private static final class Usage extends RegistryException {
        Usage(String message) {
            super(message);
        }

        @Override
        public int exitCode() {
            return ExitCode.USAGE;
        }
    }
}

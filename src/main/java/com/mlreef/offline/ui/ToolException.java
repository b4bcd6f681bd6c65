package com.mlreef.offline.ui;

/** A failure to report to the user as one line, with the exit code the process ends with. */
public class ToolException extends RuntimeException {
    private final int exitCode;

    public ToolException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public ToolException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

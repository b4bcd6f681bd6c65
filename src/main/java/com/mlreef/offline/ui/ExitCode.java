package com.mlreef.offline.ui;

/** The process exit codes, in one place; {@code --help} and README list them. */
public final class ExitCode {
    /** Done, nothing wrong. */
    public static final int OK = 0;
    /** The command failed (a check failed, the engine refused, a file is bad). */
    public static final int FAILED = 1;
    /** Bad usage: unknown option, missing or invalid argument. */
    public static final int USAGE = 2;
    /** No Docker Engine could be reached at the address (missing socket, permission, not a Docker API). */
    public static final int ENGINE_UNREACHABLE = 3;
    /** Stopped by Ctrl-C; running it again continues where it stopped. (SIGTERM ends the process with 143.) */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}

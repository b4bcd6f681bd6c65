package com.mlreef.offline.ui;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tool speaks: results on stdout (so they can be piped, {@code --json} among them), messages on stderr.
 * {@code quiet} drops informational messages; warnings and errors always show.
 */
public final class Console {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean quiet;
    private final boolean verbose;
    private final boolean errTty;

    public Console(PrintStream out, PrintStream err, boolean quiet, boolean verbose) {
        this(out, err, quiet, verbose, isTerminal(2));
    }

    public Console(PrintStream out, PrintStream err, boolean quiet, boolean verbose, boolean errTty) {
        this.out = out;
        this.err = err;
        this.quiet = quiet;
        this.verbose = verbose;
        this.errTty = errTty;
    }

    public static Console system(boolean quiet, boolean verbose) {
        return new Console(System.out, System.err, quiet, verbose);
    }

    /** A result line, on stdout. */
    public void result(String line) {
        out.println(line);
        out.flush();
    }

    /** A message about progress, on stderr; dropped with --quiet. */
    public void info(String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }

    /** Detail shown only with --verbose. */
    public void debug(String message) {
        if (verbose) {
            err.println(message);
            err.flush();
        }
    }

    public void warn(String message) {
        err.println("warning: " + message);
        err.flush();
    }

    public void error(String message) {
        err.println("error: " + message);
        err.flush();
    }

    public boolean quiet() { return quiet; }

    public boolean verbose() { return verbose; }

    /** True when stderr is a terminal: progress may redraw one line instead of printing many. */
    public boolean interactive() { return errTty; }

    public PrintStream out() { return out; }

    public PrintStream err() { return err; }

    /** Whether the file descriptor is a terminal, read from /proc (no native call needed). */
    static boolean isTerminal(int fd) {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}

package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import picocli.CommandLine.Option;

/** Options every command shares for how much it says. */
public final class OutputOptions {
    @Option(names = {"-v", "--verbose"}, description = "Say more; show stack traces of errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Print only results, warnings and errors.")
    boolean quiet;

    private Console console;

    public Console console() {
        if (console == null) {
            console = Console.system(quiet, verbose);
        }
        return console;
    }

    public boolean verbose() {
        return verbose;
    }
}

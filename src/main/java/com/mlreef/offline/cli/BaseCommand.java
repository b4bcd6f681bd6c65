package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A subcommand: shared output options, one call into the domain, an exit code. */
public abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    OutputOptions output;

    @Override
    public final Integer call() throws Exception {
        if (output.quiet && output.verbose) {
            throw new ToolException(ExitCode.USAGE, "-q/--quiet and -v/--verbose say the opposite: give one of them");
        }
        return execute(output.console());
    }

    protected abstract int execute(Console console) throws Exception;

    boolean verbose() {
        return output != null && output.verbose();
    }
}

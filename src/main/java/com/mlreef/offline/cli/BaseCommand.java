package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A subcommand: shared output options, one call into the domain, an exit code. */
public abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    OutputOptions output;

    @Override
    public final Integer call() throws Exception {
        return execute(output.console());
    }

    protected abstract int execute(Console console) throws Exception;

    boolean verbose() {
        return output != null && output.verbose();
    }
}

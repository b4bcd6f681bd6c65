package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A command that this version does not have yet: it says so and exits 1. */
public abstract class NotBuiltCommand extends BaseCommand {
    @Spec
    CommandSpec spec;

    /** Whatever options the finished command will take: this one says it is not built, whatever is given. */
    @Unmatched
    List<String> arguments;

    @Override
    protected int execute(Console console) {
        throw new ToolException(ExitCode.FAILED, "'" + spec.name() + "' is not built in this version of mlreef-offline");
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, description = "Save the stack's volumes to a file (not built yet).")
    public static final class Backup extends NotBuiltCommand { }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Restore the stack's volumes from a backup (not built yet).")
    public static final class Restore extends NotBuiltCommand { }
}

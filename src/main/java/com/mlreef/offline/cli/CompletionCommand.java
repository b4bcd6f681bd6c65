package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true, description = "Print a completion script for bash and zsh.",
        footer = {"", "bash:  source <(mlreef-offline completion)",
            "       mlreef-offline completion > /etc/bash_completion.d/mlreef-offline",
            "zsh:   autoload -U +X bashcompinit && bashcompinit && source <(mlreef-offline completion)"})
public class CompletionCommand extends BaseCommand {
    @Spec
    CommandSpec spec;

    @Override
    protected int execute(Console console) {
        console.out().print(AutoComplete.bash("mlreef-offline", spec.root().commandLine()));
        console.out().flush();
        return ExitCode.OK;
    }
}

package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "restart", mixinStandardHelpOptions = true, description = "Restart the stack's containers.",
        footer = {"", "Examples:", "  mlreef-offline restart", "  mlreef-offline restart -t 30 mlreef", "",
            MlreefOffline.EXIT_CODES})
public final class RestartCommand extends BaseCommand {
    @Mixin
    StackServices target;

    @Mixin
    StopTime time;

    @Override
    protected int execute(Console console) {
        StackServices.Target stack = target.target(console);
        target.started(HostLock.changing(console, target.engine(), "restarted",
                () -> stack.control().restart(stack.stack(), stack.services(), time.seconds())), console, stack);
        return ExitCode.OK;
    }
}

package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "start", mixinStandardHelpOptions = true, description = "Start the stack's stopped containers.",
        footer = {"", "Examples:", "  mlreef-offline start", "  mlreef-offline start mlreef",
            "  mlreef-offline start -d mlreef-images-tar   # names those with no container", "",
            MlreefOffline.EXIT_CODES})
public final class StartCommand extends BaseCommand {
    @Mixin
    StackServices target;

    @Override
    protected int execute(Console console) {
        StackServices.Target stack = target.target(console);
        target.started(HostLock.changing(console, target.engine(), "started",
                () -> stack.control().start(stack.stack(), stack.services())), console, stack);
        return ExitCode.OK;
    }
}

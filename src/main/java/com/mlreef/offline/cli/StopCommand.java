package com.mlreef.offline.cli;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the stack's containers (they keep"
        + " their data; 'start' starts them again).", footer = {"", "Examples:", "  mlreef-offline stop",
            "  mlreef-offline stop -t 60 mlreef      # one service, a minute to stop",
            "  mlreef-offline stop --stack demo", "", MlreefOffline.EXIT_CODES})
public final class StopCommand extends BaseCommand {
    @Mixin
    StackServices target;

    @Mixin
    StopTime time;

    @Override
    protected int execute(Console console) {
        StackServices.Target stack = target.target(console);
        if (HostLock.changing(console, target.engine(), "stopped",
                () -> stack.control().stop(stack.stack(), stack.services(), time.seconds())) == 0) {
            console.info("stack " + stack.stack() + " has no containers (after down): nothing to stop");
        }
        return ExitCode.OK;
    }
}

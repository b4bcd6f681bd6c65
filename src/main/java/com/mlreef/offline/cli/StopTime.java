package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import picocli.CommandLine.Option;

/** -t: how long each container has to stop; they stop at the same time. */
public final class StopTime {
    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds each container has to stop"
            + " (after SIGTERM) before it is killed; the containers stop at the same time, in waves by"
            + " depends_on (default: the"
            + " service's stop_grace_period, else " + StackControl.STOP_SECONDS + ").")
    Integer time;

    Integer seconds() {
        if (time != null && (time < 0 || time > 3600)) {
            throw new ToolException(ExitCode.USAGE, "-t/--time: " + time + " is not a number of seconds from 0 to"
                    + " 3600");
        }
        return time;
    }
}

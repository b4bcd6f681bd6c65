package com.mlreef.offline.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@TopCommand
@Command(name = "mlreef-offline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Installs and runs the MLReef Nautilus stack on a server without internet.",
            "",
            "On a host with internet: 'export' writes the stack's images into a bundle folder.",
            "Carry the folder (with this binary) to the offline host, then: 'verify', 'run', 'status'.",
            "Start with 'mlreef-offline doctor' to see whether this host is ready."
        },
        subcommands = {
            ExportCommand.class,
            VerifyCommand.class,
            PushCommand.class,
            RunCommand.class,
            StatusCommand.class,
            LogsCommand.class,
            StopCommand.class,
            StartCommand.class,
            RestartCommand.class,
            DownCommand.class,
            BackupCommand.class,
            RestoreCommand.class,
            DoctorCommand.class,
            DnsCommand.class,
            PipServeCommand.class,
            StackCommand.class,
            CompletionCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done, nothing wrong",
            "1:failed (a check failed, the engine refused, a file is bad)",
            "2:bad usage (unknown option, missing or invalid argument, invalid stack file)",
            "3:no Docker Engine reachable (socket missing, permission denied, not a Docker API)",
            "130:interrupted by Ctrl-C; running the command again continues",
            "143:stopped by SIGTERM (kill); running the command again continues"
        },
        footer = {"", "Environment: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH (as the docker CLI reads them).",
            "See 'mlreef-offline COMMAND --help' for a command's options."})
public class MlreefOffline implements Runnable {
    /** The exit codes in one line, for the help of the commands that change things. */
    public static final String EXIT_CODES = "Exit codes: 0 done, 1 failed, 2 bad usage, 3 no Docker Engine reachable,"
            + " 130 (Ctrl-C), 143 (SIGTERM) or 129 (the terminal hung up) interrupted: run the same command again to"
            + " continue.";

    @Spec
    CommandSpec spec;

    // before the command as after it (GlobalOptions hands them down)
    @Mixin
    EngineOptions engine;

    @Mixin
    OutputOptions output;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given");
    }
}

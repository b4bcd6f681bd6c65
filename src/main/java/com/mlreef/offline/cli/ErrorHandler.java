package com.mlreef.offline.cli;

import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.EngineUnreachableException;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MaxValuesExceededException;
import picocli.CommandLine.MutuallyExclusiveArgsException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** Turns every failure into one line on stderr and an exit code; stack traces only with --verbose. */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintStream err = System.err;
        // one line, as every error
        String suggestion = ex instanceof UnmatchedArgumentException unmatched
                && !unmatched.getSuggestions().isEmpty()
                ? " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)" : "";
        String repeated = ex instanceof MaxValuesExceededException || ex instanceof MutuallyExclusiveArgsException
                ? StackOptions.repeated(cmd, args) : null;
        String message;
        if (ex instanceof MutuallyExclusiveArgsException && repeated == null && StackOptions.group(cmd) != null) {
            message = StackOptions.ONCE; // in the commands' words, without picocli's list of the group
        } else {
            message = (repeated != null ? repeated : ex.getMessage().strip().replaceAll("\\s*\\R\\s*", "; "))
                    + suggestion + "; see '" + cmd.getCommandSpec().qualifiedName() + " --help'";
        }
        err.println("error: " + message);
        err.flush();
        if (java.util.Arrays.asList(args).contains("--json")) {
            json(message, ExitCode.USAGE);
        }
        return ExitCode.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        boolean verbose = cmd.getCommand() instanceof BaseCommand base && base.verbose();
        PrintStream err = System.err;
        if (verbose) {
            ex.printStackTrace(err);
        }
        if (!(ex instanceof ToolException) && OnInterrupt.shuttingDown()) {
            // a signal ends the process: what failed, failed because of it (a hook refused, a stream closed), and
            // the command's own hook, if it had one yet, says what the interruption leaves
            return ExitCode.INTERRUPTED;
        }
        err.println("error: " + message(ex));
        err.flush();
        if (cmd.getParseResult() != null && cmd.getParseResult().hasMatchedOption("--json")) {
            json(message(ex), exitCode(ex));
        }
        return exitCode(ex);
    }

    /** An error of a command asked for --json, on stdout too: a script reading stdout gets JSON either way. */
    private static void json(String message, int exitCode) {
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("ok", false);
        failure.put("error", message);
        failure.put("exitCode", exitCode);
        System.out.println(JsonOutput.of(failure));
        System.out.flush();
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof ToolException tool) {
            return tool.exitCode();
        }
        if (ex instanceof EngineUnreachableException) {
            return ExitCode.ENGINE_UNREACHABLE;
        }
        if (ex instanceof InterruptedException) {
            return ExitCode.INTERRUPTED;
        }
        return ExitCode.FAILED;
    }

    static String message(Throwable ex) {
        if (ex instanceof ToolException || ex instanceof DockerException) {
            return ex.getMessage();
        }
        if (ex instanceof InterruptedException) {
            return "interrupted; run the command again to continue";
        }
        String text = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return "unexpected failure: " + text + " (run again with --verbose for details)";
    }
}

package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.lifecycle.StackFinder;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Which stack a command means, on which engine: one of --stack, the stack file or -d, else the only one there. */
public abstract class StackOptions {
    /** What a command says when it is given more than one of them. */
    static final String ONCE = "name the stack once: --stack, --file or -d";

    /** --stack, the stack file and -d, of which picocli lets one be given. */
    abstract static class Choice {
        @Option(names = "--stack", paramLabel = "NAME", description = "The stack (default: the only one that runs here).")
        String stack;

        @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "The stack of this bundle folder.")
        Path dir;

        abstract Path file();
    }

    /** -f or --file for the stack file, as run, export and doctor take it. */
    static final class WithFile extends Choice {
        @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "The stack of this stack file.")
        Path file;

        @Override
        Path file() {
            return file;
        }
    }

    /** --file alone for the stack file: logs' -f is --follow, as in docker. */
    static final class WithLongFile extends Choice {
        @Option(names = "--file", paramLabel = "STACK", description = "The stack of this stack file.")
        Path file;

        @Override
        Path file() {
            return file;
        }
    }

    /** The options of most commands: -f/--file is the stack file. */
    public static final class Usual extends StackOptions {
        @ArgGroup(exclusive = true)
        WithFile choice;

        @Override
        Choice choice() {
            return choice;
        }
    }

    /** The options of logs, whose -f is --follow. */
    public static final class ForLogs extends StackOptions {
        @ArgGroup(exclusive = true)
        WithLongFile choice;

        @Override
        Choice choice() {
            return choice;
        }
    }

    @Mixin
    EngineOptions engine;

    /** The option given, or null when none was. */
    abstract Choice choice();

    StackControl control(Console console) {
        return new StackControl(engine.engine(), console);
    }

    String stack() {
        return choice() == null ? null : choice().stack;
    }

    Path file() {
        return choice() == null ? null : choice().file();
    }

    private StackDocument document;

    /** The stack file given, read once (-f - is standard input, which can be read once); null without one. */
    StackDocument document() {
        if (document == null && file() != null) {
            document = StackDocument.load(file(), s -> { }).withoutWrittenValues(); // these commands write none
        }
        return document;
    }

    Path dir() {
        return choice() == null ? null : choice().dir;
    }

    /** Whether one of them was given. */
    boolean given() {
        return choice() != null;
    }

    /** The stack's name: as given (it must exist), else found by the label run puts on containers. */
    String stack(StackControl control) {
        Path dir = dir();
        String stack = stack();
        if (stack != null && stack.isBlank()) {
            throw new ToolException(ExitCode.USAGE, "--stack: an empty name (is a variable unset?)");
        }
        if (file() != null) {
            return control.resolve(document().resolve(System.getenv(), s -> { }).name());
        }
        if (dir != null) {
            return control.resolve(StackFinder.stackOf(dir));
        }
        return control.resolve(stack);
    }

    /** Whether -f or -d was given, which tell the services there should be. */
    boolean tellsServices() {
        return file() != null || dir() != null;
    }

    /** The services the stack file or bundle has that have no container (removed by hand), as status rows. */
    List<StackControl.ContainerStatus> missing(StackControl control, StackControl.Status status) {
        return StackControl.missing(status, StackFinder.specOf(document(), dir(), control.recorded(status.stack())));
    }

    /** The stack group of a command, or null when it takes none. */
    static ArgGroupSpec group(CommandLine command) {
        return command.getCommandSpec().argGroups().stream()
                .filter(g -> Choice.class.isAssignableFrom(g.typeInfo().getType())).findFirst().orElse(null);
    }

    /**
     * The option of the command's stack group that {@code args} give twice, in picocli's words for an option given
     * twice, or null: picocli reports it as a second match of the group.
     */
    static String repeated(CommandLine command, String[] args) {
        ArgGroupSpec group = group(command);
        for (OptionSpec option : group == null ? List.<OptionSpec>of() : group.options()) {
            long given = java.util.Arrays.stream(args).takeWhile(a -> !a.equals("--"))
                    .filter(a -> List.of(option.names()).stream().anyMatch(n -> a.equals(n) || a.startsWith(n + "=")
                            || !n.startsWith("--") && a.startsWith(n) && !a.startsWith("--")))
                    .count();
            if (given > 1) {
                return "option '" + option.longestName() + "' (" + option.paramLabel() + ") should be specified"
                        + " only once";
            }
        }
        return null;
    }
}

package com.mlreef.offline.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/** The one place where the command line is configured: error handling for every command, help built at run time. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        CommandLine commandLine = factory.create();
        if ("dumb".equals(System.getenv("TERM"))) { // a terminal without colours, as the progress lines know too
            commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        }
        return configure(commandLine);
    }

    /** The commands' configuration, whoever made them (Quarkus, or the reference's generator). */
    static CommandLine configure(CommandLine commandLine) {
        ErrorHandler handler = new ErrorHandler();
        StackCommand.Show.footer(commandLine.getSubcommands().get("stack").getSubcommands().get("show"));
        return commandLine
                .setExecutionStrategy(new GlobalOptions())
                .setExecutionExceptionHandler(handler)
                .setParameterExceptionHandler(handler)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Path.class, CommandLineSetup::path);
    }

    /** A path option: an empty one (an unset shell variable, -o "$OUT") is refused, not taken for this folder. */
    static Path path(String value) {
        if (value.isBlank()) {
            throw new CommandLine.TypeConversionException("an empty path; give a file or folder ('.' for this one)");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a valid path: " + e.getReason());
        }
    }
}

package com.mlreef.offline.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The options every command takes, before or after its name, as docker takes {@code -H} ({@code mlreef-offline -H ADDR
 * doctor} is {@code mlreef-offline doctor -H ADDR}). The top command declares them for its help; each command keeps
 * its own (from its mixins), so that its help shows them once; a value given before the command is handed to it unless
 * it was given after too. {@code --help} before the command shows that command's help, {@code --version} anywhere the
 * tool's version.
 */
final class GlobalOptions implements IExecutionStrategy {
    /** The options handed down: the engine's address and how much to say. */
    static final List<String> NAMES = List.of("--host", "--verbose", "--quiet");

    @Override
    public int execute(ParseResult parseResult) {
        List<CommandLine> parsed = parseResult.asCommandLineList();
        CommandLine command = parsed.get(parsed.size() - 1);
        ParseResult own = command.getParseResult();
        for (String name : NAMES) {
            OptionSpec given = parseResult.matchedOption(name);
            OptionSpec target = command.getCommandSpec().findOption(name);
            if (given != null && target != null && parsed.size() > 1 && !own.hasMatchedOption(name)) {
                target.setValue(given.getValue());
            }
        }
        if (parsed.stream().anyMatch(CommandLine::isVersionHelpRequested)) {
            parsed.get(0).printVersionHelp(command.getOut());
            return parsed.get(0).getCommandSpec().exitCodeOnVersionHelp();
        }
        if (parsed.stream().anyMatch(CommandLine::isUsageHelpRequested)) {
            command.usage(command.getOut(), command.getColorScheme());
            return command.getCommandSpec().exitCodeOnUsageHelp();
        }
        return new CommandLine.RunLast().execute(parseResult);
    }
}

package com.mlreef.offline.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * The option reference in docs/commands/, made from the commands themselves: each command's usage help (as
 * {@code --help} prints it, at a fixed width, without colours) in a Markdown file, and an index.
 */
final class CommandReference {
    static final String FOLDER = "docs/commands";
    static final String REGENERATE = "scripts/docs.sh";
    private static final int WIDTH = 100;

    private CommandReference() {
    }

    /** File name (in docs/commands) to its content, for the top command, every command and every subcommand. */
    static Map<String, String> files() {
        CommandLine top = CommandLineSetup.configure(new CommandLine(new MlreefOffline()));
        List<CommandLine> commands = new ArrayList<>();
        collect(top, commands);
        Map<String, String> files = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("# Command reference\n\n" + generated()
                + "\n\n| command | what it does |\n|---|---|\n");
        for (CommandLine command : commands) {
            String name = fileName(command);
            files.put(name, page(command));
            index.append("| [`").append(command.getCommandSpec().qualifiedName()).append("`](").append(name)
                    .append(") | ").append(summary(command)).append(" |\n");
        }
        files.put("README.md", index.toString());
        return files;
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    private static String fileName(CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        String name = spec.parent() == null ? spec.name()
                : spec.qualifiedName("-").substring(spec.root().name().length() + 1);
        return name + ".md";
    }

    private static String page(CommandLine command) {
        command.getCommandSpec().usageMessage().width(WIDTH).autoWidth(false);
        String usage = command.getUsageMessage(Help.defaultColorScheme(Help.Ansi.OFF))
                .replaceAll("(?m)[ \\t]+$", "");
        return "# " + command.getCommandSpec().qualifiedName() + "\n\n" + generated() + "\n\n```text\n"
                + usage.strip() + "\n```\n";
    }

    private static String summary(CommandLine command) {
        String[] description = command.getCommandSpec().usageMessage().description();
        String first = description.length == 0 ? "" : description[0];
        int end = first.indexOf(". ");
        return (end < 0 ? first : first.substring(0, end + 1)).replace("|", "\\|").replace("%n", " ");
    }

    private static String generated() {
        return "Generated from the commands' own help by `" + REGENERATE
                + "`; do not edit.";
    }
}

package com.mlreef.offline.cli;

import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Work with stack files: what to carry and run, in the Compose format plus x-offline.",
        subcommands = StackCommand.Show.class)
public class StackCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no subcommand given; try 'stack show'");
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = {
            "Print a stack file: the embedded default (the MLReef Nautilus stack) as written, or the one given with -f"
                + " once it is checked, resolved as docker compose config prints it. Copy the default, adapt it and"
                + " pass it with -f to export and run."})
    public static class Show extends BaseCommand {
        /**
         * Gives {@code show}'s help its footer, which lists a service's keys as the stack file's readers do (an
         * annotation takes only constants).
         */
        static void footer(CommandLine show) {
            show.getCommandSpec().usageMessage().footer("", "A stack file is a Compose file (a subset); an unknown key"
                    + " is an error naming its path.",
                    "Top level: name, services, volumes (name, external, labels, driver, driver_opts),",
                    "  networks (name, driver, external, labels, driver_opts, internal, attachable,",
                    "  enable_ipv6, ipam: driver, options, config: subnet, ip_range, gateway,",
                    "  aux_addresses), x-offline (images: carried although no service runs them;",
                    "  files: the file name of an image in the bundle).",
                    "A service: " + String.join(", ", StackFile.SERVICE_KEYS) + ";",
                    "  " + String.join(", ", StackFile.SETTINGS_KEYS) + ";",
                    "  " + String.join(", ", StackFile.ENGINE_KEYS) + ";",
                    "  x-offline: ready ({log: LINE}, {healthcheck: true} or {http: URL}, with",
                    "  timeout) and after-ready (commands run in the container once it is ready).",
                    "$${VAR}, $${VAR:-default}, $${VAR:?message} and the other Compose forms take this",
                    "  host's environment (and -s as PIP_SERVER), then the .env beside the file.",
                    "", "Examples:", "  mlreef-offline stack show > stack.yaml",
                    "  mlreef-offline stack show -f compose.yaml   # checks it, prints it resolved",
                    "  mlreef-offline stack show -f compose.yaml --as-written   # merged, not resolved",
                    "", "Exit codes: 0 printed (the file is valid), 2 the file has a mistake (the error names it).");
        }

        @picocli.CommandLine.Mixin
        ProfileOption profile = new ProfileOption();

    @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "A stack file to check and print. Give it"
            + " again for files merged over it, as docker compose merges them; compose.yaml (or docker-compose.yml)"
            + " alone is merged with the compose.override.yaml (docker-compose.override.yml) beside it.")
        java.util.List<Path> files = new java.util.ArrayList<>();

        @Option(names = "--as-written", description = "With -f, print the file as written (several files: merged into"
                + " one) instead of resolved. Resolved is as docker compose config prints it: its name, variables"
                + " resolved ($ written $$$$), services of profiles not given left out, relative paths and ~ made"
                + " absolute.")
        boolean asWritten;

        @Override
        protected int execute(Console console) {
            com.mlreef.offline.stackfile.StackDocument document = com.mlreef.offline.stackfile.StackDocument
                    .loadAll(files, console::warn);
            java.util.Map<String, String> variables = profile.variables(System.getenv());
            String text = !files.isEmpty() && !asWritten ? document.resolvedText(variables, console::warn)
                    : document.resolveLoaded(variables, console::warn).text();
            console.out().print(text);
            console.out().flush();
            return ExitCode.OK;
        }
    }
}

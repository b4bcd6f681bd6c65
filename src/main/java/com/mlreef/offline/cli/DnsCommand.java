package com.mlreef.offline.cli;

import com.mlreef.offline.host.DnsSetup;
import com.mlreef.offline.host.HostResolvers;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dns", mixinStandardHelpOptions = true, description = {
        "Show and set the DNS servers the Docker Engine gives containers, so that they resolve intranet names (a pip"
            + " server on another host, a package mirror).",
        "Without options, shows the engine's set-up (the dns list of daemon.json, dockerd's --dns options) beside "
            + "this host's resolvers (/etc/resolv.conf and, when systemd-resolved runs, its upstream servers in "
            + "/run/systemd/resolve/resolv.conf): no nmcli needed to find the DNS server.",
        "--add and --remove change the dns list of daemon.json: every other key is kept, a server already there is "
            + "not added again, the old file is kept beside it as daemon.json.YYYYMMDD-HHMMSS.bak and the new one is "
            + "written atomically. A file that is not valid JSON is refused, unchanged. The engine reads the file when "
            + "it starts: restart it afterwards (running containers stop; those with a restart policy, as the "
            + "stack's, start again)."},
        footer = {"", "Examples:", "  mlreef-offline dns                               # what is used now",
            "  mlreef-offline dns --add 10.0.0.2 --add 10.0.0.3 # then: systemctl restart docker",
            "  mlreef-offline dns --add 10.0.0.2 --dry-run      # show the change only",
            "  mlreef-offline dns --remove 10.0.0.3",
            "", "Exit codes: 0 done, 1 failed (daemon.json invalid or not writable), 2 bad usage (not an IP address)."})
public class DnsCommand extends BaseCommand {
    static final String DAEMON_CONFIG = "/etc/docker/daemon.json";

    @Mixin
    EngineOptions engine;

    @Option(names = "--add", paramLabel = "IP", arity = "1..*",
            description = "Add DNS servers (IPv4 or IPv6 addresses) to daemon.json's dns list, after those there.")
    List<String> add = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "IP", description = "Remove a DNS server from the list (repeatable); an"
            + " empty list is dropped, giving the engine's default back.")
    List<String> remove = new ArrayList<>();

    @Option(names = "--dry-run", description = "Show the change and write nothing.")
    boolean dryRun;

    @Option(names = "--daemon-config", paramLabel = "FILE", defaultValue = DAEMON_CONFIG,
            description = "The engine's configuration file (default: ${DEFAULT-VALUE}).")
    Path daemonConfig;

    @Override
    protected int execute(Console console) {
        boolean local = engine.local();
        DnsSetup setup = new DnsSetup(daemonConfig, HostResolvers.RESOLV_CONF, HostResolvers.RESOLVED_UPSTREAM,
                local ? Path.of("/proc") : null);
        if (add.isEmpty() && remove.isEmpty()) {
            setup.show(engine.engine(), console);
            if (!local) {
                console.warn("the engine runs on another host: this host's daemon.json and resolvers are shown, run"
                        + " 'mlreef-offline dns' there for its own");
            }
            return ExitCode.OK;
        }
        setup.change(add, remove, dryRun, Clock.systemUTC(), console);
        return ExitCode.OK;
    }
}

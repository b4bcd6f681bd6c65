package com.mlreef.offline.host;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.ui.Console;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * {@code dns}: the engine's DNS set-up and this host's resolvers side by side, and changes to daemon.json's
 * {@code dns} list, so that containers can resolve intranet names (a pip server on another host) without the
 * operator reading nmcli or editing JSON by hand.
 *
 * @param daemonConfig     the engine's configuration file
 * @param resolvConf       this host's resolver file
 * @param resolvedUpstream systemd-resolved's list of upstream servers (absent when it does not run)
 * @param proc             /proc, where the engine's command line is read (null: the engine is on another host)
 */
public record DnsSetup(Path daemonConfig, Path resolvConf, Path resolvedUpstream, Path proc) {

    /** Prints what the engine and the host use; {@code engine} null when it was not asked. */
    public void show(DockerEngine engine, Console console) {
        if (engine != null) {
            try {
                console.result("engine:            Docker Engine " + engine.version().version() + " at "
                        + engine.address());
            } catch (DockerException e) {
                console.result("engine:            not reachable (" + e.getMessage() + ")");
            }
        }
        EngineFlags.Dns flags = proc == null ? new EngineFlags.Dns(false, List.of()) : EngineFlags.read(proc);
        if (!flags.dns().isEmpty()) {
            console.result("dockerd --dns:     " + String.join(", ", flags.dns()));
        }
        List<String> configured = DaemonDns.servers(daemonConfig);
        console.result("daemon.json dns:   " + (configured.isEmpty() ? "none" : String.join(", ", configured))
                + "  (" + daemonConfig + (java.nio.file.Files.exists(daemonConfig) ? "" : ", absent") + ")");
        HostResolvers.Resolvers host = HostResolvers.read(resolvConf, resolvedUpstream);
        console.result("host resolvers:    " + (host.host() == null ? "unreadable" : host.host().isEmpty() ? "none"
                : String.join(", ", host.host())) + "  (" + resolvConf + ")");
        if (host.upstream() != null) {
            console.result("systemd-resolved:  " + (host.upstream().isEmpty() ? "no upstream servers"
                    : String.join(", ", host.upstream())) + "  (" + resolvedUpstream + ")");
        }
        console.result("containers ask:    " + containersAsk(flags.dns(), configured, host));
    }

    private static String containersAsk(List<String> flags, List<String> configured, HostResolvers.Resolvers host) {
        if (!flags.isEmpty()) {
            return String.join(", ", flags) + " (dockerd's --dns)";
        }
        if (!configured.isEmpty()) {
            return String.join(", ", configured) + " (daemon.json)";
        }
        return String.join(", ", host.forContainers()) + (host.fallback()
                ? " (the engine's public fallback: this host names no server a container can reach; unreachable"
                + " without internet: add your intranet DNS server with 'mlreef-offline dns --add IP')"
                : " (this host's resolvers, as the engine copies them)");
    }

    /** Adds and removes servers in daemon.json, then says what to do next. */
    public DaemonDns.Change change(List<String> add, List<String> remove, boolean dryRun, Clock clock,
                                   Console console) {
        DaemonDns.Change change = DaemonDns.change(daemonConfig, add, remove, dryRun, clock);
        String before = change.before().isEmpty() ? "none" : String.join(", ", change.before());
        String after = change.after().isEmpty() ? "none (the engine's default)" : String.join(", ", change.after());
        if (!change.changes()) {
            console.result("daemon.json dns:   " + before + "  (unchanged: nothing to add or remove)");
            return change;
        }
        if (dryRun) {
            console.result("daemon.json dns:   " + before + " -> " + after + "  (dry run: " + daemonConfig
                    + " not written)");
            return change;
        }
        console.result("daemon.json dns:   " + before + " -> " + after + "  (" + daemonConfig + " written"
                + (change.backup() == null ? "" : "; the old file kept as " + change.backup()) + ")");
        EngineFlags.Dns flags = proc == null ? new EngineFlags.Dns(false, List.of()) : EngineFlags.read(proc);
        if (!flags.dns().isEmpty() && !change.after().isEmpty()) {
            console.warn("dockerd runs with --dns " + String.join(", ", flags.dns()) + ": the engine refuses to start"
                    + " with dns set both there and in " + daemonConfig + "; drop --dns from how it is started");
        }
        console.info("next: restart the Docker Engine for it to take effect ('systemctl restart docker', or stop"
                + " dockerd and start it as before); running containers stop with it, and those with a restart"
                + " policy (the stack's containers) start again with the new DNS");
        return change;
    }
}

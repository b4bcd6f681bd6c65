package com.mlreef.offline.cli;

import com.mlreef.offline.lifecycle.StackControl;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.Table;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, description = {
        "Show the stack's containers (state, health, uptime, image, ports, the bundle they came from) and volumes."},
        footer = {"", "Exit codes: 0 every container runs (and is healthy, where it has a healthcheck; a one-shot"
            + " service that run saw complete counts as done), 1 one is stopped, unhealthy or missing, an"
            + " interrupted run left something unfinished (a replacement, after-ready commands), or the"
            + " stack has no containers, 2 bad usage, 3 no Docker Engine reachable. --json has the same as"
            + " \"ok\".",
            "", "Examples:", "  mlreef-offline status",
            "  mlreef-offline status >/dev/null || echo 'not all up'",
            "  mlreef-offline status --json | jq '.containers[].state'"})
public final class StatusCommand extends BaseCommand {
    @Mixin
    StackOptions.Usual stack;

    @Option(names = "--json", description = "Print the status as JSON on stdout.")
    boolean json;

    @Override
    protected int execute(Console console) {
        StackControl control = stack.control(console);
        StackControl.Status status = control.status(stack.stack(control));
        if (stack.tellsServices() && !status.containers().isEmpty()) {
            // the stack file or bundle tells which services there should be: a container removed by hand shows
            List<StackControl.ContainerStatus> rows = new ArrayList<>(status.containers());
            rows.addAll(stack.missing(control, status));
            status = new StackControl.Status(status.stack(), rows, status.volumes());
        }
        int exit = status.ok() ? ExitCode.OK : ExitCode.FAILED;
        if (json) {
            console.result(JsonOutput.of(status));
            return exit;
        }
        print(console, status);
        console.info(summary(status));
        return exit;
    }

    private static void print(Console console, StackControl.Status status) {
        Table containers = new Table("SERVICE", "CONTAINER", "STATE", "HEALTH", "STATUS", "IMAGE", "PORTS",
                "BUNDLE");
        status.containers().forEach(c -> containers.row(c.service(), c.container(), c.state(), c.health(),
                c.status(), c.image(), String.join(" ", c.ports()), c.bundle() == null ? "" : c.bundle()));
        if (!status.containers().isEmpty()) {
            console.out().print(containers.render());
        }
        if (!status.volumes().isEmpty()) {
            Table volumes = new Table("VOLUME", "SIZE", "MOUNTPOINT");
            status.volumes().forEach(v -> volumes.row(v.name(), v.size() < 0 ? "?" : Sizes.bytes(v.size()),
                    v.mountpoint()));
            if (!status.containers().isEmpty()) {
                console.out().println();
            }
            console.out().print(volumes.render());
        }
        console.out().flush();
    }

    private static String summary(StackControl.Status status) {
        long running = status.containers().stream().filter(c -> c.state().equals("running")).count();
        long missing = status.containers().stream().filter(c -> c.state().equals("missing")).count();
        long parked = status.containers().stream().filter(StackControl.ContainerStatus::parked).count();
        long unfinished = status.containers().stream().filter(c -> c.unfinished() != null).count();
        long done = status.containers().stream().filter(StackControl.ContainerStatus::done).count();
        long unhealthy = status.containers().stream().filter(c -> !c.parked() && "unhealthy".equals(c.health()))
                .count();
        return "stack " + status.stack() + ": " + (status.containers().isEmpty()
                ? "no containers (after down; 'run' brings them back)"
                : running + " of " + (status.containers().size() - parked - done) + " containers running"
                + (unhealthy == 0 ? "" : ", " + unhealthy + " of them unhealthy")
                + (done == 0 ? "" : "; " + done + " one-shot " + (done == 1 ? "service" : "services") + " done")
                + (missing == 0 ? "" : "; " + missing + " missing ('run' creates " + (missing == 1 ? "it" : "them")
                + ")") + (parked == 0 ? "" : "; " + parked + " kept as the predecessor of a replacement that"
                + " 'run' has to finish") + (unfinished == 0 ? "" : "; " + unfinished + " left unfinished by an"
                + " interrupted run: run it again"));
    }
}

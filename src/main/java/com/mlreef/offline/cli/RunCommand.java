package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.run.PipServer;
import com.mlreef.offline.run.Preflight;
import com.mlreef.offline.run.RunLock;
import com.mlreef.offline.run.StackRunner;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Load a bundle into the Docker Engine and start its stack; run it again and it changes nothing that is right.",
        "Images the engine already has (by image ID) are not loaded again; of the others only the layers the engine "
            + "lacks are sent (an upgrade that changes one layer sends that layer), gzip and zstd decompressed while "
            + "they stream; a file sent whole has its sha256 checked as it is read. A differential bundle (export "
            + "--since) needs the layers of the bundle it builds on: without them run changes nothing and names that "
            + "bundle. Missing networks and volumes are created; "
            + "existing volumes are never touched. A container with the same configuration and image is left alone "
            + "(started if stopped); one that changed is replaced, and put back if its successor never becomes ready.",
        "Each service is waited for (its x-offline ready rule: a log line, its healthcheck or an HTTP answer), then its "
            + "after-ready commands run inside it. A folder of plain 'docker save' tars without bundle.json works too, "
            + "with the default stack.",
        "One run at a time per host: run holds a lock (/run/lock/mlreef-offline.lock) while it changes the stacks, and "
            + "stop, start, restart and down wait for it too; a second command says which process holds it and "
            + "waits (Ctrl-C stops waiting)."},
        footer = {"", "Examples:", "  mlreef-offline run -d mlreef-images-tar",
            "  mlreef-offline run -d mlreef-images-tar -s localhost:8080   # pip server here",
            "  mlreef-offline run -d mlreef-images-tar --dry-run           # the plan only",
            "", MlreefOffline.EXIT_CODES})
public class RunCommand extends BaseCommand {
    @Mixin
    EngineOptions engine;

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", required = true, description = "The bundle folder.")
    Path dir;

    @Option(names = {"-s", "--pip-server"}, paramLabel = "PIP_SERVER", description = "A pip index for ML jobs: an "
            + "http(s) URL (with USER:PASSWORD@ if it wants them; the password is never printed) or host:port[/path]"
            + " (http:// is added); localhost and 127.0.0.1 are rewritten to the stack network's gateway."
            + " Without it, PIP_SERVER in the"
            + " environment is taken as -s when the stack uses $${PIP_SERVER}.")
    String pipServer;

    @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "Run this stack file instead of the bundle's.")
    Path file;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for each service to be ready"
            + " (30s, 15m, 1h30m), instead of the stack's own ready timeouts (a ready rule without one: 5m).")
    String timeout;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--remove-orphans", description = "Remove the stack's containers of services it no longer has"
            + " (without it they are left running, with a warning); their volumes are kept.")
    boolean removeOrphans;

    @Override
    protected int execute(Console console) {
        long start = System.nanoTime();
        URI pip = pipServer == null ? null : PipServer.parse(pipServer);
        Duration wait = timeout == null ? null : duration(timeout);
        BundleSource source = BundleSource.open(dir);
        StackRunner.Options options = new StackRunner.Options(file, pip, wait, dryRun, System.getenv(),
                engine.local() ? Preflight.PortProbe.BIND : null, removeOrphans);
        DockerEngine docker = engine.engine();
        // a stack file with a mistake, or an engine that cannot be reached, says so before the lock is waited for
        StackRunner runner = new StackRunner(docker, console);
        runner.check(source, options);
        if (pip == null && runner.usesPipServer()) {
            pip = inheritedPipServer(console);
            options = pip == null ? options : options.withPipServer(pip);
        }
        if (pip != null && runner.usesPipServer()) {
            String warning = PipServer.check(pip);
            if (warning != null) {
                console.warn(warning);
            }
        }
        StackSpec spec;
        if (dryRun) {
            spec = runner.run(source, options);
            console.info("dry run: nothing was changed");
            return ExitCode.OK;
        }
        docker.ping();
        // Ctrl-C, a kill or a hang-up: say what state things are in
        try (OnInterrupt interrupted = OnInterrupt.underLock(console, () -> {
            String note = runner.interruption();
            return "interrupted: the stack may be partly applied; run the same command again to finish (what is done"
                    + " is kept)" + (note == null ? "" : ". " + note);
        });
             RunLock lock = RunLock.acquire(RunLock.defaultPath(), console, engine.socket())) {
            interrupted.changing();
            spec = runner.run(source, options);
        }
        console.result("stack " + spec.name() + " is running");
        spec.services().values().forEach(s -> s.ports().forEach(p -> console.result("  " + s.name() + ": "
                + address(p) + ("tcp".equals(p.protocol()) && (p.containerPort() == 80 || p.containerPort() == 8080
                || p.containerPort() == 10080) ? "  (http://" + address(p) + "/)" : ""))));
        DockerEngine.Usage usage = docker.usage();
        console.debug("engine: " + usage.calls() + " calls, " + Sizes.seconds(usage.nanos()) + " from their requests"
                + " to the ends of their answers");
        // --stack: the commands work whatever other stacks run on this engine
        console.info("run done in " + Sizes.seconds(System.nanoTime() - start) + "; next: 'mlreef-offline status"
                + " --stack " + spec.name() + "' shows the containers and volumes, 'mlreef-offline logs --stack "
                + spec.name() + " SERVICE' a service's logs");
        return ExitCode.OK;
    }

    /**
     * PIP_SERVER of the environment, or null. The stack would take it as it is: checked and rewritten as -s is, or a
     * container gets a localhost it cannot reach.
     */
    private static URI inheritedPipServer(Console console) {
        String inherited = System.getenv("PIP_SERVER");
        if (inherited == null || inherited.isBlank()) {
            return null;
        }
        URI pip;
        try {
            pip = PipServer.parse(inherited);
        } catch (ToolException e) {
            throw new ToolException(e.exitCode(), "PIP_SERVER in the environment: "
                    + e.getMessage().replaceFirst("^-s: ", "") + " (unset it, or give -s)");
        }
        console.info("PIP_SERVER from the environment is taken as -s " + PipServer.shown(pip));
        return pip;
    }

    /** Where a published port answers: localhost, or the address it is bound to; then /udp or /sctp if not tcp. */
    private static String address(StackSpec.PortSpec p) {
        String ip = p.hostIp();
        String host = StackSpec.PortSpec.everyAddress(ip) ? "localhost" : StackSpec.PortSpec.beforePort(ip);
        return host + ":" + p.hostPort() + ("tcp".equals(p.protocol()) ? "" : "/" + p.protocol());
    }

    static Duration duration(String text) {
        Duration d = StackFile.parseDuration(text);
        if (d == null) {
            throw new ToolException(ExitCode.USAGE, "--timeout: '" + text + "' is not a duration (30s, 15m, 1h30m; at"
                    + " most 720h)");
        }
        if (d.toSeconds() < 1) {
            throw new ToolException(ExitCode.USAGE, "--timeout: '" + text + "' leaves no time to wait; give at least"
                    + " 1s");
        }
        return d;
    }
}

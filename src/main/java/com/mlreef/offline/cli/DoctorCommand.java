package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.lifecycle.StackFinder;
import com.mlreef.offline.run.Preflight;
import com.mlreef.offline.run.StackRunner;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackFileException;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Table;
import com.mlreef.offline.ui.ToolException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "doctor", mixinStandardHelpOptions = true, description = {
        "Check that this host is ready to run the stack.",
        "Checks the Docker Engine (reachable, version, storage driver, free space), the network gateways, the host "
            + "ports the stack publishes and the engine's DNS settings. Exits 0 when nothing blocks a run, 1 otherwise.",
        "The stack is the MLReef stack, or the one -f or -d names (the stack that run -f or run -d would start)."},
        footer = {"", "Examples:", "  mlreef-offline doctor", "  mlreef-offline doctor --json | jq .ok",
            "  mlreef-offline doctor -d mlreef-images-tar   # for the stack of this bundle",
            "  DOCKER_HOST=tcp://10.0.0.5:2376 DOCKER_TLS_VERIFY=1 mlreef-offline doctor"})
public class DoctorCommand extends BaseCommand {
    @Mixin
    EngineOptions engine;

    @Option(names = "--json", description = "Print the checks as JSON on stdout.")
    boolean json;

    private static final String DAEMON_CONFIG = "/etc/docker/daemon.json";

    @Option(names = "--daemon-config", paramLabel = "FILE", defaultValue = DAEMON_CONFIG,
            description = "The engine's configuration file to check (default: ${DEFAULT-VALUE}).")
    Path daemonConfig;

    @Option(names = {"-f", "--file"}, paramLabel = "STACK",
            description = "Check for this stack file's stack (with -d too: as run -d DIR -f STACK).")
    Path file;

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", description = "Check for the stack of this bundle folder.")
    Path dir;

    @Override
    protected int execute(Console console) {
        if (!daemonConfig.equals(Path.of(DAEMON_CONFIG)) && !java.nio.file.Files.exists(daemonConfig)) {
            // the engine's own file may be absent (its defaults hold); one named on purpose should be there
            throw new ToolException(ExitCode.USAGE, "--daemon-config: " + daemonConfig + " does not exist");
        }
        StackSpec stack;
        String unreadable = null;
        StackDocument document = null;
        try {
            document = file == null ? null : StackDocument.load(file, s -> { }); // once: -f - is standard input
            stack = StackFinder.specOf(document, dir);
        } catch (BundleException | StackFileException e) {
            if (e instanceof StackFileException && file != null) {
                throw e; // the stack file given is bad usage, as for every command
            }
            // a bundle folder (or its stack) that cannot be read is one failed check; the host is checked all the same
            unreadable = e.getMessage();
            stack = new StackSpec("", Map.of(), Map.of(), Map.of(), List.of(), Map.of());
        }
        Preflight.Report report = new Preflight(engine.engine(), engine.local(), daemonConfig, stack,
                Preflight.PortProbe.BIND).run();
        if (unreadable != null) {
            report = report.with(new Preflight.Check("bundle", Preflight.Status.FAIL, unreadable), true);
        } else if (dir != null && report.checks().stream().anyMatch(c -> c.check().equals("engine")
                && c.status() == Preflight.Status.OK)) {
            report = report.with(planCheck(document), false);
        }
        if (json) {
            console.result(JsonOutput.of(report));
        } else {
            Table table = new Table("CHECK", "STATUS", "DETAIL");
            report.checks().forEach(c -> table.row(c.check(), c.status().label(), c.detail()));
            console.out().print(table.render());
            long failed = report.checks().stream().filter(c -> c.status() == Preflight.Status.FAIL).count();
            console.info(report.ok() ? "ready: nothing blocks a run"
                    : failed + (failed == 1 ? " problem blocks" : " problems block") + " a run: see the lines marked fail");
        }
        return report.ok() ? ExitCode.OK : ExitCode.FAILED;
    }

    /**
     * Whether run could apply its plan for the bundle: its dry run, which fails as run would for what the bundle and
     * the engine lack (an image neither has, the layers a differential bundle builds on, an external network).
     */
    private Preflight.Check planCheck(StackDocument document) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        try {
            StackRunner.Options options = new StackRunner.Options(file, null, null, true, System.getenv(), null, false);
            new StackRunner(engine.engine(), new Console(nowhere, nowhere, true, false)).withStack(document)
                    .run(BundleSource.open(dir), options);
            return new Preflight.Check("plan", Preflight.Status.OK, "run -d " + dir + " has what it needs (the"
                    + " stack's images are in the bundle or the engine)");
        } catch (ToolException | DockerException e) {
            return new Preflight.Check("plan", Preflight.Status.FAIL, e.getMessage());
        }
    }
}

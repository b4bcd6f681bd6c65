package com.mlreef.offline.cli;

import com.mlreef.offline.backup.VolumeBackup;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.run.PipServer;
import com.mlreef.offline.run.PipService;
import com.mlreef.offline.run.Preflight;
import com.mlreef.offline.run.RunLock;
import com.mlreef.offline.run.StackRunner;
import com.mlreef.offline.run.UpgradeBackups;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        "Files the bundle carries (relative bind-mount sources, env files, secrets, configs, .env; see 'export "
            + "--help') go into the stack folder, /var/lib/mlreef-offline/stacks/NAME unless --project-dir says, before "
            + "the containers are created; relative paths resolve against it. A file edited there since the last run "
            + "is kept and named; one edited there that the bundle also changed is replaced only after a question (or "
            + "with --yes), its edited copy kept beside it as NAME.local-YYYYMMDD; without a terminal and --yes, run "
            + "changes nothing and names it. --dry-run lists what would be put, replaced and kept. What run put there "
            + "is recorded (with hashes) in .mlreef-offline-files.json in that folder. 'down' keeps the folder; 'down "
            + "--volumes' asks before it removes it, and never removes a --project-dir that was there before run.",
        "One run at a time per host: run holds a lock (/run/lock/mlreef-offline.lock) while it changes the stacks, and "
            + "stop, start, restart and down wait for it too; a second command says which process holds it and "
            + "waits (Ctrl-C stops waiting)."},
        footer = {"", "Before it replaces or removes a container of a stack whose volumes hold data (an upgrade), run"
            + " backs up the stack's volumes as 'backup --stop' does: the stack is stopped, the volumes written into"
            + " backups/STACK-before-upgrade-DATE-TIME.tar.zst beside the bundle folder (--backup-dir to choose), then"
            + " the run goes on and starts it. The last 3 such backups of a stack are kept; older ones are removed,"
            + " never a file of another name. Without room for it, run changes nothing. 'restore FILE' puts one back.",
            "", "Examples:", "  mlreef-offline run -d mlreef-images-tar",
            "  mlreef-offline run -d mlreef-images-tar -s localhost:8080/simple   # pip server here",
            "  mlreef-offline run -d mlreef-images-tar --pip                      # the bundle's packages",
            "  mlreef-offline run -d mlreef-images-tar --dry-run                  # the plan only",
            "  mlreef-offline run -d mlreef-v2 --backup-dir /srv/backups         # an upgrade",
            "  mlreef-offline run -d bundle --project-dir /srv/app --yes          # carried files in /srv/app",
            "  mlreef-offline run -d mlreef-images-tar --registry registry.local:5000/mlreef",
            "                      # images pulled from where 'push' put them; only bundle.json is needed",
            "", MlreefOffline.EXIT_CODES})
public class RunCommand extends BaseCommand {
    @Mixin
    EngineOptions engine;

    @picocli.CommandLine.Mixin
    ProfileOption profile = new ProfileOption();

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", required = true, description = "The bundle folder.")
    Path dir;

    @Option(names = {"-s", "--pip-server"}, paramLabel = "PIP_SERVER", description = "A pip index for ML jobs: an "
            + "http(s) URL (with USER:PASSWORD@ if it wants them; the password is never printed) or host:port[/path]"
            + " (http:// is added); localhost and 127.0.0.1 are rewritten to the stack network's gateway."
            + " Without it, PIP_SERVER in the"
            + " environment is taken as -s when the stack uses $${PIP_SERVER}.")
    String pipServer;

    @Option(names = "--pip", description = "Serve the bundle's Python packages (export --pip-dir) to the stack as its"
            + " service '" + PipService.SERVICE + "', a package index of this same program, and give its URL as"
            + " PIP_SERVER (instead of -s). It listens on the default bridge's gateway (docker0, e.g."
            + " http://172.17.0.1:8080/simple/), restarts with the stack, shows in status and goes with down. The"
            + " packages are kept in " + "/var/lib/mlreef-offline/pip/STACK.")
    boolean pip;

    @Option(names = "--pip-port", paramLabel = "PORT", defaultValue = "8080",
            description = "The port of --pip's index (default: ${DEFAULT-VALUE}).")
    int pipPort;

    @Option(names = {"-f", "--file"}, paramLabel = "STACK", description = "Run this stack file instead of the bundle's.")
    Path file;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for each service to be ready"
            + " (30s, 15m, 1h30m), instead of the stack's own ready timeouts (a ready rule without one: 5m).")
    String timeout;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--project-dir", paramLabel = "DIR", description = "Where the stack's carried files go (default:"
            + " the folder an earlier run of the stack was given, else /var/lib/mlreef-offline/stacks/NAME, NAME the"
            + " stack's name); run says which it uses. Relative paths of the stack file resolve against it, as Compose"
            + " resolves them against the stack file's folder. It is recorded on the containers (status, logs, stop,"
            + " start, restart and down use it too) and in /var/lib/mlreef-offline/stacks/NAME.project-dir, which"
            + " outlives down (down --volumes forgets it).")
    Path projectDir;

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read the stack's $${VAR} values from this"
            + " file of this host instead of the bundle's .env (which still goes into the stack folder), as Compose's"
            + " --env-file: variables set in the environment win over it; repeat it for several files, a later one's"
            + " values winning. Values are taken at run, so this is where a password or a host name changes: give"
            + " the bundle's .env first to change a few of its values, or edit .env in the stack folder (kept across"
            + " runs). The files are recorded on the containers, which status, logs and down then read.")
    List<Path> envFiles = new java.util.ArrayList<>();

    @Option(names = "--yes", description = "Replace files edited in the stack folder that the bundle changed, without"
            + " asking (each edited copy is kept beside it as NAME.local-YYYYMMDD).")
    boolean yes;

    @Option(names = "--remove-orphans", description = "Remove the stack's containers of services it no longer has"
            + " (without it they are left running, with a warning); their volumes are kept.")
    boolean removeOrphans;

    @Option(names = "--backup-dir", paramLabel = "DIR", description = "Where the backup before an upgrade goes"
            + " (default: backups/ beside the bundle folder; made when missing).")
    Path backupDir;

    @Option(names = "--no-backup", description = "Make no backup of the volumes before an upgrade (a warning says"
            + " so): the old data cannot be had back should the new version damage it.")
    boolean noBackup;
    @Option(names = "--registry", paramLabel = "HOST[:PORT][/PREFIX]", description = "Have the engine pull the"
            + " stack's images from this registry, where 'mlreef-offline push' put them (each as"
            + " HOST/PREFIX/path:tag, then tagged with its own name and checked against the bundle's image ID),"
            + " instead of loading the bundle's image files, which may then be left out (bundle.json is read). The"
            + " engine pulls with the credentials of 'docker login HOST'; a registry without TLS must be among the"
            + " engine's insecure-registries (localhost and 127.0.0.1 are by default).")
    String registry;

    @Override
    protected int execute(Console console) {
        long start = System.nanoTime();
        URI pip = pipServer == null ? null : PipServer.parse(pipServer);
        Duration wait = timeout == null ? null : duration(timeout);
        RegistryLocation from = registry == null ? null : RegistryLocation.parse("--registry", registry);
        BundleSource source = from == null ? BundleSource.open(dir) : BundleSource.openWithoutImages(dir);
        StackRunner.Options options = new StackRunner.Options(file, pip, wait, dryRun,
                profile.variables(System.getenv()),
                engine.local() ? Preflight.PortProbe.BIND : null, removeOrphans, projectDir, false);
        DockerEngine docker = engine.engine();
        if (this.pip) {
            options = options.withPip(pipService(docker), new VersionProvider().getVersion()[0]
                    .replaceFirst("^mlreef-offline ", ""));
            pip = options.pipServer();
        }
        // a stack file with a mistake, or an engine that cannot be reached, says so before the lock is waited for
        VolumeBackup.Guard guard = new VolumeBackup.Guard();
        StackRunner runner = new StackRunner(docker, console).withBackups(backups(docker, console, guard))
                .withEnvFiles(envFiles);
        if (from != null) {
            runner.fromRegistry(from, RegistryAuth.fromDockerConfig(System.getenv(), console::warn));
        }
        runner.check(source, options);
        if (!dryRun && (yes || confirmReplace(console, runner))) {
            options = options.withReplaceEdited();
        }
        options = withPipServer(console, runner, options, pip);
        StackSpec spec;
        if (dryRun) {
            spec = runner.run(source, options);
            console.info("dry run: nothing was changed");
            return ExitCode.OK;
        }
        docker.ping();
        // Ctrl-C, a kill or a hang-up: say what state things are in
        try (OnInterrupt interrupted = OnInterrupt.underLock(console, () -> {
            guard.abandon(); // a backup being written is not committed after this line
            String note = runner.interruption();
            return "interrupted: the stack may be partly applied; run the same command again to finish (what is done"
                    + " is kept)" + (note == null ? "" : ". " + note);
        });
             RunLock lock = RunLock.acquire(RunLock.defaultPath(), console, engine.socket())) {
            interrupted.changing();
            spec = runner.run(source, options);
        }
        running(console, docker, spec, start);
        return ExitCode.OK;
    }

    /** What the run left running: the stack's ports, and the commands to look at it. */
    private static void running(Console console, DockerEngine docker, StackSpec spec, long start) {
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
    }

    /** -s, or the environment's PIP_SERVER when the stack takes it, checked; unchanged with --pip. */
    private StackRunner.Options withPipServer(Console console, StackRunner runner, StackRunner.Options options,
                                              URI given) {
        if (this.pip || !runner.usesPipServer()) {
            return options;
        }
        URI pip = given != null ? given : inheritedPipServer(console);
        if (pip == null) {
            return options;
        }
        String warning = PipServer.check(pip);
        if (warning != null) {
            console.warn(warning);
        }
        return given != null ? options : options.withPipServer(pip);
    }

    /** The backups before an upgrade: --backup-dir, else backups/ beside the bundle folder, written as 'backup'. */
    private UpgradeBackups backups(DockerEngine docker, Console console, VolumeBackup.Guard guard) {
        if (noBackup && backupDir != null) {
            throw new ToolException(ExitCode.USAGE, "--no-backup and --backup-dir: give one of them");
        }
        Path folder = backupDir != null ? backupDir.toAbsolutePath().normalize()
                : dir.toAbsolutePath().normalize().resolveSibling("backups");
        String version = new VersionProvider().getVersion()[0];
        return new UpgradeBackups(folder, noBackup, (stack, volumes, target) -> new VolumeBackup(docker, console)
                .backup(stack, volumes, target, version, Runtime.getRuntime().availableProcessors(), guard).sha256());
    }

    /**
     * Whether the operator agrees, on a terminal, that files edited in the stack folder which the bundle changed are
     * replaced; false without a terminal (run then stops, naming them) or without such files.
     */
    private static boolean confirmReplace(Console console, StackRunner runner) {
        if (runner.folder() == null || runner.folder().conflicts().isEmpty() || System.console() == null) {
            return false;
        }
        console.err().print("Edited here and changed by the bundle: " + String.join(", ", runner.folder()
                .conflicts()) + ". Replace them with the bundle's (each edited copy is kept beside it)? [y/N] ");
        console.err().flush();
        String answer = System.console().readLine();
        return answer != null && answer.strip().equalsIgnoreCase("y");
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

    /** --pip's index: refused with -s, and for an engine on another host (it serves a folder of this one). */
    private PipService pipService(DockerEngine docker) {
        if (pipServer != null) {
            throw new ToolException(ExitCode.USAGE, "--pip and -s both give the pip server: give one of them");
        }
        if (!engine.local()) {
            throw new ToolException(ExitCode.USAGE, "--pip: the engine runs on another host; the package index"
                    + " serves a folder of the engine's host: run there, or give an index with -s");
        }
        if (pipPort < 1 || pipPort > 65535) {
            throw new ToolException(ExitCode.USAGE, "--pip-port: " + pipPort + " is not a port (1-65535)");
        }
        return PipService.on(docker, pipPort);
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

package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code run}: from a bundle folder to a running stack, changing only what is not already right. Reads the stack, has
 * {@link RunPlanner} plan (images to load, network and volumes to create, containers to create, start or replace),
 * checks the host ports, then has {@link RunApplier} apply the plan: it waits for each service's readiness rule and
 * runs its after-ready commands. Existing volumes are never touched; a container whose configuration or image changed
 * is replaced, and put back if its successor never becomes ready.
 */
public final class StackRunner {
    /**
     * @param timeout       overrides every service's ready timeout; null keeps the stack's
     * @param pipServer     the -s value, already checked, or null
     * @param ports         how host ports are checked; null when the engine runs on another host, whose ports and
     *                      paths are not checked from here
     * @param removeOrphans whether the stack's containers of services it no longer has are removed
     * @param projectDir    the stack folder the bundle's files go to; null for {@link ProjectFolder#STACKS}/NAME
     * @param replaceEdited whether files edited in the stack folder that the bundle changed are replaced (the
     *                      edited copies kept beside them)
     */
    public record Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                          Preflight.PortProbe ports, boolean removeOrphans, Path projectDir, boolean replaceEdited) {
        public Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                       Preflight.PortProbe ports, boolean removeOrphans) {
            this(stackFile, pipServer, timeout, dryRun, env, ports, removeOrphans, null, false);
        }

        public Options withPipServer(URI server) {
            return new Options(stackFile, server, timeout, dryRun, env, ports, removeOrphans, projectDir,
                    replaceEdited);
        }

        public Options withReplaceEdited() {
            return new Options(stackFile, pipServer, timeout, dryRun, env, ports, removeOrphans, projectDir, true);
        }
    }

    private final DockerEngine engine;
    private final Console console;
    private final ImageLoader loader;
    private final PlanChecks checks;
    private final RunPlanner planner;
    private final RunApplier applier;
    private final Set<String> warned = new HashSet<>();
    private boolean usesPipServer;
    /** The stack file, or the bundle's stack, read at the first {@link #stack}; each reading resolves it again. */
    private StackDocument document;
    /** Where the bundle's stack keeps its carried files; null for a stack file given with -f. */
    private StackFolder folder;

    public StackRunner(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
        this.loader = new ImageLoader(engine, console);
        this.checks = new PlanChecks(engine);
        this.planner = new RunPlanner(engine, console, checks);
        this.applier = new RunApplier(engine, console, loader, new ServiceReadiness(engine, console), checks);
    }

    /** What an interruption now leaves to the next run (a replacement, after-ready commands), or null. */
    public String interruption() {
        return applier.interruption();
    }

    /** Runs {@code stack}, which the caller has read already, instead of reading the stack file again. */
    public StackRunner withStack(StackDocument stack) {
        this.document = stack;
        return this;
    }

    /** The stack folder of the bundle's stack (read by {@link #check}), or null for a stack file given with -f. */
    public StackFolder folder() {
        return folder;
    }

    /** Whether the stack last read takes ${PIP_SERVER} (the environment's is passed on only then). */
    public boolean usesPipServer() {
        return usesPipServer;
    }

    /** Reads and checks the stack a run would start, changing nothing (a mistake in it is found before the lock). */
    public StackSpec check(BundleSource source, Options options) {
        return carried(source, options, stack(source, options, "0.0.0.0"));
    }

    /** Plans the run, then prints the plan (--dry-run) or applies it; the stack as applied. */
    public StackSpec run(BundleSource source, Options options) {
        if (!source.isBundle()) {
            // an image the stack needs may be in one of them: the error that it is missing follows
            BundleVerifier.unreadArchives(source.dir()).stream().filter(warned::add).forEach(console::warn);
        }
        StackSpec spec = carried(source, options, stack(source, options, "0.0.0.0"));
        List<ImageLoader.FileLoad> loads = loader.plan(source);
        Map<String, String> imageIds = RunPlanner.imageIds(source, loads);
        StackSpec planned = options.pipServer() == null ? spec : stack(source, options, gatewayOf(spec, options));
        RunPlan plan = planner.plan(planned, loads, imageIds, source.id(), options.removeOrphans(),
                options.ports() != null);
        if (options.dryRun()) {
            checks.healthchecks(plan.services(), false);
            if (folder != null) {
                folder.lines().forEach(console::result);
            }
            plan.lines().forEach(console::result);
            if (options.ports() != null) { // a port run would find taken fails the dry run too
                checks.ports(plan, options.ports());
            }
            return planned;
        }
        plan.lines().forEach(line -> console.debug("plan: " + line));
        putFiles(options);
        applier.prepare(plan, options.ports());
        RunPlan applied = plan;
        if (options.pipServer() != null && PipServer.isLocal(options.pipServer())) {
            // the gateway is known now that the network exists
            StackSpec stack = stack(source, options, gatewayOf(spec, options));
            applied = plan.with(stack, planner.services(stack, imageIds, source.id()));
        }
        applier.start(applied, options.timeout());
        return applied.stack();
    }

    /** The carried files into the stack folder, before any container that mounts them is created. */
    private void putFiles(Options options) {
        if (folder == null) {
            return;
        }
        if (!folder.conflicts().isEmpty() && !options.replaceEdited()) {
            throw new ToolException(ExitCode.FAILED, "edited in the stack folder and changed by the bundle: "
                    + String.join(", ", folder.conflicts()) + "; nothing was changed: give --yes to take the"
                    + " bundle's (each edited copy is kept beside it as NAME.local-DATE), or copy your edits into"
                    + " the project before export");
        }
        for (String line : folder.apply(options.replaceEdited())) {
            if (line.startsWith("warning: ")) {
                console.warn(line.substring("warning: ".length()));
            } else {
                console.info(line);
            }
        }
    }

    /** The stack: -f, else the bundle's, else (plain folder) the default; interpolated with PIP_SERVER. */
    private StackSpec stack(BundleSource source, Options options, String gateway) {
        Consumer<String> warnings = w -> {
            if (warned.add(w)) { // the stack is resolved again once the network's gateway is known
                console.warn(w);
            }
        };
        Map<String, String> vars = new LinkedHashMap<>(options.env());
        if (options.pipServer() != null) {
            vars.put("PIP_SERVER", PipServer.forContainers(options.pipServer(), gateway));
        }
        if (document == null) { // read once: -f - is standard input, which can be read once
            document = options.stackFile() != null || !source.isBundle()
                    ? StackDocument.load(options.stackFile(), warnings) : bundleStack(source, options);
        }
        if (folder != null) {
            folder.replaceEdited(options.replaceEdited());
        }
        StackSpec spec = document.resolve(vars, warnings);
        if (folder != null) {
            spec = folder.labelled(spec);
        }
        usesPipServer = document.uses("PIP_SERVER");
        if (options.pipServer() != null && !usesPipServer) {
            warnings.accept("-s: stack " + spec.name() + " does not use ${PIP_SERVER}: no container is given the pip"
                    + " server");
        }
        return spec;
    }

    /** The bundle's stack, its relative paths in its stack folder, its env files read as the run will leave them. */
    private StackDocument bundleStack(BundleSource source, Options options) {
        String name = source.manifest().stack().name();
        Path root = options.projectDir() != null ? options.projectDir() : ProjectFolder.STACKS.resolve(name);
        folder = StackFolder.plan(root, source.dir(), source.manifest());
        return StackDocument.of(source.stackText(), source.stackSource(), name)
                .withProject(ProjectFolder.at(root, folder.texts()), folder.envFile());
    }

    /**
     * The bundle's own stack, refused when it runs an image the bundle does not carry: its image names took other
     * values of their variables here than on the online host (an image of that name in the engine would be another).
     */
    private static StackSpec carried(BundleSource source, Options options, StackSpec spec) {
        if (options.stackFile() != null || !source.isBundle()) {
            return spec;
        }
        Set<String> carried = new java.util.LinkedHashSet<>();
        source.manifest().images().forEach(i -> carried.addAll(i.references()));
        List<String> missing = spec.images().stream().filter(i -> !carried.contains(i)).toList();
        if (!missing.isEmpty()) {
            List<String> unused = carried.stream().filter(i -> !spec.images().contains(i)).toList();
            throw new ToolException(ExitCode.FAILED, "stack " + spec.name() + " runs " + String.join(", ", missing)
                    + " here, which the bundle does not carry" + (unused.isEmpty() ? "" : " (it carries "
                    + String.join(", ", unused) + ")") + ": a ${VAR} in an image name takes this host's value; set"
                    + " it as it was for export, or give a stack file with -f; nothing was changed");
        }
        return spec;
    }

    /** The gateway a local pip server is reached at; the engine's interfaces are this host's when ports are checked. */
    private String gatewayOf(StackSpec spec, Options options) {
        return NetworkGateway.forStack(engine, spec, options.ports() != null);
    }

    /** The container a service asks for; its configuration hash (with the image ID) is one of its labels. */
    public static ContainerSpec containerSpec(StackSpec spec, StackSpec.Service service, String imageId, String bundleId) {
        return ContainerSpecFactory.containerSpec(spec, service, imageId, bundleId);
    }

    /** Compose's {@code restart} (no, always, unless-stopped, on-failure[:N]) as the engine takes it. */
    public static ContainerSpec.RestartPolicy restartPolicy(String restart) {
        return ContainerSpecFactory.restartPolicy(restart);
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.stackfile.ProjectDirRecord;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackLabels;
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
     * @param pip           the package index run --pip adds to the stack (its URL is then pipServer), or null
     * @param toolVersion   this tool's version, which the index's image is tagged with
     */
    public record Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                          Preflight.PortProbe ports, boolean removeOrphans, Path projectDir, boolean replaceEdited,
                          PipService pip, String toolVersion) {
        public Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                       Preflight.PortProbe ports, boolean removeOrphans) {
            this(stackFile, pipServer, timeout, dryRun, env, ports, removeOrphans, null, false);
        }

        public Options(Path stackFile, URI pipServer, Duration timeout, boolean dryRun, Map<String, String> env,
                       Preflight.PortProbe ports, boolean removeOrphans, Path projectDir, boolean replaceEdited) {
            this(stackFile, pipServer, timeout, dryRun, env, ports, removeOrphans, projectDir, replaceEdited, null,
                    null);
        }

        public Options withPipServer(URI server) {
            return new Options(stackFile, server, timeout, dryRun, env, ports, removeOrphans, projectDir,
                    replaceEdited, pip, toolVersion);
        }

        public Options withReplaceEdited() {
            return new Options(stackFile, pipServer, timeout, dryRun, env, ports, removeOrphans, projectDir, true,
                    pip, toolVersion);
        }

        /** With the package index of the bundle served as a service of the stack, its URL as PIP_SERVER. */
        public Options withPip(PipService service, String version) {
            return new Options(stackFile, service.url(), timeout, dryRun, env, ports, removeOrphans, projectDir,
                    replaceEdited, service, version);
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
    /** With --registry: where the images are pulled from instead of loaded; else null. */
    private RegistryPull registryImages;
    /** The stack file, or the bundle's stack, read at the first {@link #stack}; each reading resolves it again. */
    private StackDocument document;
    /** Where the bundle's stack keeps its carried files; null for a stack file given with -f. */
    private StackFolder folder;
    /** The variables files given with --env-file (absolute), read instead of the project's; none: the project's. */
    private List<Path> envFiles = List.of();
    /** What the last run of the stack recorded on its containers, read at the first {@link #stack}. */
    private StackLabels.Recorded last;
    private boolean ranBefore;

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

    /**
     * Backs up the stack's volumes before the run replaces or removes a container of it, as {@code backups} says;
     * without it, no backup is made.
     */
    public StackRunner withBackups(UpgradeBackups backups) {
        planner.backups(backups);
        applier.backupWriter(backups.writer());
        return this;
    }

    /**
     * Has the engine pull the stack's images from {@code registry}, where push put them, instead of loading the
     * bundle's files (which need not be there).
     */
    public StackRunner fromRegistry(RegistryLocation registry, RegistryAuth auth) {
        this.registryImages = new RegistryPull(engine, console, registry, auth);
        return this;
    }

    /**
     * Reads the stack's variables from {@code files} of this host, a later file's value over an earlier's, instead of
     * the project's variables file (the bundle's .env), as Compose's --env-file; the environment wins over them.
     */
    public StackRunner withEnvFiles(List<Path> files) {
        this.envFiles = files.stream().map(f -> f.toAbsolutePath().normalize()).toList();
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
        if (options.pip() != null) {
            packagesOf(source);
        }
        return carried(source, options, stack(source, options, "0.0.0.0"));
    }

    /** Plans the run, then prints the plan (--dry-run) or applies it; the stack as applied. */
    public StackSpec run(BundleSource source, Options options) {
        if (!source.isBundle()) {
            // an image the stack needs may be in one of them: the error that it is missing follows
            BundleVerifier.unreadArchives(source.dir()).stream().filter(warned::add).forEach(console::warn);
        }
        StackSpec spec = carried(source, options, stack(source, options, "0.0.0.0"));
        List<ImageLoader.FileLoad> loads = registryImages == null ? loader.plan(source) : List.of();
        Map<String, String> imageIds = registryImages == null ? RunPlanner.imageIds(source, loads)
                : RegistryPull.imageIds(source.manifest());
        StackSpec planned = withPip(source, options, options.pipServer() == null ? spec
                : stack(source, options, gatewayOf(spec, options)));
        RunPlan plan = planner.plan(planned, loads, imageIds, source.id(), options.removeOrphans(),
                options.ports() != null);
        List<RegistryPull.Pull> pulls = registryImages == null ? List.of() : registryImages.plan(planned, imageIds);
        if (options.dryRun()) {
            checks.healthchecks(plan.services(), false);
            pulls.forEach(p -> console.result(p.line()));
            if (folder != null) {
                folder.lines().forEach(console::result);
            }
            WrittenFiles.lines(spec.written()).forEach(console::result);
            plan.lines().forEach(console::result);
            if (options.ports() != null) { // a port run would find taken fails the dry run too
                checks.ports(plan, options.ports());
            }
            return planned;
        }
        pulls.forEach(p -> console.debug("plan: " + p.line()));
        plan.lines().forEach(line -> console.debug("plan: " + line));
        if (pulls.stream().anyMatch(p -> p.action().equals("pull")) && options.ports() != null) {
            checks.ports(plan, options.ports()); // a taken port is found before the pulls, as before the loads
        }
        if (registryImages != null) {
            registryImages.apply(pulls);
        }
        try {
            return apply(source, options, spec, imageIds, plan);
        } catch (RuntimeException e) {
            String again = applier.startStopped();
            if (!again.isEmpty()) {
                console.warn(again.substring(2)); // the run's own error follows
            }
            throw e;
        }
    }

    private StackSpec apply(BundleSource source, Options options, StackSpec spec, Map<String, String> imageIds,
                            RunPlan plan) {
        putFiles(options, spec.name());
        WrittenFiles.write(spec.written()).forEach(console::info);
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

    /**
     * With --pip, the stack with its package index: the image made (once per program) and the bundle's packages
     * copied to this host; a dry run only says so.
     */
    private StackSpec withPip(BundleSource source, Options options, StackSpec spec) {
        if (options.pip() == null) {
            return spec;
        }
        List<com.mlreef.offline.bundle.BundleManifest.PackageFile> packages = packagesOf(source);
        java.nio.file.Path folder = PipPackages.folder(PipPackages.ROOT, spec.name());
        if (options.dryRun()) {
            console.result("pip: would serve the bundle's " + packages.size() + " package files from " + folder
                    + " at " + options.pip().url() + " (service " + PipService.SERVICE + ")");
            return spec;
        }
        ProgramFiles program = ProgramFiles.current();
        String image = PipImage.ensure(engine, console, options.toolVersion(), program);
        int copied = PipPackages.copy(console, source.dir(), packages, folder);
        console.info("--pip: " + packages.size() + " package files in " + folder + " (" + copied + " copied now),"
                + " served at " + options.pip().url());
        return options.pip().addTo(spec, image, program, folder.toString());
    }

    private static List<com.mlreef.offline.bundle.BundleManifest.PackageFile> packagesOf(BundleSource source) {
        List<com.mlreef.offline.bundle.BundleManifest.PackageFile> packages = source.isBundle()
                ? source.manifest().packageFiles() : List.of();
        if (packages.isEmpty()) {
            throw new ToolException(ExitCode.USAGE, "--pip: " + source.dir() + " carries no Python packages; export"
                    + " it with --pip-dir PKG_DIR, or give a package index with -s");
        }
        return packages;
    }

    /**
     * The carried files into the stack folder, before any container that mounts them is created; a folder other than
     * the default one is recorded for the runs after this one.
     */
    private void putFiles(Options options, String stack) {
        if (folder == null) {
            return;
        }
        if (!folder.conflicts().isEmpty() && !options.replaceEdited()) {
            throw new ToolException(ExitCode.FAILED, "edited in the stack folder and changed by the bundle: "
                    + String.join(", ", folder.conflicts()) + "; nothing was changed: give --yes to take the"
                    + " bundle's (each edited copy is kept beside it as NAME.local-DATE), or copy your edits into"
                    + " the project before export");
        }
        ProjectDirRecord.standard().write(stack, folder.root()); // the next run finds it after a plain down
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
            document = (options.stackFile() != null || !source.isBundle()
                    ? StackDocument.load(options.stackFile(), warnings) : bundleStack(source, options))
                    .withVariablesFiles(envFiles);
        }
        if (folder != null) {
            folder.replaceEdited(options.replaceEdited());
        }
        StackSpec spec = document.resolve(vars, warnings);
        spec = folder != null ? folder.labelled(spec) : WrittenFiles.labelled(spec);
        spec = recorded(spec, warnings);
        usesPipServer = document.uses("PIP_SERVER");
        if (options.pipServer() != null && !usesPipServer) {
            warnings.accept("-s: stack " + spec.name() + " does not use ${PIP_SERVER}: no container is given the pip"
                    + " server");
        }
        return spec;
    }

    /**
     * The stack with labels on each service's container that record its stack folder (when not the default one) and
     * its --env-file files, for the commands after this run; a change of either replaces the containers.
     */
    private StackSpec recorded(StackSpec spec, Consumer<String> warnings) {
        if (!lastOf(spec.name()).envFiles().equals(envFiles) && ranBefore) {
            warnings.accept("the last run of stack " + spec.name() + " read its variables from " + envFilesText(
                    last.envFiles()) + "; this one from " + envFilesText(envFiles) + " (containers whose values"
                    + " change are replaced)");
        }
        Path root = folder == null || folder.root().equals(ProjectFolder.STACKS.resolve(spec.name())) ? null
                : folder.root();
        Map<String, String> labels = StackLabels.Recorded.labels(root, envFiles);
        if (labels.isEmpty()) {
            return spec;
        }
        Map<String, StackSpec.Service> services = new LinkedHashMap<>();
        spec.services().values().forEach(s -> services.put(s.name(), s.withLabels(labels)));
        return spec.withServices(services);
    }

    private static String envFilesText(List<Path> files) {
        return files.isEmpty() ? "the project's variables file (.env)" : "--env-file " + String.join(", ",
                files.stream().map(Path::toString).toList());
    }

    /** What the last run of the stack recorded on its containers (nothing when the engine has none of them). */
    private StackLabels.Recorded lastOf(String stack) {
        if (last == null) {
            List<ContainerSummary> containers;
            try {
                containers = new java.util.ArrayList<>(engine.listContainers(
                        List.of(StackLabels.STACK_LABEL + "=" + stack), true));
            } catch (com.mlreef.offline.docker.DockerException e) {
                return new StackLabels.Recorded(null, List.of()); // the run says so when it reaches the engine
            }
            ranBefore = !containers.isEmpty();
            containers.sort(java.util.Comparator.comparing((ContainerSummary c) -> c.created() == null ? 0L
                    : c.created()).reversed());
            last = StackLabels.Recorded.of(containers.stream().map(ContainerSummary::labels).toList());
        }
        return last;
    }

    /**
     * The bundle's stack, its relative paths in its stack folder (--project-dir, else the one the last run used,
     * else the default one), its env files read as the run will leave them.
     */
    private StackDocument bundleStack(BundleSource source, Options options) {
        String name = source.manifest().stack().name();
        Path root = stackFolder(name, options, source.manifest().project() != null);
        folder = StackFolder.plan(root, source.dir(), source.manifest());
        ProjectFolder project = ProjectFolder.at(root, folder.subpath(), folder.texts());
        return StackDocument.of(source.stackText(), source.stackSource(), name)
                .withProject(project, project.fromTree(folder.envFile()));
    }

    /**
     * The stack folder, said: --project-dir, else the one the last run's containers recorded, else the one an earlier
     * run's --project-dir left in {@link ProjectDirRecord}, else the default one (said only when the bundle carries
     * files to put there).
     */
    private Path stackFolder(String name, Options options, boolean carriesFiles) {
        if (options.projectDir() != null) {
            Path given = options.projectDir().toAbsolutePath().normalize();
            console.info("stack folder " + given + " (--project-dir)");
            return given;
        }
        Path lastFolder = lastOf(name).folder();
        if (lastFolder != null) {
            console.info("stack folder " + lastFolder + ", as the last run's --project-dir (--project-dir chooses"
                    + " another)");
            return lastFolder;
        }
        ProjectDirRecord record = ProjectDirRecord.standard();
        Path remembered = record.read(name, w -> {
            if (warned.add(w)) {
                console.warn(w);
            }
        });
        if (remembered != null) {
            console.info("stack folder " + remembered + ", as an earlier run's --project-dir (recorded in "
                    + record.file(name) + "; --project-dir chooses another)");
            return remembered;
        }
        if (carriesFiles) {
            console.info("stack folder " + ProjectFolder.STACKS.resolve(name) + " (the default; --project-dir chooses"
                    + " another)");
        }
        return ProjectFolder.STACKS.resolve(name);
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

package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.EngineUnreachableException;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.export.BuiltImages;
import com.mlreef.offline.export.RegistryImages;
import com.mlreef.offline.export.StackExporter;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.Table;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true, description = {
        "Pull the stack's images and save them into a bundle folder to carry to the offline host.",
        "Each image is pulled through the Docker Engine (unless the engine already has the registry's digest), saved "
            + "to DIR/images/ as a plain docker-archive (docker load -i reads it, zstd after 'zstd -d'), hashed while "
            + "it is written and renamed only once complete and synced. DIR also gets bundle.json (what the bundle "
            + "holds), SHA256SUMS (sha256sum -c reads it) and, when run as the native executable, a copy of it.",
        "A registry that wants credentials gets those that 'docker login' stored (config.json in $DOCKER_CONFIG or "
            + "~/.docker, or the credential helper it names).",
        "With --from-registry no engine is needed: the images' manifests and layers are fetched straight from their "
            + "registries (over https; http for localhost, 127.0.0.0/8 and with --insecure), several layers at once, "
            + "each checked against its digest and resumed where it broke off, into DIR/.registry-blobs/ (removed once "
            + "the bundle is complete). The files are the same as through the engine. When the engine cannot be "
            + "reached, export says so and takes this way by itself.",
        "Files the stack references in its folder (relative bind-mount sources such as ./conf, env_file entries, "
            + "secrets and configs with file:, and the .env beside the stack file) are carried in DIR/project.tar "
            + "(mode 0600: env files and secrets may hold passwords) with their modes, owners and links; export names "
            + "them. A path or link that leaves the stack file's folder is refused; absolute host paths stay host "
            + "paths of the offline host. run puts the files into its stack folder (see 'run --help').",
        "A service with build: has its image built first through the engine's classic builder (POST /build): its "
            + "context folder is streamed as a tar, less what its .dockerignore leaves out, with dockerfile, args, "
            + "target and labels; the image is tagged as its image: (or STACK-SERVICE) and carried like the others, "
            + "never pulled. The builder's output is shown line by line, prefixed with the service. A FROM image "
            + "the engine lacks is pulled by the engine. The context and the Dockerfile must be in the stack file's "
            + "folder unless given as absolute paths. run never builds.",
        "Run again into the same DIR, export keeps every file that is whole and still holds the same image: an "
            + "interrupted export finishes where it stopped."},
        footer = {"", "Examples:",
            "  mlreef-offline export               # the MLReef stack into mlreef-images-tar/",
            "  mlreef-offline export -f stack.yaml -o bundle --compress zstd",
            "  mlreef-offline export --combined    # one file: shared layers stored once",
            "  mlreef-offline export --no-pull     # the images the engine has, as they are",
            "  mlreef-offline export -o v2 --since v1   # an upgrade: layers v1 lacks",
            "  pip download -d pkgs -r requirements.txt && mlreef-offline export --pip-dir pkgs",
            "  mlreef-offline export --from-registry --platform linux/arm64   # no engine; images for an arm64 host",
            "", "Then: mlreef-offline verify -d DIR", "      carry DIR (with this executable) to the offline host",
            "      mlreef-offline run -d DIR", "", MlreefOffline.EXIT_CODES})
public class ExportCommand extends BaseCommand {
    /** Layers downloaded at once from the registries: a few keep one link busy without crowding the registry. */
    private static final int PARALLEL_DOWNLOADS = 4;

    @Mixin
    EngineOptions engine;

    @picocli.CommandLine.Mixin
    ProfileOption profile = new ProfileOption();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "mlreef-images-tar",
            description = "The bundle folder to write (default: ${DEFAULT-VALUE}); created if missing.")
    Path dir;

    @Option(names = {"-f", "--file"}, paramLabel = "STACK",
            description = "The stack file (default: the embedded MLReef stack; see 'stack show'). Given again: files"
                    + " merged over it, as docker compose merges them; the bundle keeps the merged stack.")
    List<Path> files = new java.util.ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "The variables file to read and carry instead of"
            + " the .env beside the stack file, as Compose's --env-file (carried with the project's files, it may lie"
            + " above the stack file's folder as they may). The environment's variables win over the file's.")
    Path envFile;

    @Option(names = "--compress", paramLabel = "MODE", defaultValue = "none",
            description = "none (fastest to load), gzip (docker load reads it) or zstd (smaller; run decompresses it)."
                    + " Default: ${DEFAULT-VALUE}.")
    String compress;

    @Option(names = "--combined", description = "Save all images into one file, so layers they share are stored once.")
    boolean combined;

    @Option(names = "--no-pull", description = "Do not pull: save the images the engine has (each must be there).")
    boolean noPull;

    @Option(names = "--no-build", description = "Do not build: carry the image the engine already has for each"
            + " service with build: (its image:, or STACK-SERVICE without one); each must be there.")
    boolean noBuild;

    @Option(names = "--since", paramLabel = "OLD_DIR",
            description = "Write a differential bundle: leave out every layer that the bundle in OLD_DIR holds. "
                    + "It runs only on an engine that has that bundle's images (run it first); verify it with "
                    + "'verify -d DIR --base OLD_DIR'.")
    Path since;

    @Option(names = "--pip-dir", paramLabel = "PKG_DIR",
            description = "Carry the Python packages of PKG_DIR (made with 'pip download -d PKG_DIR -r "
                    + "requirements.txt') in DIR/packages/, hashed in bundle.json and SHA256SUMS; 'run --pip' serves "
                    + "them to the stack. Only .whl, .tar.gz, .zip and .tar.bz2 files are taken, in PKG_DIR and its "
                    + "subfolders (kept); two different files of one name are refused. With --since, files the older "
                    + "bundle carries are left out.")
    Path pipDir;
    @Option(names = "--from-registry", description = "Fetch the images straight from their registries: no Docker "
            + "Engine needed. Credentials are those of 'docker login', as above.")
    boolean fromRegistry;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "With --from-registry: the image "
            + "taken from a multi-platform image (default: this host's, linux/" + "${sys:os.arch}" + " as the JVM "
            + "names it). The platform is written into bundle.json.")
    String platform;

    @Option(names = "--insecure", description = "With --from-registry: ask the registries over plain http (the "
            + "loopback ones always are).")
    boolean insecure;

    @Override
    protected int execute(Console console) throws IOException {
        long start = System.nanoTime();
        Compression compression;
        try {
            compression = Compression.of(compress);
        } catch (IllegalArgumentException e) {
            throw new ToolException(ExitCode.USAGE, "--compress: " + e.getMessage());
        }
        if (since != null && !java.nio.file.Files.isDirectory(since)) {
            throw new ToolException(ExitCode.USAGE, "--since: " + since + (java.nio.file.Files.exists(since)
                    ? " is not a folder" : " does not exist") + " (give the folder of the bundle the offline host has)");
        }
        Path file = files.isEmpty() ? null : files.get(0);
        StackFile.Loaded stack = StackDocument.loadAll(files, console::warn).withEnvFile(envFile)
                .resolveLoaded(profile.variables(System.getenv()), console::warn);
        StackExporter exporter = exporter(console, !stack.builds().isEmpty());
        if (!stack.builds().isEmpty()) {
            new BuiltImages(engine.engine(), console).prepare(stack, noBuild, stack.spec().project() != null
                    ? stack.spec().project() : file == null ? null : file.toAbsolutePath().getParent());
        }
        StackExporter.Options options = new StackExporter.Options(dir, compression, combined, !noPull,
                Runtime.getRuntime().availableProcessors(), new VersionProvider().getVersion()[0]
                        .replaceFirst("^mlreef-offline ", ""), NativeExecutable.path(), since, pipDir);
        StackExporter.Result result = exporter.export(stack, file == null ? "embedded default"
                : file.toString(), options);

        BundleManifest manifest = result.manifest();
        Map<String, List<BundleManifest.Image>> byFile = manifest.images().stream()
                .collect(Collectors.groupingBy(BundleManifest.Image::file, LinkedHashMap::new, Collectors.toList()));
        Table table = new Table("FILE", "SIZE", "IMAGES", "");
        long total = 0;
        for (Map.Entry<String, List<BundleManifest.Image>> e : byFile.entrySet()) {
            long size = e.getValue().get(0).size();
            total += size;
            table.row(e.getKey(), Sizes.bytes(size), e.getValue().stream().map(i -> String.join(", ", i.references()))
                    .collect(Collectors.joining(", ")), result.written().getOrDefault(e.getKey(), false) ? "written" : "kept");
        }
        if (manifest.executable() != null) {
            table.row(manifest.executable().file(), Sizes.bytes(manifest.executable().size()), "", "");
        }
        if (!manifest.packageFiles().isEmpty()) {
            table.row(BundleFiles.PACKAGES + "/", Sizes.bytes(manifest.packageFiles().stream()
                    .mapToLong(BundleManifest.PackageFile::size).sum()), manifest.packageFiles().size()
                    + " package files", "");
        }
        console.out().print(table.render());
        console.out().flush();
        int images = manifest.images().size();
        console.info("bundle " + manifest.id() + " in " + dir + ": " + images + (images == 1 ? " image, " : " images, ")
                + Sizes.bytes(total) + (manifest.differential() ? ", differential on bundle "
                + manifest.base().id() : "") + ", exported in " + Sizes.seconds(System.nanoTime() - start)
                + "; check it with 'mlreef-offline verify -d " + dir + "'");
        if (!result.notPulled().isEmpty()) {
            console.warn("not pulled (see above), so exported as this engine had " + (result.notPulled().size() == 1
                    ? "it" : "them") + ", perhaps older than the registry's: " + String.join(", ", result.notPulled()));
        }
        return ExitCode.OK;
    }

    /**
     * Through the engine; straight from the registries with --from-registry, or when the engine is not there and
     * the stack builds no image.
     */
    private StackExporter exporter(Console console, boolean builds) {
        if (!fromRegistry && (platform != null || insecure)) {
            throw new ToolException(ExitCode.USAGE, (platform != null ? "--platform" : "--insecure") + " goes with"
                    + " --from-registry (through the engine, it pulls for its own platform)");
        }
        if (fromRegistry && noPull) {
            throw new ToolException(ExitCode.USAGE, "--no-pull takes the engine's images; --from-registry takes the"
                    + " registries': give one of them");
        }
        if (fromRegistry && builds) {
            throw new ToolException(ExitCode.USAGE, "the stack builds images (build:), which only the Docker Engine"
                    + " can do: export without --from-registry");
        }
        boolean registries = fromRegistry;
        DockerEngine docker = null;
        if (!registries) {
            docker = engine.engine();
            try {
                docker.version();
            } catch (EngineUnreachableException e) {
                if (noPull || builds) {
                    throw e;
                }
                console.info("no Docker Engine at " + engine.address() + ": exporting straight from the registries"
                        + " (as --from-registry)");
                registries = true;
            }
        }
        RegistryAuth auth = noPull ? RegistryAuth.NONE : RegistryAuth.fromDockerConfig(System.getenv(), console::warn);
        if (registries) {
            return StackExporter.fromRegistries(console, auth, new RegistryImages.Options(dir, platform, insecure,
                    PARALLEL_DOWNLOADS));
        }
        return new StackExporter(docker, console, auth);
    }
}

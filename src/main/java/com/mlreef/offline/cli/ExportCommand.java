package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.export.StackExporter;
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
        "Run again into the same DIR, export keeps every file that is whole and still holds the same image: an "
            + "interrupted export finishes where it stopped."},
        footer = {"", "Examples:",
            "  mlreef-offline export               # the MLReef stack into mlreef-images-tar/",
            "  mlreef-offline export -f stack.yaml -o bundle --compress zstd",
            "  mlreef-offline export --combined    # one file: shared layers stored once",
            "  mlreef-offline export --no-pull     # the images the engine has, as they are",
            "  mlreef-offline export -o v2 --since v1   # an upgrade: layers v1 lacks",
            "", "Then: mlreef-offline verify -d DIR", "      carry DIR (with this executable) to the offline host",
            "      mlreef-offline run -d DIR", "", MlreefOffline.EXIT_CODES})
public class ExportCommand extends BaseCommand {
    @Mixin
    EngineOptions engine;

    @picocli.CommandLine.Mixin
    ProfileOption profile = new ProfileOption();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "mlreef-images-tar",
            description = "The bundle folder to write (default: ${DEFAULT-VALUE}); created if missing.")
    Path dir;

    @Option(names = {"-f", "--file"}, paramLabel = "STACK",
            description = "The stack file (default: the embedded MLReef stack; see 'stack show').")
    Path file;

    @Option(names = "--compress", paramLabel = "MODE", defaultValue = "none",
            description = "none (fastest to load), gzip (docker load reads it) or zstd (smaller; run decompresses it)."
                    + " Default: ${DEFAULT-VALUE}.")
    String compress;

    @Option(names = "--combined", description = "Save all images into one file, so layers they share are stored once.")
    boolean combined;

    @Option(names = "--no-pull", description = "Do not pull: save the images the engine has (each must be there).")
    boolean noPull;

    @Option(names = "--no-build", description = "Carry the image the engine has for each service with build: (built"
            + " beforehand with docker build -t IMAGE; a service without image: is tagged STACK-SERVICE).")
    boolean noBuild;

    @Option(names = "--since", paramLabel = "OLD_DIR",
            description = "Write a differential bundle: leave out every layer that the bundle in OLD_DIR holds. "
                    + "It runs only on an engine that has that bundle's images (run it first); verify it with "
                    + "'verify -d DIR --base OLD_DIR'.")
    Path since;

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
        StackFile.Loaded stack = StackFile.load(file, profile.variables(System.getenv()), console::warn);
        com.mlreef.offline.export.BuiltImages.check(stack, noBuild, engine.engine(),
                file == null ? null : file.toAbsolutePath().getParent());
        StackExporter.Options options = new StackExporter.Options(dir, compression, combined, !noPull,
                Runtime.getRuntime().availableProcessors(), new VersionProvider().getVersion()[0]
                        .replaceFirst("^mlreef-offline ", ""), NativeExecutable.path(), since);
        RegistryAuth auth = noPull ? RegistryAuth.NONE : RegistryAuth.fromDockerConfig(System.getenv(), console::warn);
        StackExporter.Result result = new StackExporter(engine.engine(), console, auth)
                .export(stack, file == null ? "embedded default" : file.toString(), options);

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
}

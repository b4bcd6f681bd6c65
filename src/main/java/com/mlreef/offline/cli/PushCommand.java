package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.push.BundlePusher;
import com.mlreef.offline.registry.RegistryAddress;
import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "push", mixinStandardHelpOptions = true, description = {
        "Put every image of a bundle into a registry (Docker Distribution, Harbor, Nexus, GitLab's...), so that other"
            + " hosts run the stack from it ('mlreef-offline run -d DIR --registry ...') instead of each loading the"
            + " bundle's files. Needs no Docker Engine.",
        "Each image goes to HOST/PREFIX/path:tag, its own registry's host left out: registry.gitlab.com/mlreef/"
            + "mlreef:latest becomes HOST/PREFIX/mlreef/mlreef:latest, postgres:11 HOST/PREFIX/library/postgres:11.",
        "The registry is asked first which blobs it has: those are skipped, so a second push uploads nothing; a blob"
            + " that another repository of the registry has is mounted from there; the others are read from the"
            + " bundle's files (gzip and zstd decompressed on the way) and each sent in one streamed request, layers"
            + " uncompressed (the engine pulls them as it pulls gzip, without the cost of compressing). An upload that"
            + " breaks off goes on where the registry has it. Each image's manifest (Docker schema 2) is put last; a"
            + " pull of it gives the bundle's image ID.",
        "Credentials are those of 'docker login HOST' (config.json, or the credential helper it names): basic, or the"
            + " registry's token service. The registry is asked over https; over http with --insecure, and, as the"
            + " Docker Engine does, for localhost and 127.0.0.0/8."},
        footer = {"", "Examples:", "  mlreef-offline push -d mlreef-images-tar --registry registry.local:5000/mlreef",
            "  mlreef-offline push -d mlreef-images-tar --registry 10.0.0.5:5000 --insecure   # plain http",
            "  mlreef-offline run -d mlreef-images-tar --registry registry.local:5000/mlreef  # on each other host",
            "", "Exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted (run the same command again: what the"
            + " registry has is skipped)."})
public class PushCommand extends BaseCommand {
    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", required = true, description = "The bundle folder.")
    Path dir;

    @Option(names = "--registry", paramLabel = "HOST[:PORT][/PREFIX]", required = true, description = "The"
            + " registry, and a repository path its images go under (lower-case letters, digits, . _ -).")
    String registry;

    @Option(names = "--insecure", description = "Ask the registry over plain http (a registry without TLS).")
    boolean insecure;

    @Override
    protected int execute(Console console) {
        long start = System.nanoTime();
        RegistryLocation location = RegistryLocation.parse("--registry", registry);
        BundleException.requireFolder(dir);
        if (!Files.isRegularFile(dir.resolve(BundleManifest.FILE_NAME))) {
            throw new ToolException(ExitCode.USAGE, dir + " holds no " + BundleManifest.FILE_NAME + ": push takes a"
                    + " bundle folder written by 'mlreef-offline export'");
        }
        BundleSource source = BundleSource.open(dir);
        RegistryAuth auth = RegistryAuth.fromDockerConfig(System.getenv(), console::warn);
        BundlePusher.Report r;
        try (RegistryClient client = RegistryClient.open(RegistryAddress.of(location.host(), insecure), auth)) {
            r = new BundlePusher(client, location, console).push(source);
        }
        console.result("pushed " + r.images() + " image" + (r.images() == 1 ? "" : "s") + " to " + location + ": "
                + r.uploaded() + " blob" + (r.uploaded() == 1 ? "" : "s") + " uploaded (" + Sizes.bytes(r.uploadedBytes())
                + "), " + r.mounted() + " mounted, " + r.present() + " already there; " + r.manifests()
                + " manifest" + (r.manifests() == 1 ? "" : "s") + " written, " + r.unchanged() + " unchanged");
        if (r.resumed() + r.restarted() > 0) {
            console.info("uploads that broke off: " + r.resumed() + " went on where the registry had them, "
                    + r.restarted() + " started again");
        }
        console.info("push done in " + Sizes.seconds(System.nanoTime() - start) + "; on each host: 'mlreef-offline"
                + " run -d DIR --registry " + location + "'");
        return ExitCode.OK;
    }
}

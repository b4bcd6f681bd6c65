package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.Table;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true, description = {
        "Check a bundle folder before trusting it: bundle.json valid and complete, SHA256SUMS agreeing with it, every "
            + "file present with its size and sha256, nothing unexpected, and each tar's own manifest.json holding the "
            + "image IDs bundle.json names. Files are read in parallel. Needs no Docker Engine.",
        "A folder of plain 'docker save' tars without bundle.json (what the original installer used) is checked "
            + "structurally: each tar readable to its end, with a manifest.json whose layers are all present.",
        "Exits 0 when all is well; else prints one line per problem, naming the file, and exits 1."},
        footer = {"", "Examples:", "  mlreef-offline verify -d mlreef-images-tar",
            "  mlreef-offline verify -d /media/usb/bundle --json | jq .problems"})
public class VerifyCommand extends BaseCommand {
    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", required = true, description = "The bundle folder.")
    Path dir;

    @Option(names = "--json", description = "Print the report as JSON on stdout.")
    boolean json;

    @Override
    protected int execute(Console console) {
        long start = System.nanoTime();
        BundleVerifier.Report report;
        try (Progress progress = Progress.start(console, "verifying " + dir, BundleVerifier.bytesToRead(dir))) {
            report = new BundleVerifier(Runtime.getRuntime().availableProcessors(), progress::update).verify(dir);
        }
        if (json) {
            console.result(JsonOutput.of(report));
        } else if (report.ok()) {
            Table table = new Table("FILE", "SIZE", "SHA256", "IMAGES");
            long total = 0;
            for (BundleVerifier.FileCheck f : report.files()) {
                total += f.size();
                table.row(f.file(), Sizes.bytes(f.size()), f.sha256().substring(0, 12), String.join(", ", f.images()));
            }
            console.out().print(table.render());
            console.out().flush();
            console.info((report.bundle() ? "bundle " + report.bundleId() : "plain docker save folder " + dir)
                    + ": " + report.files().size() + (report.files().size() == 1 ? " file, " : " files, ")
                    + Sizes.bytes(total) + ", all "
                    + (report.bundle() ? "verified" : "readable, with every layer present") + " in "
                    + Sizes.seconds(System.nanoTime() - start));
        } else {
            report.problems().forEach(console::result);
        }
        if (!report.ok()) {
            console.error(report.problems().size() + (report.problems().size() == 1 ? " problem" : " problems")
                    + " in " + dir);
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }
}

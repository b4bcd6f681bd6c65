package com.mlreef.offline.cli;

import com.mlreef.offline.bundle.BaseCheck;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.run.EngineLayers;
import com.mlreef.offline.stackfile.ProjectFolder;
import com.mlreef.offline.stackfile.StackDocument;
import com.mlreef.offline.stackfile.StackFileException;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.Table;
import com.mlreef.offline.ui.ToolException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true, description = {
        "Check a bundle folder before trusting it: bundle.json valid and complete, SHA256SUMS agreeing with it, every "
            + "file present with its size and sha256, nothing unexpected, and each tar's own manifest.json holding the "
            + "image IDs bundle.json names. Files are read in parallel. Needs no Docker Engine.",
        "A folder of plain 'docker save' tars without bundle.json (what the original installer used) is checked "
            + "structurally: each tar readable to its end, with a manifest.json whose layers are all present.",
        "A differential bundle (export --since) leaves out the layers of the bundle it builds on: --base OLD_DIR checks "
            + "that folder holds that bundle with those layers, --engine that the Docker Engine has them.",
        "Exits 0 when all is well; else prints one line per problem, naming the file, and exits 1 (2: bad usage, such as"
            + " a folder that does not exist)."},
        footer = {"", "Examples:", "  mlreef-offline verify -d mlreef-images-tar",
            "  mlreef-offline verify -d v2 --base v1    # a differential bundle, its base",
            "  mlreef-offline verify -d /media/usb/bundle --json | jq .problems"})
public class VerifyCommand extends BaseCommand {
    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", required = true, description = "The bundle folder.")
    Path dir;

    @Option(names = "--json", description = "Print the report as JSON on stdout.")
    boolean json;

    @Option(names = "--base", paramLabel = "OLD_DIR",
            description = "For a differential bundle: check that OLD_DIR holds the bundle it builds on.")
    Path base;

    @Option(names = "--engine", description = "For a differential bundle: check that the Docker Engine has the layers"
            + " it leaves out.")
    boolean onEngine;

    @Mixin
    EngineOptions engine;

    @Override
    protected int execute(Console console) {
        long start = System.nanoTime();
        BundleVerifier.Report report;
        try (Progress progress = Progress.start(console, "verifying " + dir, BundleVerifier.bytesToRead(dir))) {
            report = new BundleVerifier(Runtime.getRuntime().availableProcessors(), progress::update).verify(dir);
        }
        if (report.bundleId() != null) {
            report = report.withProblems(stackProblems(dir));
        }
        report = withBaseChecks(report, console);
        if (json) {
            console.result(JsonOutput.of(report));
        } else if (report.ok()) {
            printVerified(report, console, start);
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

    /** The report with the checks of a differential bundle's base that --base and --engine ask for. */
    private BundleVerifier.Report withBaseChecks(BundleVerifier.Report report, Console console) {
        if ((base != null || onEngine) && !report.bundle()) {
            throw new ToolException(ExitCode.USAGE, dir + " has no bundle.json: --base and --engine check a bundle's base");
        }
        BundleManifest manifest = (base != null || onEngine) && report.bundleId() != null ? BundleFiles.read(dir) : null;
        if (manifest != null && !manifest.differential()) {
            // a full bundle needs no base: nothing to check, as for --engine
            console.info("the bundle is a full one: " + (base != null && onEngine ? "--base and --engine have"
                    : base != null ? "--base has" : "--engine has") + " nothing to check");
            manifest = null;
        }
        if (base != null && manifest != null) {
            BundleManifest old = BundleFiles.read(base);
            report = report.withBase(base + " (its bundle.json lists them" + (old.differential()
                    ? "; it builds on bundle " + old.base().id() + " in turn" : "") + "; 'verify -d " + base
                    + "' checks its files)", BaseCheck.inFolder(manifest, base));
        }
        if (onEngine && manifest != null) {
            report = report.withBase("the engine at " + engine.engine().address(), manifest.differential()
                    ? BaseCheck.heldBy(manifest, EngineLayers.chainIds(engine.engine()),
                    "the engine at " + engine.engine().address())
                    : List.of());
        }
        return report;
    }

    /** A report without problems: the files as a table, then what was verified. */
    private void printVerified(BundleVerifier.Report report, Console console, long start) {
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
        if (report.base() != null) {
            console.info(report.baseChecked() != null
                    ? "differential on bundle " + report.base() + ": its layers are in " + report.baseChecked()
                    : "differential on bundle " + report.base() + ": it runs only where that bundle ran; check"
                    + " with --base OLD_DIR or --engine");
        }
    }

    /**
     * What run would refuse in the stack bundle.json carries: a stack file that does not parse, or images it runs that
     * the bundle does not carry (and the other way round).
     */
    static List<String> stackProblems(Path dir) {
        BundleManifest manifest = BundleFiles.read(dir);
        Path file = dir.resolve(BundleManifest.FILE_NAME);
        StackSpec stack;
        try {
            String subpath = manifest.project() == null ? "" : manifest.project().stackFolder();
            stack = StackDocument.of(manifest.stack().text(), BundleSource.stackSource(dir), manifest.stack().name())
                    .withProject(ProjectFolder.unread(subpath), null).withoutWrittenValues()
                    .resolve(System.getenv(), w -> { });
        } catch (StackFileException e) {
            return List.of(e.getMessage()); // it names the stack of bundle.json
        }
        Set<String> carried = new LinkedHashSet<>();
        manifest.images().forEach(i -> carried.addAll(i.references()));
        List<String> problems = new ArrayList<>();
        stack.images().stream().filter(i -> !carried.contains(i)).forEach(i -> problems.add(file + ": its stack runs "
                + i + ", which it does not carry"));
        carried.stream().filter(i -> !stack.images().contains(i)).forEach(i -> problems.add(file + ": carries " + i
                + ", which its stack does not name"));
        return problems;
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.bundle.ArchiveFilter;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.bundle.LayerChain;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.stackfile.StackFile;
import com.mlreef.offline.stackfile.StackFileException;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code export}: pulls a stack's images through the engine and saves them into a bundle folder with
 * {@code bundle.json} and {@code SHA256SUMS}. Run again into the same folder it keeps every file that is whole and
 * still holds the same image, so an interrupted export finishes where it stopped.
 */
public final class StackExporter {
    public static final String EXECUTABLE = "mlreef-offline";
    /** The sha256 an unfinished bundle.json gives the files of the bundle it replaces. */
    private static final String REPLACED = "0".repeat(64);
    /** Room for tar headers and manifests beyond the images' own sizes. */
    private static final long OVERHEAD_PER_FILE = 1 << 20;
    /** How the engine says that the registry wants credentials, or refused those it got. */
    private static final Pattern AUTH_REFUSED = Pattern.compile("no basic auth credentials|unauthorized"
            + "|authentication required");
    /** How the engine says that the repository does not exist or the account may not read it (registries differ). */
    private static final Pattern ACCESS_DENIED = Pattern.compile("access (to the resource is )?denied"
            + "|require 'docker login'");

    /**
     * @param executable the running native executable, to copy into the bundle; null when running from the jar
     * @param since      an older bundle whose layers the new files leave out (a differential bundle); null for a
     *                   full bundle
     */
    public record Options(Path dir, Compression compression, boolean combined, boolean pull, int threads,
                          String toolVersion, Path executable, Path since) {
    }

    /**
     * What export did: the manifest written; per file, whether it was written now or kept; the images whose pull
     * failed, exported as the engine had them.
     */
    public record Result(BundleManifest manifest, Map<String, Boolean> written, List<String> notPulled) {
    }

    private record Resolved(String reference, ImageInspect image) {
        /** The image's size as the engine gives it (0 when it does not). */
        long size() {
            return image.size() == null ? 0 : image.size();
        }
    }

    private record Group(String file, List<Resolved> images) {
    }

    /**
     * The layers a differential bundle leaves out: the bundle it builds on, every chain ID its images hold, and the
     * size of each of its layers' tars by diff ID (as far as it recorded them).
     */
    private record Base(BundleManifest.Base bundle, Set<String> chains, Map<String, Long> sizes) {
        int leftOut(Resolved image) {
            return LayerChain.present(diffIds(image), chains);
        }
    }

    /**
     * What a group's file leaves out, learnt from a first save: the archive entries of the layers the base holds.
     *
     * @param bytes the archive's size without them
     */
    private record Omitted(Set<String> drop, long bytes) {
    }

    /**
     * What a group's file leaves out, decided in the one save that writes it: a layer's tar whose size is that of a
     * layer to leave out is left out and hashed, and the archive's manifest then tells whether exactly those layers
     * were (else the file is saved again, the way {@link Omitted} learns it).
     *
     * @param bytes about the archive's size without them
     */
    private record BySize(Set<Long> sizes, long bytes) {
        boolean drop(ArchiveFilter.Header entry) {
            return entry.linkTarget() == null && sizes.contains(entry.size())
                    && (entry.name().endsWith("/layer.tar") || entry.name().startsWith("blobs/"));
        }
    }

    private final DockerEngine engine;
    private final Console console;
    private final RegistryAuth auth;
    private final List<String> notPulled = new ArrayList<>();

    /** @param auth the credentials sent with each pull (those of {@code docker login}), or {@link RegistryAuth#NONE} */
    public StackExporter(DockerEngine engine, Console console, RegistryAuth auth) {
        this.engine = engine;
        this.console = console;
        this.auth = auth;
    }

    public Result export(StackFile.Loaded stack, String source, Options options) {
        Path dir = options.dir();
        if (Files.exists(dir)) {
            BundleException.requireFolder(dir);
            BundleException.refuseImagesFolder(dir);
        }
        if (!stack.imageVariables().isEmpty()) {
            // the bundle carries the stack as written: the offline host interpolates it with its own environment
            console.warn("the stack's image names take " + String.join(", ", stack.imageVariables().entrySet()
                    .stream().map(v -> v.getValue() == null ? v.getKey() + " (not set)" : v.getKey() + "="
                            + v.getValue()).toList()) + " from this host's environment: set "
                    + (stack.imageVariables().size() == 1 ? "it" : "them") + " the same on the offline host, where"
                    + " run refuses a stack whose images the bundle does not carry");
        }
        stack.spec().files().forEach((reference, name) -> {
            if (name.matches("(?i).*\\.(gz|tgz|zst|xz|txz|bz2|tbz2?|zip)")) {
                throw new StackFileException("x-offline.files." + reference + ": '" + name + "': give the tar's name"
                        + " (NAME.tar); export adds .gz or .zst when it compresses");
            }
        });
        Base since = options.since() == null ? null : base(options.since(), dir);
        List<Resolved> images = new ArrayList<>();
        for (String reference : stack.spec().images()) {
            images.add(new Resolved(reference, resolve(reference, options.pull())));
        }
        Base base = since;
        if (since != null && images.stream().allMatch(i -> since.leftOut(i) == 0)) {
            console.info("no layer of the stack's images is in bundle " + since.bundle().id() + ": writing a full"
                    + " bundle");
            base = null;
        }
        boolean createdDir = !Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BundleException("cannot create " + dir + ": " + IoReason.of(e), e);
        }
        Path lockFile = dir.resolve(BundleVerifier.LOCK);
        boolean done = false;
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new BundleException("another export is writing to " + dir + "; wait for it to finish");
            }
            Thread interrupted = new Thread(() -> console.warn("interrupted: " + dir + " is not complete; run the same"
                    + " export again to finish it"));
            Runtime.getRuntime().addShutdownHook(interrupted);
            Result result;
            try {
                result = write(stack, source, options, images, base);
            } finally {
                // an error is said as it is, not as an interruption
                try {
                    Runtime.getRuntime().removeShutdownHook(interrupted);
                } catch (IllegalStateException e) {
                    // shutting down already: the hook says so
                }
            }
            Files.deleteIfExists(lockFile);
            done = true;
            return result;
        } catch (IOException e) {
            throw new BundleException("writing the bundle in " + dir + ": " + IoReason.of(e), e);
        } finally {
            if (!done) {
                removeIfOnlyLock(dir, lockFile, createdDir);
            }
        }
    }

    private Result write(StackFile.Loaded stack, String source, Options options, List<Resolved> images, Base base)
            throws IOException {
        Path dir = options.dir();
        BundleManifest previous = previous(dir);
        if (previous != null && previous.stack() != null && !stack.spec().name().equals(previous.stack().name())) {
            throw new BundleException(dir + " holds " + (previous.complete() ? "the bundle" : "an unfinished export")
                    + " of stack " + previous.stack().name() + "; export stack " + stack.spec().name() + " into"
                    + " another folder, or move that bundle away first");
        }
        // files of a bundle with another base leave out other layers: none is kept
        BundleManifest reusable = previous;
        if (previous != null && !Objects.equals(previous.base() == null ? null : previous.base().id(),
                base == null ? null : base.bundle().id())) {
            console.info(dir + " held a bundle " + (previous.base() == null ? "without a base" : "built on bundle "
                    + previous.base().id()) + ": every image is saved again");
            reusable = null;
        }
        refuseForeignSums(dir, previous);
        removePartials(dir);
        List<Group> groups = group(stack.spec(), images, options);
        Map<String, BundleManifest.Image> kept = new LinkedHashMap<>();
        List<Group> toWrite = new ArrayList<>();
        for (Group group : groups) {
            List<BundleManifest.Image> same = unchanged(dir, reusable, group, options.compression(), base);
            if (same == null) {
                toWrite.add(group);
            } else {
                for (int i = 0; i < same.size(); i++) {
                    kept.put(group.images().get(i).reference() + " " + same.get(i).id(), same.get(i));
                }
                console.info(group.file() + ": unchanged, kept");
            }
        }
        Map<String, BySize> bySize = new HashMap<>();
        Map<String, Omitted> omitted = new HashMap<>();
        Map<String, Long> estimates = new HashMap<>();
        if (base != null) {
            for (Group group : toWrite) {
                if (group.images().stream().anyMatch(i -> base.leftOut(i) > 0)) {
                    BySize sized = bySize(group, base);
                    if (sized != null) {
                        bySize.put(group.file(), sized);
                        estimates.put(group.file(), sized.bytes());
                    } else {
                        Omitted learnt = omitted(group, base);
                        omitted.put(group.file(), learnt);
                        estimates.put(group.file(), learnt.bytes());
                    }
                }
            }
        }
        checkOwnFiles(dir, previous, toWrite);
        checkSpace(dir, toWrite, estimates, options);
        Files.createDirectories(dir.resolve(BundleFiles.IMAGES));

        BundleManifest.Stack stackEntry = new BundleManifest.Stack(stack.spec().name(), source, stack.text());
        boolean sameStack = previous != null && previous.complete() && Objects.equals(previous.stack(), stackEntry);
        String id = toWrite.isEmpty() && sameStack ? previous.id() : UUID.randomUUID().toString();
        BundleManifest.Base baseEntry = base == null ? null : base.bundle();
        // until this export is complete, its bundle.json still lists the files of the bundle it replaces that it
        // does not write again (another compression or layout), so that an export run after an interruption
        // removes them as this one would have
        List<String> files = groups.stream().map(Group::file).toList();
        List<BundleManifest.Image> replaced = previous == null ? List.of() : previous.images().stream()
                .filter(i -> !files.contains(i.file()))
                // only its file counts, to remove it: a sha256 no file has, so that no export takes it up again
                // (it may have left out a base's layers, which a bundle without that base does not say)
                .map(i -> new BundleManifest.Image(i.references(), i.id(), i.platform(), i.layers(), i.file(),
                        i.size(), REPLACED, i.compression(), null, null))
                .toList();
        BundleManifest manifest = new BundleManifest(BundleManifest.formatFor(baseEntry), id,
                new BundleManifest.Tool("mlreef-offline", options.toolVersion()),
                toWrite.isEmpty() && sameStack ? previous.created() : now(), false, stackEntry,
                unfinished(ordered(images, kept, Map.of()), replaced), previous == null ? null : previous.executable(),
                baseEntry);
        Map<String, Boolean> written = new LinkedHashMap<>();
        groups.forEach(g -> written.put(g.file(), false));
        Map<String, BundleManifest.Image> fresh = new HashMap<>();
        if (!toWrite.isEmpty()) {
            BundleFiles.write(dir, manifest);
            Files.deleteIfExists(dir.resolve(BundleFiles.SUMS));
            AtomicFile.syncFolder(dir);
        }
        ImageFileWriter writer = new ImageFileWriter(options.compression(), options.threads());
        for (Group group : toWrite) {
            List<BundleManifest.Image> saved;
            if (bySize.containsKey(group.file())) {
                saved = save(dir, group, writer, options.compression(), base, null, bySize.get(group.file()));
                if (saved == null) {
                    console.info(group.file() + ": the layers of the base bundle were not told apart by their"
                            + " sizes; saving again to leave them out");
                    saved = save(dir, group, writer, options.compression(), base, omitted(group, base), null);
                }
            } else {
                saved = save(dir, group, writer, options.compression(), base, omitted.get(group.file()), null);
            }
            for (int i = 0; i < saved.size(); i++) {
                fresh.put(group.images().get(i).reference() + " " + saved.get(i).id(), saved.get(i));
            }
            written.put(group.file(), true);
            manifest = manifest.withImages(unfinished(ordered(images, kept, fresh), replaced), false);
            BundleFiles.write(dir, manifest);
        }
        BundleManifest.Executable executable = executable(dir, options.executable(), previous);
        manifest = new BundleManifest(manifest.format(), manifest.id(), manifest.tool(), manifest.created(), true,
                manifest.stack(), ordered(images, kept, fresh), executable, manifest.base());
        removeReplaced(dir, previous, manifest);
        String manifestSha = BundleFiles.write(dir, manifest);
        Map<String, String> sums = BundleFiles.sums(manifest, manifestSha);
        BundleFiles.writeSums(dir, sums);
        AtomicFile.syncFolder(dir);
        List<String> foreign = BundleVerifier.unexpectedFiles(dir, sums.keySet());
        if (!foreign.isEmpty()) {
            // left alone: they may be the user's; but verify reports them and they travel with the folder
            console.warn(dir + " also holds " + (foreign.size() == 1 ? "a file that is" : foreign.size() + " files that"
                    + " are") + " not part of the bundle: " + String.join(", ", foreign.subList(0,
                    Math.min(5, foreign.size()))) + (foreign.size() > 5 ? ", ..." : "") + "; verify reports them:"
                    + " move them out before carrying the folder");
        }
        return new Result(manifest, written, List.copyOf(notPulled));
    }

    /** The image in the engine, pulled first unless it is already at the registry's digest. */
    private ImageInspect resolve(String reference, boolean pull) {
        ImageInspect local = DockerEngine.orNull(() -> engine.inspectImage(reference));
        if (!pull) {
            if (local == null) {
                throw new BundleException("image " + reference + " is not in the engine; pull it, or export without"
                        + " --no-pull");
            }
            return local;
        }
        String digest = registryDigest(reference);
        if (local != null && digest != null && local.repoDigests() != null
                && local.repoDigests().stream().anyMatch(d -> d.endsWith("@" + digest))) {
            console.info(reference + ": up to date (" + digest.substring(0, 19) + "), not pulled");
            return local;
        }
        try {
            pull(reference);
        } catch (DockerException e) {
            if (local == null) {
                throw new BundleException(pullFailure(reference, e), e);
            }
            console.warn(pullFailure(reference, e) + "; exporting the image the engine has");
            notPulled.add(reference);
            return local;
        }
        ImageInspect pulled = DockerEngine.orNull(() -> engine.inspectImage(reference));
        if (pulled == null) {
            throw new BundleException("image " + reference + " is missing from the engine after its pull");
        }
        return pulled;
    }

    private String registryDigest(String reference) {
        try {
            return engine.registryDigest(reference, auth.header(reference));
        } catch (DockerException e) {
            console.debug("cannot ask the registry about " + reference + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The engine's message (a last part it repeats said once), and what to do when the registry wants credentials
     * that it did not get, refused those it got, denies the repository (which may not exist: registries do not tell
     * that from a repository the account may not read), or lacks the tag.
     */
    private String pullFailure(String reference, DockerException e) {
        String said = e.getMessage().replaceFirst("(: ([^:]+))\\1$", "$1");
        String message = said.toLowerCase(Locale.ROOT);
        String login = "'docker login " + RegistryAuth.registry(reference) + "'";
        boolean has = auth.has(reference);
        String helper = has ? null : auth.helperProblem(reference);
        if (helper != null && (AUTH_REFUSED.matcher(message).find() || ACCESS_DENIED.matcher(message).find())) {
            return said + "; the registry wants credentials, but " + helper + ": install it, or remove it from"
                    + " config.json and run " + login;
        }
        return said + hint(message, login, has);
    }

    private static String hint(String message, String login, boolean has) {
        if (AUTH_REFUSED.matcher(message).find()) {
            return has ? "; the registry refused the credentials of " + login + ": log in again"
                    : "; the registry wants credentials: " + login + " (export sends what docker login stores), or"
                            + " pull the images with docker and export with --no-pull";
        }
        if (ACCESS_DENIED.matcher(message).find()) {
            return has ? "; check the image's name: the repository does not exist, or the account of " + login
                    + " may not read it"
                    : "; check the image's name: the repository does not exist, or it needs credentials: " + login
                            + " (export sends what docker login stores)";
        }
        if (message.contains("manifest unknown") || message.contains("not found")) {
            return "; check the image's name and tag in the stack file";
        }
        return "";
    }

    /** Pulls with progress in bytes over all layers. */
    private void pull(String reference) {
        Map<String, long[]> layers = new LinkedHashMap<>();
        try (Progress progress = Progress.start(console, "pulling " + reference, 0)) {
            engine.pullImage(reference, auth.header(reference), (ProgressMessage m) -> {
                if (m.id() == null || m.status() == null) {
                    return;
                }
                long[] layer = layers.computeIfAbsent(m.id(), k -> new long[3]);
                boolean retrying = m.status().startsWith("Retrying in");
                if (retrying && layer[2] == 0) { // said once per retry: the engine counts down every second
                    console.info("pulling " + reference + ": layer " + m.id() + " broke off; the engine tries again ("
                            + m.status() + ")");
                }
                layer[2] = retrying ? 1 : 0;
                if (m.status().equals("Downloading") && m.progressDetail() != null
                        && m.progressDetail().total() != null) {
                    layer[0] = m.progressDetail().current() == null ? 0 : m.progressDetail().current();
                    layer[1] = m.progressDetail().total();
                } else if (m.status().equals("Download complete") || m.status().equals("Pull complete")) {
                    layer[0] = layer[1];
                }
                long current = 0;
                long total = 0;
                for (long[] l : layers.values()) {
                    current += l[0];
                    total += l[1];
                }
                progress.total(total);
                progress.update(current);
            });
            progress.done("pulled " + reference + " in " + seconds(progress));
        }
    }

    private BundleManifest previous(Path dir) {
        if (!Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            return null;
        }
        try {
            return BundleFiles.read(dir);
        } catch (BundleException e) {
            if (e.getMessage().contains("newer than this mlreef-offline")) {
                throw new BundleException(e.getMessage() + "; or export into another folder");
            }
            // export writes bundle.json whole or not at all: one it cannot read may be the user's own file
            throw new BundleException(e.getMessage() + "; export would replace it: move it away, or export into"
                    + " another folder");
        }
    }

    /** A SHA256SUMS beside no bundle.json is the user's (as sha256sum writes it for plain tars): never replaced. */
    private static void refuseForeignSums(Path dir, BundleManifest previous) {
        Path sums = dir.resolve(BundleFiles.SUMS);
        if (previous == null && Files.exists(sums, LinkOption.NOFOLLOW_LINKS)) {
            throw new BundleException(sums + " exists and is not a bundle's (the folder holds no bundle.json);"
                    + " export would replace it: move it away, or export into another folder");
        }
    }

    /**
     * Removes what an interrupted export left under temporary names: the bundle's own files only (bundle.json,
     * SHA256SUMS, the executable, image tars); another NAME.partial may be the user's.
     */
    private static void removePartials(Path dir) throws IOException {
        for (String own : List.of(BundleManifest.FILE_NAME, BundleFiles.SUMS, EXECUTABLE)) {
            Path p = dir.resolve(own + AtomicFile.PARTIAL);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(p);
            }
        }
        Path images = dir.resolve(BundleFiles.IMAGES);
        if (!Files.isDirectory(images)) {
            return;
        }
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(images, "*" + AtomicFile.PARTIAL)) {
            for (Path p : partials) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Stream.of(Compression.values()).anyMatch(
                        c -> name.endsWith(".tar" + c.suffix() + AtomicFile.PARTIAL))) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * One file per image (named by x-offline.files or after the reference; the references of one image share its
     * file unless the stack names another), or one file for all with --combined.
     */
    private static List<Group> group(StackSpec spec, List<Resolved> images, Options options) {
        String suffix = options.compression().suffix();
        if (options.combined()) {
            return List.of(new Group(BundleFiles.IMAGES + "/" + shortened(spec.name() + "-images") + ".tar" + suffix,
                    images));
        }
        List<Group> groups = new ArrayList<>();
        Map<String, Integer> groupOfImage = new HashMap<>();
        // the names the stack gives are kept; a name derived from a reference gives way with -2, -3... (compared
        // without case: FAT and exFAT, the file systems of USB sticks, do not tell case apart)
        Set<String> used = new HashSet<>();
        images.forEach(i -> {
            String given = spec.files().get(i.reference());
            if (given != null) {
                used.add(given.toLowerCase(Locale.ROOT));
            }
        });
        for (Resolved image : images) {
            String name = spec.files().get(image.reference());
            Integer same = groupOfImage.get(image.image().id());
            if (name == null && same != null) {
                groups.get(same).images().add(image);
                continue;
            }
            if (name == null) {
                String base = fileName(image.reference());
                name = base;
                for (int n = 2; used.contains(name.toLowerCase(Locale.ROOT)); n++) {
                    name = base.replaceFirst("(\\.tar)?$", "-" + n + "$1");
                }
                used.add(name.toLowerCase(Locale.ROOT));
            }
            groupOfImage.putIfAbsent(image.image().id(), groups.size());
            groups.add(new Group(BundleFiles.IMAGES + "/" + name + suffix, new ArrayList<>(List.of(image))));
        }
        return groups;
    }

    /** A file name after an image reference: {@code registry.example.com/team/app:1} -> {@code team_app_1.tar}. */
    static String fileName(String reference) {
        String name = reference;
        int slash = name.indexOf('/');
        if (slash > 0 && (name.substring(0, slash).contains(".") || name.substring(0, slash).contains(":")
                || name.substring(0, slash).equals("localhost"))) {
            name = name.substring(slash + 1);
        }
        name = name.replaceFirst("^library/", "").replaceFirst("@sha256:([0-9a-f]{12})[0-9a-f]*$", "_$1");
        name = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[^A-Za-z0-9]+", "");
        return shortened(name.isEmpty() ? "image" : name) + ".tar";
    }

    /** A name cut to fit {@link StackSpec#MAX_FILE_NAME} with .tar, kept apart from others by a hash of the whole. */
    private static String shortened(String name) {
        int room = StackSpec.MAX_FILE_NAME - ".tar".length();
        if (name.length() <= room) {
            return name;
        }
        String hash = UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
                .replace("-", "");
        return name.substring(0, room - 13) + "_" + hash.substring(0, 12);
    }

    /** The previous entries for a group when its file is whole and still holds the same images; else null. */
    private List<BundleManifest.Image> unchanged(Path dir, BundleManifest previous, Group group,
                                                 Compression compression, Base base) throws IOException {
        if (previous == null) {
            return null;
        }
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (Resolved image : group.images()) {
            BundleManifest.Image old = previous.images().stream()
                    .filter(i -> i.file().equals(group.file()) && i.id().equals(image.image().id())
                            && i.compression() == compression && i.references().contains(image.reference())
                            && i.leftOut() == (base == null ? 0 : base.leftOut(image)))
                    .findFirst().orElse(null);
            if (old == null) {
                return null;
            }
            entries.add(old);
        }
        boolean sameSet = previous.images().stream().filter(i -> i.file().equals(group.file())).count() == entries.size();
        Path file = dir.resolve(group.file());
        BundleManifest.Image first = entries.get(0);
        if (!sameSet || !Files.isRegularFile(file) || Files.size(file) != first.size()) {
            return null;
        }
        String sha;
        try (Progress progress = Progress.start(console, "checking " + group.file(), first.size())) {
            sha = sha256(file, progress);
        }
        return sha.equals(first.sha256()) ? entries : null;
    }

    /**
     * A file to write that exists already must be the bundle's own: one its bundle.json lists, or one an unfinished
     * export was writing (it may have been renamed before bundle.json could list it). Anything else is the user's.
     */
    private static void checkOwnFiles(Path dir, BundleManifest previous, List<Group> toWrite) {
        List<String> listed = previous == null ? List.of() : BundleFiles.imageFiles(previous);
        for (Group group : toWrite) {
            Path target = dir.resolve(group.file());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !listed.contains(group.file())
                    && (previous == null || previous.complete())) {
                throw new BundleException(target + " exists and is not a file of "
                        + (previous == null ? "a bundle" : "the bundle in " + dir) + "; export would replace it: move"
                        + " it away, or export into another folder");
            }
        }
    }

    /**
     * Refuses an export that cannot fit. A file of several images (--combined) stores a layer they share once, and
     * the engine does not say how large each layer is: such a file needs at least its largest image and at most all
     * of them; between the two, export warns and tries (a full disk leaves no file behind).
     *
     * @param estimates the size of each differential file, without the layers it leaves out
     */
    private void checkSpace(Path dir, List<Group> toWrite, Map<String, Long> estimates, Options options)
            throws IOException {
        long most = 0;
        long least = 0;
        for (Group group : toWrite) {
            long fixed = OVERHEAD_PER_FILE;
            if (estimates.containsKey(group.file())) {
                most += fixed + estimates.get(group.file());
                least += fixed + estimates.get(group.file());
                continue;
            }
            Map<String, Long> sizes = new LinkedHashMap<>(); // by image ID: references of one image are one image
            group.images().forEach(i -> sizes.put(i.image().id(), i.size()));
            most += fixed + sizes.values().stream().mapToLong(Long::longValue).sum();
            least += fixed + sizes.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
        if (options.executable() != null) {
            most += Files.size(options.executable());
            least += Files.size(options.executable());
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (least > free || (most > free && least == most)) {
            throw new BundleException("not enough free space in " + dir + ": the images to save need "
                    + (least == most ? "up to " + Sizes.bytes(most) : "at least " + Sizes.bytes(least)) + ", "
                    + Sizes.bytes(free) + " is free; free some space or export to another folder with -o");
        }
        if (most > free) {
            console.warn("the images to save need " + Sizes.bytes(least) + " to " + Sizes.bytes(most) + " in " + dir
                    + " (layers they share are stored once) and " + Sizes.bytes(free) + " is free: trying");
        }
    }

    /**
     * Saves a group's file: whole, or without the layers {@code omitted} names, or without those {@code bySize}
     * tells by their size. Null when {@code bySize} left out other layers than the base's: the file is to be saved
     * again.
     */
    private List<BundleManifest.Image> save(Path dir, Group group, ImageFileWriter writer, Compression compression,
                                            Base base, Omitted omitted, BySize bySize) throws IOException {
        List<String> references = group.images().stream().map(Resolved::reference).toList();
        // the layers bySize leaves out are read (and hashed) all the same: they count as progress
        long estimate = omitted != null ? omitted.bytes()
                : group.images().stream().mapToLong(Resolved::size).sum();
        String what = references.size() == 1 ? references.get(0) : references.size() + " images";
        Set<String> drop;
        ImageFileWriter.Written written;
        ArchiveFilter archive;
        try (Progress progress = Progress.start(console, "saving " + what, estimate);
             InputStream tar = engine.saveImages(references)) {
            Set<String> named = omitted == null ? Set.of() : omitted.drop();
            archive = bySize != null ? ArchiveFilter.dropAndHash(tar, bySize::drop)
                    : new ArchiveFilter(tar, named::contains);
            ArchiveFilter read = archive;
            written = writer.write(archive, dir.resolve(group.file()), bySize == null ? progress::update
                    : n -> progress.update(n + read.dropped()));
            drop = bySize != null ? archive.droppedNames() : named;
            if (bySize != null && !leftOutExactly(group, base, archive)) {
                return null;
            }
            progress.done("saved " + what + " to " + group.file() + ": " + Sizes.bytes(written.size())
                    + (compression == Compression.NONE ? "" : " (" + compression.label() + " of "
                    + Sizes.bytes(written.archiveBytes()) + ")")
                    + (omitted == null && bySize == null ? "" : ", without " + Sizes.bytes(archive.dropped())
                    + " of layers the offline host has with bundle " + base.bundle().id()) + " in " + seconds(progress));
        } catch (DockerException e) {
            throw new BundleException("saving " + what + " to " + dir.resolve(group.file()) + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<DockerArchive.ManifestEntry> manifest = archive.manifest();
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (Resolved image : group.images()) {
            ImageInspect inspect = image.image();
            int leftOut = base == null ? 0 : base.leftOut(image);
            List<BundleManifest.LayerFile> layerFiles = layerFiles(manifest, archive.entries(), image, drop);
            if (leftOut > 0 && layerFiles == null) {
                throw new BundleException("saving " + what + ": the archive the engine wrote does not say where "
                        + image.reference() + "'s layers are; export without --since");
            }
            entries.add(new BundleManifest.Image(List.of(image.reference()), inspect.id(), inspect.platform(),
                    diffIds(image), group.file(), written.size(), written.sha256(), compression, layerFiles,
                    leftOut == 0 ? null : leftOut));
            checkOmitted(image, layerFiles, leftOut, drop, archive.entries());
        }
        return entries;
    }

    /**
     * Every layer file of the image in the archive, with its size; null when the manifest does not name the image's
     * layers one per diff ID.
     */
    private static List<BundleManifest.LayerFile> layerFiles(List<DockerArchive.ManifestEntry> manifest,
                                                             Map<String, Long> entries, Resolved image,
                                                             Set<String> dropped) {
        DockerArchive.ManifestEntry entry = manifestEntry(manifest, image);
        List<String> diffIds = diffIds(image);
        if (entry == null || entry.layers() == null || entry.layers().size() != diffIds.size()) {
            return null;
        }
        List<BundleManifest.LayerFile> files = new ArrayList<>();
        for (String layer : entry.layers()) {
            Long size = entries.get(layer);
            if (size == null && !dropped.contains(layer)) {
                return null;
            }
            files.add(new BundleManifest.LayerFile(layer, size == null ? 0 : size));
        }
        return files;
    }

    /** The manifest.json entry of an image: the one whose config is named after the image ID. */
    private static DockerArchive.ManifestEntry manifestEntry(List<DockerArchive.ManifestEntry> manifest,
                                                             Resolved image) {
        if (manifest == null) {
            return null;
        }
        String hex = image.image().id().replaceFirst("^sha256:", "");
        return manifest.stream().filter(e -> e.config() != null && e.config().contains(hex)).findFirst().orElse(null);
    }

    /** A differential file must lack exactly the base's layers of each image and hold all the others. */
    private static void checkOmitted(Resolved image, List<BundleManifest.LayerFile> layerFiles, int leftOut,
                                     Set<String> drop, Map<String, Long> entries) {
        if (layerFiles == null) {
            return;
        }
        for (int i = leftOut; i < layerFiles.size(); i++) {
            String file = layerFiles.get(i).file();
            if (drop.contains(file) || !entries.containsKey(file)) {
                throw new BundleException("saving " + image.reference() + ": layer " + (i + 1) + " (" + file
                        + ") is missing from the file; the engine saved the image differently twice; export again");
            }
        }
    }

    /**
     * How a group's file can leave out the base's layers in the save that writes it: by the sizes of their tars,
     * which the base bundle recorded. Null when it lacks one (the file is then laid out by a first save).
     */
    private static BySize bySize(Group group, Base base) {
        Set<String> leave = new HashSet<>();
        Set<String> keep = new HashSet<>();
        long total = 0;
        for (Resolved image : group.images()) {
            List<String> diffIds = diffIds(image);
            int leftOut = base.leftOut(image);
            for (int i = 0; i < diffIds.size(); i++) {
                (i < leftOut ? leave : keep).add(diffIds.get(i));
            }
            total += image.size();
        }
        leave.removeAll(keep);
        Set<Long> sizes = new HashSet<>();
        for (String diffId : leave) {
            Long size = base.sizes().get(diffId);
            if (size == null) {
                return null;
            }
            sizes.add(size);
            total -= size;
        }
        return new BySize(sizes, Math.max(0, total));
    }

    /**
     * Whether a file saved by {@link BySize} left out exactly the entries a first save would have named, each with
     * the content of its layer's diff ID.
     */
    private static boolean leftOutExactly(Group group, Base base, ArchiveFilter archive) throws IOException {
        List<LayerChain.ArchiveLayer> layers = archiveLayers(archive.manifest(), group, base);
        if (layers == null) {
            return false;
        }
        Set<String> expected = LayerChain.omittable(layers);
        if (!expected.equals(archive.droppedNames())) {
            return false;
        }
        for (LayerChain.ArchiveLayer layer : layers) {
            String sha256 = archive.droppedSha256().get(layer.file());
            if (expected.contains(layer.file()) && sha256 != null && !sha256.equals(layer.diffId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Each layer of the group's images in an archive: its entry, its diff ID and whether the base holds it; null when
     * the archive's manifest.json does not name an image's layers one per diff ID.
     */
    private static List<LayerChain.ArchiveLayer> archiveLayers(List<DockerArchive.ManifestEntry> manifest,
                                                               Group group, Base base) {
        List<LayerChain.ArchiveLayer> layers = new ArrayList<>();
        for (Resolved image : group.images()) {
            DockerArchive.ManifestEntry entry = manifestEntry(manifest, image);
            List<String> diffIds = diffIds(image);
            if (entry == null || entry.layers() == null || entry.layers().size() != diffIds.size()) {
                return null;
            }
            int leftOut = base.leftOut(image);
            for (int i = 0; i < diffIds.size(); i++) {
                layers.add(new LayerChain.ArchiveLayer(entry.layers().get(i), diffIds.get(i), i < leftOut));
            }
        }
        return layers;
    }

    /** A first save, read through and thrown away, to learn which archive entries hold the base's layers. */
    private Omitted omitted(Group group, Base base) throws IOException {
        List<String> references = group.images().stream().map(Resolved::reference).toList();
        String what = references.size() == 1 ? references.get(0) : references.size() + " images";
        ArchiveFilter archive;
        try (Progress progress = Progress.start(console, "reading the layout of " + what, 0);
             InputStream tar = engine.saveImages(references)) {
            archive = ArchiveFilter.observe(tar);
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = archive.read(buffer)) >= 0) {
                progress.update(total += n);
            }
        } catch (DockerException e) {
            throw new BundleException("saving " + what + ": " + e.getMessage(), e);
        }
        List<LayerChain.ArchiveLayer> layers = archiveLayers(archive.manifest(), group, base);
        if (layers == null) {
            throw new BundleException("saving " + what + ": the archive the engine wrote does not say where the"
                    + " layers of " + String.join(", ", references) + " are; export without --since");
        }
        Set<String> drop = LayerChain.omittable(layers);
        long bytes = archive.sent() - drop.stream().mapToLong(f -> archive.entries().getOrDefault(f, 0L)).sum();
        return new Omitted(drop, bytes);
    }

    /** The bundle to build on: complete, readable, and not the folder being written. */
    private static Base base(Path since, Path dir) {
        try {
            if (Files.exists(dir) && Files.isSameFile(since, dir)) {
                throw new BundleException("--since " + since + " is the output folder; export into another one");
            }
        } catch (IOException e) {
            throw new BundleException("cannot read " + since + ": " + e.getMessage(), e);
        }
        BundleManifest old = BundleFiles.read(since);
        if (!old.complete()) {
            throw new BundleException(since + " holds an unfinished export; finish it before building on it");
        }
        Map<String, Long> sizes = new HashMap<>();
        for (BundleManifest.Image image : old.images()) {
            if (image.layers() != null && image.layerFiles() != null
                    && image.layers().size() == image.layerFiles().size()) {
                for (int i = 0; i < image.layers().size(); i++) {
                    if (image.layerFiles().get(i).size() > 0) {
                        sizes.put(image.layers().get(i), image.layerFiles().get(i).size());
                    }
                }
            }
        }
        return new Base(new BundleManifest.Base(old.id(), old.created()), LayerChain.heldBy(old), sizes);
    }

    private static List<String> diffIds(Resolved image) {
        ImageInspect inspect = image.image();
        return inspect.rootFs() == null || inspect.rootFs().layers() == null ? List.of() : inspect.rootFs().layers();
    }

    /** The executable's copy in the bundle: copied when running natively, else the previous copy if still whole. */
    private BundleManifest.Executable executable(Path dir, Path source, BundleManifest previous) throws IOException {
        Path target = dir.resolve(EXECUTABLE);
        if (source == null) {
            BundleManifest.Executable old = previous == null ? null : previous.executable();
            if (old != null && Files.isRegularFile(target) && Files.size(target) == old.size()) {
                try (Progress progress = Progress.start(console, "checking " + EXECUTABLE, old.size())) {
                    if (sha256(target, progress).equals(old.sha256())) {
                        return old;
                    }
                }
            }
            if (isExecutable(target)) {
                // the native executable put into the folder by hand, as this hint asks
                console.info("listed " + EXECUTABLE + ", which is in " + dir + ", in the bundle: verify checks it");
                try (Progress progress = Progress.start(console, "checking " + EXECUTABLE, Files.size(target))) {
                    return new BundleManifest.Executable(EXECUTABLE, Files.size(target), sha256(target, progress));
                }
            }
            console.info("running from the jar: no executable copied into the bundle; copy the native"
                    + " mlreef-offline into " + dir + " and export again to list it");
            return null;
        }
        if (!(Files.exists(target) && Files.isSameFile(source, target))) {
            try (AtomicFile copy = AtomicFile.create(target)) {
                Files.copy(source, copy.stream());
                copy.commit();
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (Progress progress = Progress.start(console, "checking " + EXECUTABLE, Files.size(target))) {
            return new BundleManifest.Executable(EXECUTABLE, Files.size(target), sha256(target, progress));
        }
    }

    /** Whether the file is an executable program (ELF), as the native mlreef-offline is; not a link. */
    private static boolean isExecutable(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {0x7f, 'E', 'L', 'F'});
        }
    }

    /** Deletes files the previous bundle listed and this one does not (its own outputs, now replaced). */
    private void removeReplaced(Path dir, BundleManifest previous, BundleManifest current) throws IOException {
        if (previous == null) {
            return;
        }
        List<String> now = BundleFiles.imageFiles(current);
        for (String file : BundleFiles.imageFiles(previous)) {
            if (!now.contains(file) && Files.deleteIfExists(dir.resolve(file))) {
                console.info(file + ": no longer part of the bundle, removed");
            }
        }
    }

    /** The images of an unfinished export's bundle.json: those of the new bundle, then those it replaces. */
    private static List<BundleManifest.Image> unfinished(List<BundleManifest.Image> images,
                                                         List<BundleManifest.Image> replaced) {
        List<BundleManifest.Image> all = new ArrayList<>(images);
        all.addAll(replaced);
        return all;
    }

    private static List<BundleManifest.Image> ordered(List<Resolved> images, Map<String, BundleManifest.Image> kept,
                                                      Map<String, BundleManifest.Image> fresh) {
        List<BundleManifest.Image> list = new ArrayList<>();
        for (Resolved image : images) {
            String key = image.reference() + " " + image.image().id();
            BundleManifest.Image entry = fresh.containsKey(key) ? fresh.get(key) : kept.get(key);
            if (entry != null) {
                list.add(entry);
            }
        }
        return list;
    }

    private static void removeIfOnlyLock(Path dir, Path lockFile, boolean createdDir) {
        try {
            Files.deleteIfExists(lockFile);
            if (createdDir) {
                try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
                    if (!rest.iterator().hasNext()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort: the folder is left as it is
        }
    }

    private static String sha256(Path file, Progress progress) throws IOException {
        return BundleVerifier.sha256(file, progress::update);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String seconds(Progress progress) {
        return Sizes.seconds(progress.elapsed());
    }
}

package com.mlreef.offline.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.model.ContainerInspect;
import com.mlreef.offline.docker.model.ContainerSpec;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A stack's named volumes in one tar file, and back. The engine's archive API reads and writes them through a helper
 * container that is created and never started, from an empty image made here: no shell, no process, no image of the
 * stack needed. The file is {@code backup.json} (what it holds) followed by the engine's own tar of the volumes, which
 * the helper mounts at {@code /volumes/NAME}, byte for byte; compressed whole with gzip or zstd if asked; its sha256
 * beside it in FILE.sha256.
 *
 * <p>A restore reads the whole file before it changes anything, then writes only into volumes that are missing or
 * empty, so it never mixes a backup into data nor replaces any: replacing data is 'down --volumes' (which asks) and
 * then a restore. While a restore writes, its helper container says so (its labels name the backup and the volumes):
 * run refuses those volumes, and the same restore run again finishes them.
 */
public final class VolumeBackup {
    public static final String MANIFEST = "backup.json";
    public static final int FORMAT = 1;
    static final String PREFIX = "volumes/";
    /** Where the helper container mounts each volume: {@code /volumes/NAME}, so archive paths match the file's. */
    private static final String MOUNTS = "/volumes";
    private static final String HELPER_IMAGE = "mlreef-offline/empty";
    private static final String HELPER_TAG = "1";
    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final int MANIFEST_LIMIT = 1 << 20;
    private static final int BUFFER = 1 << 16;
    /** Two zero blocks of 512 bytes: the end of a tar. */
    private static final int END_OF_ARCHIVE = 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a backup file holds, its first entry. */
    @RegisterForReflection
    public record Manifest(int format, String id, String tool, String created, String stack,
                           List<VolumeEntry> volumes) {
        /** The volumes' names, in the backup's order. */
        public List<String> names() {
            return volumes.stream().map(VolumeEntry::name).toList();
        }
    }

    /** A volume as it was: how to create it again. */
    @RegisterForReflection
    public record VolumeEntry(String name, String driver, Map<String, String> labels, Map<String, String> options) {
    }

    /** What was written or restored; {@code entries} -1 when not counted. */
    public record Summary(int volumes, long entries, long bytes, String sha256) {
    }

    private final DockerEngine engine;
    private final Console console;

    public VolumeBackup(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** The volumes run made for the stack (labelled with it), by name. */
    public List<Volume> volumes(String stack) {
        List<Volume> volumes = new ArrayList<>(engine.listVolumes(List.of(StackLabels.STACK_LABEL + "=" + stack)));
        volumes.sort(Comparator.comparing(Volume::name));
        return volumes;
    }

    /**
     * The named volumes the stack's containers use that are not among {@code volumes} (made by hand or by the
     * original installer: not labelled with the stack), by name.
     */
    public List<String> notCarried(String stack, Set<String> volumes) {
        Set<String> left = new java.util.TreeSet<>();
        for (ContainerSummary c : engine.listContainers(List.of(StackLabels.STACK_LABEL + "=" + stack), true)) {
            if (c.mounts() != null) {
                c.mounts().stream().filter(m -> "volume".equals(m.type()) && m.name() != null && !m.unnamed()
                        && !volumes.contains(m.name())).forEach(m -> left.add(m.name()));
            }
        }
        return List.copyOf(left);
    }

    /** The running containers (of any stack) that mount one of the volumes, by name. */
    public List<String> usedBy(Set<String> volumes) {
        Set<String> users = new LinkedHashSet<>();
        for (ContainerSummary c : engine.listContainers(List.of(), false)) {
            if (c.mounts() != null && c.mounts().stream().anyMatch(m -> "volume".equals(m.type())
                    && volumes.contains(m.name()))) {
                users.add(c.name());
            }
        }
        return List.copyOf(users);
    }

    /** The compression a backup file's name asks for: .tar, .tar.gz/.tgz or .tar.zst/.tzst; null for another name. */
    public static Compression compressionOf(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".tar")) {
            return Compression.NONE;
        }
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return Compression.GZIP;
        }
        if (name.endsWith(".tar.zst") || name.endsWith(".tzst")) {
            return Compression.ZSTD;
        }
        return null;
    }

    /**
     * Between a backup and an interruption: the file is committed or abandoned, never both, so that what an
     * interruption says (and the stack it starts again) is true of the file.
     */
    public static final class Guard {
        private boolean abandoned;
        private boolean written;

        /** At an interruption: nothing is committed after this. Returns whether the backup was committed before. */
        public synchronized boolean abandon() {
            abandoned = true;
            return written;
        }

        synchronized boolean abandoned() {
            return abandoned;
        }

        synchronized void commit(AtomicFile file, Path sums, byte[] line) throws IOException {
            if (abandoned) {
                throw new InterruptedIOException("interrupted");
            }
            file.commit();
            AtomicFile.write(sums, line);
            written = true;
        }
    }

    /**
     * Refuses a backup file name that gives no compression, a file (or its FILE.sha256) that exists, and a folder that
     * does not.
     */
    public static void checkTarget(Path target) {
        if (compressionOf(target) == null) {
            throw new ToolException(ExitCode.USAGE, "-o/--output: " + target + " does not end in .tar, .tar.gz or"
                    + " .tar.zst (the backup's compression)");
        }
        for (Path existing : List.of(target, sumsOf(target))) {
            if (Files.exists(existing)) {
                throw new ToolException(ExitCode.FAILED, existing + " exists: a backup is never written over"
                        + " another; give another name with -o");
            }
        }
        Path folder = target.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new ToolException(ExitCode.FAILED, "-o/--output: the folder " + folder + " does not exist");
        }
    }

    /**
     * Writes the volumes into {@code target}, compressed as its name says; the file appears under its name only when
     * complete and synced. The caller makes sure nothing writes to the volumes meanwhile.
     */
    public Summary backup(String stack, List<Volume> volumes, Path target, String toolVersion, int threads,
                          Guard guard) {
        checkTarget(target); // again under the host's lock: a file written meanwhile is not renamed over
        Compression compression = compressionOf(target);
        List<VolumeEntry> entries = volumes.stream().map(v -> new VolumeEntry(v.name(), v.driver(),
                v.labels() == null ? Map.of() : v.labels(), v.options() == null ? Map.of() : v.options())).toList();
        Manifest manifest = new Manifest(FORMAT, UUID.randomUUID().toString(), toolVersion,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), stack, entries);
        Path sums = sumsOf(target);
        String helper = helper("backup", stack, volumes.stream().map(Volume::name).toList(), true, Map.of());
        try (AtomicFile file = AtomicFile.create(target);
             Progress progress = Progress.start(console, "backup", 0)) {
            ImageFileWriter.HashingStream hashed = new ImageFileWriter.HashingStream(file.stream(), progress::update);
            try (OutputStream out = compression.compressor(hashed, threads)) {
                out.write(manifestEntry(JSON.writeValueAsBytes(manifest)));
                // the engine's own tar of every volume, byte for byte: names, links and extended attributes as the
                // engine wrote them, whatever their encoding
                try (InputStream archive = engine.getArchive(helper, MOUNTS)) {
                    byte[] buffer = new byte[BUFFER];
                    byte[] tail = new byte[END_OF_ARCHIVE]; // the last bytes copied
                    long copied = 0;
                    for (int n = archive.read(buffer); n >= 0; n = archive.read(buffer)) {
                        if (guard.abandoned()) {
                            throw new InterruptedIOException("interrupted");
                        }
                        out.write(buffer, 0, n);
                        copied += n;
                        int keep = Math.min(n, END_OF_ARCHIVE);
                        System.arraycopy(tail, keep, tail, 0, END_OF_ARCHIVE - keep);
                        System.arraycopy(buffer, n - keep, tail, END_OF_ARCHIVE - keep, keep);
                    }
                    // a tar ends in two zero blocks: an answer without them was cut off, however it ended
                    if (copied < END_OF_ARCHIVE || !Arrays.equals(tail, new byte[END_OF_ARCHIVE])) {
                        throw new ToolException(ExitCode.FAILED, "the engine's archive of the volumes ended early"
                                + " (the engine failed while it sent them?); no backup was written");
                    }
                }
            }
            String sha256 = hashed.hex();
            guard.commit(file, sums, (sha256 + "  " + target.getFileName() + "\n").getBytes(StandardCharsets.UTF_8));
            return new Summary(volumes.size(), -1, hashed.count(), sha256);
        } catch (InterruptedIOException e) {
            throw new java.io.UncheckedIOException(e); // the interruption's own line says what it leaves
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot write " + target + ": " + IoReason.of(e), e);
        } finally {
            removeHelper(helper);
        }
    }

    /** The file beside a backup that holds its sha256, as sha256sum -c reads it: FILE.sha256. */
    public static Path sumsOf(Path backup) {
        return backup.resolveSibling(backup.getFileName() + ".sha256");
    }

    /** backup.json as the first entry of a tar: a ustar header and the content, padded to the tar's blocks. */
    private static byte[] manifestEntry(byte[] json) {
        TarArchiveEntry head = new TarArchiveEntry(MANIFEST);
        head.setSize(json.length);
        head.setMode(0644);
        head.setModTime(System.currentTimeMillis());
        byte[] entry = new byte[512 + (json.length + 511) / 512 * 512];
        head.writeEntryHeader(entry);
        System.arraycopy(json, 0, entry, 512, json.length);
        return entry;
    }

    /**
     * Creates the volumes of the backup that are missing and fills them, when each is missing or empty; volumes
     * that hold data are named and nothing is changed.
     */
    public Summary restore(Path file) {
        Manifest manifest = manifest(file);
        List<String> names = manifest.names();
        List<String> users = usedBy(Set.copyOf(names));
        if (!users.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "running containers use volumes of the backup ("
                    + String.join(", ", users) + "): stop them first ('mlreef-offline stop', or 'down' to remove the"
                    + " containers); nothing was changed");
        }
        ContainerSummary journal = interrupted(manifest);
        Set<String> resumed = journal == null ? Set.of() : Set.copyOf(names);
        List<String> present = new ArrayList<>();
        for (String name : names) {
            if (!resumed.contains(name) && DockerEngine.orNull(() -> engine.inspectVolume(name)) != null) {
                present.add(name);
            }
        }
        List<String> holdingData = holdingData(present);
        if (!holdingData.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, "volume" + (holdingData.size() == 1 ? " " : "s ")
                    + String.join(", ", holdingData) + (holdingData.size() == 1 ? " holds" : " hold") + " data:"
                    + " restore writes only into volumes that are missing or empty, so it never mixes a backup into"
                    + " data or replaces any; to replace the data with the backup, delete the volumes first"
                    + " ('mlreef-offline down --volumes' asks, then deletes the stack's), then restore; nothing was"
                    + " changed");
        }
        // the whole file, before anything changes: a damaged one changes nothing
        Checked checked = check(file, console);
        if (!checked.manifest().id().equals(manifest.id())) {
            throw new ToolException(ExitCode.FAILED, file + " changed while it was read; nothing was changed");
        }
        for (VolumeEntry v : manifest.volumes()) {
            Volume existing = DockerEngine.orNull(() -> engine.inspectVolume(v.name()));
            if (existing == null) {
                engine.createVolume(v.name(), v.driver(), v.options().isEmpty() ? null : v.options(), v.labels());
                console.info("created volume " + v.name());
            } else if (!(existing.labels() == null ? Map.of() : existing.labels()).entrySet()
                    .containsAll(v.labels().entrySet())) {
                // the engine does not change a volume's labels
                console.warn("volume " + v.name() + " exists without the labels the backup gives it (made outside"
                        + " mlreef-offline?): its data is restored, but backup, status and down --volumes do not take"
                        + " it for " + (manifest.stack().isEmpty() ? "the stack's" : "stack " + manifest.stack() + "'s"));
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(StackLabels.BACKUP_LABEL, manifest.id());
        labels.put(StackLabels.VOLUMES_LABEL, String.join(",", names));
        // the journal of an interrupted restore of this backup is used again: there is no moment without one
        String helper = journal != null ? journal.id() : helper("restore", manifest.stack(), names, false, labels);
        try (Progress progress = Progress.start(console, "restore", sizeOf(file));
             Reader reader = Reader.open(file, progress)) {
            // the engine's own tar, as backup took it: unpacked by the engine into the volumes, byte for byte
            engine.putArchive(helper, "/", reader.rest, -1, true);
        } catch (DockerException e) {
            throw new ToolException(ExitCode.FAILED, e.getMessage() + ": volumes " + String.join(", ", names)
                    + " are partly restored; run the same restore again, or give it up with 'mlreef-offline down"
                    + (manifest.stack().isEmpty() ? "" : " --stack " + manifest.stack()) + " --volumes'", e);
        }
        removeHelper(helper); // the journal: only once every volume is complete
        return new Summary(names.size(), checked.entries(), sizeOf(file), checked.sha256());
    }

    /** The manifest of a backup file, read from its first entry (the rest is not read). */
    public static Manifest manifest(Path file) {
        try (Reader reader = Reader.open(file, null)) {
            return reader.manifest;
        }
    }

    /** A backup file read through: its manifest, how many entries its archive has, its sha256. */
    public record Checked(Manifest manifest, long entries, String sha256) {
    }

    /**
     * Reads a backup file to its end before a restore changes anything: its manifest, every entry in a volume the
     * manifest lists, nothing after the archive's end, the compression's own checks (gzip's CRC), and the sha256
     * that FILE.sha256 (written by backup) gives, when it is there.
     */
    static Checked check(Path file, Console console) {
        Path sums = sumsOf(file);
        String expected = null;
        if (Files.isRegularFile(sums)) {
            try {
                String line = Files.readString(sums, StandardCharsets.UTF_8).strip();
                if (!line.matches("(?s)[0-9a-fA-F]{64}( .*)?")) {
                    throw new ToolException(ExitCode.FAILED, sums + " is not a sha256 line ('<sha256>  <file>', as"
                            + " backup writes it): write it again, or move it away to restore without the check");
                }
                expected = line.substring(0, 64).toLowerCase(java.util.Locale.ROOT);
            } catch (IOException e) {
                throw new ToolException(ExitCode.FAILED, "cannot read " + sums + ": " + IoReason.of(e), e);
            }
        }
        long entries = 0;
        String sha256;
        Manifest manifest;
        try (Progress progress = Progress.start(console, "checking " + file.getFileName(), sizeOf(file));
             Reader reader = Reader.open(file, progress)) {
            manifest = reader.manifest;
            Set<String> names = Set.copyOf(manifest.names());
            // records of one block: what follows the end is read below, not skipped as the rest of a record
            TarArchiveInputStream tar = new TarArchiveInputStream(reader.rest, 512, StandardCharsets.UTF_8.name());
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                checkPlace(file, entry.getName(), names);
                if (entry.isLink()) {
                    checkPlace(file, entry.getLinkName(), names);
                }
                entries++;
            }
            byte[] rest = new byte[BUFFER];
            for (int n = reader.rest.read(rest); n >= 0; n = reader.rest.read(rest)) {
                for (int i = 0; i < n; i++) {
                    if (rest[i] != 0) {
                        throw Reader.damaged(file, "data follows the end of its archive (appended to it?)");
                    }
                }
            }
            sha256 = reader.fileSha256();
        } catch (IOException e) {
            throw Reader.damaged(file, IoReason.of(e));
        }
        if (expected != null && !expected.equals(sha256)) {
            throw new ToolException(ExitCode.FAILED, file + " differs from its sha256 in " + sums + ": it is damaged"
                    + " (copy it again); nothing was changed");
        }
        if (expected == null) {
            console.warn("no " + sums.getFileName() + " beside " + file + " (backup writes it): damage inside a file's"
                    + " data cannot be told in a .tar or .tar.zst");
        }
        return new Checked(manifest, entries, sha256);
    }

    /**
     * The helper container of an interrupted restore of this backup, or null: it mounts the backup's volumes, which
     * it was writing, and may write them again. An interrupted restore of another backup into the same volumes is
     * refused.
     */
    private ContainerSummary interrupted(Manifest manifest) {
        ContainerSummary journal = null;
        for (ContainerSummary c : engine.listContainers(List.of(StackLabels.HELPER_LABEL + "=restore"), true)) {
            List<String> theirs = List.of(c.labels().getOrDefault(StackLabels.VOLUMES_LABEL, "").split(","));
            List<String> shared = manifest.names().stream().filter(theirs::contains).toList();
            if (manifest.id().equals(c.labels().get(StackLabels.BACKUP_LABEL))) {
                journal = c;
                console.info("finishing the restore of " + String.join(", ", theirs) + " that was interrupted");
            } else if (!shared.isEmpty()) {
                throw new ToolException(ExitCode.FAILED, "an interrupted restore of another backup left volume"
                        + (shared.size() == 1 ? " " : "s ") + String.join(", ", shared) + " partly written: run"
                        + " that restore again, or delete the volume" + (shared.size() == 1 ? "" : "s") + " ('docker"
                        + " rm " + c.name() + "', then 'mlreef-offline down --volumes'), then restore this one;"
                        + " nothing was changed");
            }
        }
        return journal;
    }

    /** Which of the volumes hold anything, looked at through a helper container that mounts them read-only. */
    private List<String> holdingData(List<String> volumes) {
        if (volumes.isEmpty()) {
            return List.of();
        }
        List<String> holding = new ArrayList<>();
        String probe = helper("probe", "", volumes, true, Map.of());
        try {
            for (String volume : volumes) {
                try (TarArchiveInputStream in = new TarArchiveInputStream(engine.getArchive(probe,
                        MOUNTS + "/" + volume))) {
                    in.getNextEntry(); // the volume's own folder
                    if (in.getNextEntry() != null) {
                        holding.add(volume);
                    }
                } catch (IOException e) {
                    throw new ToolException(ExitCode.FAILED, "cannot look into volume " + volume + ": "
                            + IoReason.of(e), e);
                }
            }
        } finally {
            removeHelper(probe);
        }
        return holding;
    }

    /** An entry of a backup belongs under volumes/NAME/ of a volume its manifest lists, with no way out of it. */
    static void checkPlace(Path file, String name, Set<String> volumes) {
        String[] parts = name.split("/");
        boolean ok = name.startsWith(PREFIX) && parts.length >= 2 && volumes.contains(parts[1]);
        for (String part : parts) {
            ok &= !part.equals("..");
        }
        if (!ok && !name.equals(PREFIX)) {
            throw new ToolException(ExitCode.FAILED, file + ": the entry " + name + " is not in a volume that "
                    + MANIFEST + " lists; the file is damaged or was not made by 'mlreef-offline backup'");
        }
    }

    /**
     * A created, never started, container of the empty helper image with the volumes at /volumes/NAME. Leftover
     * helpers of the same kind, backup or probe, of any stack (an interrupted command: the host lock lets one run at a
     * time) are removed first; named volumes are never removed with a container.
     */
    private String helper(String kind, String stack, List<String> volumes, boolean readOnly,
                          Map<String, String> labels) {
        String image = helperImage();
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(StackLabels.HELPER_LABEL, kind);
        if (!"restore".equals(kind)) { // a restore's helper is its journal: interrupted() decides about it
            for (ContainerSummary c : engine.listContainers(List.of(StackLabels.HELPER_LABEL + "=" + kind), true)) {
                engine.removeContainer(c.id(), true);
            }
        }
        List<String> binds = volumes.stream().map(v -> v + ":" + MOUNTS + "/" + v + (readOnly ? ":ro" : ""))
                .toList();
        ContainerSpec spec = new ContainerSpec(image, List.of("/never-started"), null, null, all, null, null, null,
                null, false, new ContainerSpec.HostConfig(binds, null, null, "none"), null);
        String name = "mlreef-offline-" + kind + (stack.isEmpty() ? "" : "-" + stack) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        return engine.createContainer(name, spec);
    }

    /** The empty image of helper containers: made from an empty root file system when the engine lacks it. */
    private String helperImage() {
        String reference = HELPER_IMAGE + ":" + HELPER_TAG;
        if (DockerEngine.orNull(() -> engine.inspectImage(reference)) == null) {
            engine.importImage(new ByteArrayInputStream(new byte[1024]), HELPER_IMAGE, HELPER_TAG);
        }
        return reference;
    }

    /** Removes a helper container, and its image once no helper uses it. */
    private void removeHelper(String id) {
        DockerEngine.orNull(() -> {
            engine.removeContainer(id, true);
            return null;
        });
        if (engine.listContainers(List.of(StackLabels.HELPER_LABEL), true).isEmpty()) {
            try {
                engine.removeImage(HELPER_IMAGE + ":" + HELPER_TAG, false);
            } catch (RuntimeException e) {
                console.debug("helper image kept: " + e.getMessage());
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * A backup file opened for reading: decompressed, hashed as read, its manifest (the first entry) read and checked;
     * {@link #rest} is what follows it, the engine's tar of the volumes.
     */
    private static final class Reader implements AutoCloseable {
        private final HashingInputStream counted;
        final InputStream rest;
        final Manifest manifest;

        private Reader(Path file, InputStream in, Progress progress) throws IOException {
            long[] read = new long[1];
            this.counted = new HashingInputStream(in, progress == null ? n -> { } : n -> progress.update(read[0] += n));
            BufferedInputStream buffered = new BufferedInputStream(counted, BUFFER);
            String unsupported = Compression.unsupported(buffered);
            if (unsupported != null) {
                throw damaged(file, "it is " + unsupported + "; a backup is .tar, .tar.gz or .tar.zst");
            }
            this.rest = Compression.detect(buffered).decompressor(buffered);
            byte[] header = rest.readNBytes(512);
            TarArchiveEntry first;
            try {
                first = header.length == 512 ? new TarArchiveEntry(header) : null;
            } catch (IllegalArgumentException e) {
                first = null;
            }
            if (first == null || !first.getName().equals(MANIFEST)) {
                throw damaged(file, "it does not start with " + MANIFEST + " (it is not a backup made by"
                        + " 'mlreef-offline backup')");
            }
            if (first.getSize() > MANIFEST_LIMIT) {
                throw damaged(file, "its " + MANIFEST + " is over 1 MiB");
            }
            byte[] json = rest.readNBytes((int) first.getSize());
            rest.readNBytes((int) ((512 - first.getSize() % 512) % 512)); // the entry's padding
            this.manifest = checked(file, json);
        }

        static Reader open(Path file, Progress progress) {
            InputStream in = null;
            try {
                in = Files.newInputStream(file);
                return new Reader(file, in, progress);
            } catch (RuntimeException e) {
                closeQuietly(in);
                throw e;
            } catch (NoSuchFileException e) {
                throw new ToolException(ExitCode.FAILED, file + ": no such file");
            } catch (IOException e) {
                closeQuietly(in);
                throw damaged(file, IoReason.of(e));
            }
        }

        private static void closeQuietly(InputStream in) {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // read only
                }
            }
        }

        /** The sha256 of the whole file (what was not read yet is read now). */
        String fileSha256() throws IOException {
            counted.transferTo(OutputStream.nullOutputStream());
            return counted.hex();
        }

        @Override
        public void close() {
            try {
                rest.close();
            } catch (IOException e) {
                // read only
            }
        }

        private static Manifest checked(Path file, byte[] json) {
            Manifest m;
            try {
                m = JSON.readValue(json, Manifest.class);
            } catch (JsonProcessingException e) {
                throw damaged(file, "its " + MANIFEST + " is not valid JSON");
            } catch (IOException e) {
                throw damaged(file, IoReason.of(e));
            }
            if (m.format() > FORMAT) {
                throw new ToolException(ExitCode.FAILED, file + " is a backup of format " + m.format() + "; this"
                        + " version reads format " + FORMAT + ": restore it with the mlreef-offline that made it");
            }
            if (m.format() < 1 || m.id() == null || m.volumes() == null || m.volumes().isEmpty()) {
                throw damaged(file, "its " + MANIFEST + " lists no volumes");
            }
            Set<String> seen = new LinkedHashSet<>();
            for (VolumeEntry v : m.volumes()) {
                if (v == null || v.name() == null || !VOLUME_NAME.matcher(v.name()).matches() || !seen.add(v.name())) {
                    throw damaged(file, "its " + MANIFEST + " names an invalid or repeated volume");
                }
            }
            List<VolumeEntry> volumes = m.volumes().stream().map(v -> new VolumeEntry(v.name(),
                    v.driver() == null || v.driver().isEmpty() ? null : v.driver(),
                    v.labels() == null ? Map.of() : v.labels(), v.options() == null ? Map.of() : v.options()))
                    .toList();
            String stack = m.stack() == null || !STACK_NAME.matcher(m.stack()).matches() ? "" : m.stack();
            return new Manifest(m.format(), m.id(), m.tool(), m.created(), stack, volumes);
        }

        static ToolException damaged(Path file, String why) {
            return new ToolException(ExitCode.FAILED, file + " cannot be read as a backup: " + why);
        }
    }
}

package com.mlreef.offline.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>Here: what the file holds and the rules of its name and entries; {@link BackupWriter} writes it,
 * {@link VolumeRestore} puts it back, {@link BackupReader} reads it.
 */
public final class VolumeBackup {
    public static final String MANIFEST = "backup.json";
    public static final int FORMAT = 1;
    static final String PREFIX = "volumes/";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
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
    private final BackupWriter writer;
    private final VolumeRestore restore;

    public VolumeBackup(DockerEngine engine, Console console) {
        this.engine = engine;
        ArchiveContainers helpers = new ArchiveContainers(engine, console);
        this.writer = new BackupWriter(engine, console, helpers);
        this.restore = new VolumeRestore(engine, console, helpers);
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
        return usedBy(engine, volumes);
    }

    static List<String> usedBy(DockerEngine engine, Set<String> volumes) {
        Set<String> users = new LinkedHashSet<>();
        for (ContainerSummary c : engine.listContainers(List.of(), false)) {
            if (c.mounts() != null && c.mounts().stream().anyMatch(m -> "volume".equals(m.type())
                    && volumes.contains(m.name()))) {
                users.add(c.name());
            }
        }
        return List.copyOf(users);
    }

    /**
     * Writes the volumes into {@code target}, compressed as its name says; the file appears under its name only when
     * complete and synced. The caller makes sure nothing writes to the volumes meanwhile.
     */
    public Summary backup(String stack, List<Volume> volumes, Path target, String toolVersion, int threads,
                          Guard guard) {
        return writer.backup(stack, volumes, target, toolVersion, threads, guard);
    }

    /**
     * Creates the volumes of the backup that are missing and fills them, when each is missing or empty; volumes
     * that hold data are named and nothing is changed.
     */
    public Summary restore(Path file) {
        return restore.restore(file);
    }

    /** The manifest of a backup file, read from its first entry (the rest is not read). */
    public static Manifest manifest(Path file) {
        return BackupReader.manifest(file);
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

    /** The file beside a backup that holds its sha256, as sha256sum -c reads it: FILE.sha256. */
    public static Path sumsOf(Path backup) {
        return backup.resolveSibling(backup.getFileName() + ".sha256");
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
}

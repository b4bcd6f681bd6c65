package com.mlreef.offline.backup;

import com.mlreef.offline.backup.VolumeBackup.Guard;
import com.mlreef.offline.backup.VolumeBackup.Manifest;
import com.mlreef.offline.backup.VolumeBackup.Summary;
import com.mlreef.offline.backup.VolumeBackup.VolumeEntry;
import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** Writes a backup file: its manifest, then the engine's tar of the volumes, read through a helper container. */
final class BackupWriter {
    private static final int BUFFER = 1 << 16;
    /** Two zero blocks of 512 bytes: the end of a tar. */
    private static final int END_OF_ARCHIVE = 1024;

    private final DockerEngine engine;
    private final Console console;
    private final ArchiveContainers helpers;

    BackupWriter(DockerEngine engine, Console console, ArchiveContainers helpers) {
        this.engine = engine;
        this.console = console;
        this.helpers = helpers;
    }

    Summary backup(String stack, List<Volume> volumes, Path target, String toolVersion, int threads, Guard guard) {
        VolumeBackup.checkTarget(target); // again under the host's lock: a file written meanwhile is not renamed over
        Compression compression = VolumeBackup.compressionOf(target);
        List<VolumeEntry> entries = volumes.stream().map(v -> new VolumeEntry(v.name(), v.driver(),
                v.labels() == null ? Map.of() : v.labels(), v.options() == null ? Map.of() : v.options())).toList();
        Manifest manifest = new Manifest(VolumeBackup.FORMAT, UUID.randomUUID().toString(), toolVersion,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), stack, entries);
        Path sums = VolumeBackup.sumsOf(target);
        String helper = helpers.create("backup", stack, volumes.stream().map(Volume::name).toList(), true, Map.of());
        try (AtomicFile file = AtomicFile.create(target);
             Progress progress = Progress.start(console, "backup", 0)) {
            ImageFileWriter.HashingStream hashed = new ImageFileWriter.HashingStream(file.stream(), progress::update);
            try (OutputStream out = compression.compressor(hashed, threads)) {
                out.write(manifestEntry(VolumeBackup.JSON.writeValueAsBytes(manifest)));
                // the engine's own tar of every volume, byte for byte: names, links and extended attributes as the
                // engine wrote them, whatever their encoding
                try (InputStream archive = engine.getArchive(helper, ArchiveContainers.MOUNTS)) {
                    copy(archive, out, guard);
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
            helpers.remove(helper);
        }
    }

    /** Copies the engine's archive; one that does not end as a tar does was cut off. */
    private static void copy(InputStream archive, OutputStream out, Guard guard) throws IOException {
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

    /** backup.json as the first entry of a tar: a ustar header and the content, padded to the tar's blocks. */
    private static byte[] manifestEntry(byte[] json) {
        TarArchiveEntry head = new TarArchiveEntry(VolumeBackup.MANIFEST);
        head.setSize(json.length);
        head.setMode(0644);
        head.setModTime(System.currentTimeMillis());
        byte[] entry = new byte[512 + (json.length + 511) / 512 * 512];
        head.writeEntryHeader(entry);
        System.arraycopy(json, 0, entry, 512, json.length);
        return entry;
    }
}

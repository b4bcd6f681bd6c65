package com.mlreef.offline.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mlreef.offline.backup.VolumeBackup.Manifest;
import com.mlreef.offline.backup.VolumeBackup.VolumeEntry;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A backup file opened for reading: decompressed, hashed as read, its manifest (the first entry) read and checked;
 * {@link #rest} is what follows it, the engine's tar of the volumes.
 */
final class BackupReader implements AutoCloseable {
    private static final Pattern STACK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern VOLUME_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final int MANIFEST_LIMIT = 1 << 20;
    private static final int BUFFER = 1 << 16;

    private final HashingInputStream counted;
    final InputStream rest;
    final Manifest manifest;

    /** A backup file read through: its manifest, how many entries its archive has, its sha256. */
    record Checked(Manifest manifest, long entries, String sha256) {
    }

    private BackupReader(Path file, InputStream in, Progress progress) throws IOException {
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
        if (first == null || !first.getName().equals(VolumeBackup.MANIFEST)) {
            throw damaged(file, "it does not start with " + VolumeBackup.MANIFEST + " (it is not a backup made by"
                    + " 'mlreef-offline backup')");
        }
        if (first.getSize() > MANIFEST_LIMIT) {
            throw damaged(file, "its " + VolumeBackup.MANIFEST + " is over 1 MiB");
        }
        byte[] json = rest.readNBytes((int) first.getSize());
        rest.readNBytes((int) ((512 - first.getSize() % 512) % 512)); // the entry's padding
        this.manifest = checked(file, json);
    }

    static BackupReader open(Path file, Progress progress) {
        InputStream in = null;
        try {
            in = Files.newInputStream(file);
            return new BackupReader(file, in, progress);
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

    /** The manifest of a backup file, read from its first entry (the rest is not read). */
    static Manifest manifest(Path file) {
        try (BackupReader reader = open(file, null)) {
            return reader.manifest;
        }
    }

    /**
     * Reads a backup file to its end before a restore changes anything: its manifest, every entry in a volume the
     * manifest lists, nothing after the archive's end, the compression's own checks (gzip's CRC), and the sha256
     * that FILE.sha256 (written by backup) gives, when it is there.
     */
    static Checked check(Path file, Console console) {
        Path sums = VolumeBackup.sumsOf(file);
        String expected = Files.isRegularFile(sums) ? expectedSha256(sums) : null;
        long entries = 0;
        String sha256;
        Manifest manifest;
        try (Progress progress = Progress.start(console, "checking " + file.getFileName(), sizeOf(file));
             BackupReader reader = open(file, progress)) {
            manifest = reader.manifest;
            Set<String> names = Set.copyOf(manifest.names());
            // records of one block: what follows the end is read below, not skipped as the rest of a record
            TarArchiveInputStream tar = new TarArchiveInputStream(reader.rest, 512, StandardCharsets.UTF_8.name());
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                VolumeBackup.checkPlace(file, entry.getName(), names);
                if (entry.isLink()) {
                    VolumeBackup.checkPlace(file, entry.getLinkName(), names);
                }
                entries++;
            }
            byte[] rest = new byte[BUFFER];
            for (int n = reader.rest.read(rest); n >= 0; n = reader.rest.read(rest)) {
                for (int i = 0; i < n; i++) {
                    if (rest[i] != 0) {
                        throw damaged(file, "data follows the end of its archive (appended to it?)");
                    }
                }
            }
            sha256 = reader.fileSha256();
        } catch (IOException e) {
            throw damaged(file, IoReason.of(e));
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

    /** The sha256 that FILE.sha256 gives. */
    private static String expectedSha256(Path sums) {
        try {
            String line = Files.readString(sums, StandardCharsets.UTF_8).strip();
            if (!line.matches("(?s)[0-9a-fA-F]{64}( .*)?")) {
                throw new ToolException(ExitCode.FAILED, sums + " is not a sha256 line ('<sha256>  <file>', as"
                        + " backup writes it): write it again, or move it away to restore without the check");
            }
            return line.substring(0, 64).toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot read " + sums + ": " + IoReason.of(e), e);
        }
    }

    static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
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
            m = VolumeBackup.JSON.readValue(json, Manifest.class);
        } catch (JsonProcessingException e) {
            throw damaged(file, "its " + VolumeBackup.MANIFEST + " is not valid JSON");
        } catch (IOException e) {
            throw damaged(file, IoReason.of(e));
        }
        if (m.format() > VolumeBackup.FORMAT) {
            throw new ToolException(ExitCode.FAILED, file + " is a backup of format " + m.format() + "; this"
                    + " version reads format " + VolumeBackup.FORMAT + ": restore it with the mlreef-offline that made"
                    + " it");
        }
        if (m.format() < 1 || m.id() == null || m.volumes() == null || m.volumes().isEmpty()) {
            throw damaged(file, "its " + VolumeBackup.MANIFEST + " lists no volumes");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (VolumeEntry v : m.volumes()) {
            if (v == null || v.name() == null || !VOLUME_NAME.matcher(v.name()).matches() || !seen.add(v.name())) {
                throw damaged(file, "its " + VolumeBackup.MANIFEST + " names an invalid or repeated volume");
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

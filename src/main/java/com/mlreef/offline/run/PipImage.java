package com.mlreef.offline.run;

import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.ToolException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The image the package index runs from: made on the engine from this very program (no base image, no registry) as a
 * one-layer root file system imported with {@code POST /images/create?fromSrc=-}, tagged with the tool's version and
 * the hash of its program files, so that it is made once and reused by every run of that program.
 */
final class PipImage {
    static final String REPOSITORY = "mlreef-offline-pip";

    private PipImage() {
    }

    /** The tag this program's image has: {@code VERSION-HASH12}. */
    static String tag(String version, ProgramFiles program) {
        MessageDigest digest = ImageFileWriter.sha256();
        for (Path file : program.identity()) {
            digest.update(file.toString().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new ToolException(ExitCode.FAILED, "--pip: cannot read " + file + ": " + IoReason.of(e), e);
            }
        }
        String clean = version.replaceAll("[^A-Za-z0-9_.-]", "_");
        return clean + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    }

    /** The image's reference, made now when the engine does not have it. */
    static String ensure(DockerEngine engine, Console console, String version, ProgramFiles program) {
        String reference = REPOSITORY + ":" + tag(version, program);
        try {
            engine.inspectImage(reference);
            console.debug("--pip: image " + reference + " is there");
            return reference;
        } catch (NotFoundException e) {
            // made below
        }
        Path tar = null;
        try {
            tar = Files.createTempFile("mlreef-offline-pip", ".tar");
            write(program, tar);
            long size = Files.size(tar);
            try (Progress progress = Progress.start(console, "making image " + reference, size);
                 InputStream in = new HashingInputStream(Files.newInputStream(tar), new Counter(progress))) {
                engine.importImage(in, REPOSITORY, reference.substring(REPOSITORY.length() + 1));
            }
            console.info("--pip: made image " + reference + " from this program");
            return reference;
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "--pip: cannot make image " + reference + ": " + IoReason.of(e),
                    e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    /** The root file system: the program's files and links, /tmp and the folder the packages are mounted on. */
    static void write(ProgramFiles program, Path target) throws IOException {
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            directory(tar, "tmp/", 01777);
            directory(tar, PipService.PACKAGES.substring(1) + "/", 0755);
            for (Map.Entry<String, Path> f : program.files().entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey().substring(1));
                entry.setMode(Files.isExecutable(f.getValue()) ? 0755 : 0644);
                entry.setSize(Files.size(f.getValue()));
                tar.putArchiveEntry(entry);
                Files.copy(f.getValue(), tar);
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, String> l : program.links().entrySet()) {
                if (program.files().containsKey(l.getKey())) {
                    continue; // the interpreter, put there as a file
                }
                TarArchiveEntry link = new TarArchiveEntry(l.getKey().substring(1), TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(l.getValue());
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
        }
    }

    private static void directory(TarArchiveOutputStream tar, String name, int mode) throws IOException {
        TarArchiveEntry dir = new TarArchiveEntry(name);
        dir.setMode(040000 | mode);
        tar.putArchiveEntry(dir);
        tar.closeArchiveEntry();
    }

    /** Adds up the pieces read for the progress line. */
    private static final class Counter implements java.util.function.IntConsumer {
        private final Progress progress;
        private long total;

        Counter(Progress progress) {
            this.progress = progress;
        }

        @Override
        public void accept(int n) {
            total += n;
            progress.update(total);
        }
    }
}

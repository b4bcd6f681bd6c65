package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A build context as docker sends it: the context folder's files, folders and links as a tar streamed to the engine,
 * with their modes and times (owned by root), less what the {@code .dockerignore} leaves out (the Dockerfile and the
 * .dockerignore are always sent). A {@code NAME.dockerignore} beside the Dockerfile takes the place of the context's
 * .dockerignore, as BuildKit has it; a Dockerfile outside the context is added under a name of its own.
 */
final class BuildContext {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String IGNORE_FILE = ".dockerignore";

    private final Path root;
    private final Path dockerfile;
    /** The Dockerfile's name in the tar. */
    private final String dockerfileName;
    /** Set when the Dockerfile lies outside the context and is added to the tar under {@link #dockerfileName}. */
    private final boolean dockerfileAdded;
    private final DockerIgnore ignore;

    private BuildContext(Path root, Path dockerfile, String dockerfileName, boolean added, DockerIgnore ignore) {
        this.root = root;
        this.dockerfile = dockerfile;
        this.dockerfileName = dockerfileName;
        this.dockerfileAdded = added;
        this.ignore = ignore;
    }

    /**
     * The context of a build, checked: the folder and the Dockerfile exist, and the ignore file reads.
     *
     * @param where what builds it, named in errors ("service api")
     */
    static BuildContext of(Path context, Path dockerfile, String where) {
        Path root = context.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new BundleException(where + ": build context " + root + (Files.exists(root) ? " is not a folder"
                    : " does not exist"));
        }
        Path file = root.resolve(dockerfile).normalize();
        if (!Files.isRegularFile(file)) {
            throw new BundleException(where + ": Dockerfile " + file + (Files.exists(file) ? " is not a file"
                    : " does not exist"));
        }
        boolean inside = file.startsWith(root);
        String name = inside ? root.relativize(file).toString()
                : ".dockerfile." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
        Path own = file.resolveSibling(file.getFileName() + IGNORE_FILE);
        Path ignoreFile = Files.isRegularFile(own) ? own : root.resolve(IGNORE_FILE);
        DockerIgnore ignore = DockerIgnore.NONE;
        if (Files.isRegularFile(ignoreFile)) {
            try {
                ignore = DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8), where + ": "
                        + ignoreFile);
            } catch (IOException e) {
                throw new BundleException(where + ": reading " + ignoreFile + ": " + e.getMessage(), e);
            }
        }
        List<String> kept = inside ? List.of(IGNORE_FILE, name) : List.of(IGNORE_FILE);
        return new BuildContext(root, file, name, !inside, ignore.keeping(kept));
    }

    /** The Dockerfile's path in the tar, as {@code POST /build} is told. */
    String dockerfileName() {
        return dockerfileName;
    }

    /** Streams the tar into {@code out} (which is left open), one file at a time. */
    void writeTo(OutputStream out) throws IOException {
        OutputStream unclosed = new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(unclosed, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            walk(tar, root, "");
            if (dockerfileAdded) {
                add(tar, dockerfile, dockerfileName);
            }
            tar.finish();
        }
    }

    /** The folder's entries in name order, each left-out one skipped (a folder walked only if it may keep some). */
    private void walk(TarArchiveOutputStream tar, Path folder, String prefix) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(folder)) {
            list.forEach(children::add);
        }
        children.sort(null);
        for (Path child : children) {
            String name = prefix + child.getFileName();
            boolean folderEntry = Files.isDirectory(child, NOFOLLOW);
            if (ignore.excludes(name)) {
                if (folderEntry && ignore.mayKeepInside(name)) {
                    walk(tar, child, name + "/");
                }
                continue;
            }
            if (add(tar, child, name) && folderEntry) {
                walk(tar, child, name + "/");
            }
        }
    }

    /** Adds a file, folder or link (other kinds are skipped, as docker skips sockets); true when added. */
    private static boolean add(TarArchiveOutputStream tar, Path file, String name) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(file, "unix:mode,lastModifiedTime", NOFOLLOW);
        int mode = (Integer) attributes.get("mode");
        int type = mode & 0170000;
        TarArchiveEntry entry;
        if (type == 0120000) {
            entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(file).toString());
        } else if (type == 040000) {
            entry = new TarArchiveEntry(name + "/");
        } else if (type == 0100000) {
            entry = new TarArchiveEntry(name);
            entry.setSize(Files.size(file));
        } else {
            return false;
        }
        entry.setMode(mode);
        entry.setIds(0, 0);
        entry.setModTime((FileTime) attributes.get("lastModifiedTime"));
        tar.putArchiveEntry(entry);
        if (type == 0100000) {
            try (InputStream in = Files.newInputStream(file, NOFOLLOW)) {
                long copied = in.transferTo(tar);
                if (copied != entry.getSize()) {
                    throw new IOException(file + " changed while it was read");
                }
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("cannot read " + file + ": permission denied", e);
            }
        }
        tar.closeArchiveEntry();
        return true;
    }
}

package com.mlreef.offline.bundle;

import com.mlreef.offline.bundle.BundleManifest.Project;
import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes the files of a project that a stack references into the bundle's {@code project.tar}: each file, folder
 * and link under the paths given (relative to the tree carried: the stack file's folder or a folder above it), with
 * its mode, owner and modification time, and the folders above them; each file hashed while it streams into the tar.
 * A link that leaves the tree it is in, or a path whose real place is outside the carried tree, is refused by name.
 */
public final class ProjectArchive {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final Path realRoot;
    private final Map<String, Path> entries = new TreeMap<>(ProjectArchive::parentsFirst);

    private ProjectArchive(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    /**
     * The paths' files, checked, without writing anything.
     *
     * @param paths   relative to {@code root}, normalized ({@code .} for the folder itself)
     * @param missing told each path that does not exist (it is left out)
     */
    public static ProjectArchive of(Path root, List<String> paths, Consumer<String> missing) {
        try {
            ProjectArchive archive = new ProjectArchive(root);
            for (String path : paths) {
                archive.add(path, missing);
            }
            return archive;
        } catch (IOException e) {
            throw new BundleException("reading the project folder " + root + ": " + IoReason.of(e), e);
        }
    }

    /** The relative paths of every entry, parents first. */
    public List<String> paths() {
        return List.copyOf(entries.keySet());
    }

    private void add(String path, Consumer<String> missing) throws IOException {
        Path file = path.equals(".") ? root : root.resolve(path);
        if (!Files.exists(file, NOFOLLOW)) {
            missing.accept(path);
            return;
        }
        Path real = file.toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new BundleException(file + " is " + real + ", outside the project folder " + root
                    + ", which is all that export carries (the folder that holds the stack file's folder and the"
                    + " paths it references): copy it into that folder");
        }
        for (Path parent = file.getParent(); parent != null && parent.startsWith(root) && !parent.equals(root);
             parent = parent.getParent()) {
            entries.putIfAbsent(relative(parent), parent);
        }
        if (Files.isSymbolicLink(file)) {
            checkLink(file, root);
            entries.put(path, file);
            add(realRoot.relativize(real).toString(), missing);
            return;
        }
        if (!Files.isDirectory(file, NOFOLLOW)) {
            entries.put(path, file);
            return;
        }
        try (Stream<Path> tree = Files.walk(file)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                if (Files.isSymbolicLink(p)) {
                    checkLink(p, file);
                }
                if (!p.equals(root)) {
                    entries.put(relative(p), p);
                }
            }
        }
    }

    /** A link must point inside {@code tree} (the folder carried with it), or the container would find nothing. */
    private void checkLink(Path link, Path tree) throws IOException {
        Path target = Files.readSymbolicLink(link);
        Path resolved = link.getParent().resolve(target).normalize();
        Path within = Files.isDirectory(tree, NOFOLLOW) ? tree : root;
        if (target.isAbsolute() || !resolved.startsWith(within)) {
            throw new BundleException(link + " is a link to " + target + ", which leaves " + within
                    + ": export carries the folder's own files only; copy the file in, or make the link relative"
                    + " inside it");
        }
    }

    private String relative(Path p) {
        return root.relativize(p).toString();
    }

    /**
     * Writes the tar (mode 0600) at {@code target}; what it holds, hashed. {@code subpath}: where the stack file's
     * folder lies in the tree ({@code ""}: its root).
     */
    public Project write(Path target, String envFile, String subpath) throws IOException {
        List<ProjectEntry> written = new ArrayList<>();
        try (AtomicFile file = AtomicFile.create(target)) {
            Files.setPosixFilePermissions(file.temporary(), PosixFilePermissions.fromString("rw-------"));
            ImageFileWriter.HashingStream hashing = new ImageFileWriter.HashingStream(file.stream(), n -> { });
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.BufferedOutputStream(hashing,
                    1 << 16))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Map.Entry<String, Path> e : entries.entrySet()) {
                    written.add(entry(tar, e.getKey(), e.getValue()));
                }
                tar.finish();
            }
            file.commit();
            return new Project(target.getFileName().toString(), hashing.count(), hashing.hex(), envFile,
                    List.copyOf(written), subpath);
        }
    }

    private static ProjectEntry entry(TarArchiveOutputStream tar, String path, Path file) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(file, "unix:mode,uid,gid,lastModifiedTime", NOFOLLOW);
        int mode = (Integer) attributes.get("mode") & 07777;
        int uid = (Integer) attributes.get("uid");
        int gid = (Integer) attributes.get("gid");
        boolean link = Files.isSymbolicLink(file);
        boolean dir = !link && Files.isDirectory(file, NOFOLLOW);
        TarArchiveEntry entry = link ? new TarArchiveEntry(path, TarConstants.LF_SYMLINK)
                : new TarArchiveEntry(dir ? path + "/" : path);
        entry.setMode((dir ? 040000 : link ? 0120000 : 0100000) | mode);
        entry.setIds(uid, gid);
        entry.setModTime((FileTime) attributes.get("lastModifiedTime"));
        if (link) {
            String target = Files.readSymbolicLink(file).toString();
            entry.setLinkName(target);
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            return new ProjectEntry(path, ProjectEntry.LINK, mode, uid, gid, 0, null, target);
        }
        if (dir) {
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            return new ProjectEntry(path, ProjectEntry.DIR, mode, uid, gid, 0, null, null);
        }
        long size = Files.size(file);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        try (HashingInputStream in = new HashingInputStream(Files.newInputStream(file, NOFOLLOW), n -> { })) {
            long copied = in.transferTo(tar);
            if (copied != size) {
                throw new IOException(file + " changed while it was read");
            }
            tar.closeArchiveEntry();
            return new ProjectEntry(path, ProjectEntry.FILE, mode, uid, gid, size, in.hex(), null);
        }
    }

    /** Paths by their names, so that a folder comes before everything in it. */
    static int parentsFirst(String a, String b) {
        return a.replace('/', '\0').compareTo(b.replace('/', '\0'));
    }
}

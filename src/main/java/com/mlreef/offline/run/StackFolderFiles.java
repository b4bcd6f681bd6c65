package com.mlreef.offline.run;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.run.FileChange.Action;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The stack folder's entries on disk: as they are found, and as run writes them from project.tar (streamed, each
 * file written atomically and checked against bundle.json's sha256 before it takes its name, with its mode and
 * owner). An edited copy that is replaced is kept beside the new one as {@code NAME.local-YYYYMMDD}.
 */
final class StackFolderFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final Map<String, FileChange> byPath = new HashMap<>();
    private final boolean replaceEdited;
    private final List<String> said = new ArrayList<>();
    private boolean ownersRefused;

    StackFolderFiles(Path root, List<FileChange> changes, boolean replaceEdited) {
        this.root = root;
        this.replaceEdited = replaceEdited;
        changes.forEach(c -> byPath.put(c.entry().path(), c));
    }

    /** The entry as the folder holds it (a file's content hashed), or null when absent. */
    static ProjectEntry found(Path root, ProjectEntry like) {
        Path p = root.resolve(like.path());
        try {
            if (!Files.exists(p, NOFOLLOW)) {
                return null;
            }
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size", NOFOLLOW);
            int mode = (Integer) a.get("mode") & 07777;
            int uid = (Integer) a.get("uid");
            int gid = (Integer) a.get("gid");
            if (Files.isSymbolicLink(p)) {
                return new ProjectEntry(like.path(), ProjectEntry.LINK, like.mode(), uid, gid, 0, null,
                        Files.readSymbolicLink(p).toString());
            }
            if (Files.isDirectory(p, NOFOLLOW)) {
                return new ProjectEntry(like.path(), ProjectEntry.DIR, mode, uid, gid, 0, null, null);
            }
            return new ProjectEntry(like.path(), ProjectEntry.FILE, mode, uid, gid, (Long) a.get("size"),
                    BundleVerifier.sha256(p, n -> { }), null);
        } catch (IOException e) {
            throw new BundleException("reading " + p + ": " + e.getMessage(), e);
        }
    }

    /** Writes what the changes call for from the tar; the lines that say what was done. */
    List<String> write(InputStream in) throws IOException {
        Files.createDirectories(root);
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String name = e.getName().endsWith("/") ? e.getName().substring(0, e.getName().length() - 1)
                    : e.getName();
            FileChange change = byPath.get(name);
            if (change == null) {
                throw new BundleException("project.tar holds " + name + ", which bundle.json does not list");
            }
            Action action = change.action();
            if (action == Action.KEEP_EDITED) {
                said.add("kept " + root.resolve(name) + " as edited here");
            }
            if (action == Action.ADD || action == Action.UPDATE || action == Action.CONFLICT && replaceEdited) {
                put(change, tar);
            }
        }
        return said;
    }

    private void put(FileChange change, InputStream content) throws IOException {
        ProjectEntry entry = change.entry();
        Path target = root.resolve(entry.path());
        if (change.action() == Action.CONFLICT) {
            Path kept = keepBeside(target);
            said.add("replaced " + target + ", edited here and changed by the bundle; the edited copy is " + kept);
        } else if (change.action() == Action.UPDATE) {
            said.add("replaced " + target + " (the bundle changed it)");
        }
        if (entry.type().equals(ProjectEntry.DIR)) {
            if (Files.exists(target, NOFOLLOW) && !Files.isDirectory(target, NOFOLLOW)) {
                Files.delete(target);
            }
            Files.createDirectories(target);
            attributes(target, entry);
        } else if (entry.type().equals(ProjectEntry.LINK)) {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(entry.link()));
            owner(target, entry);
        } else {
            writeFile(target, entry, content);
        }
    }

    private void writeFile(Path target, ProjectEntry entry, InputStream content) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW)) {
            throw new BundleException(target + " is a folder here, where the bundle has a file: move it away");
        }
        try (AtomicFile file = AtomicFile.create(target)) {
            HashingInputStream hashing = new HashingInputStream(content, n -> { });
            hashing.transferTo(file.stream());
            if (!hashing.hex().equals(entry.sha256())) {
                throw new BundleException("project.tar: " + entry.path() + " differs from bundle.json's sha256"
                        + " (damaged or changed): run 'mlreef-offline verify'; it was not written");
            }
            attributes(file.temporary(), entry);
            file.commit();
        }
    }

    /** Moves an edited entry to NAME.local-YYYYMMDD (-2, -3... when taken); its new place. */
    private static Path keepBeside(Path target) throws IOException {
        String date = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        Path kept = target.resolveSibling(target.getFileName() + ".local-" + date);
        for (int n = 2; Files.exists(kept, NOFOLLOW); n++) {
            kept = target.resolveSibling(target.getFileName() + ".local-" + date + "-" + n);
        }
        Files.move(target, kept);
        return kept;
    }

    private void attributes(Path p, ProjectEntry entry) throws IOException {
        Files.setPosixFilePermissions(p, permissions(entry.mode()));
        owner(p, entry);
    }

    private void owner(Path p, ProjectEntry entry) throws IOException {
        try {
            Files.setAttribute(p, "unix:uid", entry.uid(), NOFOLLOW);
            Files.setAttribute(p, "unix:gid", entry.gid(), NOFOLLOW);
        } catch (java.nio.file.FileSystemException e) {
            if (!ownersRefused) {
                ownersRefused = true;
                said.add("warning: the files keep this user as their owner (only root gives them the owners they"
                        + " had in the project folder): " + e.getMessage());
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE: bits 8 to 0
        for (int i = 0; i < all.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }
}

package com.mlreef.offline.pip;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distributions in a folder and its subfolders, by project. The folder is scanned again when one of its folders
 * changed (a file added, removed or renamed), checked at most every {@value #RECHECK_MILLIS} ms: a new file shows
 * without a restart. Hidden files and folders are skipped, as are symbolic links that lead out of the folder.
 */
public final class FolderIndex {
    static final long RECHECK_MILLIS = 1000;

    /** A distribution file: where it is, its path under the folder ({@code /}-separated) and its name. */
    public record Entry(Path file, String relative, DistributionName name) {
    }

    /** A page's bytes and its entity tag (a hash of them). */
    record Page(byte[] body, String etag) {
        static Page of(byte[] body) {
            return new Page(body, "\"" + FileFacts.sha256(body).substring(0, 32) + "\"");
        }
    }

    /** One scan: the folders' modification times and the distributions by normalised project name. */
    public static final class Snapshot {
        private final Map<Path, FileTime> folders;
        private final SortedMap<String, List<Entry>> projects;
        private final Map<String, Page> pages = new ConcurrentHashMap<>();

        Snapshot(Map<Path, FileTime> folders, SortedMap<String, List<Entry>> projects) {
            this.folders = folders;
            this.projects = projects;
        }

        public SortedMap<String, List<Entry>> projects() {
            return projects;
        }

        /** A page made of this scan alone (the project list), made once per scan and form. */
        Page page(String key, java.util.function.Supplier<byte[]> render) {
            return pages.computeIfAbsent(key, k -> Page.of(render.get()));
        }
    }

    private final Path root;
    private final FactsCache facts = new FactsCache();
    private volatile Snapshot snapshot;
    private volatile long checkedAt;

    /** @param root the folder served; its real path (symbolic links resolved) bounds what is served */
    public FolderIndex(Path root) throws IOException {
        this.root = root.toRealPath();
        this.snapshot = scan();
        this.checkedAt = System.nanoTime();
    }

    public Path root() {
        return root;
    }

    /** The current scan, scanning again when a folder changed. */
    public Snapshot current() throws IOException {
        if (System.nanoTime() - checkedAt > RECHECK_MILLIS * 1_000_000) {
            recheck();
        }
        return snapshot;
    }

    /** The facts of a file of the index, hashed once per size and modification time. */
    public FileFacts facts(Entry entry) throws IOException {
        return facts.of(entry.file(), entry.name());
    }

    private synchronized void recheck() throws IOException {
        if (System.nanoTime() - checkedAt <= RECHECK_MILLIS * 1_000_000) {
            return; // another request checked meanwhile
        }
        for (Map.Entry<Path, FileTime> folder : snapshot.folders.entrySet()) {
            FileTime now;
            try {
                now = Files.getLastModifiedTime(folder.getKey(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                now = null; // removed
            }
            if (!folder.getValue().equals(now)) {
                snapshot = scan();
                break;
            }
        }
        checkedAt = System.nanoTime();
    }

    private Snapshot scan() throws IOException {
        Map<Path, FileTime> folders = new HashMap<>();
        SortedMap<String, List<Entry>> projects = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                folders.put(dir, attrs.lastModifiedTime());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                DistributionName name = DistributionName.parse(file.getFileName().toString());
                if (name != null && (attrs.isRegularFile() || attrs.isSymbolicLink() && inside(file))) {
                    String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                    projects.computeIfAbsent(name.normalizedProject(), k -> new ArrayList<>())
                            .add(new Entry(file, relative, name));
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // unreadable: not served
            }
        });
        projects.values().forEach(list -> list.sort((a, b) -> a.name().fileName().compareTo(b.name().fileName())));
        facts.retain(new java.util.HashSet<>(files));
        projects.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Snapshot(folders, Collections.unmodifiableSortedMap(projects));
    }

    /** Whether a path (a link, say) leads to a regular file inside the folder. */
    boolean inside(Path file) {
        try {
            return file.toRealPath().startsWith(root) && Files.isRegularFile(file);
        } catch (IOException e) {
            return false;
        }
    }
}

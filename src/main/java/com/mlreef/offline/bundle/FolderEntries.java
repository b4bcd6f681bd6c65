package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What a bundle folder holds besides what it should: files it does not list, and links that leave the folder. */
final class FolderEntries {
    /**
     * What file systems and desktops put at the root of a stick or disk, which a bundle written there cannot avoid:
     * not the bundle's, and not reported.
     */
    private static final Set<String> FILESYSTEM_OWN = Set.of("lost+found", "System Volume Information",
            "$RECYCLE.BIN", ".Trashes", ".Spotlight-V100", ".fseventsd", ".DS_Store", ".Trash-0", ".Trash-1000");

    private FolderEntries() {
    }

    /**
     * The entries of the folder and of images/ (relative to the folder) that are not among {@code bundleFiles}, the
     * files bundle.json lists (bundle.json included), SHA256SUMS or the export's lock.
     */
    static List<String> unexpected(Path dir, Set<String> bundleFiles) {
        Set<String> expected = new LinkedHashSet<>(bundleFiles);
        expected.add(BundleFiles.SUMS);
        expected.add(BundleVerifier.LOCK);
        return list(dir).stream().filter(name -> !expected.contains(name) && !FILESYSTEM_OWN.contains(name))
                .toList();
    }

    /**
     * Every entry of the folder, of images/ and below packages/ (its subfolders walked), relative to the folder; a
     * folder other than these counts too.
     */
    static List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            for (Path p : top) {
                String name = p.getFileName().toString();
                if (name.equals(BundleFiles.IMAGES) && Files.isDirectory(p)) {
                    try (DirectoryStream<Path> images = Files.newDirectoryStream(p)) {
                        images.forEach(i -> names.add(name + "/" + i.getFileName()));
                    }
                } else if (name.equals(BundleFiles.PACKAGES) && Files.isDirectory(p)) {
                    below(p, name + "/", names);
                } else {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new BundleException("cannot list " + dir + ": " + IoReason.of(e), e);
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** The entries below a folder, its subfolders' (not links to folders) walked, relative with the prefix. */
    private static void below(Path folder, String prefix, List<String> names) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                String name = prefix + p.getFileName();
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    below(p, name + "/", names);
                } else {
                    names.add(name);
                }
            }
        }
    }

    /**
     * Files of the folder that are links to a file outside it: they verify where they are, but a copy of the folder
     * carries the link, not the file.
     */
    static List<String> outsideTheFolder(Path dir, Collection<String> names) {
        List<String> problems = new ArrayList<>();
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            return problems;
        }
        for (String name : names) {
            Path file = dir.resolve(name);
            try {
                Path real = file.toRealPath();
                if (!real.startsWith(root)) {
                    problems.add(file + ": a link to " + real + ", outside the folder; a copy of the folder would"
                            + " carry the link, not the file: put the file itself in the folder");
                }
            } catch (IOException e) {
                // missing: said by the file's own check
            }
        }
        return problems;
    }
}

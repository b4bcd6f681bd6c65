package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.IoReason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A folder of plain {@code docker save} tars without bundle.json, as the original installer used: which files are
 * read as image tars, which look like ones but are not read, and the structural checks of the whole folder.
 */
final class PlainFolder {
    private static final List<String> TAR_SUFFIXES = List.of(".tar", ".tar.gz", ".tgz", ".tar.zst");
    /** The names of files read as image tars in a plain folder, as messages give them. */
    static final String TAR_NAMES = "(*.tar, *.tar.gz, *.tgz, *.tar.zst)";
    /** Names of compressed tars that docker load reads and this tool does not. */
    private static final List<String> UNREAD_SUFFIXES = List.of(".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tbz");

    private PlainFolder() {
    }

    /** Tars in the folder and in its images/ folder, as the original installer and plain docker save leave them. */
    static List<Path> tars(Path dir) {
        List<Path> tars = new ArrayList<>();
        for (Path folder : List.of(dir, dir.resolve(BundleFiles.IMAGES))) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
                for (Path f : files) {
                    String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (Files.isRegularFile(f) && TAR_SUFFIXES.stream().anyMatch(name::endsWith)) {
                        tars.add(f);
                    }
                }
            } catch (IOException e) {
                throw new BundleException("cannot list " + folder + ": " + IoReason.of(e), e);
            }
        }
        tars.sort(Comparator.naturalOrder());
        return tars;
    }

    /**
     * Files of the folder (and of images/) that look like image archives but are not read as ones: named as a tar
     * compressed with xz or bzip2, or a tar under a name without an extension (docker save -o NAME). One line each,
     * naming the file and what to do; other files (notes, checksums, the tool) are not judged.
     */
    static List<String> unreadArchives(Path dir) {
        List<String> unread = new ArrayList<>();
        Set<Path> tars = new HashSet<>(tars(dir));
        for (String name : FolderEntries.list(dir)) {
            Path file = dir.resolve(name);
            String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (tars.contains(file) || !Files.isRegularFile(file)) {
                continue;
            }
            if (UNREAD_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                unread.add(file + ": a tar compressed with " + (lower.contains("x") ? "xz" : "bzip2") + ", "
                        + BundleVerifier.DECOMPRESS);
            } else if (!lower.contains(".")) {
                try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 512)) {
                    if (isTar(in)) {
                        unread.add(file + ": a tar not named *.tar, so not read: rename it (" + file.getFileName()
                                + ".tar)");
                    }
                } catch (IOException e) {
                    // unreadable: nothing to say of what it holds
                }
            }
        }
        return unread;
    }

    /** Whether a stream starts with a tar header (ustar magic at offset 257). */
    private static boolean isTar(BufferedInputStream in) throws IOException {
        in.mark(512);
        byte[] header = in.readNBytes(512);
        in.reset();
        return header.length == 512 && new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    /**
     * The problems of the folder beyond each tar's own: a lost bundle.json, a SHA256SUMS that disagrees, links out of
     * the folder, archives not read, and one name tagged as two images.
     *
     * @param tags per file read, the references its manifest.json tags, with the image ID each tags
     */
    static List<String> problems(Path dir, List<BundleVerifier.FileCheck> checks,
                                 Map<String, Map<String, String>> tags) {
        List<String> problems = new ArrayList<>();
        if (BundleFiles.lostItsManifest(dir)) {
            problems.add(BundleFiles.lostManifestMessage(dir));
        }
        checks.forEach(c -> c.problems().forEach(p -> problems.add(dir.resolve(c.file()) + ": " + p)));
        SumsCheck.checkPlain(dir, checks, problems);
        problems.addAll(FolderEntries.outsideTheFolder(dir, checks.stream().map(BundleVerifier.FileCheck::file)
                .toList()));
        problems.addAll(unreadArchives(dir));
        // one name tagged as two images: the engine keeps whichever it loads last, so run refuses the folder
        Map<String, String> idOf = new HashMap<>();
        Map<String, String> fileOf = new HashMap<>();
        for (BundleVerifier.FileCheck check : checks) {
            tags.getOrDefault(check.file(), Map.of()).forEach((tag, id) -> {
                String before = idOf.putIfAbsent(tag, id);
                if (before != null && !before.equals(id)) {
                    problems.add(dir.resolve(check.file()) + ": tags " + tag + " as image " + id + ", which "
                            + fileOf.get(tag) + " tags as " + before + " (run refuses the folder: move the one not"
                            + " meant out)");
                }
                fileOf.putIfAbsent(tag, check.file());
            });
        }
        return problems;
    }
}

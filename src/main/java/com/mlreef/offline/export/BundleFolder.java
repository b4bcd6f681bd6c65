package com.mlreef.offline.export;

import com.mlreef.offline.bundle.AtomicFile;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The bundle folder as export finds and leaves it: the files it owns (and may keep or replace), and those it leaves
 * alone because they may be the user's.
 */
final class BundleFolder {
    private final Console console;
    private final Path dir;

    BundleFolder(Console console, Path dir) {
        this.console = console;
        this.dir = dir;
    }

    /** The bundle.json an earlier export left in the folder, or null. */
    BundleManifest previous() {
        if (!Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            return null;
        }
        try {
            return BundleFiles.read(dir);
        } catch (BundleException e) {
            if (e.getMessage().contains("newer than this mlreef-offline")) {
                throw new BundleException(e.getMessage() + "; or export into another folder");
            }
            // export writes bundle.json whole or not at all: one it cannot read may be the user's own file
            throw new BundleException(e.getMessage() + "; export would replace it: move it away, or export into"
                    + " another folder");
        }
    }

    /** A folder holding the bundle of another stack is not written over. */
    void refuseOtherStack(BundleManifest previous, String stack) {
        if (previous != null && previous.stack() != null && !stack.equals(previous.stack().name())) {
            throw new BundleException(dir + " holds " + (previous.complete() ? "the bundle" : "an unfinished export")
                    + " of stack " + previous.stack().name() + "; export stack " + stack + " into"
                    + " another folder, or move that bundle away first");
        }
    }

    /** The previous bundle when its files may be kept: null when it builds on another base (or none). */
    BundleManifest reusable(BundleManifest previous, BaseBundle base) {
        // files of a bundle with another base leave out other layers: none is kept
        if (previous != null && !Objects.equals(previous.base() == null ? null : previous.base().id(),
                base == null ? null : base.bundle().id())) {
            console.info(dir + " held a bundle " + (previous.base() == null ? "without a base" : "built on bundle "
                    + previous.base().id()) + ": every image is saved again");
            return null;
        }
        return previous;
    }

    /** A SHA256SUMS beside no bundle.json is the user's (as sha256sum writes it for plain tars): never replaced. */
    void refuseForeignSums(BundleManifest previous) {
        Path sums = dir.resolve(BundleFiles.SUMS);
        if (previous == null && Files.exists(sums, LinkOption.NOFOLLOW_LINKS)) {
            throw new BundleException(sums + " exists and is not a bundle's (the folder holds no bundle.json);"
                    + " export would replace it: move it away, or export into another folder");
        }
    }

    /**
     * Removes what an interrupted export left under temporary names: the bundle's own files only (bundle.json,
     * SHA256SUMS, the executable, image tars); another NAME.partial may be the user's.
     */
    void removePartials() throws IOException {
        for (String own : List.of(BundleManifest.FILE_NAME, BundleFiles.SUMS, ExecutableCopy.NAME)) {
            Path p = dir.resolve(own + AtomicFile.PARTIAL);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(p);
            }
        }
        Path images = dir.resolve(BundleFiles.IMAGES);
        if (!Files.isDirectory(images)) {
            return;
        }
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(images, "*" + AtomicFile.PARTIAL)) {
            for (Path p : partials) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Stream.of(Compression.values()).anyMatch(
                        c -> name.endsWith(".tar" + c.suffix() + AtomicFile.PARTIAL))) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The previous entries for a group when its file is whole and still holds the same images; else null. */
    List<BundleManifest.Image> unchanged(BundleManifest previous, ImageGroup group, Compression compression,
                                         BaseBundle base) throws IOException {
        if (previous == null) {
            return null;
        }
        List<BundleManifest.Image> entries = new ArrayList<>();
        for (ResolvedImage image : group.images()) {
            BundleManifest.Image old = previous.images().stream()
                    .filter(i -> i.file().equals(group.file()) && i.id().equals(image.image().id())
                            && i.compression() == compression && i.references().contains(image.reference())
                            && i.leftOut() == (base == null ? 0 : base.leftOut(image)))
                    .findFirst().orElse(null);
            if (old == null) {
                return null;
            }
            entries.add(old);
        }
        boolean sameSet = previous.images().stream().filter(i -> i.file().equals(group.file())).count() == entries.size();
        Path file = dir.resolve(group.file());
        BundleManifest.Image first = entries.get(0);
        if (!sameSet || !Files.isRegularFile(file) || Files.size(file) != first.size()) {
            return null;
        }
        String sha;
        try (Progress progress = Progress.start(console, "checking " + group.file(), first.size())) {
            sha = BundleVerifier.sha256(file, progress::update);
        }
        return sha.equals(first.sha256()) ? entries : null;
    }

    /**
     * A file to write that exists already must be the bundle's own: one its bundle.json lists, or one an unfinished
     * export was writing (it may have been renamed before bundle.json could list it). Anything else is the user's.
     */
    void checkOwnFiles(BundleManifest previous, List<ImageGroup> toWrite) {
        List<String> listed = previous == null ? List.of() : BundleFiles.imageFiles(previous);
        for (ImageGroup group : toWrite) {
            Path target = dir.resolve(group.file());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !listed.contains(group.file())
                    && (previous == null || previous.complete())) {
                throw new BundleException(target + " exists and is not a file of "
                        + (previous == null ? "a bundle" : "the bundle in " + dir) + "; export would replace it: move"
                        + " it away, or export into another folder");
            }
        }
    }

    /** Deletes files the previous bundle listed and this one does not (its own outputs, now replaced). */
    void removeReplaced(BundleManifest previous, BundleManifest current) throws IOException {
        if (previous == null) {
            return;
        }
        List<String> now = BundleFiles.imageFiles(current);
        for (String file : BundleFiles.imageFiles(previous)) {
            if (!now.contains(file) && Files.deleteIfExists(dir.resolve(file))) {
                console.info(file + ": no longer part of the bundle, removed");
            }
        }
    }

    /** Says which files of the folder are not the bundle's: left alone, they may be the user's. */
    void warnForeign(Set<String> bundleFiles) {
        List<String> foreign = BundleVerifier.unexpectedFiles(dir, bundleFiles);
        if (!foreign.isEmpty()) {
            // left alone: they may be the user's; but verify reports them and they travel with the folder
            console.warn(dir + " also holds " + (foreign.size() == 1 ? "a file that is" : foreign.size() + " files that"
                    + " are") + " not part of the bundle: " + String.join(", ", foreign.subList(0,
                    Math.min(5, foreign.size()))) + (foreign.size() > 5 ? ", ..." : "") + "; verify reports them:"
                    + " move them out before carrying the folder");
        }
    }

    /** After a failed export: the lock goes, and the folder too when export created it and nothing else is in it. */
    void removeIfOnlyLock(Path lockFile, boolean createdDir) {
        try {
            Files.deleteIfExists(lockFile);
            if (createdDir) {
                try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
                    if (!rest.iterator().hasNext()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort: the folder is left as it is
        }
    }
}

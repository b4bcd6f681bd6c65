package com.mlreef.offline.bundle;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A folder that {@code run} reads: a bundle written by export (its stack comes from bundle.json), or a folder of plain
 * {@code docker save} tars as the original installer left them (run with the default stack, or -f). Cheap checks are
 * made here for every file (present, the size bundle.json gives); the sha256 is checked while a file is loaded.
 */
public record BundleSource(Path dir, BundleManifest manifest, List<Path> plainTars, String stackText,
                           String stackSource) {

    /** How a bundle's stack is named in messages about it. */
    public static String stackSource(Path dir) {
        return "the stack of " + dir.resolve(BundleManifest.FILE_NAME);
    }

    /**
     * bundle.json (which holds the stack that run applies) against its line in SHA256SUMS, when there is one: an edit
     * or a damage is refused, as a changed image file is.
     */
    private static void checkManifestSum(Path dir) {
        Path manifest = dir.resolve(BundleManifest.FILE_NAME);
        String listed;
        try {
            listed = Files.isRegularFile(dir.resolve(BundleFiles.SUMS)) ? BundleFiles.readSums(dir)
                    .get(BundleManifest.FILE_NAME) : null;
        } catch (IOException | BundleException e) {
            return; // verify reports an unreadable SHA256SUMS; the image files are checked on their own
        }
        if (listed == null) {
            return;
        }
        String actual;
        try {
            actual = BundleVerifier.sha256(manifest, n -> { });
        } catch (IOException e) {
            throw new BundleException("cannot read " + manifest + ": " + IoReason.of(e), e);
        }
        if (!actual.equals(listed)) {
            throw new BundleException(manifest + " differs from its sha256 in " + BundleFiles.SUMS + ": it was edited"
                    + " or damaged; copy the bundle again, or to change the stack, give it with -f");
        }
    }

    public static BundleSource open(Path dir) {
        BundleException.requireFolder(dir);
        BundleException.refuseImagesFolder(dir);
        BundleVerifier.refuseWhileExporting(dir);
        if (Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            BundleManifest manifest = BundleFiles.read(dir);
            if (!manifest.complete()) {
                throw new BundleException("the bundle in " + dir + " is incomplete: the export that wrote it did not"
                        + " finish; run the export again");
            }
            checkManifestSum(dir);
            for (BundleManifest.Image image : manifest.images()) {
                Path file = dir.resolve(image.file());
                long size;
                try {
                    size = Files.size(file);
                } catch (NoSuchFileException e) {
                    throw new BundleException(file + " is missing; the bundle is incomplete (mlreef-offline verify -d "
                            + dir + " lists what is wrong)");
                } catch (IOException e) {
                    throw new BundleException("cannot read " + file + ": " + IoReason.of(e), e);
                }
                if (!Files.isReadable(file)) {
                    throw new BundleException("cannot read " + file + ": permission denied (copied with other owners or"
                            + " modes? 'chmod -R a+rX " + dir + "' lets every user read the bundle)");
                }
                if (size != image.size()) {
                    throw new BundleException(file + " has " + size + " bytes, bundle.json says " + image.size()
                            + "; the bundle is damaged (mlreef-offline verify -d " + dir + " lists what is wrong)");
                }
                String differs = BundleVerifier.compressionDiffers(file, image.compression());
                if (differs != null) {
                    throw new BundleException(file + ": " + differs + "; the bundle is damaged or was edited"
                            + " (mlreef-offline verify -d " + dir + " lists what is wrong)");
                }
            }
            return new BundleSource(dir, manifest, List.of(), manifest.stack().text(), stackSource(dir));
        }
        if (BundleFiles.lostItsManifest(dir)) {
            throw new BundleException(BundleFiles.lostManifestMessage(dir));
        }
        List<Path> tars = PlainFolder.tars(dir);
        if (tars.isEmpty()) {
            List<String> unread = PlainFolder.unreadArchives(dir);
            throw new BundleException(dir + " holds no bundle.json and no image tars " + PlainFolder.TAR_NAMES
                    + BundleFiles.bundlesBelow(dir) + (unread.isEmpty() ? "" : "; " + unread.get(0)));
        }
        return new BundleSource(dir, null, tars, null, null);
    }

    /**
     * A bundle whose images come from a registry (run --registry): bundle.json is read and checked as by {@link
     * #open}, its image files need not be there.
     */
    public static BundleSource openWithoutImages(Path dir) {
        BundleException.requireFolder(dir);
        BundleVerifier.refuseWhileExporting(dir);
        if (!Files.exists(dir.resolve(BundleManifest.FILE_NAME))) {
            throw new BundleException(dir + " holds no " + BundleManifest.FILE_NAME + ": --registry needs the bundle's"
                    + " " + BundleManifest.FILE_NAME + " (its stack and image IDs); the image files may be left out");
        }
        BundleManifest manifest = BundleFiles.read(dir);
        if (!manifest.complete()) {
            throw new BundleException("the bundle in " + dir + " is incomplete: the export that wrote it did not"
                    + " finish; run the export again");
        }
        checkManifestSum(dir);
        return new BundleSource(dir, manifest, List.of(), manifest.stack().text(), stackSource(dir));
    }

    public boolean isBundle() {
        return manifest != null;
    }

    /** The bundle's ID, or null for a plain folder. */
    public String id() {
        return manifest == null ? null : manifest.id();
    }
}

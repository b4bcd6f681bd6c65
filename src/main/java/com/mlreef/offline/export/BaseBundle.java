package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.bundle.LayerChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layers a differential bundle leaves out: the bundle it builds on, every chain ID its images hold, and the
 * size of each of its layers' tars by diff ID (as far as it recorded them), and its package files' sha256 by name.
 */
record BaseBundle(BundleManifest.Base bundle, Set<String> chains, Map<String, Long> sizes,
                  Map<String, String> packages) {
    /** The bundle to build on: complete, readable, and not the folder being written. */
    static BaseBundle read(Path since, Path dir) {
        try {
            if (Files.exists(dir) && Files.isSameFile(since, dir)) {
                throw new BundleException("--since " + since + " is the output folder; export into another one");
            }
        } catch (IOException e) {
            throw new BundleException("cannot read " + since + ": " + e.getMessage(), e);
        }
        BundleManifest old = BundleFiles.read(since);
        if (!old.complete()) {
            throw new BundleException(since + " holds an unfinished export; finish it before building on it");
        }
        Map<String, Long> sizes = new HashMap<>();
        for (BundleManifest.Image image : old.images()) {
            if (image.layers() != null && image.layerFiles() != null
                    && image.layers().size() == image.layerFiles().size()) {
                for (int i = 0; i < image.layers().size(); i++) {
                    if (image.layerFiles().get(i).size() > 0) {
                        sizes.put(image.layers().get(i), image.layerFiles().get(i).size());
                    }
                }
            }
        }
        Map<String, String> packages = new HashMap<>();
        // by file name, in whichever subfolder of packages/ (export --pip-dir carries a name once)
        old.packageFiles().forEach(p -> packages.put(p.file().substring(p.file().lastIndexOf('/') + 1), p.sha256()));
        return new BaseBundle(new BundleManifest.Base(old.id(), old.created()), LayerChain.heldBy(old), sizes,
                packages);
    }

    /** How many of the image's bottom layers this bundle holds. */
    int leftOut(ResolvedImage image) {
        return LayerChain.present(image.diffIds(), chains);
    }

    /**
     * Each layer of the group's images in an archive: its entry, its diff ID and whether the base holds it; null when
     * the archive's manifest.json does not name an image's layers one per diff ID.
     */
    List<LayerChain.ArchiveLayer> archiveLayers(List<DockerArchive.ManifestEntry> manifest, ImageGroup group) {
        List<LayerChain.ArchiveLayer> layers = new ArrayList<>();
        for (ResolvedImage image : group.images()) {
            DockerArchive.ManifestEntry entry = image.manifestEntry(manifest);
            List<String> diffIds = image.diffIds();
            if (entry == null || entry.layers() == null || entry.layers().size() != diffIds.size()) {
                return null;
            }
            int leftOut = leftOut(image);
            for (int i = 0; i < diffIds.size(); i++) {
                layers.add(new LayerChain.ArchiveLayer(entry.layers().get(i), diffIds.get(i), i < leftOut));
            }
        }
        return layers;
    }
}

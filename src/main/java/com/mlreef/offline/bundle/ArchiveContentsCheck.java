package com.mlreef.offline.bundle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A docker-archive's manifest.json against the archive's entries and, in a bundle, against bundle.json. */
final class ArchiveContentsCheck {
    private ArchiveContentsCheck() {
    }

    /**
     * Checks manifest.json against the archive and bundle.json; returns the images found.
     *
     * @param images what bundle.json says the file holds; null in a plain folder
     */
    static List<String> check(DockerArchive.Contents contents, List<BundleManifest.Image> images,
                              List<String> problems) {
        List<String> found = new ArrayList<>();
        if (contents.manifest() == null) {
            problems.add(DockerArchive.withoutManifest(contents.entries()));
            return found;
        }
        if (contents.manifest().isEmpty()) {
            problems.add("manifest.json lists no image");
        }
        Map<String, DockerArchive.ManifestEntry> byId = new LinkedHashMap<>();
        Set<String> leftOut = leftOut(images);
        for (DockerArchive.ManifestEntry entry : contents.manifest()) {
            String name = entry.repoTags() != null && !entry.repoTags().isEmpty()
                    ? String.join(", ", entry.repoTags()) : String.valueOf(contents.imageId(entry));
            checkEntry(contents, entry, name, leftOut, problems);
            String id = contents.imageId(entry);
            if (id != null) {
                byId.put(id, entry);
            }
            // one entry per reference: verify --json gives a list a script can search
            found.addAll(entry.repoTags() != null && !entry.repoTags().isEmpty() ? entry.repoTags() : List.of(name));
        }
        if (images != null) {
            for (BundleManifest.Image image : images) {
                DockerArchive.ManifestEntry entry = byId.get(image.id());
                if (entry == null) {
                    problems.add("does not hold image " + image.id() + " (" + String.join(", ", image.references())
                            + ") that bundle.json names");
                } else {
                    checkLayers(image, entry, contents, problems);
                }
            }
        }
        return found;
    }

    /** The layer files a differential file leaves out: the base's. */
    private static Set<String> leftOut(List<BundleManifest.Image> images) {
        Set<String> leftOut = new HashSet<>();
        if (images != null) {
            for (BundleManifest.Image image : images) {
                if (image.layerFiles() != null) {
                    image.layerFiles().subList(0, image.leftOut()).forEach(l -> leftOut.add(l.file()));
                }
            }
        }
        return leftOut;
    }

    /** One image of manifest.json: every file it names present (but those left out), as the engine's load needs. */
    private static void checkEntry(DockerArchive.Contents contents, DockerArchive.ManifestEntry entry, String name,
                                   Set<String> leftOut, List<String> problems) {
        List<String> missing = new ArrayList<>(contents.missing(entry));
        missing.removeAll(leftOut);
        if (!missing.isEmpty()) {
            problems.add("image " + name + ": manifest.json names " + String.join(", ", missing)
                    + ", missing from the archive");
            return;
        }
        // what the engine's load refuses
        List<String> diffIds = contents.diffIds(entry);
        if (contents.configInvalid(entry)) {
            problems.add("image " + name + ": its config " + entry.config() + " is not an image config (no"
                    + " rootfs.diff_ids)");
        } else if (diffIds != null && (entry.layers() == null || entry.layers().size() != diffIds.size())) {
            int named = entry.layers() == null ? 0 : entry.layers().size();
            problems.add("image " + name + ": manifest.json names " + named + (named == 1 ? " layer" : " layers")
                    + ", its config " + diffIds.size() + " (the engine refuses it)");
        }
    }

    /**
     * bundle.json's {@code layers} and {@code layerFiles} of an image against its archive: run relies on them to send
     * only the layers the engine lacks and to tell the size of a load.
     */
    private static void checkLayers(BundleManifest.Image image, DockerArchive.ManifestEntry entry,
                                    DockerArchive.Contents contents, List<String> problems) {
        String name = "image " + String.join(", ", image.references());
        List<String> diffIds = contents.diffIds(entry);
        if (image.layers() != null && diffIds != null && !image.layers().equals(diffIds)) {
            problems.add(name + ": bundle.json's layers differ from the image's config in the archive");
        }
        if (image.layerFiles() == null || entry.layers() == null) {
            return;
        }
        List<String> files = image.layerFiles().stream().map(BundleManifest.LayerFile::file).toList();
        if (!files.equals(entry.layers())) {
            problems.add(name + ": bundle.json's layerFiles name other files than manifest.json's layers");
            return;
        }
        for (BundleManifest.LayerFile layer : image.layerFiles().subList(image.leftOut(), files.size())) {
            Long size = contents.entries().get(layer.file());
            if (size != null && size != layer.size()) {
                problems.add(name + ": layer " + layer.file() + " is " + size + " bytes in the archive, bundle.json's"
                        + " layerFiles say " + layer.size());
            }
        }
    }
}

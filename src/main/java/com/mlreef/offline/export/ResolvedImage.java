package com.mlreef.offline.export;

import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.docker.model.ImageInspect;
import java.util.List;

/** A reference of the stack with the image the engine holds for it. */
record ResolvedImage(String reference, ImageInspect image) {
    /** The image's size as the engine gives it (0 when it does not). */
    long size() {
        return image.size() == null ? 0 : image.size();
    }

    List<String> diffIds() {
        return image.rootFs() == null || image.rootFs().layers() == null ? List.of() : image.rootFs().layers();
    }

    /** The image's entry in an archive's manifest.json: the one whose config is named after the image ID. */
    DockerArchive.ManifestEntry manifestEntry(List<DockerArchive.ManifestEntry> manifest) {
        if (manifest == null) {
            return null;
        }
        String hex = image.id().replaceFirst("^sha256:", "");
        return manifest.stream().filter(e -> e.config() != null && e.config().contains(hex)).findFirst().orElse(null);
    }
}

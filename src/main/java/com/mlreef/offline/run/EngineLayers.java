package com.mlreef.offline.run;

import com.mlreef.offline.bundle.LayerChain;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ImageSummary;
import java.util.HashSet;
import java.util.Set;

/** The layers an engine holds, as chain IDs: every prefix of every image's layers. */
public final class EngineLayers {
    private EngineLayers() {
    }

    /** {@code GET /images/json}, then each image's {@code RootFS.Layers}. */
    public static Set<String> chainIds(DockerEngine engine) {
        Set<String> chains = new HashSet<>();
        for (ImageSummary summary : engine.listImages()) {
            try {
                ImageInspect image = engine.inspectImage(summary.id());
                if (image.rootFs() != null && image.rootFs().layers() != null) {
                    chains.addAll(LayerChain.chainIds(image.rootFs().layers()));
                }
            } catch (NotFoundException e) {
                // removed since the list was read: its layers may be gone too
            }
        }
        return chains;
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.docker.model.ImageInspect;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where export takes the stack's images from: the Docker Engine (pulled, then saved) or the registries directly
 * ({@code --from-registry}, no engine). Both give the same docker-archive of the same images.
 */
interface ImageSource {
    /** The image a reference names, fetched or pulled first when {@code pull} (and the source has newer). */
    ImageInspect resolve(String reference, boolean pull);

    /** A docker-archive (the format of {@code docker save}) of the images, read to its end by the caller. */
    InputStream save(List<String> references) throws IOException;

    /** The images whose pull failed, exported as the engine had them. */
    List<String> notPulled();

    /**
     * Where the image the reference names came from, for bundle.json ({@code registry/repository@digest} of the
     * manifest chosen), or null when the source does not know.
     */
    default String origin(String reference) {
        return null;
    }

    /** Called once the bundle is complete: the source removes what it kept for resuming. */
    default void finished() throws IOException {
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.registry.Descriptor;
import com.mlreef.offline.registry.ImageName;
import com.mlreef.offline.registry.RegistryClient;
import java.nio.file.Path;
import java.util.List;

/**
 * An image of the stack as its registry has it: the manifest chosen (for an index, the platform's), its config (in a
 * file) and its layers as the registry stores them, with their diff IDs (the uncompressed layers' digests).
 */
record RegistryImage(String reference, ImageName name, RegistryClient client, String manifestDigest,
                     Descriptor config, Path configFile, List<Descriptor> layers, ImageInspect inspect) {

    List<String> diffIds() {
        return inspect.rootFs().layers();
    }

    /** {@code registry/repository@digest} of the manifest taken. */
    String origin() {
        return name.registry() + "/" + name.repository() + "@" + manifestDigest;
    }
}

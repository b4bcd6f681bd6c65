package com.mlreef.offline.bundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Whether the layers a differential bundle leaves out are where it will run: in its base bundle, or an engine. */
public final class BaseCheck {
    private BaseCheck() {
    }

    /**
     * Whether the folder {@code baseDir} holds the bundle that a differential bundle builds on, with every layer it
     * leaves out. Returns one line per problem.
     */
    public static List<String> inFolder(BundleManifest manifest, Path baseDir) {
        if (!manifest.differential()) {
            return List.of(baseDir + ": given as the base, but the bundle is a full one");
        }
        BundleManifest base;
        try {
            base = BundleFiles.read(baseDir);
        } catch (BundleException e) {
            return List.of(e.getMessage());
        }
        if (!base.id().equals(manifest.base().id())) {
            return List.of(baseDir + " holds bundle " + base.id() + ", not bundle " + manifest.base().id()
                    + " that the differential bundle builds on");
        }
        if (!base.complete()) {
            return List.of(baseDir + ": the export that wrote bundle " + base.id() + " did not finish");
        }
        return heldBy(manifest, LayerChain.heldBy(base), baseDir.toString());
    }

    /** Whether the holder of these chain IDs has every layer the bundle leaves out. */
    public static List<String> heldBy(BundleManifest manifest, Set<String> chains, String holder) {
        List<String> problems = new ArrayList<>();
        for (BundleManifest.Image image : manifest.images()) {
            if (image.leftOut() == 0) {
                continue;
            }
            List<String> chain = LayerChain.chainIds(image.layers());
            if (!chains.contains(chain.get(image.leftOut() - 1))) {
                problems.add(image.file() + ": " + String.join(", ", image.references()) + " needs its bottom "
                        + image.leftOut() + " layers from bundle " + manifest.base().id() + ", which " + holder
                        + " lacks");
            }
        }
        return problems;
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.ImageReference;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.registry.RegistryLocation;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code run --registry}: the stack's images pulled by the engine from a registry that {@code push} filled, instead of
 * loaded from the bundle's files. Each is pulled under the name push gave it, checked against the bundle's image ID,
 * then tagged with its own reference, which the containers are created from and {@code status} shows.
 */
final class RegistryPull {
    /**
     * One image of the stack.
     *
     * @param mirrored the image's reference in the registry
     * @param action   "pull", "tag" (the engine has the image under another name) or "keep"
     */
    record Pull(String reference, String id, String mirrored, String action) {
        String line() {
            return switch (action) {
                case "pull" -> "pull   " + reference + " from " + mirrored;
                case "tag" -> "tag    " + reference + " (the engine has its image " + id.substring(0, 19) + ")";
                default -> "keep   image " + reference + " (present)";
            };
        }
    }

    private final DockerEngine engine;
    private final Console console;
    private final RegistryLocation registry;
    private final RegistryAuth auth;

    RegistryPull(DockerEngine engine, Console console, RegistryLocation registry, RegistryAuth auth) {
        this.engine = engine;
        this.console = console;
        this.registry = registry;
        this.auth = auth;
    }

    /** The image ID each reference of the bundle names, by the reference's full form (and each ID by itself). */
    static Map<String, String> imageIds(BundleManifest manifest) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (BundleManifest.Image image : manifest.images()) {
            ids.put(image.id(), image.id());
            image.references().forEach(r -> ids.put(ImageReference.normalized(r), image.id()));
        }
        return ids;
    }

    /** What to do for each image of the stack that the bundle carries (others are left to the plan's own checks). */
    List<Pull> plan(StackSpec spec, Map<String, String> imageIds) {
        List<Pull> pulls = new ArrayList<>();
        for (String image : spec.images().stream().distinct().toList()) {
            String id = imageIds.get(ImageReference.normalized(image));
            if (id == null) {
                continue;
            }
            ImageInspect tagged = DockerEngine.orNull(() -> engine.inspectImage(image));
            String action = tagged != null && id.equals(tagged.id()) ? "keep"
                    : DockerEngine.orNull(() -> engine.inspectImage(id)) != null ? "tag" : "pull";
            pulls.add(new Pull(image, id, registry.reference(image), action));
        }
        return pulls;
    }

    /** Pulls and tags what the plan says; an image whose ID differs from the bundle's is refused. */
    void apply(List<Pull> pulls) {
        for (Pull p : pulls) {
            if (p.action().equals("pull")) {
                pull(p.mirrored());
                ImageInspect pulled = DockerEngine.orNull(() -> engine.inspectImage(p.mirrored()));
                if (pulled == null || !p.id().equals(pulled.id())) {
                    throw new ToolException(ExitCode.FAILED, p.mirrored() + " in the registry is image "
                            + (pulled == null ? "(none)" : pulled.id()) + ", not the bundle's " + p.id() + " for "
                            + p.reference() + ": push this bundle to " + registry + " again");
                }
            }
            if (!p.action().equals("keep")) {
                String normalized = ImageReference.normalized(p.reference());
                int colon = normalized.lastIndexOf(':');
                engine.tagImage(p.id(), normalized.substring(0, colon), normalized.substring(colon + 1));
            }
        }
    }

    /** Pulls with progress in bytes over all layers. */
    private void pull(String reference) {
        Map<String, long[]> layers = new LinkedHashMap<>();
        try (Progress progress = Progress.start(console, "pulling " + reference, 0)) {
            try {
                engine.pullImage(reference, auth.header(reference), (ProgressMessage m) -> {
                    if (m.id() == null || m.status() == null) {
                        return;
                    }
                    long[] layer = layers.computeIfAbsent(m.id(), k -> new long[2]);
                    if (m.status().equals("Downloading") && m.progressDetail() != null
                            && m.progressDetail().total() != null) {
                        layer[0] = m.progressDetail().current() == null ? 0 : m.progressDetail().current();
                        layer[1] = m.progressDetail().total();
                    } else if (m.status().equals("Download complete") || m.status().equals("Pull complete")) {
                        layer[0] = layer[1];
                    }
                    progress.total(layers.values().stream().mapToLong(l -> l[1]).sum());
                    progress.update(layers.values().stream().mapToLong(l -> l[0]).sum());
                });
            } catch (DockerException e) {
                throw new ToolException(ExitCode.FAILED, e.getMessage() + (auth.has(reference) ? ""
                        : " (credentials come from 'docker login " + registry.host() + "')") + "; is the bundle"
                        + " pushed there ('mlreef-offline push -d DIR --registry " + registry + "')?", e);
            }
            progress.done("pulled " + reference + " in " + Sizes.seconds(progress.elapsed()));
        }
    }
}

package com.mlreef.offline.push;

import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.registry.RegistryClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every blob of a bundle's images (configs and layers) and the repositories of the registry that lack it, found by
 * asking the registry (HEAD) before anything is read; which repository has each one (to mount it from), and what was
 * skipped, mounted and uploaded.
 */
final class BlobTable {
    /**
     * One blob.
     *
     * @param what    how messages name it (its image and kind)
     * @param lacking repositories that lack it, in the order they are pushed to
     */
    static final class Blob {
        final String digest;
        final String what;
        final boolean leftOut;
        final Set<String> lacking = new LinkedHashSet<>();
        long size;
        String source;

        Blob(String digest, String what, long size, boolean leftOut) {
            this.digest = digest;
            this.what = what;
            this.size = size;
            this.leftOut = leftOut;
        }
    }

    /** One image of the bundle and the repositories and tags it goes to. */
    record Image(BundleManifest.Image image, List<Target> targets) {
        String name() {
            return image.references().isEmpty() ? image.id() : image.references().get(0);
        }
    }

    /** A repository and tag of the registry. */
    record Target(String repository, String tag) {
    }

    private final Map<String, Blob> blobs = new LinkedHashMap<>();
    private final RegistryClient client;
    int present;
    int mounted;

    BlobTable(RegistryClient client) {
        this.client = client;
    }

    Blob get(String digest) {
        return blobs.get(digest);
    }

    /** Asks the registry, for each target of the image, which of its blobs it has. */
    void check(Image image) {
        BundleManifest.Image i = image.image();
        List<Blob> of = new ArrayList<>();
        of.add(blobs.computeIfAbsent(i.id(), d -> new Blob(d, "the config of " + image.name(), -1, false)));
        for (int n = 0; n < i.layers().size(); n++) {
            long size = i.layerFiles() == null ? -1 : i.layerFiles().get(n).size();
            boolean leftOut = n < i.leftOut();
            int number = n + 1;
            of.add(blobs.computeIfAbsent(i.layers().get(n), d -> new Blob(d, "layer " + number + " of "
                    + image.name(), size, leftOut)));
        }
        for (Target target : image.targets()) {
            for (Blob blob : of) {
                if (blob.lacking.contains(target.repository()) || target.repository().equals(blob.source)) {
                    continue;
                }
                long size = client.blobSize("pushing " + blob.what, target.repository(), blob.digest);
                if (size >= 0) {
                    blob.source = blob.source == null ? target.repository() : blob.source;
                    blob.size = blob.size < 0 ? size : blob.size;
                    present++;
                } else {
                    blob.lacking.add(target.repository());
                }
            }
        }
    }

    /** Mounts each blob into the repositories that lack it from one that has it; those the registry refuses stay. */
    void mount(Iterable<String> digests) throws IOException {
        for (String digest : digests) {
            Blob blob = blobs.get(digest);
            if (blob == null || blob.source == null) {
                continue;
            }
            for (String repository : List.copyOf(blob.lacking)) {
                BlobUpload upload = new BlobUpload(client, "pushing " + blob.what + " to " + repository, repository);
                if (upload.mount(digest, blob.source)) {
                    blob.lacking.remove(repository);
                    mounted++;
                }
            }
        }
    }
}

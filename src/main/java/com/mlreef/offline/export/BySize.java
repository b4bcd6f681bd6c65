package com.mlreef.offline.export;

import com.mlreef.offline.bundle.ArchiveFilter;
import com.mlreef.offline.bundle.LayerChain;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a group's file leaves out, decided in the one save that writes it: a layer's tar whose size is that of a
 * layer to leave out is left out and hashed, and the archive's manifest then tells whether exactly those layers
 * were (else the file is saved again, the way {@link Omitted} learns it).
 *
 * @param bytes about the archive's size without them
 */
record BySize(Set<Long> sizes, long bytes) {
    /**
     * How a group's file can leave out the base's layers in the save that writes it: by the sizes of their tars,
     * which the base bundle recorded. Null when it lacks one (the file is then laid out by a first save).
     */
    static BySize of(ImageGroup group, BaseBundle base) {
        Set<String> leave = new HashSet<>();
        Set<String> keep = new HashSet<>();
        long total = 0;
        for (ResolvedImage image : group.images()) {
            List<String> diffIds = image.diffIds();
            int leftOut = base.leftOut(image);
            for (int i = 0; i < diffIds.size(); i++) {
                (i < leftOut ? leave : keep).add(diffIds.get(i));
            }
            total += image.size();
        }
        leave.removeAll(keep);
        Set<Long> sizes = new HashSet<>();
        for (String diffId : leave) {
            Long size = base.sizes().get(diffId);
            if (size == null) {
                return null;
            }
            sizes.add(size);
            total -= size;
        }
        return new BySize(sizes, Math.max(0, total));
    }

    boolean drop(ArchiveFilter.Header entry) {
        return entry.linkTarget() == null && sizes.contains(entry.size())
                && (entry.name().endsWith("/layer.tar") || entry.name().startsWith("blobs/"));
    }

    /**
     * Whether a file saved this way left out exactly the entries a first save would have named, each with the content
     * of its layer's diff ID.
     */
    static boolean leftOutExactly(ImageGroup group, BaseBundle base, ArchiveFilter archive) throws IOException {
        List<LayerChain.ArchiveLayer> layers = base.archiveLayers(archive.manifest(), group);
        if (layers == null) {
            return false;
        }
        Set<String> expected = LayerChain.omittable(layers);
        if (!expected.equals(archive.droppedNames())) {
            return false;
        }
        for (LayerChain.ArchiveLayer layer : layers) {
            String sha256 = archive.droppedSha256().get(layer.file());
            if (expected.contains(layer.file()) && sha256 != null && !sha256.equals(layer.diffId())) {
                return false;
            }
        }
        return true;
    }
}

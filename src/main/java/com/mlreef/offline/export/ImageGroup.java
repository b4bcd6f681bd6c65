package com.mlreef.offline.export;

import java.util.List;

/** One file of the bundle and the images it holds. */
record ImageGroup(String file, List<ResolvedImage> images) {
    List<String> references() {
        return images.stream().map(ResolvedImage::reference).toList();
    }

    /** How messages name the group's images: the reference of one, the number of several. */
    String what() {
        List<String> references = references();
        return references.size() == 1 ? references.get(0) : references.size() + " images";
    }
}

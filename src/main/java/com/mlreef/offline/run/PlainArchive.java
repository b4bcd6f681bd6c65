package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleVerifier;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.bundle.ZstdFrames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a plain {@code docker save} tar of a folder without bundle.json holds: its images (IDs, references, layers)
 * and the image each reference tags.
 */
record PlainArchive(Compression compression, List<String> imageIds, List<String> references,
                    List<ImageLoader.ImageLayers> images, Map<String, String> tags) {

    static PlainArchive read(Path tar) {
        // a plain tar says what it holds only in its manifest.json, at its end: its headers are read, the layers
        // skipped over (on disk for an uncompressed tar)
        DockerArchive.Contents contents;
        Compression compression;
        try (InputStream file = Files.newInputStream(tar)) {
            BufferedInputStream in = new BufferedInputStream(file, 512);
            String unsupported = Compression.unsupported(in);
            if (unsupported != null) {
                throw new BundleException(tar + " is " + unsupported + ", " + BundleVerifier.DECOMPRESS);
            }
            compression = Compression.detect(in);
            contents = DockerArchive.headers(switch (compression) {
                case NONE -> in;
                case ZSTD -> new ZstdFrames(in);
                case GZIP -> compression.decompressor(new BufferedInputStream(in, ImageLoader.BUFFER));
            });
        } catch (IOException e) {
            throw new BundleException(tar + " is not a readable docker-archive: " + e.getMessage(), e);
        }
        if (contents.manifest() == null) {
            throw new BundleException(tar + ": " + DockerArchive.withoutManifest(contents.entries()));
        }
        List<String> ids = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        List<ImageLoader.ImageLayers> layers = new ArrayList<>();
        for (DockerArchive.ManifestEntry entry : contents.manifest()) {
            String id = contents.imageId(entry);
            if (id == null) {
                throw new BundleException(tar + ": manifest.json names a config the archive lacks");
            }
            ids.add(id);
            if (entry.repoTags() != null) {
                refs.addAll(entry.repoTags());
            }
            List<String> diffIds = contents.diffIds(entry);
            boolean known = diffIds != null && entry.layers() != null && entry.layers().size() == diffIds.size();
            layers.add(new ImageLoader.ImageLayers(id, entry.repoTags() == null || entry.repoTags().isEmpty() ? id
                    : entry.repoTags().get(0), known ? diffIds : List.of(), known ? entry.layers() : null,
                    known ? entry.layers().stream().map(l -> contents.entries().getOrDefault(l, 0L)).toList() : null,
                    0));
        }
        return new PlainArchive(compression, ids, refs, layers, contents.tags());
    }
}

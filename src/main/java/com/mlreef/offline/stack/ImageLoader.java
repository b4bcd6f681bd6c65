package com.mlreef.offline.stack;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.DockerArchive;
import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the images of a bundle that the engine lacks, file by file: streamed to {@code POST /images/load}, gzip and
 * zstd decompressed on the way, the file's sha256 checked as it is read. A file whose images are all present (by image
 * ID) is not read at all.
 */
public final class ImageLoader {
    private static final int BUFFER = 64 << 10;

    /** One file to load, the images it holds (IDs and references), and whether the engine has them all already. */
    public record FileLoad(Path file, String name, long size, String sha256, Compression compression,
                           List<String> imageIds, List<String> references, boolean present) {
    }

    private final DockerEngine engine;
    private final Console console;

    public ImageLoader(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /** What each file of the folder holds and whether it must be loaded. */
    public List<FileLoad> plan(BundleSource source) {
        List<FileLoad> loads = new ArrayList<>();
        if (source.isBundle()) {
            Map<String, List<BundleManifest.Image>> byFile = new LinkedHashMap<>();
            source.manifest().images().forEach(i -> byFile.computeIfAbsent(i.file(), f -> new ArrayList<>()).add(i));
            byFile.forEach((file, images) -> {
                BundleManifest.Image first = images.get(0);
                List<String> ids = images.stream().map(BundleManifest.Image::id).distinct().toList();
                List<String> refs = images.stream().flatMap(i -> i.references().stream()).toList();
                loads.add(new FileLoad(source.dir().resolve(file), file, first.size(), first.sha256(),
                        first.compression(), ids, refs, allPresent(ids, refs)));
            });
            return loads;
        }
        for (Path tar : source.plainTars()) {
            // a plain tar says what it holds only in its manifest.json, at its end: read it through
            DockerArchive.Contents contents;
            Compression compression;
            try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(tar), BUFFER)) {
                compression = Compression.detect(in);
                contents = DockerArchive.scan(compression.decompressor(in));
            } catch (IOException e) {
                throw new BundleException(tar + " is not a readable docker-archive: " + e.getMessage(), e);
            }
            if (contents.manifest() == null) {
                throw new BundleException(tar + " has no manifest.json: not a docker-archive");
            }
            List<String> ids = new ArrayList<>();
            List<String> refs = new ArrayList<>();
            for (DockerArchive.ManifestEntry entry : contents.manifest()) {
                String id = contents.imageId(entry);
                if (id == null) {
                    throw new BundleException(tar + ": manifest.json names a config the archive lacks");
                }
                ids.add(id);
                if (entry.repoTags() != null) {
                    refs.addAll(entry.repoTags());
                }
            }
            long size;
            try {
                size = Files.size(tar);
            } catch (IOException e) {
                throw new BundleException("cannot read " + tar + ": " + e.getMessage(), e);
            }
            loads.add(new FileLoad(tar, source.dir().relativize(tar).toString(), size, null, compression, ids, refs,
                    allPresent(ids, refs)));
        }
        return loads;
    }

    /** Whether the engine has every image ID, each reference pointing at one of them. */
    private boolean allPresent(List<String> ids, List<String> references) {
        for (String id : ids) {
            if (!exists(id)) {
                return false;
            }
        }
        for (String reference : references) {
            try {
                if (!ids.contains(engine.inspectImage(reference).id())) {
                    return false;
                }
            } catch (NotFoundException e) {
                return false;
            }
        }
        return true;
    }

    private boolean exists(String imageId) {
        try {
            engine.inspectImage(imageId);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Streams one file to the engine; fails naming the file when its sha256 is not the bundle's. */
    public void load(FileLoad load) {
        String sha256;
        long[] read = {0};
        try (Progress progress = Progress.start(console, "loading " + load.name(), load.size());
             HashingInputStream hashing = new HashingInputStream(Files.newInputStream(load.file()),
                     n -> progress.update(read[0] += n))) {
            BufferedInputStream buffered = new BufferedInputStream(hashing, BUFFER);
            InputStream tar = load.compression().decompressor(buffered);
            long length = load.compression() == Compression.NONE ? load.size() : -1;
            engine.loadImages(tar, length, m -> { });
            buffered.transferTo(OutputStream.nullOutputStream());
            sha256 = hashing.hex();
            progress.done("loaded " + load.name() + " (" + Sizes.bytes(load.size()) + ") in "
                    + Sizes.seconds(progress.elapsed()));
        } catch (DockerException e) {
            throw new BundleException("loading " + load.file() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BundleException("reading " + load.file() + ": " + e.getMessage(), e);
        }
        if (load.sha256() != null && !sha256.equals(load.sha256())) {
            throw new BundleException(load.file() + ": sha256 " + sha256 + " differs from bundle.json's "
                    + load.sha256() + "; the file is damaged: export it again");
        }
        for (String id : load.imageIds()) {
            if (!exists(id)) {
                throw new BundleException("loading " + load.file() + ": the engine did not load image " + id);
            }
        }
    }
}

package com.mlreef.offline.run;

import com.mlreef.offline.bundle.ArchiveFilter;
import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.BundleSource;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.HashingInputStream;
import com.mlreef.offline.bundle.LayerChain;
import com.mlreef.offline.bundle.ReadAheadInputStream;
import com.mlreef.offline.bundle.ZstdFrames;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads the images of a bundle that the engine lacks, file by file, streamed to {@code POST /images/load} with gzip
 * and zstd decompressed on the way. Only the layers the engine lacks are sent: the engine looks a layer up by its
 * chain ID before it opens the layer's file, so the archive is passed on with the other layer files left out (skipped
 * on disk, not read, for an uncompressed file or the 4 MiB zstd frames export writes). A file sent whole has its sha256 checked as it is read; a file sent in
 * part rests on the engine's own checks (each layer it unpacks against its diff ID, the config by the image ID). A
 * file whose images are all present (by image ID) is not read at all.
 */
public final class ImageLoader {
    static final int BUFFER = 64 << 10;
    private static final int READ_AHEAD_PIECES = 64;
    /** What the engine said it loaded from the file being loaded: references, or IDs of images without one. */
    private final List<String> loaded = new ArrayList<>();
    /** The image each reference of the file being loaded pointed to before the load, for those that existed. */
    private final Map<String, String> before = new LinkedHashMap<>();

    /**
     * One image of a file and its layers.
     *
     * @param files    each layer's entry in the archive, or null when unknown (then the file is sent whole)
     * @param sizes    each layer's size, or null when unknown
     * @param leftOut  bottom layers the file leaves out, expected on the engine from the base bundle
     */
    public record ImageLayers(String id, String reference, List<String> diffIds, List<String> files, List<Long> sizes,
                              int leftOut) {
    }

    /**
     * One file to load, the images it holds (IDs and references), and whether the engine has them all already.
     *
     * @param base    for a file of a differential bundle, the base bundle; else null
     * @param planned what the plan expects to send, given the engine's layers and the files loaded before it
     * @param tags    each reference the file tags, with the ID of the image it tags
     */
    public record FileLoad(Path file, String name, long size, String sha256, Compression compression,
                           List<String> imageIds, List<String> references, boolean present, List<ImageLayers> images,
                           BundleManifest.Base base, Selection planned, Map<String, String> tags) {
    }

    /**
     * What to send of a file.
     *
     * @param drop     archive entries (layer files) left out
     * @param required chain IDs the engine must keep until the load ends (the tops of the layers not sent)
     * @param fromBase those of {@code required} that only the base bundle brings
     * @param sent     layers sent, of {@code layers}
     * @param bytes    bytes of the layers sent, or -1 when sizes are unknown
     */
    public record Selection(Set<String> drop, Set<String> required, Set<String> fromBase, int sent, int layers,
                            long bytes) {
        boolean whole() {
            return drop.isEmpty();
        }
    }

    private final DockerEngine engine;
    private final Console console;
    private Set<String> chains;

    public ImageLoader(DockerEngine engine, Console console) {
        this.engine = engine;
        this.console = console;
    }

    /**
     * What each file of the folder holds, whether it must be loaded and what of it to send. Fails, changing nothing,
     * when a file of a differential bundle needs base layers that the engine lacks.
     */
    public List<FileLoad> plan(BundleSource source) {
        List<FileLoad> loads = source.isBundle() ? bundleFiles(source) : plainFiles(source);
        if (loads.stream().allMatch(FileLoad::present)) {
            return loads;
        }
        Set<String> simulated = new HashSet<>(chains());
        List<FileLoad> planned = new ArrayList<>();
        for (FileLoad load : loads) {
            if (load.present()) {
                planned.add(load);
                continue;
            }
            Selection selection = select(load, simulated);
            if (!simulated.containsAll(selection.fromBase())) {
                throw missingBase(load);
            }
            planned.add(new FileLoad(load.file(), load.name(), load.size(), load.sha256(), load.compression(),
                    load.imageIds(), load.references(), false, load.images(), load.base(), selection, load.tags()));
            load.images().forEach(i -> simulated.addAll(LayerChain.chainIds(i.diffIds())));
        }
        return planned;
    }

    /** The plan's line for a file. */
    public static String describe(FileLoad load) {
        if (load.present()) {
            return "keep   images of " + load.name() + " (present)";
        }
        Selection s = load.planned();
        if (s == null || s.whole()) {
            return "load   " + load.name() + " (" + Sizes.bytes(load.size()) + ")";
        }
        return "load   " + load.name() + ": " + s.sent() + " of " + s.layers() + " layers"
                + (s.bytes() < 0 ? "" : " (" + Sizes.bytes(s.bytes()) + ")") + ", the rest present";
    }

    private List<FileLoad> bundleFiles(BundleSource source) {
        List<FileLoad> loads = new ArrayList<>();
        Map<String, List<BundleManifest.Image>> byFile = new LinkedHashMap<>();
        source.manifest().images().forEach(i -> byFile.computeIfAbsent(i.file(), f -> new ArrayList<>()).add(i));
        byFile.forEach((file, images) -> {
            BundleManifest.Image first = images.get(0);
            List<String> ids = images.stream().map(BundleManifest.Image::id).distinct().toList();
            List<String> refs = images.stream().flatMap(i -> i.references().stream()).toList();
            Map<String, String> tags = new LinkedHashMap<>();
            images.forEach(i -> i.references().forEach(r -> tags.put(r, i.id())));
            loads.add(new FileLoad(source.dir().resolve(file), file, first.size(), first.sha256(),
                    first.compression(), ids, refs, allPresent(ids, refs), layersOf(images), source.manifest().base(),
                    null, tags));
        });
        return loads;
    }

    /** The layers of a file's images; an image named by several references may have an entry for each: once. */
    static List<ImageLayers> layersOf(List<BundleManifest.Image> images) {
        Set<String> seen = new HashSet<>();
        return images.stream().filter(i -> seen.add(i.id())).map(i -> new ImageLayers(i.id(),
                i.references().isEmpty() ? i.id() : i.references().get(0),
                i.layers() == null ? List.of() : i.layers(),
                i.layerFiles() == null ? null : i.layerFiles().stream().map(BundleManifest.LayerFile::file).toList(),
                i.layerFiles() == null ? null : i.layerFiles().stream().map(BundleManifest.LayerFile::size).toList(),
                i.leftOut())).toList();
    }

    private List<FileLoad> plainFiles(BundleSource source) {
        List<FileLoad> loads = new ArrayList<>();
        for (Path tar : source.plainTars()) {
            PlainArchive archive = PlainArchive.read(tar);
            long size;
            try {
                size = Files.size(tar);
            } catch (IOException e) {
                throw new BundleException("cannot read " + tar + ": " + IoReason.of(e), e);
            }
            loads.add(new FileLoad(tar, source.dir().relativize(tar).toString(), size, null, archive.compression(),
                    archive.imageIds(), archive.references(), allPresent(archive.imageIds(), archive.references()),
                    archive.images(), null, null, archive.tags()));
        }
        return loads;
    }

    /**
     * The layer files to leave out: those of layers the engine has, unless a layer to send has the same content
     * (a repeated layer may be stored once, the others linking to it).
     */
    static Selection select(FileLoad load, Set<String> chains) {
        Set<String> required = new LinkedHashSet<>();
        Set<String> fromBase = new LinkedHashSet<>();
        List<LayerChain.ArchiveLayer> archived = new ArrayList<>();
        int layers = 0;
        int sent = 0;
        long bytes = 0;
        boolean sizesKnown = true;
        for (ImageLayers image : load.images()) {
            List<String> chain = LayerChain.chainIds(image.diffIds());
            if (image.leftOut() > 0) {
                fromBase.add(chain.get(image.leftOut() - 1));
            }
            // without the archive's layer files, the file is sent whole
            int present = image.files() == null ? 0 : LayerChain.present(image.diffIds(), chains);
            if (present > 0) {
                required.add(chain.get(present - 1));
            }
            for (int i = 0; i < image.diffIds().size(); i++) {
                layers++;
                boolean leaveOut = i < present;
                if (image.files() != null && i >= image.leftOut()) {
                    archived.add(new LayerChain.ArchiveLayer(image.files().get(i), image.diffIds().get(i), leaveOut));
                }
                if (leaveOut || i < image.leftOut()) {
                    continue;
                }
                sent++;
                if (image.sizes() != null) {
                    bytes += image.sizes().get(i);
                } else {
                    sizesKnown = false;
                }
            }
        }
        required.addAll(fromBase);
        return new Selection(LayerChain.omittable(archived), required, fromBase, sent, layers,
                sizesKnown ? bytes : -1);
    }

    /** Whether the engine has every image ID, each reference pointing at one of them. */
    private boolean allPresent(List<String> ids, List<String> references) {
        for (String id : ids) {
            if (!exists(id)) {
                return false;
            }
        }
        for (String reference : references) {
            if (reference.contains("@")) {
                continue; // a digest names no loaded image: its image ID is what counts
            }
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

    private Set<String> chains() {
        if (chains == null) {
            chains = EngineLayers.chainIds(engine);
        }
        return chains;
    }

    /**
     * Sends what the engine lacks of one file. If the engine refuses a file sent in part (layers it had went away
     * meanwhile, or it wants every layer file), loads the whole file instead, which also checks the file's sha256;
     * a file of a differential bundle lacks its base's layers, so then the base is named.
     */
    public void load(FileLoad load) {
        loaded.clear();
        before.clear();
        for (String reference : load.references()) {
            try {
                before.put(reference, engine.inspectImage(reference).id());
            } catch (NotFoundException e) {
                // a new reference
            }
        }
        Selection selection = select(load, chains());
        if (!chains().containsAll(selection.fromBase())) {
            throw missingBase(load);
        }
        try {
            send(load, selection);
        } catch (BundleException e) {
            if (selection.required().isEmpty()) {
                throw e;
            }
            chains = EngineLayers.chainIds(engine);
            if (!chains.containsAll(selection.fromBase())) {
                throw missingBase(load);
            }
            if (selection.whole()) {
                throw e;
            }
            String damage = damage(load); // a file sent in part is not hashed while sent: before sending it whole
            if (damage != null) {
                removeStrangers(load);
                throw damaged(load, damage);
            }
            console.warn(load.name() + ": " + (chains.containsAll(selection.required())
                    ? "the engine refused the layers sent alone (" + e.getMessage() + ")"
                    : "layers the engine had when the load began went away") + "; loading the whole file instead");
            send(load, select(load, Set.of()));
        }
        for (String id : load.imageIds()) {
            if (!exists(id)) {
                removeStrangers(load);
                String damage = damage(load); // a damaged image config loads as another image
                if (damage != null) {
                    throw damaged(load, damage);
                }
                throw new BundleException("loading " + load.file() + ": the engine did not load image " + id);
            }
        }
        load.images().forEach(i -> chains().addAll(LayerChain.chainIds(i.diffIds())));
    }

    private BundleException missingBase(FileLoad load) {
        BundleManifest.Base base = load.base();
        String which = base == null ? "its base bundle" : "bundle " + base.id()
                + (base.created() == null ? "" : " (exported " + base.created() + ")");
        return new BundleException(load.name() + " is part of a differential bundle: it needs the layers of " + which
                + ", which this engine lacks; run that bundle first, or use a full bundle");
    }

    private void send(FileLoad load, Selection selection) {
        if (selection.whole()) {
            sendWhole(load, selection);
        } else {
            sendPart(load, selection);
        }
    }

    /**
     * Reading, hashing and decompressing run on a thread of their own, up to 4 MiB ahead of the writes to the engine,
     * so that neither waits for the other.
     */
    private static ReadAheadInputStream readAhead(InputStream in, FileLoad load) {
        return new ReadAheadInputStream(in, BUFFER, READ_AHEAD_PIECES, "read " + load.name());
    }

    /** The whole file, its sha256 checked as it is read. */
    private void sendWhole(FileLoad load, Selection selection) {
        String sha256;
        long[] read = {0};
        try (Progress progress = Progress.start(console, "loading " + load.name(), load.size());
             HashingInputStream hashing = new HashingInputStream(Files.newInputStream(load.file()),
                     n -> progress.update(read[0] += n))) {
            BufferedInputStream buffered = new BufferedInputStream(hashing, BUFFER);
            ReadAheadInputStream tar = readAhead(load.compression().decompressor(buffered), load);
            long length = load.compression() == Compression.NONE ? load.size() : -1;
            try {
                loaded.addAll(engine.loadImages(tar, length, m -> { }));
            } catch (DockerException e) {
                tar.stop();
                // the engine's complaint (an invalid diff ID, say) about a damaged file: name the damage instead
                buffered.transferTo(OutputStream.nullOutputStream());
                String actual = hashing.hex();
                if (load.sha256() != null && !actual.equals(load.sha256())) {
                    throw damaged(load, actual);
                }
                throw e;
            } finally {
                tar.stop(); // then only this thread reads the file: the rest, if the engine stopped short of it
            }
            buffered.transferTo(OutputStream.nullOutputStream());
            sha256 = hashing.hex();
            progress.done("loaded " + load.name() + " (" + Sizes.bytes(load.size()) + ")"
                    + (selection.sent() < selection.layers() ? ": " + selection.sent() + " of " + selection.layers()
                    + " layers, " + (selection.fromBase().isEmpty() ? "the rest present"
                    : "the others present, as bundle " + load.base().id() + " left them") : "") + " in "
                    + Sizes.seconds(progress.elapsed()));
        } catch (DockerException e) {
            throw new BundleException("loading " + load.file() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BundleException("reading " + load.file() + ": " + e.getMessage(), e);
        }
        if (load.sha256() != null && !sha256.equals(load.sha256())) {
            throw damaged(load, sha256);
        }
    }

    /**
     * Takes back what the engine loaded that bundle.json does not name (a damaged image config loads as another image,
     * under the bundle's references): untags those references, removes such images loaded without one, and puts each
     * reference back on the image it named before the load.
     */
    private void removeStrangers(FileLoad load) {
        for (String name : loaded) {
            try {
                String id = engine.inspectImage(name).id();
                if (load.imageIds().contains(id)) {
                    continue;
                }
                engine.removeImage(name, false);
                String previous = before.get(name);
                int colon = name.lastIndexOf(':');
                if (previous != null && !previous.equals(id) && colon > name.lastIndexOf('/')) {
                    engine.tagImage(previous, name.substring(0, colon), name.substring(colon + 1));
                }
                console.warn("removed " + name + ", which the engine loaded from " + load.name() + " as an image"
                        + " bundle.json does not name" + (previous == null || previous.equals(id) ? ""
                        : "; " + name + " names image " + previous + " again, as before the load"));
            } catch (DockerException e) {
                console.warn("could not remove " + name + ", loaded from " + load.name() + ": " + e.getMessage());
            }
        }
    }


    /** The file's sha256 when it differs from bundle.json's; null when it agrees (or bundle.json has none). */
    private static String damage(FileLoad load) {
        if (load.sha256() == null) {
            return null;
        }
        try (HashingInputStream in = new HashingInputStream(Files.newInputStream(load.file()), n -> { })) {
            in.transferTo(OutputStream.nullOutputStream());
            String sha256 = in.hex();
            return sha256.equals(load.sha256()) ? null : sha256;
        } catch (IOException e) {
            throw new BundleException("reading " + load.file() + ": " + e.getMessage(), e);
        }
    }

    private static BundleException damaged(FileLoad load, String sha256) {
        return new BundleException(load.file() + ": sha256 " + sha256 + " differs from bundle.json's " + load.sha256()
                + "; the file is damaged: export it again");
    }

    /** The archive without the layer files the engine has; progress counts the bytes sent. */
    private void sendPart(FileLoad load, Selection selection) {
        long[] sent = {0};
        try (Progress progress = Progress.start(console, "loading " + load.name(), Math.max(selection.bytes(), 0));
             InputStream file = Files.newInputStream(load.file())) {
            // layers left out are skipped on disk: a seek in a plain file, whole frames stepped over in a zstd one
            InputStream raw = switch (load.compression()) {
                case NONE -> file;
                case ZSTD -> new ZstdFrames(file); // unbuffered: a buffer would refill after every block it steps over
                case GZIP -> load.compression().decompressor(new BufferedInputStream(file, BUFFER));
            };
            ArchiveFilter filter = new ArchiveFilter(raw, selection.drop()::contains);
            InputStream counted = new FilterInputStream(filter) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        progress.update(sent[0] += n);
                    }
                    return n;
                }
            };
            try (ReadAheadInputStream ahead = readAhead(counted, load)) {
                loaded.addAll(engine.loadImages(ahead, -1, m -> { }));
            }
            progress.done("loaded " + load.name() + ": " + selection.sent() + " of " + selection.layers()
                    + " layers, " + Sizes.bytes(filter.sent()) + " sent (" + Sizes.bytes(filter.dropped())
                    + " present, not sent) in " + Sizes.seconds(progress.elapsed()));
        } catch (DockerException e) {
            throw new BundleException("loading " + load.file() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BundleException("reading " + load.file() + ": " + e.getMessage(), e);
        }
    }
}

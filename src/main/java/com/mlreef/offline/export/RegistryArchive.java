package com.mlreef.offline.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * A docker-archive of images fetched from registries, as {@code docker save} writes it: each layer once, as
 * {@code DIFFHEX/layer.tar} (the uncompressed tar whose sha256 is its diff ID), each config as {@code IDHEX.json}
 * (its bytes as the registry has them, so the image ID is the same), and {@code manifest.json} last. The stream is
 * made of the cached files, opened one at a time as it is read.
 */
final class RegistryArchive {
    private static final int BLOCK = 512;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryArchive() {
    }

    static InputStream of(List<RegistryImage> images, LayerFetcher layers) throws IOException {
        List<Supplier<InputStream>> parts = new ArrayList<>();
        Set<String> written = new HashSet<>();
        ArrayNode manifest = JSON.createArrayNode();
        for (RegistryImage image : images) {
            ObjectNode entry = manifest.addObject();
            String config = LayerFetcher.hex(image.config().digest()) + ".json";
            entry.put("Config", config);
            ArrayNode tags = entry.putArray("RepoTags");
            if (!image.reference().contains("@")) {
                // as docker save writes it: a reference without a tag gets :latest (docker load wants a tag)
                String ref = image.reference();
                tags.add(ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref : ref + ":latest");
            }
            ArrayNode layerNames = entry.putArray("Layers");
            for (String diffId : image.diffIds()) {
                String name = LayerFetcher.hex(diffId) + "/layer.tar";
                layerNames.add(name);
                if (written.add(name)) {
                    file(parts, name, layers.layerFile(diffId));
                }
            }
            file(parts, config, image.configFile());
        }
        bytes(parts, "manifest.json", JSON.writeValueAsBytes(manifest));
        byte[] end = new byte[2 * BLOCK];
        parts.add(() -> new ByteArrayInputStream(end));
        Iterator<Supplier<InputStream>> next = parts.iterator();
        return new SequenceInputStream(Collections.enumeration(new AbstractLazyList(next)));
    }

    private static void file(List<Supplier<InputStream>> parts, String name, Path file) throws IOException {
        long size = Files.size(file);
        parts.add(() -> new ByteArrayInputStream(header(name, size)));
        parts.add(() -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        padding(parts, size);
    }

    private static void bytes(List<Supplier<InputStream>> parts, String name, byte[] content) {
        parts.add(() -> new ByteArrayInputStream(header(name, content.length)));
        parts.add(() -> new ByteArrayInputStream(content));
        padding(parts, content.length);
    }

    private static void padding(List<Supplier<InputStream>> parts, long size) {
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (pad > 0) {
            parts.add(() -> new ByteArrayInputStream(new byte[pad]));
        }
    }

    /** A ustar header: mode 0644, owner root, time 0 (the same file twice gives the same bytes). */
    private static byte[] header(String name, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name.getBytes(StandardCharsets.UTF_8).length < 100 ? name
                : name.substring(0, 99));
        entry.setSize(size);
        entry.setMode(0644);
        entry.setModTime(0);
        entry.setUserId(0);
        entry.setGroupId(0);
        byte[] header = new byte[BLOCK];
        entry.writeEntryHeader(header);
        return header;
    }

    /** The parts as a collection that opens each stream only when the sequence reaches it. */
    private static final class AbstractLazyList extends java.util.AbstractCollection<InputStream> {
        private final Iterator<Supplier<InputStream>> parts;

        AbstractLazyList(Iterator<Supplier<InputStream>> parts) {
            this.parts = parts;
        }

        @Override
        public Iterator<InputStream> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return parts.hasNext();
                }

                @Override
                public InputStream next() {
                    return parts.next().get();
                }
            };
        }

        @Override
        public int size() {
            throw new UnsupportedOperationException("read in order only");
        }
    }
}

package com.mlreef.offline.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mlreef.offline.bundle.ImageFileWriter;
import com.mlreef.offline.registry.Manifest;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Docker schema 2 manifest of one image of a bundle: its config (whose digest is the image ID) and its layers as
 * the archive holds them, uncompressed (the layer's digest is its diff ID, known before it is read, so a blob the
 * registry has is found without reading it; the engine unpacks them as it does gzip).
 */
final class ImageManifest {
    static final String CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageManifest() {
    }

    /** A blob: digest and size. */
    record Blob(String digest, long size) {
    }

    static Manifest of(Blob config, List<Blob> layers) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", Manifest.DOCKER_V2);
        root.set("config", descriptor(CONFIG, config));
        ArrayNode list = root.putArray("layers");
        layers.forEach(l -> list.add(descriptor(LAYER, l)));
        byte[] bytes;
        try {
            bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        String digest = "sha256:" + HexFormat.of().formatHex(ImageFileWriter.sha256().digest(bytes));
        return new Manifest(Manifest.DOCKER_V2, digest, bytes);
    }

    private static ObjectNode descriptor(String mediaType, Blob blob) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", mediaType);
        node.put("size", blob.size());
        node.put("digest", blob.digest());
        return node;
    }
}

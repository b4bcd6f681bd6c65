package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a docker-archive (the tar of {@code docker save}, legacy or OCI layout) holds, read in one pass without
 * keeping any layer: every entry's size, the digest of each small file (configs), and {@code manifest.json}.
 */
public final class DockerArchive {
    /** Configs and manifests are small; layers are not hashed here. */
    private static final long SMALL = 8L << 20;
    /** JSON files up to this size are kept until the manifest says which of them are configs. */
    private static final long JSON_KEPT = 1L << 20;
    private static final int SKIP_BUFFER = 1 << 16;

    /** One image of {@code manifest.json}. */
    @RegisterForReflection
    public record ManifestEntry(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
                                @JsonProperty("Layers") List<String> layers) {
    }

    /**
     * @param entries      every regular file and link: name to size (a link's is its target's when the target came
     *                     first, else 0)
     * @param smallDigests sha256 (hex) of every regular file of at most 8 MiB
     * @param manifest     the images of {@code manifest.json}, or null when the archive has none
     */
    public record Contents(Map<String, Long> entries, Map<String, String> smallDigests, List<ManifestEntry> manifest,
                           Map<String, List<String>> diffIds) {

        /** The diff IDs (bottom first) that a manifest entry's config lists, or null when it cannot be read. */
        public List<String> diffIds(ManifestEntry entry) {
            return entry.config() == null ? null : diffIds.get(entry.config());
        }

        /**
         * Whether a manifest entry's config was read and is not an image config (no rootfs.diff_ids); a config too
         * large to keep is not judged.
         */
        public boolean configInvalid(ManifestEntry entry) {
            Long size = entry.config() == null ? null : entries.get(normalise(entry.config()));
            return entry.config() == null || size != null && size <= JSON_KEPT && diffIds(entry) == null;
        }

        /** Each reference manifest.json tags, with the ID of the image it tags (images without a config left out). */
        public Map<String, String> tags() {
            Map<String, String> tags = new LinkedHashMap<>();
            for (ManifestEntry entry : manifest == null ? List.<ManifestEntry>of() : manifest) {
                String id = imageId(entry);
                if (id != null && entry.repoTags() != null) {
                    entry.repoTags().forEach(t -> tags.put(t, id));
                }
            }
            return tags;
        }

        /** The image ID of a manifest entry: the sha256 of its config file, or null when the config is missing. */
        public String imageId(ManifestEntry entry) {
            String digest = entry.config() == null ? null : smallDigests.get(entry.config());
            return digest == null ? null : "sha256:" + digest;
        }

        /** Files that a manifest entry names but the archive lacks. */
        public List<String> missing(ManifestEntry entry) {
            java.util.ArrayList<String> missing = new java.util.ArrayList<>();
            if (entry.config() == null || !entries.containsKey(entry.config())) {
                missing.add(entry.config() == null ? "(no config)" : entry.config());
            }
            if (entry.layers() != null) {
                entry.layers().stream().filter(l -> !entries.containsKey(l)).forEach(missing::add);
            }
            return missing;
        }
    }

    private DockerArchive() {
    }

    /** Reads the tar to its end (the caller closes {@code tar}); a damaged or truncated tar fails with an IOException. */
    public static Contents scan(InputStream tar) throws IOException {
        Map<String, Long> entries = new LinkedHashMap<>();
        Map<String, String> digests = new LinkedHashMap<>();
        List<ManifestEntry> manifest = null;
        Map<String, byte[]> jsons = new LinkedHashMap<>();
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        byte[] skip = new byte[SKIP_BUFFER];
        TarArchiveEntry entry;
        while ((entry = in.getNextEntry()) != null) {
            if (entry.isSymbolicLink() || entry.isLink()) {
                // a layer stored once and linked from elsewhere (docker save does this for a repeated layer)
                String target = ArchiveFilter.linkTarget(normalise(entry.getName()), entry.getLinkName(),
                        entry.isSymbolicLink());
                entries.put(normalise(entry.getName()), entries.getOrDefault(target, 0L));
                continue;
            }
            if (!entry.isFile()) {
                continue;
            }
            String name = normalise(entry.getName());
            long size = entry.getSize();
            entries.put(name, size);
            if (size <= SMALL) {
                byte[] content = in.readNBytes((int) size);
                if (content.length != size) {
                    throw new IOException("the archive ends inside " + name);
                }
                digests.put(name, HexFormat.of().formatHex(ImageFileWriter.sha256().digest(content)));
                if (name.equals("manifest.json")) {
                    manifest = manifest(content);
                } else if (size <= JSON_KEPT && size > 0 && content[0] == '{') {
                    jsons.put(name, content);
                }
            } else {
                long left = size;
                while (left > 0) {
                    int n = in.read(skip, 0, (int) Math.min(skip.length, left));
                    if (n < 0) {
                        throw new IOException("the archive ends inside " + name);
                    }
                    left -= n;
                }
            }
        }
        return new Contents(entries, digests, manifest, configDiffIds(manifest, jsons));
    }

    /**
     * What the archive holds, from its headers and JSON files (configs, manifest) only: the other entries are skipped,
     * a seek when {@code tar} is a plain file, so a tar of gigabytes is read in milliseconds. Their digests are not
     * known.
     */
    public static Contents headers(InputStream tar) throws IOException {
        ArchiveFilter filter = new ArchiveFilter(tar, name -> true, SMALL);
        filter.transferTo(java.io.OutputStream.nullOutputStream());
        Map<String, String> digests = new LinkedHashMap<>();
        filter.kept().forEach((name, content) -> digests.put(name,
                HexFormat.of().formatHex(ImageFileWriter.sha256().digest(content))));
        return new Contents(filter.entries(), digests, filter.manifest(), configDiffIds(filter.manifest(),
                filter.kept()));
    }

    /** Why an archive without manifest.json cannot be read, given its entries. */
    public static String withoutManifest(Map<String, Long> entries) {
        return entries.containsKey("repositories") ? "no manifest.json: an archive of Docker before 1.10, which this"
                + " tool does not read (load it with docker load and save it again)"
                : "no manifest.json: not a docker-archive";
    }

    /** An archive's manifest.json, read; a file that is not one is an error saying so in one line. */
    static List<ManifestEntry> manifest(byte[] content) throws IOException {
        JsonNode tree;
        try {
            tree = BundleFiles.JSON.readTree(content);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("manifest.json is not valid JSON" + (e.getMessage() != null
                    && e.getMessage().startsWith("Unexpected end-of-input") ? " (it ends early)" : ""));
        }
        if (tree == null || !tree.isArray() || java.util.stream.StreamSupport.stream(tree.spliterator(), false)
                .anyMatch(image -> !image.isObject())) {
            throw new IOException("manifest.json is not a list of images, as docker save writes it");
        }
        try {
            return BundleFiles.JSON.treeToValue(tree, new TypeReference<List<ManifestEntry>>() { });
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("manifest.json is not a list of images, as docker save writes it");
        }
    }

    private static Map<String, List<String>> configDiffIds(List<ManifestEntry> manifest, Map<String, byte[]> files) {
        Map<String, List<String>> diffIds = new LinkedHashMap<>();
        if (manifest != null) {
            for (ManifestEntry image : manifest) {
                byte[] config = image.config() == null ? null : files.get(normalise(image.config()));
                if (config != null) {
                    diffIds.put(image.config(), diffIds(config));
                }
            }
        }
        return diffIds;
    }

    /** {@code rootfs.diff_ids} of an image config, or null when it has none. */
    private static List<String> diffIds(byte[] config) {
        try {
            JsonNode ids = BundleFiles.JSON.readTree(config).path("rootfs").path("diff_ids");
            if (!ids.isArray()) {
                return null;
            }
            List<String> list = new ArrayList<>();
            ids.forEach(id -> list.add(id.asText()));
            return list;
        } catch (IOException e) {
            return null;
        }
    }

    private static String normalise(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }
}

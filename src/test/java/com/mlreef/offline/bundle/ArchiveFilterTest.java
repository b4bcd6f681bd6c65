package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

class ArchiveFilterTest {
    private static final String MANIFEST = "[{\"Config\":\"c.json\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"a/layer.tar\"]}]";

    /** A tar of the named files (in order); a value starting with "->" is a symbolic link to the rest. */
    static byte[] tar(Map<String, String> files, boolean posixLongNames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            out.setLongFileMode(posixLongNames ? TarArchiveOutputStream.LONGFILE_POSIX : TarArchiveOutputStream.LONGFILE_GNU);
            for (Map.Entry<String, String> f : files.entrySet()) {
                if (f.getValue().startsWith("->")) {
                    TarArchiveEntry link = new TarArchiveEntry(f.getKey(), TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName(f.getValue().substring(2));
                    out.putArchiveEntry(link);
                } else {
                    byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                    entry.setSize(content.length);
                    out.putArchiveEntry(entry);
                    out.write(content);
                }
                out.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** Entry name to content (links as "->target"), read back by another tar reader. */
    static Map<String, String> read(InputStream tar) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        TarArchiveEntry e;
        while ((e = in.getNextEntry()) != null) {
            files.put(e.getName(), e.isSymbolicLink() ? "->" + e.getLinkName()
                    : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        return files;
    }

    @Test
    void keptEntriesPassByteForByteAndTheManifestIsNoted() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a/VERSION", "1.0");
        files.put("a/layer.tar", "x".repeat(3000));
        files.put("c.json", "{}");
        files.put("manifest.json", MANIFEST);
        byte[] tar = tar(files, true);
        ArchiveFilter filter = ArchiveFilter.observe(new ByteArrayInputStream(tar));
        assertNull(filter.manifest());
        byte[] out = filter.readAllBytes();
        assertTrue(Arrays.equals(Arrays.copyOf(tar, out.length), out), "same bytes up to the end marker");
        assertEquals(files, read(new ByteArrayInputStream(out)));
        assertEquals(List.of("a/layer.tar"), filter.manifest().get(0).layers());
        assertEquals(3000L, filter.entries().get("a/layer.tar"));
        assertEquals(0, filter.dropped());
    }

    @Test
    void droppedEntriesLeaveWithTheirLongNameHeaders() throws IOException {
        String longDir = "d".repeat(120);
        for (boolean posix : List.of(true, false)) {
            Map<String, String> files = new LinkedHashMap<>();
            files.put(longDir + "/layer.tar", "y".repeat(70000));
            files.put("b/layer.tar", "kept layer");
            files.put("blobs/sha256/" + "e".repeat(64), "oci blob");
            files.put("b/link.tar", "->../" + longDir + "/layer.tar");
            files.put("manifest.json", MANIFEST);
            ArchiveFilter filter = new ArchiveFilter(new ByteArrayInputStream(tar(files, posix)),
                    Set.of(longDir + "/layer.tar", "blobs/sha256/" + "e".repeat(64))::contains);
            Map<String, String> left = read(filter);
            Map<String, String> expected = new LinkedHashMap<>(files);
            expected.remove(longDir + "/layer.tar");
            expected.remove("blobs/sha256/" + "e".repeat(64));
            assertEquals(expected, left, posix ? "PAX" : "GNU");
            assertEquals(70000 + 8, filter.dropped());
            assertEquals(70000L, filter.entries().get(longDir + "/layer.tar"), "dropped entries are noted too");
            assertEquals(70000L, filter.entries().get("b/link.tar"), "a link counts as its target");
            assertEquals(70000L, DockerArchive.scan(new ByteArrayInputStream(tar(files, posix))).entries()
                    .get("b/link.tar"), "verify's scan counts it too");
        }
    }

    @Test
    void droppedBySizeEntriesAreHashedAndTheirLinksGoWithThem() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a/layer.tar", "a".repeat(3000));
        files.put("b/layer.tar", "b".repeat(2000));
        files.put("c/layer.tar", "->../a/layer.tar");
        files.put("d/layer.tar", "->../b/layer.tar");
        files.put("e.json", "e".repeat(3000));
        files.put("manifest.json", MANIFEST);
        List<ArchiveFilter.Header> seen = new java.util.ArrayList<>();
        ArchiveFilter filter = ArchiveFilter.dropAndHash(new ByteArrayInputStream(tar(files, false)), header -> {
            seen.add(header);
            return header.linkTarget() == null && header.size() == 3000 && header.name().endsWith("/layer.tar");
        });
        Map<String, String> out = read(new ByteArrayInputStream(filter.readAllBytes()));
        assertEquals(Set.of("b/layer.tar", "d/layer.tar", "e.json", "manifest.json"), out.keySet());
        assertEquals(Set.of("a/layer.tar", "c/layer.tar"), filter.droppedNames());
        assertEquals(Map.of("a/layer.tar", "sha256:" + java.util.HexFormat.of().formatHex(ImageFileWriter.sha256()
                .digest("a".repeat(3000).getBytes(StandardCharsets.UTF_8)))), filter.droppedSha256());
        assertEquals(new ArchiveFilter.Header("d/layer.tar", 2000, "b/layer.tar"), seen.get(3),
                "a link is seen with its target and the target's size");
        assertEquals(3000, filter.dropped());
        assertEquals(List.of("a/layer.tar"), filter.manifest().get(0).layers());
    }

    @Test
    void headersAloneTellWhatADockerArchiveHolds() throws IOException {
        String config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "d".repeat(64) + "\"]}}";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a/layer.tar", "L".repeat(2 << 20));
        files.put("c.json", config);
        files.put("manifest.json", MANIFEST);
        DockerArchive.Contents contents = DockerArchive.headers(new ByteArrayInputStream(tar(files, true)));
        DockerArchive.ManifestEntry image = contents.manifest().get(0);
        assertEquals(List.of("sha256:" + "d".repeat(64)), contents.diffIds(image));
        assertEquals("sha256:" + java.util.HexFormat.of().formatHex(ImageFileWriter.sha256()
                .digest(config.getBytes(StandardCharsets.UTF_8))), contents.imageId(image));
        assertEquals(2L << 20, contents.entries().get("a/layer.tar"));
        assertTrue(contents.missing(image).isEmpty());
        assertFalse(contents.smallDigests().containsKey("a/layer.tar"), "only JSON files are read; layers skipped");
    }

    @Test
    void aTruncatedArchiveFails() throws IOException {
        byte[] tar = tar(Map.of("a/layer.tar", "z".repeat(5000), "manifest.json", MANIFEST), true);
        byte[] cut = Arrays.copyOf(tar, 2048);
        assertThrows(EOFException.class, () -> ArchiveFilter.observe(new ByteArrayInputStream(cut)).readAllBytes());
        byte[] inHeader = Arrays.copyOf(tar, 512 * 11 + 100);
        assertThrows(EOFException.class, () -> new ArchiveFilter(new ByteArrayInputStream(inHeader), n -> true)
                .readAllBytes());
    }

    @Test
    void chainIdsAreTheEnginesAndRepeatedLayersStay() {
        String a = "sha256:" + "a".repeat(64);
        String b = "sha256:" + "b".repeat(64);
        List<String> chain = LayerChain.chainIds(List.of(a, b));
        assertEquals(a, chain.get(0));
        // sha256("sha256:aaa… sha256:bbb…"), as the engine's layer store computes it
        assertEquals("sha256:" + java.util.HexFormat.of().formatHex(ImageFileWriter.sha256().digest((a + " " + b)
                .getBytes(StandardCharsets.US_ASCII))), chain.get(1));
        assertEquals(1, LayerChain.present(List.of(a, b), Set.of(a)));
        assertEquals(0, LayerChain.present(List.of(a, b), Set.of(chain.get(1).replace('a', 'c'))));
        assertEquals(Set.of("1/layer.tar"), LayerChain.omittable(List.of(
                new LayerChain.ArchiveLayer("1/layer.tar", a, true),
                new LayerChain.ArchiveLayer("2/layer.tar", b, true),
                new LayerChain.ArchiveLayer("3/layer.tar", b, false))),
                "a layer left out whose content is also sent stays: the archive may link one to the other");
    }
}

package com.mlreef.offline.bundle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Chain IDs, by which the engine keeps layers: a layer's chain ID names it together with every layer below it, so an
 * engine that has chain ID {@code n} has the image's bottom {@code n+1} layers.
 */
public final class LayerChain {
    private LayerChain() {
    }

    /** The chain ID of every prefix of the diff IDs (bottom first): {@code c0 = d0}, {@code cn = sha256(c(n-1) + " " + dn)}. */
    public static List<String> chainIds(List<String> diffIds) {
        List<String> chain = new ArrayList<>(diffIds.size());
        String previous = null;
        for (String diffId : diffIds) {
            previous = previous == null ? diffId : "sha256:" + HexFormat.of().formatHex(ImageFileWriter.sha256()
                    .digest((previous + " " + diffId).getBytes(StandardCharsets.US_ASCII)));
            chain.add(previous);
        }
        return chain;
    }

    /** The chain IDs a bundle's images hold: those of every prefix of their layers. */
    public static Set<String> heldBy(BundleManifest bundle) {
        Set<String> chains = new HashSet<>();
        bundle.images().forEach(i -> chains.addAll(chainIds(i.layers() == null ? List.of() : i.layers())));
        return chains;
    }

    /** A layer of an image in an archive: its entry, its diff ID, and whether it may be left out. */
    public record ArchiveLayer(String file, String diffId, boolean leaveOut) {
    }

    /**
     * The archive entries that may be left out: those of layers to leave out, unless a layer that stays has the same
     * entry or the same content (an archive may store a repeated layer once and link the others to it).
     */
    public static Set<String> omittable(List<ArchiveLayer> layers) {
        Set<String> keepFiles = new HashSet<>();
        Set<String> keepDiffs = new HashSet<>();
        layers.stream().filter(l -> !l.leaveOut()).forEach(l -> {
            keepFiles.add(l.file());
            keepDiffs.add(l.diffId());
        });
        Set<String> omit = new LinkedHashSet<>();
        layers.stream().filter(l -> l.leaveOut() && !keepFiles.contains(l.file()) && !keepDiffs.contains(l.diffId()))
                .forEach(l -> omit.add(l.file()));
        return omit;
    }

    /** How many bottom layers of an image the holder of these chain IDs already has. */
    public static int present(List<String> diffIds, Set<String> chainIds) {
        List<String> chain = chainIds(diffIds);
        int n = 0;
        while (n < chain.size() && chainIds.contains(chain.get(n))) {
            n++;
        }
        return n;
    }
}

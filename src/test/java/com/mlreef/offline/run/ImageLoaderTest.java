package com.mlreef.offline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.bundle.BundleManifest;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.bundle.LayerChain;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a load sends of a file, given the chain IDs the engine has. */
class ImageLoaderTest {
    private static final List<String> DIFFS = List.of("sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64),
            "sha256:" + "3".repeat(64));
    private static final List<String> FILES = List.of("a/layer.tar", "b/layer.tar", "c/layer.tar");
    private static final List<String> CHAIN = LayerChain.chainIds(DIFFS);

    private static ImageLoader.FileLoad file(List<String> files, int leftOut) {
        ImageLoader.ImageLayers image = new ImageLoader.ImageLayers("sha256:" + "f".repeat(64), "app:2", DIFFS, files,
                files == null ? null : List.of(100L, 200L, 3L), leftOut);
        return new ImageLoader.FileLoad(Path.of("x.tar"), "images/x.tar", 10, null, Compression.NONE, List.of(image.id()),
                List.of("app:2"), false, List.of(image), leftOut == 0 ? null : new BundleManifest.Base("old", null),
                null, Map.of("app:2", image.id()));
    }

    @Test
    void onlyTheLayersTheEngineLacksAreSent() {
        ImageLoader.Selection s = ImageLoader.select(file(FILES, 0), Set.of(CHAIN.get(0), CHAIN.get(1)));
        assertEquals(Set.of("a/layer.tar", "b/layer.tar"), s.drop());
        assertEquals(Set.of(CHAIN.get(1)), s.required(), "the top of what is left out must stay until the load ends");
        assertEquals(1, s.sent());
        assertEquals(3, s.bytes());
        assertTrue(s.fromBase().isEmpty());
    }

    @Test
    void aFileIsSentWholeWhenTheEngineHasNothingOrItsLayoutIsUnknown() {
        assertTrue(ImageLoader.select(file(FILES, 0), Set.of()).whole());
        ImageLoader.Selection unknown = ImageLoader.select(file(null, 0), Set.of(CHAIN.get(2)));
        assertTrue(unknown.whole());
        assertEquals(-1, unknown.bytes());
        assertEquals(3, unknown.sent());
    }

    @Test
    void aDifferentialFileNeedsItsBaseAndSendsTheRest() {
        ImageLoader.Selection s = ImageLoader.select(file(FILES, 2), Set.of(CHAIN.get(0), CHAIN.get(1)));
        assertTrue(s.whole(), "the file holds only the layer the base lacks");
        assertEquals(Set.of(CHAIN.get(1)), s.fromBase());
        assertEquals(1, s.sent());
        ImageLoader.Selection without = ImageLoader.select(file(FILES, 2), Set.of(CHAIN.get(0)));
        assertEquals(Set.of(CHAIN.get(1)), without.fromBase(), "the base's top is required; the engine lacks it");
    }

    @Test
    void anImageWithAnEntryPerReferenceCountsItsLayersOnce() {
        List<BundleManifest.LayerFile> files = List.of(new BundleManifest.LayerFile("a/layer.tar", 100),
                new BundleManifest.LayerFile("b/layer.tar", 200), new BundleManifest.LayerFile("c/layer.tar", 3));
        String id = "sha256:" + "f".repeat(64);
        List<BundleManifest.Image> entries = List.of(
                new BundleManifest.Image(List.of("app:2"), id, "linux/amd64", DIFFS, "images/x.tar", 10, null,
                        Compression.NONE, files, null),
                new BundleManifest.Image(List.of("app:latest"), id, "linux/amd64", DIFFS, "images/x.tar", 10, null,
                        Compression.NONE, files, null));
        List<ImageLoader.ImageLayers> layers = ImageLoader.layersOf(entries);
        assertEquals(1, layers.size());
        ImageLoader.FileLoad load = new ImageLoader.FileLoad(Path.of("x.tar"), "images/x.tar", 10, null,
                Compression.NONE, List.of(id), List.of("app:2", "app:latest"), false, layers, null, null,
                Map.of("app:2", id, "app:latest", id));
        ImageLoader.Selection s = ImageLoader.select(load, Set.of(CHAIN.get(0)));
        assertEquals(3, s.layers(), "not 6");
        assertEquals(2, s.sent());
    }
}

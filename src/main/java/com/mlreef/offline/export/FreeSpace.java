package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The free-space check of export: whether the files still to write fit the bundle folder's file system. */
final class FreeSpace {
    /** Room for tar headers and manifests beyond the images' own sizes. */
    private static final long OVERHEAD_PER_FILE = 1 << 20;

    private FreeSpace() {
    }

    /**
     * Refuses an export that cannot fit. A file of several images (--combined) stores a layer they share once, and
     * the engine does not say how large each layer is: such a file needs at least its largest image and at most all
     * of them; between the two, export warns and tries (a full disk leaves no file behind).
     *
     * @param layouts    how each differential file leaves out layers: its size is that without them
     * @param executable the executable to copy into the bundle, or null
     */
    static void check(Console console, Path dir, List<ImageGroup> toWrite, Map<String, FileLayout> layouts,
                      Path executable) throws IOException {
        long most = 0;
        long least = 0;
        for (ImageGroup group : toWrite) {
            long fixed = OVERHEAD_PER_FILE;
            if (layouts.containsKey(group.file())) {
                most += fixed + layouts.get(group.file()).bytes();
                least += fixed + layouts.get(group.file()).bytes();
                continue;
            }
            Map<String, Long> sizes = new LinkedHashMap<>(); // by image ID: references of one image are one image
            group.images().forEach(i -> sizes.put(i.image().id(), i.size()));
            most += fixed + sizes.values().stream().mapToLong(Long::longValue).sum();
            least += fixed + sizes.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
        if (executable != null) {
            most += Files.size(executable);
            least += Files.size(executable);
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (least > free || (most > free && least == most)) {
            throw new BundleException("not enough free space in " + dir + ": the images to save need "
                    + (least == most ? "up to " + Sizes.bytes(most) : "at least " + Sizes.bytes(least)) + ", "
                    + Sizes.bytes(free) + " is free; free some space or export to another folder with -o");
        }
        if (most > free) {
            console.warn("the images to save need " + Sizes.bytes(least) + " to " + Sizes.bytes(most) + " in " + dir
                    + " (layers they share are stored once) and " + Sizes.bytes(free) + " is free: trying");
        }
    }
}

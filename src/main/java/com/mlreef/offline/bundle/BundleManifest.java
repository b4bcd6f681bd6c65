package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * {@code bundle.json}: what a bundle folder holds. {@code format} changes only when an older reader could
 * misunderstand the file; readers refuse a format newer than theirs. {@code complete} is false while an export is
 * still writing the folder.
 *
 * @param id      a new ID for every export that writes something
 * @param created when the export finished (ISO-8601, UTC)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BundleManifest(int format, String id, Tool tool, String created, boolean complete, Stack stack,
                             List<Image> images, Executable executable) {

    /** The format this version writes and the newest it reads. */
    public static final int FORMAT = 1;
    public static final String FILE_NAME = "bundle.json";

    @RegisterForReflection
    public record Tool(String name, String version) {
    }

    /** The stack file as it was written (not interpolated: {@code run} interpolates it on the offline host). */
    @RegisterForReflection
    public record Stack(String name, String source, String text) {
    }

    /**
     * One image: its references, ID and platform, its layers (diff IDs, bottom first), and the file that holds it
     * (with {@code export --combined} several images name the same file).
     */
    @RegisterForReflection
    public record Image(List<String> references, String id, String platform, List<String> layers, String file,
                        long size, String sha256, Compression compression) {
    }

    /** The copy of the mlreef-offline executable that travels with the bundle. */
    @RegisterForReflection
    public record Executable(String file, long size, String sha256) {
    }

    public BundleManifest withImages(List<Image> newImages, boolean isComplete) {
        return new BundleManifest(format, id, tool, created, isComplete, stack, List.copyOf(newImages), executable);
    }
}

package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * {@code bundle.json}: what a bundle folder holds. {@code format} changes only when an older reader could
 * misunderstand the file; readers refuse a format newer than theirs, and ignore fields they do not know. Format 1 is
 * a full bundle; format 2 a differential one ({@code base} set), whose files leave out layers that an older bundle
 * brought: a format-1 reader would load them onto an engine that may lack those layers, so it must refuse them.
 * {@code complete} is false while an export is still writing the folder.
 *
 * @param id      a new ID for every export that writes something
 * @param created when the export finished (ISO-8601, UTC)
 * @param base    for a differential bundle, the bundle whose layers it leaves out; else null
 * @param packages the Python package files the bundle carries under {@code packages/} (export --pip-dir); null for
 *                none. A differential bundle carries those its base does not.
 * @param project the files of the stack's project folder it carries, or null for none
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BundleManifest(int format, String id, Tool tool, String created, boolean complete, Stack stack,
                             List<Image> images, Executable executable, Base base, List<PackageFile> packages,
                             Project project) {

    public BundleManifest(int format, String id, Tool tool, String created, boolean complete, Stack stack,
                          List<Image> images, Executable executable, Base base) {
        this(format, id, tool, created, complete, stack, images, executable, base, null, null);
    }

    /** The format of a full bundle. */
    public static final int FULL = 1;
    /** The format of a differential bundle, and the newest this version reads. */
    public static final int FORMAT = 2;
    public static final String FILE_NAME = "bundle.json";

    /** The format a bundle is written in: the oldest that can say what it holds. */
    public static int formatFor(Base base) {
        return base == null ? FULL : FORMAT;
    }

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
     *
     * @param layerFiles where each layer is in the file's archive (as its manifest.json names it) and its size; null
     *                   in bundles of older versions
     * @param baseLayers how many bottom layers the file leaves out, expected on the target from the base bundle;
     *                   null for none
     * @param origin     for an image exported straight from its registry, the manifest taken
     *                   ({@code registry/repository@sha256:...}: for a multi-platform image, the platform's); else null
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Image(List<String> references, String id, String platform, List<String> layers, String file,
                        long size, String sha256, Compression compression, List<LayerFile> layerFiles,
                        Integer baseLayers, String origin) {

        /** An image exported through the engine (no origin). */
        public Image(List<String> references, String id, String platform, List<String> layers, String file,
                     long size, String sha256, Compression compression, List<LayerFile> layerFiles,
                     Integer baseLayers) {
            this(references, id, platform, layers, file, size, sha256, compression, layerFiles, baseLayers, null);
        }

        /** The number of bottom layers left out of the file (0 in a full bundle). */
        public int leftOut() {
            return baseLayers == null ? 0 : baseLayers;
        }
    }

    /** A layer's entry in the archive and its size there (uncompressed). */
    @RegisterForReflection
    public record LayerFile(String file, long size) {
    }

    /** The bundle a differential bundle builds on. */
    @RegisterForReflection
    public record Base(String id, String created) {
    }

    /** The copy of the mlreef-offline executable that travels with the bundle. */
    @RegisterForReflection
    public record Executable(String file, long size, String sha256) {
    }

    /** A Python package file under {@code packages/}: a wheel or an sdist, as {@code pip download} wrote it. */
    @RegisterForReflection
    public record PackageFile(String file, long size, String sha256) {
    }

    /**
     * The files of the project folder a stack references (bind sources, env files, secrets, configs, .env), in one
     * tar in the bundle (modes, owners and links kept across any file system), readable by its owner only.
     *
     * The tar's paths are relative to the folder export carried from: the stack file's folder, or the folder above it
     * that holds every path the stack references ({@code ../conf} from a stack file in {@code docker/}).
     *
     * @param envFile the variables file Compose would read (.env, or the one export was given), a path of the tar; or
     *                null
     * @param entries every file, folder and link of the tar, parents first
     * @param subpath where the stack file's folder lies in the tar ({@code docker}); empty when it is its root, and
     *                null in bundles of older versions (the same)
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Project(String file, long size, String sha256, String envFile, List<ProjectEntry> entries,
                          String subpath) {
        public static final String FILE_NAME = "project.tar";

        /** A project whose stack file lies at the tar's root. */
        public Project(String file, long size, String sha256, String envFile, List<ProjectEntry> entries) {
            this(file, size, sha256, envFile, entries, "");
        }

        /** Where the stack file's folder lies in the tar ({@code ""}: its root). */
        public String stackFolder() {
            return subpath == null ? "" : subpath;
        }
    }

    /**
     * One entry of the project's tar.
     *
     * @param type   file, dir or link
     * @param mode   the permission bits (07777)
     * @param sha256 of a file's content; null for others
     * @param link   a link's target, as written; null for others
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProjectEntry(String path, String type, int mode, int uid, int gid, long size, String sha256,
                               String link) {
        public static final String FILE = "file";
        public static final String DIR = "dir";
        public static final String LINK = "link";
    }

    public BundleManifest withImages(List<Image> newImages, boolean isComplete) {
        return new BundleManifest(format, id, tool, created, isComplete, stack, List.copyOf(newImages), executable,
                base, packages, project);
    }

    public BundleManifest withPackages(List<PackageFile> files) {
        return new BundleManifest(format, id, tool, created, complete, stack, images, executable, base,
                files == null || files.isEmpty() ? null : List.copyOf(files), project);
    }

    /** The package files, empty when the bundle carries none. */
    public List<PackageFile> packageFiles() {
        return packages == null ? List.of() : packages;
    }

    public BundleManifest withProject(Project carried) {
        return new BundleManifest(format, id, tool, created, complete, stack, images, executable, base, packages,
                carried);
    }

    /** Whether the bundle's files leave out layers of its base. */
    public boolean differential() {
        return base != null;
    }
}

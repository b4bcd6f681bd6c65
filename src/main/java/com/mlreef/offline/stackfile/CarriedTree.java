package com.mlreef.offline.stackfile;

import java.nio.file.Path;
import java.util.Collection;

/**
 * The folder export carries a stack's files from: the stack file's folder, or the nearest folder above it that holds
 * every path the stack references ({@code ../conf} from a stack file in {@code docker/} is carried from the folder
 * that holds both). Never {@code /}.
 *
 * @param root    the folder carried from, absolute and normalized
 * @param subpath where the stack file's folder lies in it ({@code ""}: it is the root)
 */
public record CarriedTree(Path root, String subpath) {

    /**
     * The tree of {@code paths}, each relative to {@code folder} (the stack file's) and normalized as
     * {@link CarriedFile#path()} is; one that leads up to {@code /} is refused by name.
     */
    public static CarriedTree of(Path folder, Collection<String> paths) {
        Path absolute = folder.toAbsolutePath().normalize();
        int ups = 0;
        for (String path : paths) {
            String normalized = ProjectPaths.normalized(path, "the project's files");
            int above = ProjectPaths.above(normalized);
            if (above > 0 && above >= absolute.getNameCount()) {
                throw new StackFileException("'" + path + "' leads up to / (the filesystem root) from " + absolute
                        + ", and export carries from the folder that holds the stack file's folder and every relative"
                        + " path, which cannot be /: keep it in a folder below /, or give an absolute path of the"
                        + " offline host");
            }
            ups = Math.max(ups, above);
        }
        if (ups == 0) {
            return new CarriedTree(absolute, "");
        }
        Path root = absolute.getRoot().resolve(absolute.subpath(0, absolute.getNameCount() - ups));
        return new CarriedTree(root, root.relativize(absolute).toString());
    }

    /** A path relative to the stack file's folder as a path of the tree ({@code .}: the tree itself). */
    public String inTree(String path) {
        return ProjectPaths.inTree(subpath, ProjectPaths.normalized(path, "the project's files"));
    }

    /** The file or folder of a path relative to the stack file's folder. */
    public Path file(String path) {
        String inTree = inTree(path);
        return inTree.equals(".") ? root : root.resolve(inTree);
    }
}

package com.mlreef.offline.lifecycle;

import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removes a stack folder (the files run put there and the operator's edits) with everything in it; links not followed. */
public final class StackFolderRemoval {
    private StackFolderRemoval() {
    }

    public static void remove(Path folder) {
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new ToolException(com.mlreef.offline.ui.ExitCode.FAILED, "removing the stack folder " + folder
                    + ": " + IoReason.of(e));
        }
    }
}

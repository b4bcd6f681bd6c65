package com.mlreef.offline.cli;

import java.io.IOException;
import java.nio.file.Path;

/** The running executable, when this is the native build (the jar has none to copy). */
final class NativeExecutable {
    private NativeExecutable() {
    }

    static Path path() {
        if (!"runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            return null;
        }
        try {
            return Path.of("/proc/self/exe").toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}

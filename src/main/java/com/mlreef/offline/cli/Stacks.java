package com.mlreef.offline.cli;

import java.nio.file.Path;
import java.util.Locale;

/** How a stack without a {@code name:} key is named: after its file, as Compose names a project after its folder. */
final class Stacks {
    private Stacks() {
    }

    static String nameFromFile(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.(ya?ml)$", "").toLowerCase(Locale.ROOT);
        String name = base.replaceAll("[^a-z0-9_-]", "-").replaceAll("^[^a-z0-9]+", "");
        return name.isEmpty() ? "stack" : name;
    }
}

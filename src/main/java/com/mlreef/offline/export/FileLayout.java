package com.mlreef.offline.export;

/**
 * How a differential file leaves out the base's layers: told apart by their sizes in the save that writes it
 * ({@code bySize}), else by the entries a first save named ({@code omitted}).
 */
record FileLayout(BySize bySize, Omitted omitted) {
    /** About the file's archive size without the layers it leaves out. */
    long bytes() {
        return bySize != null ? bySize.bytes() : omitted.bytes();
    }
}

package com.mlreef.offline.export;

import java.util.Set;

/**
 * What a group's file leaves out, learnt from a first save: the archive entries of the layers the base holds.
 *
 * @param bytes the archive's size without them
 */
record Omitted(Set<String> drop, long bytes) {
}

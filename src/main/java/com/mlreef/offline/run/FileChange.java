package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;

/**
 * What run does with one carried entry in the stack folder.
 *
 * @param entry what the bundle carries
 * @param found what the stack folder holds now, or null
 */
record FileChange(ProjectEntry entry, ProjectEntry found, Action action) {
    enum Action {
        /** The folder holds it as the bundle has it. */
        UNCHANGED,
        /** Missing: put there. */
        ADD,
        /** The bundle changed it, and nobody edited it here: replaced. */
        UPDATE,
        /** Edited here, and the bundle did not change it: the edit is kept. */
        KEEP_EDITED,
        /** Edited here and changed by the bundle: replaced only when the operator agrees, the edit kept beside. */
        CONFLICT
    }

    /** The plan's line, or null when nothing is to say. */
    String line(String root) {
        String what = entry.type() + " " + root + "/" + entry.path();
        return switch (action) {
            case UNCHANGED -> null;
            case ADD -> "put " + what;
            case UPDATE -> "replace " + what + " (the bundle changed it)";
            case KEEP_EDITED -> "keep " + what + " as edited here (the bundle did not change it)";
            case CONFLICT -> "replace " + what + ", edited here and changed by the bundle (needs --yes; the edited"
                    + " copy is kept beside it as " + entry.path() + ".local-DATE)";
        };
    }
}

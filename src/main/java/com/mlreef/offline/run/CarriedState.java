package com.mlreef.offline.run;

import com.mlreef.offline.bundle.BundleManifest.ProjectEntry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;

/**
 * What the last run put into a stack folder, kept there as {@value #FILE_NAME}: each entry as the bundle gave it, so
 * that an operator's edit since (content, mode, owner, a link's target) is told from a file the bundle changed.
 *
 * @param bundle  the ID of the bundle the entries came from
 * @param created whether run made the folder (it did not exist before): only then may down --volumes remove a folder
 *                given with --project-dir
 */
@RegisterForReflection
public record CarriedState(String bundle, Map<String, ProjectEntry> files, boolean created) {
    public static final String FILE_NAME = ".mlreef-offline-files.json";
}

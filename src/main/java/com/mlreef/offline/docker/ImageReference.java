package com.mlreef.offline.docker;

import java.util.regex.Pattern;

/** Image references as the engine compares them. */
public final class ImageReference {
    private static final Pattern IMAGE_ID = Pattern.compile("sha256:[0-9a-f]{64}");

    private ImageReference() {
    }

    /**
     * The reference in the engine's full form, so that two spellings of one image compare equal: {@code alpine},
     * {@code library/alpine:latest} and {@code docker.io/library/alpine:latest} all give the last; a reference
     * without a tag or digest takes {@code :latest}; an image ID is returned as it is.
     */
    public static String normalized(String reference) {
        if (IMAGE_ID.matcher(reference).matches()) {
            return reference;
        }
        String name = reference;
        String suffix;
        int at = reference.indexOf('@');
        if (at >= 0) {
            name = reference.substring(0, at);
            suffix = reference.substring(at);
        } else {
            int colon = name.lastIndexOf(':');
            if (colon > name.lastIndexOf('/')) {
                suffix = name.substring(colon);
                name = name.substring(0, colon);
            } else {
                suffix = ":latest";
            }
        }
        if (!RegistryAuth.registry(name).equals("docker.io")) {
            return name + suffix;
        }
        String path = name.startsWith("docker.io/") || name.startsWith("index.docker.io/")
                ? name.substring(name.indexOf('/') + 1) : name;
        return "docker.io/" + (path.contains("/") ? path : "library/" + path) + suffix;
    }

    /** Whether the reference is an image ID ({@code sha256:} and 64 hex digits). */
    public static boolean isImageId(String reference) {
        return IMAGE_ID.matcher(reference).matches();
    }
}

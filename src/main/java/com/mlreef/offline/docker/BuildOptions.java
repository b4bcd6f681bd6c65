package com.mlreef.offline.docker;

import java.util.Map;

/**
 * What {@code POST /build} is asked to build, beside the context tar.
 *
 * @param tag        the reference the image is tagged as
 * @param dockerfile the Dockerfile's path inside the context tar
 * @param buildArgs  the build arguments ({@code ARG}s)
 * @param target     the stage to build, or null for the last
 * @param labels     labels the image gets
 */
public record BuildOptions(String tag, String dockerfile, Map<String, String> buildArgs, String target,
                           Map<String, String> labels) {
}

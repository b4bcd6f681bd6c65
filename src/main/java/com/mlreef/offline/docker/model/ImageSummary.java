package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;
import java.util.Map;

/** One entry of {@code GET /images/json}. */
@RegisterForReflection
public record ImageSummary(String id, List<String> repoTags, List<String> repoDigests, Long created, Long size,
                           Map<String, String> labels) {
}

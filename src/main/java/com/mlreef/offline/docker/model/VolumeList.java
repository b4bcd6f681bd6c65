package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code GET /volumes}. */
@RegisterForReflection
public record VolumeList(List<Volume> volumes, List<String> warnings) {
}

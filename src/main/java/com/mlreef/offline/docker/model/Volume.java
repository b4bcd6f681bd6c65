package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Map;

/** A named volume ({@code GET /volumes/{name}}, one entry of {@code GET /volumes}). */
@RegisterForReflection
public record Volume(String name, String driver, String mountpoint, Map<String, String> labels, String scope,
                     String createdAt, Map<String, String> options) {
}

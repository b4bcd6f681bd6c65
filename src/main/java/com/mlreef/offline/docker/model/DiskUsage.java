package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** {@code GET /system/df}, the part this tool reads: each volume's size on disk. */
@RegisterForReflection
public record DiskUsage(List<VolumeUsage> volumes) {

    @RegisterForReflection
    public record VolumeUsage(String name, UsageData usageData) {
    }

    /** {@code size} is -1 when the engine could not compute it. */
    @RegisterForReflection
    public record UsageData(Long size, Long refCount) {
    }
}

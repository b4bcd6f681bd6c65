package com.mlreef.offline.docker;

import com.mlreef.offline.docker.model.ProgressMessage;

/** Receives each message of a JSON progress stream as soon as it arrives. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = message -> { };

    void onProgress(ProgressMessage message);
}

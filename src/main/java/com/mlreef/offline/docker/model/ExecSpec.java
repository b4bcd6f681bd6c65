package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The body of {@code POST /containers/{id}/exec}; never a TTY, so no terminal is needed. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecSpec(Boolean attachStdout, Boolean attachStderr, Boolean tty, List<String> cmd, List<String> env,
                       String workingDir, String user) {

    public static ExecSpec of(List<String> cmd) {
        return new ExecSpec(true, true, false, cmd, null, null, null);
    }
}

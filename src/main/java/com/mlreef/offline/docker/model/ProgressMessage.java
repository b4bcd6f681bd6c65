package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** One line of a JSON progress stream (pull, load, push); an {@code errorDetail} makes the whole call fail. */
@RegisterForReflection
@JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
public record ProgressMessage(String status, String id, String progress, ProgressDetail progressDetail,
                              ErrorDetail errorDetail, String error, String stream, JsonNode aux) {

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    public record ProgressDetail(Long current, Long total) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    public record ErrorDetail(Integer code, String message) {
    }

    /** The error this message reports, or null. */
    public String errorText() {
        if (errorDetail != null && errorDetail.message() != null) {
            return errorDetail.message();
        }
        return error;
    }
}

package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A query string built in order; values are percent-encoded. */
final class Query {
    private final StringBuilder text = new StringBuilder();

    Query add(String name, Object value) {
        text.append(text.length() == 0 ? '?' : '&').append(name).append('=')
                .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
        return this;
    }

    /** Adds {@code filters={"label":[...]}} when there are labels ({@code key} or {@code key=value}). */
    Query labels(List<String> labels) {
        if (labels != null && !labels.isEmpty()) {
            try {
                add("filters", DockerJson.MAPPER.writeValueAsString(Map.of("label", labels)));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}

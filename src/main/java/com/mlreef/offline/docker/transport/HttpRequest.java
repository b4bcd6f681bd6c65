package com.mlreef.offline.docker.transport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** One HTTP/1.1 request: method, request target (path and query), extra headers and an optional body. */
public record HttpRequest(String method, String target, Map<String, String> headers, RequestBody body) {

    public HttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        if (!target.startsWith("/") || target.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("invalid request target: " + target);
        }
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        headers.forEach((k, v) -> {
            if (k.isEmpty() || (k + v).chars().anyMatch(c -> c == '\r' || c == '\n')) {
                throw new IllegalArgumentException("invalid header: " + k);
            }
        });
    }

    public static HttpRequest get(String target) {
        return new HttpRequest("GET", target, Map.of(), null);
    }

    public HttpRequest withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpRequest(method, target, copy, body);
    }
}

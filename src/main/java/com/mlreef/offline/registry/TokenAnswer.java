package com.mlreef.offline.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A token endpoint's answer: {@code token} (or the OAuth {@code access_token}) and its lifetime in seconds. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenAnswer(String token, @JsonProperty("access_token") String accessToken,
                          @JsonProperty("expires_in") Integer expiresIn) {
    /** The token to send: {@code token}, else {@code access_token}; null when there is none. */
    String bearer() {
        return token != null && !token.isEmpty() ? token : accessToken;
    }

    /** Its lifetime: as given, else the 60 s the distribution spec says to assume. */
    int seconds() {
        return expiresIn == null || expiresIn <= 0 ? 60 : expiresIn;
    }
}

package com.mlreef.offline.registry;

import com.mlreef.offline.docker.RegistryAuth;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code Authorization} header of a registry's requests. Anonymous until the registry answers 401; then, as its
 * {@code WWW-Authenticate} challenge says: {@code Basic} with the credentials of {@code docker login}, or a
 * {@code Bearer} token from the challenge's realm, one per repository scope ({@code repository:NAME:pull}), asked
 * again when it expires or the registry refuses it. Safe to share between the threads of parallel downloads.
 */
public final class Authenticator {
    /** A token is asked again this long before it expires, so that it does not expire in flight. */
    private static final long MARGIN_MILLIS = 10_000;

    private final RegistryAddress address;
    private final RegistryAuth.Credentials credentials;
    private final Function<String, TokenApi> tokenApi;
    private Challenge challenge;
    private final Map<String, Token> tokens = new HashMap<>();

    private record Token(String header, long expiresAt) {
    }

    /**
     * @param credentials those of {@code docker login} for the registry, or null for anonymous access
     * @param tokenApi    the token endpoint's REST client for a realm URL
     */
    Authenticator(RegistryAddress address, RegistryAuth.Credentials credentials, Function<String, TokenApi> tokenApi) {
        this.address = address;
        this.credentials = credentials;
        this.tokenApi = tokenApi;
    }

    /** Whether there are credentials for the registry. */
    public boolean hasCredentials() {
        return credentials != null;
    }

    /**
     * The header for a request on the repository, or null while the registry has asked for none.
     *
     * @param actions {@code pull}, or {@code pull,push}
     */
    public synchronized String authorization(String repository, String actions) {
        if (challenge == null) {
            return null;
        }
        if (challenge.scheme().equals("basic")) {
            return basic();
        }
        if (!challenge.scheme().equals("bearer")) {
            return null;
        }
        String scope = "repository:" + repository + ":" + actions;
        Token token = tokens.get(scope);
        if (token == null || System.currentTimeMillis() > token.expiresAt() - MARGIN_MILLIS) {
            token = fetch(scope);
            tokens.put(scope, token);
        }
        return token.header();
    }

    /**
     * Learns from a 401: the challenge to answer, and that the header just sent (if any) is no good. True when a
     * retry with a new header may succeed; false when there is nothing new to send.
     */
    public synchronized boolean refused(String wwwAuthenticate, String repository, String actions, String sent) {
        Challenge next = Challenge.parse(wwwAuthenticate);
        if (next == null) {
            return false;
        }
        boolean changed = challenge == null || !challenge.scheme().equals(next.scheme())
                || !java.util.Objects.equals(challenge.realm(), next.realm());
        challenge = next;
        if (next.scheme().equals("basic")) {
            return credentials != null && (changed || sent == null);
        }
        if (next.scheme().equals("bearer")) {
            Token old = tokens.remove("repository:" + repository + ":" + actions);
            return sent == null || changed || old != null && old.header().equals(sent);
        }
        return false;
    }

    /** Why a 401 is final, for the error message. */
    public String refusal() {
        return credentials == null ? "the registry wants credentials: run 'docker login " + address.registry() + "'"
                : "the registry refused the credentials of 'docker login " + address.registry() + "': log in again";
    }

    private String basic() {
        if (credentials == null) {
            return null;
        }
        return "Basic " + Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private Token fetch(String scope) {
        String realm = challenge.realm();
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new RegistryException(address.registry() + " asks for a token from '" + realm + "', which is not an"
                    + " http(s) URL");
        }
        long now = System.currentTimeMillis();
        TokenApi api = tokenApi.apply(realm);
        try (Response response = credentials != null && credentials.identityToken() != null
                ? api.refresh("refresh_token", credentials.identityToken(), challenge.service(), scope,
                "mlreef-offline")
                : api.token(challenge.service(), scope, basic())) {
            if (response.getStatus() == 401 || response.getStatus() == 403) {
                throw new RegistryException(address.registry() + ": the token endpoint " + realm + " answered "
                        + response.getStatus() + "; " + refusal());
            }
            if (response.getStatus() != 200) {
                throw new RegistryException(address.registry() + ": the token endpoint " + realm + " answered "
                        + response.getStatus());
            }
            TokenAnswer answer = response.readEntity(TokenAnswer.class);
            if (answer == null || answer.bearer() == null) {
                throw new RegistryException(address.registry() + ": the token endpoint " + realm + " gave no token");
            }
            return new Token("Bearer " + answer.bearer(), now + answer.seconds() * 1000L);
        } catch (jakarta.ws.rs.ProcessingException e) {
            throw new RegistryException(address.registry() + ": cannot reach the token endpoint " + realm + ": "
                    + RegistryClient.reason(e), e);
        }
    }
}

package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The registry credentials that {@code docker login} keeps, handed to the engine as {@code X-Registry-Auth} when it
 * pulls: the engine keeps none itself, the docker CLI sends them with each pull. Read from {@code config.json} in
 * {@code $DOCKER_CONFIG} or {@code ~/.docker}: inline {@code auths} entries, or a credential helper
 * ({@code credHelpers} for the registry, else {@code credsStore}), the program {@code docker-credential-NAME} on the
 * PATH, run directly (no shell) with {@code get}, as the docker CLI runs it.
 */
public final class RegistryAuth {
    /** No credentials: every registry is asked anonymously. */
    public static final RegistryAuth NONE = new RegistryAuth(null, Map.of(), w -> { });

    /** The key {@code docker login} uses for Docker Hub. */
    static final String DOCKER_HUB = "https://index.docker.io/v1/";
    private static final Pattern HELPER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final JsonNode config;
    private final Map<String, String> env;
    private final Consumer<String> warn;
    /** The header per registry, asked once (a helper may be slow); "" when there are no credentials. */
    private final Map<String, String> headers = new HashMap<>();
    /** Helpers that could not be run: said once, not once per registry. */
    private final Map<String, String> brokenHelpers = new HashMap<>();
    /** Why the last helper asked gave nothing, when it could not be run or failed; else null. */
    private String helperFailure;
    /** Per registry, why its credential helper gave nothing, when it could not be run or failed. */
    private final Map<String, String> helperProblems = new HashMap<>();

    private RegistryAuth(JsonNode config, Map<String, String> env, Consumer<String> warn) {
        this.config = config;
        this.env = env;
        this.warn = warn;
    }

    /**
     * The docker CLI's credentials on this host. A config.json that cannot be read is warned about and left out:
     * the registries are then asked anonymously.
     */
    public static RegistryAuth fromDockerConfig(Map<String, String> env, Consumer<String> warn) {
        Path file = configFile(env);
        if (file == null || !Files.isRegularFile(file)) {
            return new RegistryAuth(null, env, warn);
        }
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode config = DockerJson.MAPPER.readTree(in);
            if (config == null || config.isMissingNode()) {
                return new RegistryAuth(null, env, warn); // empty, as the docker CLI may leave it
            }
            if (!config.isObject()) {
                throw new IOException("not a JSON object");
            }
            return new RegistryAuth(config, env, warn);
        } catch (JsonProcessingException e) {
            // the parser's text quotes the file, which holds secrets: only where it stopped
            JsonLocation at = e.getLocation();
            warn.accept("ignoring " + file + " (the docker CLI's credentials): not valid JSON" + (at == null ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + "; registries are asked without credentials");
            return new RegistryAuth(null, env, warn);
        } catch (IOException e) {
            warn.accept("ignoring " + file + " (the docker CLI's credentials): " + e.getMessage().lines().findFirst()
                    .orElse("unreadable") + "; registries are asked without credentials");
            return new RegistryAuth(null, env, warn);
        }
    }

    static Path configFile(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir, "config.json");
        }
        String home = env.get("HOME");
        return home == null || home.isBlank() ? null : Path.of(home, ".docker", "config.json");
    }

    /**
     * The registry of an image reference as the engine resolves it: the part before the first slash when it names a
     * host (has a dot, a port or a capital letter, or is localhost), else Docker Hub.
     */
    public static String registry(String reference) {
        int slash = reference.indexOf('/');
        if (slash > 0) {
            String first = reference.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(Locale.ROOT))) {
                return first.equals("index.docker.io") || first.equals("docker.io") ? "docker.io" : first;
            }
        }
        return "docker.io";
    }

    /** The {@code X-Registry-Auth} value for pulling {@code reference}, or null to ask the registry anonymously. */
    public String header(String reference) {
        return headerOf(registry(reference));
    }

    /**
     * What {@code docker login} stored for a registry, for asking it directly.
     *
     * @param identityToken an OAuth refresh token given in place of a password, or null
     */
    public record Credentials(String username, String password, String identityToken) {
        @Override
        public String toString() {
            return "Credentials[" + username + "]"; // never the secret
        }
    }

    /** The credentials for {@code registry} (as references name it: {@code docker.io}, {@code host:port}), or null. */
    public Credentials login(String registry) {
        String header = headerOf(registry);
        if (header == null) {
            return null;
        }
        try {
            JsonNode auth = DockerJson.MAPPER.readTree(Base64.getUrlDecoder().decode(header));
            return new Credentials(auth.path("username").asText(""), auth.path("password").asText(""),
                    text(auth.path("identitytoken")));
        } catch (IOException e) {
            throw new IllegalStateException("the credentials just encoded cannot be read", e);
        }
    }

    private String headerOf(String registry) {
        String header = headers.computeIfAbsent(registry, r -> {
            ObjectNode auth = config == null ? null : credentials(r);
            return auth == null ? "" : Base64.getUrlEncoder().encodeToString(
                    auth.toString().getBytes(StandardCharsets.UTF_8));
        });
        return header.isEmpty() ? null : header;
    }

    /** Whether credentials for the registry of {@code reference} were found. */
    public boolean has(String reference) {
        return header(reference) != null;
    }

    /**
     * Why the credential helper that config.json names for the registry of {@code reference} gave nothing (it is
     * missing, failed or did not answer), or null when it answered or none is named.
     */
    public String helperProblem(String reference) {
        header(reference);
        return helperProblems.get(registry(reference));
    }

    private ObjectNode credentials(String registry) {
        String server = registry.equals("docker.io") ? DOCKER_HUB : registry;
        String helper = text(config.path("credHelpers").path(registry));
        if (helper == null && registry.equals("docker.io")) {
            helper = text(config.path("credHelpers").path(DOCKER_HUB));
        }
        if (helper == null) {
            helper = text(config.path("credsStore"));
        }
        if (helper != null) {
            // as the docker CLI: a registry kept by a helper gets the helper's answer, never an auths entry
            helperFailure = null;
            ObjectNode fromHelper = fromHelper(helper, server);
            if (fromHelper == null && helperFailure != null) {
                helperProblems.put(registry, helperFailure);
            }
            return fromHelper;
        }
        JsonNode entry = entry(registry, server);
        return entry == null ? null : inline(entry, server);
    }

    /** The {@code auths} entry for the registry: its exact key, else a key with a scheme or a path around it. */
    private JsonNode entry(String registry, String server) {
        JsonNode auths = config.path("auths");
        if (auths.has(server)) {
            return auths.get(server);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = auths.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String host = hostOf(field.getKey());
            if (host.equals(registry) || registry.equals("docker.io")
                    && (host.equals("index.docker.io") || host.equals("registry-1.docker.io"))) {
                return field.getValue();
            }
        }
        return null;
    }

    /** {@code https://host:port/v1/} -> {@code host:port}, as the docker CLI compares keys. */
    static String hostOf(String key) {
        String host = key.toLowerCase(Locale.ROOT).startsWith("https://") ? key.substring(8)
                : key.toLowerCase(Locale.ROOT).startsWith("http://") ? key.substring(7) : key;
        int slash = host.indexOf('/');
        return slash < 0 ? host : host.substring(0, slash);
    }

    private ObjectNode inline(JsonNode entry, String server) {
        ObjectNode auth = DockerJson.MAPPER.createObjectNode();
        String encoded = text(entry.path("auth"));
        if (encoded != null) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                warn.accept("the docker CLI's credentials for " + server + " are not valid base64; ignored");
                return null;
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                warn.accept("the docker CLI's credentials for " + server + " lack a password; ignored");
                return null;
            }
            auth.put("username", pair.substring(0, colon)).put("password", pair.substring(colon + 1));
        } else if (text(entry.path("username")) != null) {
            auth.put("username", text(entry.path("username")))
                    .put("password", entry.path("password").asText(""));
        }
        String token = text(entry.path("identitytoken"));
        if (token != null) {
            auth.put("identitytoken", token);
        }
        if (auth.isEmpty()) {
            return null; // an entry a credential store keeps empty
        }
        return auth.put("serveraddress", server);
    }

    /** Asks {@code docker-credential-NAME get}; null when it has nothing for the server or cannot be run. */
    private ObjectNode fromHelper(String name, String server) {
        String program = "docker-credential-" + name;
        Path path = helperPath(name, program);
        if (path == null) {
            return null;
        }
        try {
            CredentialProgram.Answer answer = CredentialProgram.get(path, program, server);
            if (answer == null) {
                helperFailure = program + " did not answer";
                warn.accept(program + " did not answer within " + CredentialProgram.ANSWER_SECONDS + " s; " + server
                        + " is asked without credentials");
                return null;
            }
            return fromAnswer(program, server, answer);
        } catch (IOException e) {
            helperFailure = program + " could not be run";
            warn.accept(program + " could not be asked for " + server + ": " + e.getMessage() + "; " + server
                    + " is asked without credentials");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The helper program to run, or null (said once per helper) when its name is not valid or it is not there. */
    private Path helperPath(String name, String program) {
        if (brokenHelpers.containsKey(name)) {
            helperFailure = brokenHelpers.get(name);
            return null;
        }
        if (!HELPER.matcher(name).matches()) {
            brokenHelpers.put(name, helperFailure = "the credential helper '" + name + "' that config.json names is"
                    + " not a valid name");
            warn.accept("the docker CLI's credential helper '" + name + "' is not a valid name; not run; registries"
                    + " are asked without its credentials");
            return null;
        }
        Path path = CredentialProgram.onPath(program, env.get("PATH"));
        if (path == null) {
            brokenHelpers.put(name, helperFailure = program + ", which config.json names, is not on the PATH");
            warn.accept("the docker CLI keeps credentials with " + program + ", which is not on the PATH;"
                    + " registries are asked without its credentials");
        }
        return path;
    }

    /** The credentials in the helper's answer; null when it failed, has none for the server or gave no JSON. */
    private ObjectNode fromAnswer(String program, String server, CredentialProgram.Answer answer) {
        if (answer.tooLong()) {
            helperFailure = program + " answered more than a credential";
            warn.accept(program + " answered more than a credential for " + server + "; ignored");
            return null;
        }
        if (answer.exitCode() != 0) {
            String said = answer.text();
            if (!said.toLowerCase(Locale.ROOT).contains("credentials not found")) {
                helperFailure = program + " failed";
                String first = said.lines().findFirst().orElse("");
                warn.accept(program + " failed for " + server + (first.isEmpty() ? "" : ": "
                        + (first.length() > 200 ? first.substring(0, 200) + "..." : first))
                        + "; " + server + " is asked without credentials");
            }
            return null;
        }
        JsonNode json;
        try {
            json = DockerJson.MAPPER.readTree(answer.stdout());
        } catch (IOException e) {
            // its text is not repeated: it may hold the secret
            helperFailure = program + " gave no JSON";
            warn.accept(program + " gave no JSON for " + server + "; " + server + " is asked without credentials");
            return null;
        }
        return helperAuth(json, server);
    }

    /** {@code Username} and {@code Secret} as the engine takes them; a {@code <token>} user marks an identity token. */
    private static ObjectNode helperAuth(JsonNode answer, String server) {
        String user = text(answer.path("Username"));
        String secret = text(answer.path("Secret"));
        if (secret == null) {
            return null;
        }
        ObjectNode auth = DockerJson.MAPPER.createObjectNode();
        if ("<token>".equals(user)) {
            auth.put("identitytoken", secret);
        } else {
            auth.put("username", user == null ? "" : user).put("password", secret);
        }
        return auth.put("serveraddress", server);
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }
}

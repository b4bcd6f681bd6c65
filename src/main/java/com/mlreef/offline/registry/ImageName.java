package com.mlreef.offline.registry;

import com.mlreef.offline.docker.RegistryAuth;
import java.util.regex.Pattern;

/**
 * An image reference split as a registry reads it: {@code registry.example.com:5000/team/app:1} is the registry
 * {@code registry.example.com:5000}, the repository {@code team/app} and the tag {@code 1}. Docker Hub's short names
 * get {@code library/}; a reference without tag or digest takes {@code latest}.
 *
 * @param registry   the registry as references spell it ({@code docker.io} for Docker Hub)
 * @param repository the repository path in the registry
 * @param tag        the tag, or null when the reference gives a digest only
 * @param digest     the manifest digest ({@code sha256:...}), or null
 */
public record ImageName(String registry, String repository, String tag, String digest) {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:]+](:[0-9]{1,5})?");

    /** Parses and checks a reference; a reference that is not valid is refused with exit 2. */
    public static ImageName parse(String reference) {
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw RegistryException.usage("image " + reference + ": the digest is not sha256: and 64 hex digits");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw RegistryException.usage("image " + reference + ": '" + tag + "' is not a valid tag");
            }
        } else if (digest == null) {
            tag = "latest";
        }
        String registry = RegistryAuth.registry(rest);
        String path = rest;
        if (!registry.equals("docker.io") || rest.startsWith("docker.io/") || rest.startsWith("index.docker.io/")) {
            path = rest.substring(rest.indexOf('/') + 1);
        }
        if (registry.equals("docker.io") && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!HOST.matcher(registry).matches()) {
            throw RegistryException.usage("image " + reference + ": '" + registry + "' is not a valid registry host");
        }
        checkRepository(reference, path);
        return new ImageName(registry, path, tag, digest);
    }

    /** Refuses a repository path that is not lower-case components joined by slashes (exit 2). */
    public static void checkRepository(String what, String repository) {
        if (repository.length() > 255 || repository.isEmpty()) {
            throw RegistryException.usage("image " + what + ": the repository name is empty or too long");
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw RegistryException.usage("image " + what + ": '" + repository + "' is not a valid repository"
                        + " name (lower-case letters, digits and . _ - between them, parts joined by /)");
            }
        }
    }

    /** What the registry's manifest endpoint is asked for: the digest when there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest : tag;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}

package com.mlreef.offline.registry;

import com.mlreef.offline.docker.ImageReference;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.util.regex.Pattern;

/**
 * Where a bundle's images go in a registry ({@code push --registry}) and are pulled from ({@code run --registry}):
 * {@code HOST[:PORT][/PREFIX]}. An image keeps its repository path and tag under it, its own registry's host left
 * out: {@code registry.gitlab.com/mlreef/mlreef:latest} becomes {@code HOST/PREFIX/mlreef/mlreef:latest}, {@code
 * postgres:11} becomes {@code HOST/PREFIX/library/postgres:11}.
 *
 * @param host   the host and port, as references name it ({@code registry.local:5000})
 * @param prefix repository path components put before each image's path, or "" for none
 */
public record RegistryLocation(String host, String prefix) {
    private static final Pattern HOST_NAME = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
            + "(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-fA-F:.]+]");
    /** A repository path component, as the distribution spec defines it. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{64})");
    private static final int MAX_NAME = 255;

    /** The option's value checked: a clear one-line usage error (exit 2) names what is wrong. */
    public static RegistryLocation parse(String option, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            throw usage(option, value, "it is empty; give HOST[:PORT][/PREFIX], such as registry.local:5000/mlreef");
        }
        if (v.contains("://")) {
            throw usage(option, value, "give the host without a scheme (registry.local:5000, not https://...)");
        }
        if (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        int slash = v.indexOf('/');
        String host = slash < 0 ? v : v.substring(0, slash);
        String prefix = slash < 0 ? "" : v.substring(slash + 1);
        checkHost(option, value, host);
        for (String component : prefix.isEmpty() ? new String[0] : prefix.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw usage(option, value, "the prefix part '" + component + "' is not a repository path component"
                        + " (lower-case letters and digits, separated by . _ __ or -)");
            }
        }
        return new RegistryLocation(host, prefix);
    }

    private static void checkHost(String option, String value, String host) {
        String name = host;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && !host.endsWith("]")) {
            String port = host.substring(colon + 1);
            name = host.substring(0, colon);
            int number;
            try {
                number = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65535) {
                throw usage(option, value, "the port '" + port + "' is not a number from 1 to 65535");
            }
        }
        if (!(HOST_NAME.matcher(name).matches() || IPV6.matcher(name).matches()) || name.length() > 253) {
            throw usage(option, value, "'" + name + "' is not a host name or IP address");
        }
    }

    private static ToolException usage(String option, String value, String why) {
        return new ToolException(ExitCode.USAGE, option + ": '" + value + "': " + why);
    }

    /** The repository (without host) an image reference goes to: PREFIX/path. */
    public String repository(String reference) {
        String name = nameOf(ImageReference.normalized(reference));
        String path = name.substring(RegistryAuth.registry(name).length() + 1);
        String repository = prefix.isEmpty() ? path : prefix + "/" + path;
        if (repository.length() + host.length() + 1 > MAX_NAME) {
            throw new ToolException(ExitCode.FAILED, "image " + reference + " under " + this + " makes a name longer"
                    + " than " + MAX_NAME + " characters; give a shorter prefix");
        }
        return repository;
    }

    /**
     * The tag an image reference keeps: its own, or for a reference by digest {@code sha256-HEX} (the pushed manifest
     * is written anew, so the digest itself does not name it there).
     */
    public static String tag(String reference) {
        String normalized = ImageReference.normalized(reference);
        int at = normalized.indexOf('@');
        if (at >= 0) {
            var digest = DIGEST.matcher(normalized.substring(at + 1));
            return digest.matches() ? "sha256-" + digest.group(1) : "latest";
        }
        return normalized.substring(normalized.lastIndexOf(':') + 1);
    }

    /** The full reference an image has in this registry: HOST/PREFIX/path:tag. */
    public String reference(String reference) {
        return host + "/" + repository(reference) + ":" + tag(reference);
    }

    private static String nameOf(String normalized) {
        int at = normalized.indexOf('@');
        if (at >= 0) {
            return normalized.substring(0, at);
        }
        return normalized.substring(0, normalized.lastIndexOf(':'));
    }

    @Override
    public String toString() {
        return prefix.isEmpty() ? host : host + "/" + prefix;
    }
}

package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleException;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.Progress;
import com.mlreef.offline.ui.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The pull phase of export: each image of the stack as the engine has it, pulled first when the registry has newer. */
final class ImagePuller {
    /** How the engine says that the registry wants credentials, or refused those it got. */
    private static final Pattern AUTH_REFUSED = Pattern.compile("no basic auth credentials|unauthorized"
            + "|authentication required");
    /** How the engine says that the repository does not exist or the account may not read it (registries differ). */
    private static final Pattern ACCESS_DENIED = Pattern.compile("access (to the resource is )?denied"
            + "|require 'docker login'");

    private final DockerEngine engine;
    private final Console console;
    private final RegistryAuth auth;
    private final List<String> notPulled = new ArrayList<>();

    ImagePuller(DockerEngine engine, Console console, RegistryAuth auth) {
        this.engine = engine;
        this.console = console;
        this.auth = auth;
    }

    /** The images whose pull failed, exported as the engine had them. */
    List<String> notPulled() {
        return List.copyOf(notPulled);
    }

    /** The image in the engine, pulled first unless it is already at the registry's digest. */
    ImageInspect resolve(String reference, boolean pull) {
        ImageInspect local = DockerEngine.orNull(() -> engine.inspectImage(reference));
        if (!pull) {
            if (local == null) {
                throw new BundleException("image " + reference + " is not in the engine; pull it, or export without"
                        + " --no-pull");
            }
            return local;
        }
        String digest = registryDigest(reference);
        if (local != null && digest != null && local.repoDigests() != null
                && local.repoDigests().stream().anyMatch(d -> d.endsWith("@" + digest))) {
            console.info(reference + ": up to date (" + digest.substring(0, 19) + "), not pulled");
            return local;
        }
        try {
            pull(reference);
        } catch (DockerException e) {
            if (local == null) {
                throw new BundleException(pullFailure(reference, e), e);
            }
            console.warn(pullFailure(reference, e) + "; exporting the image the engine has");
            notPulled.add(reference);
            return local;
        }
        ImageInspect pulled = DockerEngine.orNull(() -> engine.inspectImage(reference));
        if (pulled == null) {
            throw new BundleException("image " + reference + " is missing from the engine after its pull");
        }
        return pulled;
    }

    private String registryDigest(String reference) {
        try {
            return engine.registryDigest(reference, auth.header(reference));
        } catch (DockerException e) {
            console.debug("cannot ask the registry about " + reference + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The engine's message (a last part it repeats said once), and what to do when the registry wants credentials
     * that it did not get, refused those it got, denies the repository (which may not exist: registries do not tell
     * that from a repository the account may not read), or lacks the tag.
     */
    private String pullFailure(String reference, DockerException e) {
        String said = e.getMessage().replaceFirst("(: ([^:]+))\\1$", "$1");
        String message = said.toLowerCase(Locale.ROOT);
        String login = "'docker login " + RegistryAuth.registry(reference) + "'";
        boolean has = auth.has(reference);
        String helper = has ? null : auth.helperProblem(reference);
        if (helper != null && (AUTH_REFUSED.matcher(message).find() || ACCESS_DENIED.matcher(message).find())) {
            return said + "; the registry wants credentials, but " + helper + ": install it, or remove it from"
                    + " config.json and run " + login;
        }
        return said + hint(message, login, has);
    }

    private static String hint(String message, String login, boolean has) {
        if (AUTH_REFUSED.matcher(message).find()) {
            return has ? "; the registry refused the credentials of " + login + ": log in again"
                    : "; the registry wants credentials: " + login + " (export sends what docker login stores), or"
                            + " pull the images with docker and export with --no-pull";
        }
        if (ACCESS_DENIED.matcher(message).find()) {
            return has ? "; check the image's name: the repository does not exist, or the account of " + login
                    + " may not read it"
                    : "; check the image's name: the repository does not exist, or it needs credentials: " + login
                            + " (export sends what docker login stores)";
        }
        if (message.contains("manifest unknown") || message.contains("not found")) {
            return "; check the image's name and tag in the stack file";
        }
        return "";
    }

    /** Pulls with progress in bytes over all layers. */
    private void pull(String reference) {
        Map<String, long[]> layers = new LinkedHashMap<>();
        try (Progress progress = Progress.start(console, "pulling " + reference, 0)) {
            engine.pullImage(reference, auth.header(reference), (ProgressMessage m) -> {
                if (m.id() == null || m.status() == null) {
                    return;
                }
                long[] layer = layers.computeIfAbsent(m.id(), k -> new long[3]);
                boolean retrying = m.status().startsWith("Retrying in");
                if (retrying && layer[2] == 0) { // said once per retry: the engine counts down every second
                    console.info("pulling " + reference + ": layer " + m.id() + " broke off; the engine tries again ("
                            + m.status() + ")");
                }
                layer[2] = retrying ? 1 : 0;
                if (m.status().equals("Downloading") && m.progressDetail() != null
                        && m.progressDetail().total() != null) {
                    layer[0] = m.progressDetail().current() == null ? 0 : m.progressDetail().current();
                    layer[1] = m.progressDetail().total();
                } else if (m.status().equals("Download complete") || m.status().equals("Pull complete")) {
                    layer[0] = layer[1];
                }
                long current = 0;
                long total = 0;
                for (long[] l : layers.values()) {
                    current += l[0];
                    total += l[1];
                }
                progress.total(total);
                progress.update(current);
            });
            progress.done("pulled " + reference + " in " + Sizes.seconds(progress.elapsed()));
        }
    }
}

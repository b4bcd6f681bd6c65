package com.mlreef.offline.stackfile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a stack file: the Compose subset this tool runs (services with image, container_name, command, ports,
 * volumes, environment, networks, restart, healthcheck, labels, depends_on and the settings {@link ServiceOptions}
 * reads; top-level name, volumes, networks) and the {@code x-offline} extension. Unknown keys are errors naming their
 * path; other {@code x-} keys are ignored, as Compose does. {@link StackDocument} reads the text once and resolves its
 * variables; {@link StackReader} reads the tree.
 */
public final class StackFile {
    /** A service's keys (besides {@link #SETTINGS_KEYS}, {@link #ENGINE_KEYS} and x-offline), as the help lists them. */
    public static final List<String> SERVICE_KEYS = ServiceReader.KEYS;
    /** A service's container settings, read by {@link ServiceOptions}. */
    public static final List<String> SETTINGS_KEYS = ServiceOptions.KEYS;
    /** A service's keys that are one engine field each, read by {@link EngineSettings}. */
    public static final List<String> ENGINE_KEYS = EngineSettings.KEYS;

    /** The variable naming the Compose profiles whose services run too (comma-separated), as docker compose reads it. */
    public static final String PROFILES_VARIABLE = ComposeKeys.PROFILES_VARIABLE;

    /** The embedded default: the MLReef Nautilus stack. */
    public static final String DEFAULT_RESOURCE = "/stacks/nautilus.yaml";
    /** The longest duration a stack file gives. */
    static final int MAX_DAYS = 30;

    private static final Set<String> COMPOSE_NAMES = Set.of("compose", "docker-compose");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9}(?:\\.[0-9]{1,9})?)(ms|s|m|h)");

    private StackFile() {
    }

    /** The embedded default stack's text, as {@code stack show} prints it. */
    public static String defaultText() {
        try (InputStream in = StackFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default stack is missing from this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stack file's text as written, and what it says.
     *
     * @param imageVariables the variables the images' names take, with their values (null: not set)
     */
    public record Loaded(String text, StackSpec spec, Map<String, String> imageVariables, Map<String, Build> builds) {
        public Loaded(String text, StackSpec spec, Map<String, String> imageVariables) {
            this(text, spec, imageVariables, Map.of());
        }
    }

    /**
     * A service's {@code build:}: export builds its image from {@code context} (relative to the stack file's folder)
     * on the online host; run never builds.
     *
     * @param args   the build arguments, their variables resolved
     * @param context    the context folder: relative to the project folder (normalized, inside it), or absolute
     * @param dockerfile the Dockerfile, relative to the context (it may lie outside it), or absolute
     * @param target     the Dockerfile's stage to build, or null for its last
     * @param labels     the labels the built image gets
     */
    public record Build(String context, String dockerfile, Map<String, String> args, String target,
                        Map<String, String> labels) {
        public Build(String context, String dockerfile, Map<String, String> args, String target) {
            this(context, dockerfile, args, target, Map.of());
        }
    }

    /**
     * Reads and checks a stack file, or the embedded default when {@code file} is null: {@link StackDocument#load}
     * then {@link StackDocument#resolveLoaded}.
     */
    public static Loaded load(Path file, Map<String, String> variables, Consumer<String> warnings) {
        return StackDocument.load(file, warnings).resolveLoaded(variables, warnings);
    }

    /**
     * The name of a stack file's stack when it has no {@code name:} key: the file's name, or for a file with one of
     * Compose's own names (compose.yaml, docker-compose.yml), its folder's name, as Compose names the project, so
     * that two projects' compose.yaml are not one stack.
     */
    static String nameFromFile(Path file) {
        String base = file.getFileName().toString().replaceFirst("\\.(ya?ml)$", "").toLowerCase(Locale.ROOT);
        Path folder = file.toAbsolutePath().normalize().getParent();
        if (COMPOSE_NAMES.contains(base) && folder != null && folder.getFileName() != null) {
            base = folder.getFileName().toString().toLowerCase(Locale.ROOT);
        }
        String name = base.replaceAll("[^a-z0-9_-]", "-").replaceAll("^[^a-z0-9]+", "");
        return name.isEmpty() ? "stack" : name;
    }

    /** Composes and checks a stack file's text: {@link StackDocument#of} then {@link StackDocument#resolve}. */
    public static StackSpec parse(String text, String source, String defaultName, Map<String, String> variables,
                                  Consumer<String> warnings) {
        return StackDocument.of(text, source, defaultName).resolve(variables, warnings);
    }

    /** Compose's durations (30s, 1.5m, 1h30m, 500ms; a bare number is seconds), up to 30 days; null if not one. */
    public static Duration parseDuration(String text) {
        if (text.matches("[0-9]{1,9}")) {
            return atMostMax(Duration.ofSeconds(Long.parseLong(text)));
        }
        Matcher m = DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            double value = Double.parseDouble(m.group(1));
            long millis = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            total = total.plusMillis(Math.round(value * millis));
            end = m.end();
        }
        return end != text.length() || end == 0 ? null : atMostMax(total);
    }

    private static Duration atMostMax(Duration d) {
        return d.compareTo(Duration.ofDays(MAX_DAYS)) > 0 ? null : d;
    }

    /** An IPv4 or IPv6 address. */
    public static boolean isIp(String text) {
        return AddressRules.isIp(text);
    }

    /** Eight groups of up to four hex digits, or fewer with one {@code ::}; the last two may be an IPv4 address. */
    static boolean isIpv6(String text) {
        return AddressRules.isIpv6(text);
    }
}

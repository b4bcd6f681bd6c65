package com.mlreef.offline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built tool as a user would: the native executable when {@code native.image.path} names one (it must
 * exist then), else {@code java -jar target/mlreef-offline.jar}; captures exit code, stdout and stderr.
 */
public final class CliProcess {

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private CliProcess() {
    }

    /** Whether the tool under test is the native executable (else the jar on a JVM). */
    public static boolean isNative() {
        String nativePath = System.getProperty("native.image.path");
        return nativePath != null && !nativePath.isBlank() && !nativePath.startsWith("${");
    }

    /** The native executable under test; only when {@link #isNative()}. */
    public static Path nativeExecutable() {
        Path executable = Path.of(System.getProperty("native.image.path")).toAbsolutePath();
        // a build that made the executable tests it: never the jar instead
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException(executable + " (native.image.path) is not an executable");
        }
        return executable;
    }

    public static List<String> command() {
        if (isNative()) {
            return List.of(nativeExecutable().toString());
        }
        String jar = System.getProperty("mlreef.offline.jar", "target/mlreef-offline.jar");
        if (!Files.exists(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: integration tests run after 'package'");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-jar", Path.of(jar).toAbsolutePath().toString());
    }

    public static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(List.of(), env, args);
    }

    /** @param prefix a command to run the tool under (setpriv to drop root), or empty */
    public static Result run(List<String> prefix, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return runIn(null, prefix, env, args);
    }

    /** @param dir the working folder, or null for this process's */
    public static Result runIn(Path dir, List<String> prefix, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return runIn(dir, null, prefix, env, args);
    }

    /** The same, its standard input read from {@code input} (null: none). */
    public static Result runIn(Path dir, Path input, List<String> prefix, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(command());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().remove("DOCKER_HOST");
        pb.environment().putAll(env);
        if (input != null) {
            pb.redirectInput(input.toFile());
        }
        Process p = pb.start();
        if (input == null) {
            p.getOutputStream().close();
        }
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** Starts the tool without waiting, its output going to files in {@code logs}; for tests that kill it. */
    public static Process start(Path logs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(command());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("DOCKER_HOST");
        pb.redirectOutput(logs.resolve("stdout.txt").toFile());
        pb.redirectError(logs.resolve("stderr.txt").toFile());
        return pb.start();
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<unreadable: " + e.getMessage() + ">";
            }
        });
    }
}

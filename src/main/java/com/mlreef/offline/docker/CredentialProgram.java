package com.mlreef.offline.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A credential helper of the docker CLI, the program {@code docker-credential-NAME}, run directly (no shell) with
 * {@code get} and the server on its stdin, as the docker CLI runs it.
 */
final class CredentialProgram {
    static final long ANSWER_SECONDS = 30;
    private static final int OUTPUT_LIMIT = 1 << 16;
    private static final long DRAIN_SECONDS = 2;

    /** How it ended and what it wrote to stdout, up to one byte more than {@link #OUTPUT_LIMIT}. */
    record Answer(int exitCode, byte[] stdout) {
        boolean tooLong() {
            return stdout.length > OUTPUT_LIMIT;
        }

        String text() {
            return new String(stdout, StandardCharsets.UTF_8).trim();
        }
    }

    private CredentialProgram() {
    }

    /**
     * Runs {@code program get} for the server; null when it did not end within {@link #ANSWER_SECONDS}. The program
     * and whatever it started are killed before this returns.
     */
    static Answer get(Path path, String program, String server) throws IOException, InterruptedException {
        Process process = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(path.toString(), "get");
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            process = builder.start();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            Thread reader = startReading(process.getInputStream(), read, "read " + program);
            tell(process, server);
            if (!process.waitFor(ANSWER_SECONDS, TimeUnit.SECONDS)) {
                return null;
            }
            // what it wrote before it ended is in the pipe; a process it left behind holding the pipe is not waited for
            reader.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
            synchronized (read) {
                return new Answer(process.exitValue(), read.toByteArray());
            }
        } finally {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    /** Reads on a thread of its own: a process the helper started may keep its output open after it ends. */
    private static Thread startReading(InputStream stdout, ByteArrayOutputStream read, String threadName) {
        Thread reader = new Thread(() -> readUpTo(stdout, read, OUTPUT_LIMIT + 1), threadName);
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static void tell(Process process, String server) {
        try (var stdin = process.getOutputStream()) {
            stdin.write(server.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // it ended without reading the server: its exit code and output tell why
        }
    }

    /** Copies {@code in} into {@code out} (locked while written) until its end or {@code limit} bytes. */
    private static void readUpTo(InputStream in, ByteArrayOutputStream out, int limit) {
        byte[] buffer = new byte[8192];
        try {
            int total = 0;
            int n;
            while (total < limit && (n = in.read(buffer, 0, Math.min(buffer.length, limit - total))) > 0) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                }
                total += n;
            }
        } catch (IOException e) {
            // the helper's output ends here; what was read is judged by its exit code and content
        }
    }

    /** The executable {@code program} in the first directory of {@code path} (the PATH variable) holding it. */
    static Path onPath(String program, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}

package com.mlreef.offline.stack;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One command changing stacks at a time on a host (run, stop, start, restart, down): a lock on a file in /run/lock (or
 * the temporary folder), holding the pid of the command that has it. A second one says who holds it and waits. The
 * operating system releases it when a command dies.
 */
public final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static Path defaultPath() {
        Path runLock = Path.of("/run/lock");
        Path dir = Files.isDirectory(runLock) && Files.isWritable(runLock) ? runLock
                : Path.of(System.getProperty("java.io.tmpdir"));
        return dir.resolve("mlreef-offline.lock");
    }

    public static RunLock acquire(Path file, Console console) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
                console.info("another mlreef-offline command" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + " is changing the stacks on this host (it holds " + file + "); waiting for it to finish");
                lock = channel.lock();
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot take the lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            // released by the operating system when the process ends
        }
    }
}

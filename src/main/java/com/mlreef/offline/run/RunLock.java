package com.mlreef.offline.run;

import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.IoReason;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One command changing stacks at a time on a host (run, stop, start, restart, down): a lock on a file in /run/lock (or
 * the temporary folder), holding the pid of the command that has it. A second one says who holds it and waits. The
 * operating system releases it when a command dies. Every user who may use the engine (root, the docker group) can
 * take it, whoever made the file.
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

    /**
     * @param engineSocket the engine's unix socket, whose group may use the engine and so shares the lock; null for an
     *                     engine reached over TCP (then every user may take the lock)
     */
    public static RunLock acquire(Path file, Console console, Path engineSocket) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new ToolException(ExitCode.FAILED, "cannot take the lock " + file + ": permission denied (" + owner(file)
                    + " made it without write access for others, as an earlier mlreef-offline did); run this command"
                    + " as root once, which lets every user of the engine share the lock, or remove the file");
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot take the lock " + file + ": " + IoReason.of(e), e);
        }
        share(file, engineSocket);
        try {
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
            try {
                channel.close();
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new ToolException(ExitCode.FAILED, "cannot take the lock " + file + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Lets every user who may use the engine take the lock, whoever made the file: group-writable by the socket's group
     * (docker), or writable by all when there is no socket or its group cannot be given. Only the file's owner (or
     * root) can change it; for anyone else it stays as it is.
     */
    private static void share(Path file, Path engineSocket) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            boolean grouped = false;
            if (engineSocket != null) {
                try {
                    GroupPrincipal group = Files.readAttributes(engineSocket, PosixFileAttributes.class).group();
                    if (!group.equals(view.readAttributes().group())) {
                        view.setGroup(group);
                    }
                    grouped = true;
                } catch (IOException e) {
                    // not a member of the socket's group (or no socket): writable by all instead
                }
            }
            Set<PosixFilePermission> wanted = PosixFilePermissions.fromString(grouped ? "rw-rw----" : "rw-rw-rw-");
            if (!view.readAttributes().permissions().containsAll(wanted)) {
                view.setPermissions(wanted);
            }
        } catch (IOException e) {
            // not the file's owner: its owner decides who may write it
        }
    }

    private static String owner(Path file) {
        try {
            return "user " + Files.getOwner(file).getName();
        } catch (IOException e) {
            return "another user";
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

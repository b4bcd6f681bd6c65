package com.mlreef.offline.pip;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The package index over HTTP (the JDK's HTTP server): the folder's distributions at {@code /simple/}. Started only by
 * {@code pip-serve}; stopped by {@link #close()}.
 */
public final class PipIndexServer implements AutoCloseable {
    /** Requests answered at once; more wait for a thread (pages are small and files stream). */
    static final int THREADS = 16;
    private final HttpServer server;
    private final ExecutorService threads;

    private PipIndexServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Scans the folder and listens on the address (port 0: any free port). */
    public static PipIndexServer start(Path folder, InetSocketAddress address, AccessLog log) throws IOException {
        return start(folder, address, log, false);
    }

    /**
     * As {@link #start(Path, InetSocketAddress, AccessLog)}; {@code metadataForOldPip}: give pip 22.3 to 23.0 the
     * wheels' metadata too ({@link PageForm#readsMetadataFromHtmlOnly}).
     */
    public static PipIndexServer start(Path folder, InetSocketAddress address, AccessLog log, boolean metadataForOldPip)
            throws IOException {
        // small answers on kept-alive connections: without it Nagle's algorithm delays them (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        FolderIndex index = new FolderIndex(folder);
        HttpServer server = HttpServer.create(address, 128);
        AtomicInteger n = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "pip-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", new IndexHandler(index, log, metadataForOldPip));
        server.setExecutor(threads);
        server.start();
        return new PipIndexServer(server, threads);
    }

    /** The address listened on (with the port chosen, when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening; requests under way get up to a second to finish. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdownNow();
    }
}

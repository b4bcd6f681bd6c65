package com.mlreef.offline.cli;

import com.mlreef.offline.docker.DockerException;
import com.mlreef.offline.lifecycle.StackFinder;
import com.mlreef.offline.pip.AccessLog;
import com.mlreef.offline.pip.PipIndexServer;
import com.mlreef.offline.run.NetworkGateway;
import com.mlreef.offline.ui.Console;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pip-serve", mixinStandardHelpOptions = true, description = {
        "Serve a folder of Python packages as a package index that pip installs from.",
        "Serves the wheels (.whl) and source distributions (.tar.gz, .zip) in DIR and its subfolders at "
            + "http://ADDRESS:PORT/simple/ (PEP 503 HTML, or PEP 691 JSON when pip asks for it), each file with its "
            + "SHA-256 and, for wheels, its metadata (PEP 658), so pip checks hashes and resolves without downloading "
            + "whole wheels. Files added to DIR show within a second, without a restart. Hidden files and links "
            + "that lead out of DIR are not served.",
        "By default it listens where the stack's containers reach this host (the gateway of the stack's network, "
            + "else of the engine's default bridge, docker0; the engine is asked only then), and prints the -s value "
            + "to give 'run'. It runs in the foreground until Ctrl-C or SIGTERM, and logs each request on stderr."},
        footer = {"", "Examples:",
            "  pip download -d packages -r requirements.txt       # on a host with internet",
            "  mlreef-offline pip-serve packages                  # on the offline host",
            "    (prints the -s value, such as: -s http://172.17.0.1:8080/simple/)",
            "  mlreef-offline run -d mlreef-images-tar -s http://172.17.0.1:8080/simple/",
            "  mlreef-offline pip-serve packages -p 9000 --bind 0.0.0.0",
            "  pip install --index-url http://172.17.0.1:8080/simple/ numpy",
            "", "Exit codes: 130 (Ctrl-C) or 143 (SIGTERM) after a clean stop; 1 the port cannot be listened on; "
                + "2 bad usage (DIR missing, bad address, no address found)."})
public class PipServeCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "DIR", description = "The folder of packages (made with pip download -d DIR).")
    Path dir;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "8080",
            description = "The port to listen on (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "The address to listen on (default: where the "
            + "stack's containers reach this host; 0.0.0.0: every interface; 127.0.0.1: this host only).")
    String bind;

    @Option(names = "--metadata-for-old-pip", description = "Give pip 22.3 to 23.0 (Debian 12's pip is 23.0.1) the "
            + "wheels' metadata too, in the HTML form they read it from, so they resolve without downloading whole "
            + "wheels. Off by default: these pips then refuse a package whose requirement is spelt other than its "
            + "metadata's Name (typing-extensions for typing_extensions), a defect of theirs that pip 23.2 fixed.")
    boolean metadataForOldPip;

    @Mixin
    EngineOptions engine;

    @Override
    protected int execute(Console console) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new ToolException(ExitCode.USAGE, "pip-serve: " + dir + " is not a folder");
        }
        if (port < 0 || port > 65535) {
            throw new ToolException(ExitCode.USAGE, "-p: " + port + " is not a port (0-65535)");
        }
        InetAddress address = address(console);
        PipIndexServer server;
        try {
            server = PipIndexServer.start(dir, new InetSocketAddress(address, port), new AccessLog(console.err()),
                    metadataForOldPip);
        } catch (BindException e) {
            throw new ToolException(ExitCode.FAILED, "cannot listen on " + address.getHostAddress() + ":" + port + ": "
                    + e.getMessage() + "; give another -p PORT or --bind ADDRESS");
        } catch (IOException e) {
            throw new ToolException(ExitCode.FAILED, "cannot serve " + dir + ": " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (OnInterrupt interrupt = new OnInterrupt(console, () -> {
            server.close();
            stopped.countDown();
            return "pip-serve stopped";
        })) {
            announce(console, server.address());
            stopped.await();
        }
        return ExitCode.OK;
    }

    private void announce(Console console, InetSocketAddress listening) {
        String host = listening.getAddress().getHostAddress();
        String shown = listening.getAddress().isAnyLocalAddress() ? "localhost" : host;
        String url = "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + listening.getPort() + "/simple/";
        console.info("serving " + dir.toAbsolutePath().normalize() + " at " + url + " (Ctrl-C stops)");
        if (listening.getAddress().isLoopbackAddress()) {
            console.warn("listening on " + host + ": the stack's containers cannot reach it (use the default --bind)");
        }
        console.result("-s " + url);
    }

    private InetAddress address(Console console) {
        String value = bind;
        if (value == null) {
            NetworkGateway.Address found = null;
            try {
                found = engine.local() ? NetworkGateway.forHostServer(engine.engine(), StackFinder.specOf(null, null)) : null;
            } catch (DockerException e) {
                console.debug("engine: " + e.getMessage());
            }
            if (found == null) {
                found = NetworkGateway.ofInterface(NetworkGateway.DOCKER0);
            }
            if (found == null) {
                throw new ToolException(ExitCode.USAGE, "no address found where containers reach this host (no Docker "
                        + "Engine answers, no docker0 interface): give --bind ADDRESS (0.0.0.0: every interface)");
            }
            console.info("listening on " + found.shown() + ", where the stack's containers reach this host");
            value = found.ip();
        }
        try {
            if (!value.matches("[0-9A-Fa-f.:]+")) {
                throw new UnknownHostException(value);
            }
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new ToolException(ExitCode.USAGE, "--bind: '" + value + "' is not an IP address (10.0.0.5, 0.0.0.0)");
        }
    }
}

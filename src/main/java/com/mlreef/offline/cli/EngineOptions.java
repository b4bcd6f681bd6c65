package com.mlreef.offline.cli;

import com.mlreef.offline.docker.DockerClient;
import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.transport.EngineAddress;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Docker Engine is: {@code -H/--host}, else DOCKER_HOST, else the local socket. */
public final class EngineOptions {
    @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS",
            description = "Docker Engine address: unix:///path or tcp://host:port (default: $DOCKER_HOST, else "
                    + EngineAddress.DEFAULT + "). TLS follows DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.")
    String host;

    public EngineAddress address() {
        try {
            return EngineAddress.resolve(host, System.getenv());
        } catch (IllegalArgumentException e) {
            throw new ToolException(ExitCode.USAGE, e.getMessage());
        }
    }

    public DockerEngine engine() {
        EngineAddress address = address();
        try {
            return new DockerClient(address.transport());
        } catch (IOException e) {
            throw new ToolException(ExitCode.USAGE, "cannot use the engine address " + address + ": " + e.getMessage());
        }
    }

    /** The engine's unix socket, or null for an engine reached over TCP. */
    public Path socket() {
        EngineAddress address = address();
        return address.scheme().equals("unix") ? Path.of(address.path()) : null;
    }

    /** Whether the engine runs on this host, so that host ports and disks are its own. */
    public boolean local() {
        EngineAddress address = address();
        return address.scheme().equals("unix") || address.host().equals("localhost")
                || address.host().startsWith("127.") || address.host().equals("::1");
    }
}

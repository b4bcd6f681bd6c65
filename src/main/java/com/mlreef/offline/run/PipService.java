package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.ToolException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code run --pip}: the package index as one more service of the stack, so that status shows it, down removes it and
 * it restarts with the engine as the stack's containers do. It runs {@code pip-serve} on the host's network,
 * listening on the default bridge's gateway (docker0): the stack's containers and the job containers its runners start
 * on the default bridge all reach that address of the host, with no port published and nothing on the intranet.
 *
 * @param port    the port it listens on
 * @param gateway the default bridge's gateway, where it listens
 */
public record PipService(int port, String gateway) {
    public static final String SERVICE = "pip";
    /** Where the packages folder is mounted in the container. */
    static final String PACKAGES = "/packages";

    /** Why run removes the index's container when it runs the stack without --pip (the words of any dropped service). */
    static final String DROPPED = "service " + SERVICE + " is no longer in the stack: run without --pip; its packages"
            + " are kept";

    /**
     * Whether a container of the stack is the package index an earlier {@code run --pip} made: service {@code pip},
     * made from the index's image (tagged, or the image ID once the tag moved on) or mounting the packages folder.
     */
    static boolean isIndex(ContainerSummary c) {
        if (c.labels() == null || !SERVICE.equals(c.labels().get(StackLabels.SERVICE_LABEL))) {
            return false;
        }
        if (c.image() != null && c.image().startsWith(PipImage.REPOSITORY + ":")) {
            return true;
        }
        return c.mounts() != null && c.mounts().stream().anyMatch(m -> PACKAGES.equals(m.destination())
                && m.source() != null && Path.of(m.source()).startsWith(PipPackages.ROOT));
    }

    /** The default bridge's gateway on an engine of this host; refused when it has none. */
    public static PipService on(DockerEngine engine, int port) {
        NetworkGateway.Address address = null;
        try {
            address = NetworkGateway.of(engine.inspectNetwork(NetworkGateway.BRIDGE_NETWORK), true);
        } catch (NotFoundException e) {
            // no default bridge network: its interface, if any
        }
        if (address == null) {
            address = NetworkGateway.ofInterface(NetworkGateway.DOCKER0);
        }
        if (address == null) {
            throw new ToolException(ExitCode.FAILED, "--pip: the engine has no default bridge (docker0) for the"
                    + " package index to listen on; run pip-serve yourself and give its URL with -s");
        }
        return new PipService(port, address.ip());
    }

    /** PIP_SERVER: the index's URL. */
    public URI url() {
        return URI.create("http://" + gateway + ":" + port + "/simple/");
    }

    /** The stack with the index service added; refused when the stack has a service of that name. */
    StackSpec addTo(StackSpec spec, String image, ProgramFiles program, String packages) {
        if (spec.services().containsKey(SERVICE)) {
            throw new ToolException(ExitCode.USAGE, "--pip: stack " + spec.name() + " has a service named " + SERVICE
                    + " already; rename it, or run without --pip and give your index with -s");
        }
        List<String> command = new java.util.ArrayList<>(program.command());
        command.addAll(List.of("pip-serve", PACKAGES, "-p", Integer.toString(port), "--bind", gateway));
        Map<String, String> env = program.libPath().isEmpty() ? Map.of() : Map.of("LD_LIBRARY_PATH", program.libPath());
        StackSpec.Service service = new StackSpec.Service(SERVICE, image, null, command, List.of(),
                List.of(new StackSpec.MountSpec(StackSpec.MountSpec.Kind.BIND, packages, PACKAGES, true, null)),
                env, List.of(), restartOf(spec), null, Map.of(),
                new StackSpec.ReadyRule(null, false, url().toString(), false, false, java.time.Duration.ofMinutes(1)),
                List.of(), Map.of(), StackSpec.ContainerOptions.NONE.withNetworks("host", Map.of()));
        Map<String, StackSpec.Service> services = new LinkedHashMap<>(spec.services());
        services.put(SERVICE, service);
        return spec.withServices(services);
    }

    /** The restart policy most of the stack's services have (they come back after a reboot: so does the index). */
    static String restartOf(StackSpec spec) {
        Map<String, Long> counts = spec.services().values().stream().map(StackSpec.Service::restart)
                .filter(r -> r != null && !r.equals("no"))
                .collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()));
        return counts.isEmpty() ? "unless-stopped" : Collections.max(counts.entrySet(), Map.Entry.comparingByValue())
                .getKey();
    }
}

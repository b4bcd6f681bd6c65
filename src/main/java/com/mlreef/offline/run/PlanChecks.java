package com.mlreef.offline.run;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.NotFoundException;
import com.mlreef.offline.docker.model.ContainerSummary;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.SystemInfo;
import com.mlreef.offline.stackfile.StackLabels;
import com.mlreef.offline.stackfile.StackSpec;
import com.mlreef.offline.ui.ExitCode;
import com.mlreef.offline.ui.Sizes;
import com.mlreef.offline.ui.ToolException;
import java.util.ArrayList;
import java.util.List;

/** What the engine and the host must allow before run changes anything: CPUs, memory, runtimes, healthchecks, ports. */
final class PlanChecks {
    private final DockerEngine engine;

    PlanChecks(DockerEngine engine) {
        this.engine = engine;
    }

    /**
     * Fails before anything changes when a service asks for more CPUs or memory than the engine's host has, or for a
     * runtime it lacks.
     */
    void limits(StackSpec spec) {
        SystemInfo info = null;
        for (StackSpec.Service service : spec.services().values()) {
            StackSpec.ContainerOptions o = service.options();
            Object runtime = o.hostConfig() == null ? null : o.hostConfig().get("Runtime");
            Object cpuset = o.hostConfig() == null ? null : o.hostConfig().get("CpusetCpus");
            if (o.cpus() == null && o.memLimit() == null && runtime == null && cpuset == null) {
                continue;
            }
            info = info == null ? engine.info() : info;
            if (cpuset != null && info.ncpu() != null) {
                int highest = java.util.Arrays.stream(cpuset.toString().split("[,-]")).mapToInt(Integer::parseInt).max()
                        .orElse(0);
                if (highest >= info.ncpu()) {
                    throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for cpuset: " + cpuset
                            + ", but this host's CPUs are 0 to " + (info.ncpu() - 1) + "; nothing was changed");
                }
            }
            if (runtime != null && info.runtimes() != null && !info.runtimes().containsKey(runtime)) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for runtime " + runtime
                        + ", but this engine has " + String.join(", ", new java.util.TreeSet<>(info.runtimes()
                        .keySet())) + "; nothing was changed");
            }
            if (o.cpus() != null && info.ncpu() != null && o.cpus() > info.ncpu() * 1_000_000_000L) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for cpus: "
                        + java.math.BigDecimal.valueOf(o.cpus(), 9).stripTrailingZeros().toPlainString()
                        + ", but this host has " + info.ncpu() + "; nothing was changed");
            }
            if (o.memLimit() != null && info.memTotal() != null && o.memLimit() > info.memTotal()) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " asks for mem_limit: "
                        + Sizes.bytes(o.memLimit()) + ", but this host has " + Sizes.bytes(info.memTotal())
                        + "; nothing was changed");
            }
        }
    }

    /**
     * Fails before any container changes when a service waits for a healthcheck that neither it nor its image has.
     * @param loaded whether every image is in the engine now; before the load, an image it lacks is not checked
     */
    void healthchecks(List<ServicePlan> services, boolean loaded) {
        for (ServicePlan plan : services) {
            StackSpec.Service service = plan.service();
            if (service.ready() == null || !service.ready().healthcheck()
                    || service.healthcheck() != null && !service.healthcheck().test().isEmpty()) {
                continue;
            }
            ImageInspect image;
            try {
                image = engine.inspectImage(plan.imageId());
            } catch (NotFoundException e) {
                if (loaded) {
                    throw e;
                }
                continue;
            }
            if (image.config() == null || image.config().healthcheck() == null
                    || !image.config().healthcheck().enabled()) {
                throw new ToolException(ExitCode.FAILED, "service " + service.name() + " is waited for by its"
                        + " healthcheck (its ready: {healthcheck: true}, or a depends_on with condition "
                        + StackSpec.HEALTHY + "), but neither the service nor its image " + service.image()
                        + " has one; give the service a healthcheck or another ready rule (no container was changed)");
            }
        }
    }

    /**
     * Fails before anything changes when a host port the run needs is taken by something else, naming every such
     * port at once.
     */
    void ports(RunPlan plan, Preflight.PortProbe probe) {
        String stack = plan.stack().name();
        List<ContainerSummary> leaving = plan.leaving();
        List<ContainerSummary> running = engine.listContainers(List.of(), false);
        List<String> taken = new ArrayList<>();
        boolean moved = false; // held by another container of the stack
        for (ServicePlan service : plan.services()) {
            if (service.action() == ServicePlan.Action.KEEP || service.action() == ServicePlan.Action.UNPAUSE) {
                continue;
            }
            for (StackSpec.PortSpec port : service.service().ports()) {
                String ip = port.hostIp() == null ? "" : port.hostIp();
                String protocol = port.protocol() == null ? "tcp" : port.protocol();
                Preflight.PortProbe.State state = probe.probe(ip, port.hostPort(), protocol);
                if (state == Preflight.PortProbe.State.NOT_LOCAL) {
                    throw new ToolException(ExitCode.FAILED, "host address " + ip + " that " + service.service().name()
                            + " publishes port " + port.hostPort() + " on is not an address of this host; nothing was"
                            + " changed");
                }
                if (state != Preflight.PortProbe.State.IN_USE) {
                    continue;
                }
                ContainerSummary holder = Preflight.publisher(running, port.hostPort(), protocol).orElse(null);
                // a predecessor started by hand is stopped before its replacement finishes (CREATE), not otherwise
                if (holder != null && (holder.id().equals(service.existingId())
                        || service.action() == ServicePlan.Action.CREATE && holder.id().equals(service.previousId())
                        || leaving.stream().anyMatch(o -> o.id().equals(holder.id())))) {
                    continue;
                }
                String holderStack = holder == null || holder.labels() == null ? null
                        : holder.labels().get(StackLabels.STACK_LABEL);
                moved |= stack.equals(holderStack);
                taken.add("host port " + port.hostPort() + ("tcp".equals(protocol) ? "" : "/" + protocol) + " that "
                        + service.service().name() + " publishes is in use" + (holder == null ? " by another program"
                        : " by container " + holder.name() + (stack.equals(holderStack) ? " of this stack" : "")));
            }
        }
        if (!taken.isEmpty()) {
            throw new ToolException(ExitCode.FAILED, String.join("; ", taken) + "; nothing was changed. " + (moved
                    ? "A port that moves from one service to another needs the stack stopped first, as run replaces"
                    + " one service at a time: 'mlreef-offline stop --stack " + stack + "', then run again (the"
                    + " volumes are kept)" : "Free " + (taken.size() == 1 ? "the port" : "the ports") + ", or publish"
                    + " another one in the stack file (-f)"));
        }
    }
}

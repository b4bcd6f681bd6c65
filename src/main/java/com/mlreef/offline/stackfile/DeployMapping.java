package com.mlreef.offline.stackfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A service's {@code deploy}, as plain {@code docker compose} (without Swarm) maps it onto the container:
 * restart_policy to restart, resources.limits to mem_limit, cpus and pids_limit, resources.reservations to
 * mem_reservation and (devices) gpus, replicas: 1. What needs Swarm to mean anything is refused, naming what to write
 * instead; what docker compose ignores without Swarm (update_config, placement...) is ignored with a warning.
 */
final class DeployMapping {
    private static final List<String> IGNORED = List.of("update_config", "rollback_config", "placement",
            "endpoint_mode", "labels");
    private static final Map<String, String> CONDITIONS = Map.of("none", "no", "on-failure", "on-failure",
            "any", "always", "always", "always", "unless-stopped", "unless-stopped");

    private final NodeReader reader;
    private final Consumer<String> warnings;

    DeployMapping(NodeReader reader, Consumer<String> warnings) {
        this.reader = reader;
        this.warnings = warnings;
    }

    /** The service with its {@code deploy} mapped onto the keys it stands for; the service itself when it has none. */
    JsonNode apply(JsonNode service, String path) {
        JsonNode deploy = service.get("deploy");
        if (deploy == null || deploy.isNull() || !service.isObject()) {
            return service;
        }
        String at = path + ".deploy";
        ObjectNode mapped = ((ObjectNode) service).deepCopy();
        mapped.remove("deploy");
        reader.keys(deploy, at, List.of("mode", "replicas", "resources", "restart_policy", "update_config",
                "rollback_config", "placement", "endpoint_mode", "labels"));
        String mode = deploy.has("mode") ? reader.string(deploy.get("mode"), at + ".mode") : "replicated";
        if (!mode.equals("replicated")) {
            throw reader.error(at + ".mode", "'" + mode + "' needs Swarm: run starts one container per service; leave"
                    + " mode out (or write replicated)");
        }
        if (deploy.has("replicas") && !reader.string(deploy.get("replicas"), at + ".replicas").equals("1")) {
            throw reader.error(at + ".replicas", "run starts one container per service: write replicas: 1, or leave"
                    + " it out");
        }
        IGNORED.stream().filter(deploy::has).forEach(key -> warnings.accept(reader.where(at + "." + key)
                + ": ignored, as docker compose ignores it without Swarm"));
        restart(deploy.get("restart_policy"), at + ".restart_policy", mapped);
        resources(deploy.get("resources"), at + ".resources", mapped);
        return mapped;
    }

    private void restart(JsonNode policy, String path, ObjectNode mapped) {
        if (policy == null || policy.isNull()) {
            return;
        }
        reader.keys(policy, path, "condition", "delay", "max_attempts", "window");
        String condition = policy.has("condition") ? reader.string(policy.get("condition"), path + ".condition")
                : "any";
        String restart = CONDITIONS.get(condition);
        if (restart == null) {
            throw reader.error(path + ".condition", "'" + condition + "' is not none, on-failure or any");
        }
        if (policy.has("max_attempts") && restart.equals("on-failure")) {
            restart += ":" + reader.integer(policy.get("max_attempts"), path + ".max_attempts");
        }
        if (!mapped.has("restart")) { // restart, when given too, wins, as in docker compose
            mapped.put("restart", restart);
        }
    }

    private void resources(JsonNode resources, String path, ObjectNode mapped) {
        if (resources == null || resources.isNull()) {
            return;
        }
        reader.keys(resources, path, "limits", "reservations");
        JsonNode limits = resources.get("limits");
        if (limits != null && !limits.isNull()) {
            reader.keys(limits, path + ".limits", "cpus", "memory", "pids");
            copy(limits, "cpus", mapped, "cpus");
            copy(limits, "memory", mapped, "mem_limit");
            copy(limits, "pids", mapped, "pids_limit");
        }
        JsonNode reservations = resources.get("reservations");
        if (reservations != null && !reservations.isNull()) {
            reader.keys(reservations, path + ".reservations", List.of("cpus", "memory", "devices"),
                    Map.of("generic_resources", "generic resources need Swarm; give GPUs under devices"));
            copy(reservations, "memory", mapped, "mem_reservation");
            copy(reservations, "devices", mapped, "gpus");
            // reservations.cpus: docker compose sets nothing for it without Swarm
        }
    }

    /** The deploy value as the service's key, unless the service gives that key itself (it wins, as in Compose). */
    private static void copy(JsonNode from, String key, ObjectNode mapped, String as) {
        if (from.has(key) && !from.get(key).isNull() && !mapped.has(as)) {
            mapped.set(as, from.get(key));
        }
    }
}

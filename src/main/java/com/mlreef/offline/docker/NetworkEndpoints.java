package com.mlreef.offline.docker;

import static com.mlreef.offline.docker.DockerClient.segment;

import com.fasterxml.jackson.core.type.TypeReference;
import com.mlreef.offline.docker.model.IdResponse;
import com.mlreef.offline.docker.model.Network;
import com.mlreef.offline.docker.model.NetworkCreate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The network endpoints of {@link DockerEngine}. */
final class NetworkEndpoints {
    private final EngineExchange engine;

    NetworkEndpoints(EngineExchange engine) {
        this.engine = engine;
    }

    List<Network> list() {
        return engine.call("listing networks", "GET", "/networks", null, new TypeReference<List<Network>>() { });
    }

    String create(NetworkCreate network) {
        return engine.call("creating network " + network.name(), "POST", "/networks/create", network,
                IdResponse.class).value();
    }

    Network inspect(String nameOrId) {
        return engine.call("inspecting network " + nameOrId, "GET", "/networks/" + segment(nameOrId), null,
                Network.class);
    }

    void remove(String nameOrId) {
        engine.call("removing network " + nameOrId, "DELETE", "/networks/" + segment(nameOrId), null, Void.class);
    }

    void connect(String network, String container, List<String> aliases) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Container", container);
        body.put("EndpointConfig", Map.of("Aliases", aliases == null ? List.of() : aliases));
        engine.call("connecting " + container + " to network " + network, "POST",
                "/networks/" + segment(network) + "/connect", body, Void.class);
    }
}

package com.mlreef.offline.docker;

import static com.mlreef.offline.docker.DockerClient.segment;

import com.mlreef.offline.docker.model.Volume;
import com.mlreef.offline.docker.model.VolumeList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The volume endpoints of {@link DockerEngine}. */
final class VolumeEndpoints {
    private final EngineExchange engine;

    VolumeEndpoints(EngineExchange engine) {
        this.engine = engine;
    }

    List<Volume> list(List<String> labelFilters) {
        VolumeList list = engine.call("listing volumes", "GET", "/volumes" + new Query().labels(labelFilters), null,
                VolumeList.class);
        return list == null || list.volumes() == null ? List.of() : list.volumes();
    }

    Volume create(String name, String driver, Map<String, String> options, Map<String, String> labels) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", name);
        if (driver != null) {
            body.put("Driver", driver);
        }
        if (options != null && !options.isEmpty()) {
            body.put("DriverOpts", options);
        }
        body.put("Labels", labels == null ? Map.of() : labels);
        return engine.call("creating volume " + name, "POST", "/volumes/create", body, Volume.class);
    }

    Volume inspect(String name) {
        return engine.call("inspecting volume " + name, "GET", "/volumes/" + segment(name), null, Volume.class);
    }

    void remove(String name) {
        engine.call("removing volume " + name, "DELETE", "/volumes/" + segment(name), null, Void.class);
    }
}

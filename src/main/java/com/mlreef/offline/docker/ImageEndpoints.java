package com.mlreef.offline.docker;

import static com.mlreef.offline.docker.DockerClient.segment;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.docker.model.DistributionInspect;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.docker.model.ImageSummary;
import com.mlreef.offline.docker.transport.RequestBody;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The image endpoints of {@link DockerEngine}: pull, import, save and load stream their bodies and progress. */
final class ImageEndpoints {
    private final EngineExchange engine;

    ImageEndpoints(EngineExchange engine) {
        this.engine = engine;
    }

    List<ImageSummary> list() {
        return engine.call("listing images", "GET", "/images/json", null, new TypeReference<List<ImageSummary>>() { });
    }

    ImageInspect inspect(String name) {
        return engine.call("inspecting image " + name, "GET", "/images/" + segment(name) + "/json", null,
                ImageInspect.class);
    }

    String registryDigest(String reference, String registryAuth) {
        String call = "asking the registry about " + reference;
        DistributionInspect inspect = engine.exchange(call, engine.request("GET", "/distribution/" + segment(reference)
                + "/json", authHeader(registryAuth), null), in -> DockerJson.MAPPER.readValue(in,
                DistributionInspect.class));
        if (inspect.descriptor() == null || inspect.descriptor().digest() == null) {
            throw new ApiException("asking the registry about " + reference, 200, "the engine gave no digest");
        }
        return inspect.descriptor().digest();
    }

    void pull(String reference, String registryAuth, ProgressListener progress) {
        Query query = new Query();
        int at = reference.indexOf('@');
        int colon = reference.lastIndexOf(':');
        if (at >= 0) {
            query.add("fromImage", reference);
        } else if (colon > reference.lastIndexOf('/')) {
            query.add("fromImage", reference.substring(0, colon)).add("tag", reference.substring(colon + 1));
        } else {
            query.add("fromImage", reference).add("tag", "latest");
        }
        engine.stream("pulling " + reference, engine.request("POST", "/images/create" + query,
                authHeader(registryAuth), null), progress);
    }

    private static Map<String, String> authHeader(String registryAuth) {
        return registryAuth == null ? Map.of() : Map.of("X-Registry-Auth", registryAuth);
    }

    String importImage(InputStream rootfsTar, String repository, String tag) {
        Query query = new Query().add("fromSrc", "-").add("repo", repository).add("tag", tag);
        String[] id = new String[1];
        engine.stream("importing " + repository + ":" + tag, engine.request("POST", "/images/create" + query, Map.of(),
                RequestBody.stream(rootfsTar, -1, "application/x-tar")), m -> {
                    if (m.status() != null && m.status().startsWith("sha256:")) {
                        id[0] = m.status().trim();
                    }
                });
        return id[0];
    }

    String build(BuildOptions options, DockerEngine.BodyWriter context, ProgressListener progress) {
        Query query = new Query().add("t", options.tag()).add("dockerfile", options.dockerfile())
                .add("version", "1").add("rm", "1").add("forcerm", "1"); // no failed step's container left behind
        try {
            if (!options.buildArgs().isEmpty()) {
                query.add("buildargs", DockerJson.MAPPER.writeValueAsString(options.buildArgs()));
            }
            if (!options.labels().isEmpty()) {
                query.add("labels", DockerJson.MAPPER.writeValueAsString(options.labels()));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw EngineErrors.io("building " + options.tag(), e);
        }
        if (options.target() != null) {
            query.add("target", options.target());
        }
        String[] id = new String[1];
        RequestBody body = new RequestBody() {
            public long length() { return -1; }
            public String contentType() { return "application/x-tar"; }
            public void writeTo(java.io.OutputStream out) throws java.io.IOException { context.writeTo(out); }
        };
        engine.stream("building " + options.tag(), engine.request("POST", "/build" + query, Map.of(), body), m -> {
            if (m.aux() != null && m.aux().hasNonNull("ID")) {
                id[0] = m.aux().get("ID").asText();
            }
            progress.onProgress(m);
        });
        return id[0];
    }

    InputStream save(List<String> names) {
        Query query = new Query();
        names.forEach(n -> query.add("names", n));
        return engine.open("saving " + String.join(", ", names), "GET", "/images/get" + query, null);
    }

    List<String> load(InputStream archive, long length, ProgressListener progress) {
        List<String> loaded = new ArrayList<>();
        engine.stream("loading images", engine.request("POST", "/images/load?quiet=0", Map.of(),
                RequestBody.stream(archive, length, "application/x-tar")), m -> {
                    if (m.stream() != null) {
                        String s = m.stream().trim();
                        if (s.startsWith("Loaded image: ")) {
                            loaded.add(s.substring("Loaded image: ".length()).trim());
                        } else if (s.startsWith("Loaded image ID: ")) {
                            loaded.add(s.substring("Loaded image ID: ".length()).trim());
                        }
                    }
                    progress.onProgress(m);
                });
        return loaded;
    }

    void tag(String source, String repository, String tag) {
        Query query = new Query().add("repo", repository).add("tag", tag);
        engine.call("tagging " + source + " as " + repository + ":" + tag, "POST",
                "/images/" + segment(source) + "/tag" + query, null, Void.class);
    }

    void remove(String name, boolean force) {
        engine.call("removing image " + name, "DELETE", "/images/" + segment(name) + new Query().add("force", force),
                null, JsonNode.class);
    }
}

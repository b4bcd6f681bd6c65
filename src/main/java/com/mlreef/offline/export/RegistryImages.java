package com.mlreef.offline.export;

import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.registry.BlobDownload;
import com.mlreef.offline.registry.Descriptor;
import com.mlreef.offline.registry.ImageName;
import com.mlreef.offline.registry.Manifest;
import com.mlreef.offline.registry.ManifestJson;
import com.mlreef.offline.registry.RegistryAddress;
import com.mlreef.offline.registry.RegistryClient;
import com.mlreef.offline.registry.RegistryException;
import com.mlreef.offline.ui.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The images straight from their registries, with no engine ({@code export --from-registry}): the manifest of each
 * reference (for a manifest list or OCI index, the chosen platform's), its config, and its layers, downloaded into
 * the hidden folder {@value #CACHE} of the bundle folder (kept when export stops, so that it resumes; removed when
 * the bundle is complete) and given to the bundle as the docker-archive {@code docker save} would write.
 */
public final class RegistryImages implements ImageSource {
    static final String CACHE = ".registry-blobs";

    /**
     * @param platform {@code os/arch[/variant]} taken from a multi-platform image; null for this host's
     * @param insecure ask every registry over http (loopback registries always are)
     * @param parallel how many layers download at once
     */
    public record Options(Path dir, String platform, boolean insecure, int parallel) {
    }

    private final Console console;
    private final RegistryAuth auth;
    private final Options options;
    private final PlatformChoice platform;
    private final Path cache;
    private final LayerFetcher layers;
    private final Map<String, RegistryClient> clients = new HashMap<>();
    private final Map<String, RegistryImage> images = new LinkedHashMap<>();

    RegistryImages(Console console, RegistryAuth auth, Options options) {
        this.console = console;
        this.auth = auth;
        this.options = options;
        this.platform = PlatformChoice.of(options.platform());
        this.cache = options.dir().resolve(CACHE);
        this.layers = new LayerFetcher(console, cache, options.parallel());
    }

    @Override
    public ImageInspect resolve(String reference, boolean pull) {
        ImageName name = ImageName.parse(reference);
        RegistryClient client = clients.computeIfAbsent(name.registry(),
                r -> RegistryClient.open(RegistryAddress.of(r, options.insecure()), auth));
        Manifest manifest = client.manifest(reference, name.repository(), name.manifestReference());
        ManifestJson json = manifest.json(reference);
        String chosen = "";
        if (json.manifests() != null) {
            Descriptor entry = platform.pick(reference, json.manifests());
            manifest = client.manifest(reference, name.repository(), entry.digest());
            json = manifest.json(reference);
            if (json.manifests() != null) {
                throw new RegistryException(reference + ": the index names another index for " + platform);
            }
            chosen = " for " + entry.platform();
        }
        try {
            RegistryImage image = image(reference, name, client, manifest, json);
            images.put(reference, image);
            console.info(reference + ": " + manifest.digest().substring(0, 19) + chosen + ", " + json.layers().size()
                    + " layers");
            return image.inspect();
        } catch (IOException e) {
            throw new RegistryException(reference + ": cannot keep its config in " + cache + ": " + e.getMessage(), e);
        }
    }

    private RegistryImage image(String reference, ImageName name, RegistryClient client, Manifest manifest,
                                ManifestJson json) throws IOException {
        Files.createDirectories(cache);
        Descriptor config = json.config();
        Path configFile = cache.resolve(LayerFetcher.hex(config.digest()) + ".json");
        if (!Files.exists(configFile)) {
            client.download(reference, name.repository(), config, configFile, new BlobDownload.Listener() {
                @Override
                public void progress(long bytes) {
                }

                @Override
                public void resumed(long offset, String why) {
                }
            });
        }
        long size = json.layers().stream().mapToLong(Descriptor::size).sum();
        ImageInspect inspect = ImageConfig.read(reference, configFile, config.digest(), size);
        if (inspect.rootFs().layers().size() != json.layers().size()) {
            throw new RegistryException(reference + ": the manifest names " + json.layers().size() + " layers and"
                    + " the image's config " + inspect.rootFs().layers().size());
        }
        return new RegistryImage(reference, name, client, manifest.digest(), config, configFile, json.layers(),
                inspect);
    }

    @Override
    public InputStream save(List<String> references) throws IOException {
        List<RegistryImage> group = references.stream().map(images::get).toList();
        layers.fetch(group, references.size() == 1 ? references.get(0) : references.size() + " images");
        return RegistryArchive.of(group, layers);
    }

    @Override
    public List<String> notPulled() {
        return List.of();
    }

    @Override
    public String origin(String reference) {
        RegistryImage image = images.get(reference);
        return image == null ? null : image.origin();
    }

    @Override
    public void finished() throws IOException {
        clients.values().forEach(RegistryClient::close);
        if (Files.isDirectory(cache)) {
            try (Stream<Path> files = Files.list(cache)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(cache);
        }
    }
}

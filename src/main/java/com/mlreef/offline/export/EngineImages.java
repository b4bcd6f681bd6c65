package com.mlreef.offline.export;

import com.mlreef.offline.docker.DockerEngine;
import com.mlreef.offline.docker.RegistryAuth;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.ui.Console;
import java.io.InputStream;
import java.util.List;

/** The images as the Docker Engine has them: pulled through it ({@link ImagePuller}), saved by it. */
final class EngineImages implements ImageSource {
    private final DockerEngine engine;
    private final ImagePuller puller;

    EngineImages(DockerEngine engine, Console console, RegistryAuth auth) {
        this.engine = engine;
        this.puller = new ImagePuller(engine, console, auth);
    }

    @Override
    public ImageInspect resolve(String reference, boolean pull) {
        return puller.resolve(reference, pull);
    }

    @Override
    public InputStream save(List<String> references) {
        return engine.saveImages(references);
    }

    @Override
    public List<String> notPulled() {
        return puller.notPulled();
    }
}

package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run's -s as a user types it: every form the original installer took gets past the check; others are refused. */
@QuarkusMainTest
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void everyPipServerFormTheOriginalTookIsAccepted(QuarkusMainLauncher launcher) {
        for (String form : List.of("localhost:10010/simple", "http://localhost:10010/simple",
                "pypi.intranet:8080/simple")) {
            // an empty folder is no bundle: the run stops there, after -s was taken
            LaunchResult r = launcher.launch("run", "-d", dir.toString(), "-s", form, "-H", "unix:///nope.sock");
            assertEquals("error: " + dir + " holds no bundle.json and no image tars (*.tar, *.tar.gz, *.tgz,"
                    + " *.tar.zst)", r.getErrorOutput().strip(), form);
        }
    }

    @Test
    void aValueNeitherAUrlNorHostPortIsBadUsage(QuarkusMainLauncher launcher) {
        for (String bad : List.of("pypi.intranet/simple", "localhost:8080simple")) {
            LaunchResult r = launcher.launch("run", "-d", dir.toString(), "-s", bad, "-H", "unix:///nope.sock");
            assertEquals(2, r.exitCode(), bad);
            assertEquals("error: -s: '" + bad + "' is not a pip server: give an http(s) URL"
                    + " (http://10.0.0.5:8080/simple) or host:port[/path] (localhost:8080/simple)",
                    r.getErrorOutput().strip(), bad);
        }
    }
}

package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.transport.EngineAddress;
import com.mlreef.offline.testing.CliProcess;
import com.mlreef.offline.testing.TestEngine;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The global options before the command, in the built tool, as docker's -H is typed. */
class GlobalOptionsIT {
    @Test
    void theEngineAddressBeforeOrAfterTheCommandGivesTheSameAnswer() throws Exception {
        CliProcess.Result before = CliProcess.run(Map.of(), "-H", "unix:///nope.sock", "doctor");
        CliProcess.Result after = CliProcess.run(Map.of(), "doctor", "-H", "unix:///nope.sock");
        assertEquals(1, before.exit(), before.toString());
        assertEquals(after.exit(), before.exit());
        assertEquals(after.out(), before.out());
        assertEquals(after.err(), before.err());
        assertTrue(before.out().contains("socket /nope.sock does not exist"), before.toString());

        // the real engine named before the command, the one in the environment made useless
        TestEngine.client();
        String engine = EngineAddress.resolve(null, System.getenv()).toString();
        String stack = TestEngine.unique("global");
        CliProcess.Result status = CliProcess.run(Map.of("DOCKER_HOST", "unix:///nope.sock"), "-H", engine, "-q",
                "status", "--stack", stack);
        assertEquals(1, status.exit(), status.toString());
        assertTrue(status.err().startsWith("error: this engine has no stack " + stack + " "), status.toString());
    }
}

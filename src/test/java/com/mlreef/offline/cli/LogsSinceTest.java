package com.mlreef.offline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.mlreef.offline.ui.ToolException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** logs --since: the forms docker logs takes. */
class LogsSinceTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void aTimeAgoAMomentADateOrAUnixTime() {
        assertEquals(NOW.getEpochSecond() - 1800, LogsCommand.since("30m", NOW, BERLIN));
        assertEquals(NOW.getEpochSecond() - 5400, LogsCommand.since("1h30m", NOW, BERLIN));
        assertEquals(Instant.parse("2026-11-29T10:00:00Z").getEpochSecond(),
                LogsCommand.since("2026-11-29T10:00:00Z", NOW, BERLIN));
        assertEquals(Instant.parse("2026-11-29T10:00:00Z").getEpochSecond(),
                LogsCommand.since("2026-11-29T11:00:00+01:00", NOW, BERLIN));
        assertEquals(Instant.parse("2026-11-29T10:00:00Z").getEpochSecond(),
                LogsCommand.since("2026-11-29T11:00:00", NOW, BERLIN), "without an offset: local time");
        assertEquals(Instant.parse("2026-11-28T23:00:00Z").getEpochSecond(),
                LogsCommand.since("2026-11-29", NOW, BERLIN), "a date: its local midnight");
        assertEquals(1764410400L, LogsCommand.since("1764410400", NOW, BERLIN));
        assertEquals(1764410400L, LogsCommand.since("1764410400.5", NOW, BERLIN));
        assertEquals(30L, LogsCommand.since("30", NOW, BERLIN), "a bare number: a unix time, as docker takes it");
    }

    @Test
    void anythingElseIsBadUsage() {
        for (String bad : List.of("yesterday", "10x", "2026-13-01", "")) {
            ToolException e = assertThrows(ToolException.class, () -> LogsCommand.since(bad, NOW, BERLIN), bad);
            assertEquals(2, e.exitCode());
            assertEquals("--since: '" + bad + "' is neither a time ago (10m, 2h, 1h30m), nor a moment"
                    + " (2026-11-29T10:00:00Z, 2026-11-29T10:00:00, 2026-11-29), nor a unix time", e.getMessage());
        }
    }
}

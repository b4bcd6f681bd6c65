package com.mlreef.offline.pip;

import com.sun.net.httpserver.HttpExchange;
import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line a request, in the common log format with the time taken:
 * {@code ADDR - - [TIME] "GET /simple/ HTTP/1.1" 200 1234 2ms}.
 */
public final class AccessLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private final PrintStream out;

    public AccessLog(PrintStream out) {
        this.out = out;
    }

    void log(HttpExchange ex, int status, long bytes, long nanos) {
        String client = ex.getRemoteAddress() == null ? "-" : ex.getRemoteAddress().getAddress().getHostAddress();
        String line = client + " - - [" + TIME.format(ZonedDateTime.now()) + "] \"" + ex.getRequestMethod() + " "
                + ex.getRequestURI().getRawPath() + " " + ex.getProtocol() + "\" " + status + " " + bytes + " "
                + Math.max(0, nanos / 1_000_000) + "ms";
        out.println(line.replaceAll("[\\p{Cntrl}]", "?"));
    }
}

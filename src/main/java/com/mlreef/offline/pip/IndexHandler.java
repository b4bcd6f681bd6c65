package com.mlreef.offline.pip;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The index's answers: {@code /simple/} (the project list), {@code /simple/NAME/} (a project's files; another
 * spelling of the name is redirected to the normalised one), {@code /packages/PATH} (a file) and
 * {@code /packages/PATH.metadata} (a wheel's METADATA). GET and HEAD only.
 */
final class IndexHandler implements HttpHandler {
    private static final String METADATA = ".metadata";
    private final FolderIndex index;
    private final AccessLog log;
    private final boolean metadataForOldPip;

    IndexHandler(FolderIndex index, AccessLog log, boolean metadataForOldPip) {
        this.index = index;
        this.log = log;
        this.metadataForOldPip = metadataForOldPip;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        int[] status = {500};
        long sent = 0;
        try {
            ex.getResponseHeaders().set("Server", "mlreef-offline");
            sent = answer(ex, status);
        } catch (IOException | RuntimeException e) {
            // the client went away, or a file vanished while it was read: the exchange ends here
            status[0] = 500;
            throw e;
        } finally {
            log.log(ex, ex.getResponseCode() > 0 ? ex.getResponseCode() : status[0], sent, System.nanoTime() - start);
            ex.close();
        }
    }

    private long answer(HttpExchange ex, int[] status) throws IOException {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            return Responses.text(ex, 405, "only GET and HEAD");
        }
        List<String> segments;
        try {
            segments = RequestPath.segments(ex.getRequestURI().getRawPath());
        } catch (RequestPath.BadPath e) {
            return Responses.text(ex, 400, "bad path: " + e.getMessage());
        }
        if (segments.isEmpty() || segments.size() == 1 && segments.get(0).isEmpty()) {
            return Responses.redirect(ex, "/simple/");
        }
        String top = segments.get(0);
        if (top.equals("simple")) {
            return simple(ex, segments.subList(1, segments.size()));
        }
        if (top.equals("packages") && segments.size() > 1) {
            return packages(ex, segments.subList(1, segments.size()));
        }
        return Responses.text(ex, 404, "not found");
    }

    private long simple(HttpExchange ex, List<String> rest) throws IOException {
        if (rest.isEmpty()) {
            return Responses.redirect(ex, "/simple/");
        }
        PageForm form = PageForm.negotiate(ex.getRequestHeaders().getFirst("Accept"),
                ex.getRequestHeaders().getFirst("User-Agent"), metadataForOldPip);
        ex.getResponseHeaders().set("Vary", metadataForOldPip ? "Accept, User-Agent" : "Accept");
        FolderIndex.Snapshot snapshot = index.current();
        if (rest.size() == 1 && rest.get(0).isEmpty()) {
            FolderIndex.Page page = snapshot.page(form.name(),
                    () -> SimplePages.projectList(snapshot.projects().keySet(), form));
            return Responses.send(ex, 200, form.contentType(), page.body(), page.etag());
        }
        String name = rest.get(0);
        String normalized = DistributionName.normalize(name);
        if (rest.size() > 2 || rest.size() == 2 && !rest.get(1).isEmpty()) {
            return Responses.text(ex, 404, "not found");
        }
        if (rest.size() == 1 || !name.equals(normalized)) {
            return Responses.redirect(ex, "/simple/" + RequestPath.encodeSegment(normalized) + "/");
        }
        List<FolderIndex.Entry> entries = snapshot.projects().get(normalized);
        if (entries == null) {
            return Responses.text(ex, 404, "no project " + normalized + " in this index");
        }
        List<SimplePages.Link> links = new ArrayList<>(entries.size());
        for (FolderIndex.Entry entry : entries) {
            try {
                links.add(new SimplePages.Link(entry, index.facts(entry)));
            } catch (IOException e) {
                // removed since the scan: left out
            }
        }
        FolderIndex.Page page = FolderIndex.Page.of(SimplePages.project(normalized, links, form));
        return Responses.send(ex, 200, form.contentType(), page.body(), page.etag());
    }

    private long packages(HttpExchange ex, List<String> path) throws IOException {
        String last = path.get(path.size() - 1);
        boolean metadata = last.endsWith(METADATA);
        String fileName = metadata ? last.substring(0, last.length() - METADATA.length()) : last;
        DistributionName name = DistributionName.parse(fileName);
        if (name == null || metadata && !name.wheel() || path.stream().anyMatch(s -> s.startsWith("."))) {
            return Responses.text(ex, 404, "not found");
        }
        List<String> filePath = new ArrayList<>(path);
        filePath.set(filePath.size() - 1, fileName);
        Path file = RequestPath.file(index.root(), filePath);
        if (file == null) {
            return Responses.text(ex, 404, "not found");
        }
        FileFacts facts = index.facts(new FolderIndex.Entry(file, String.join("/", filePath), name));
        if (!metadata) {
            return Responses.file(ex, file, name.contentType(), facts);
        }
        byte[] body = facts.metadataSha256() == null ? null : CoreMetadata.ofWheel(file);
        if (body == null) {
            return Responses.text(ex, 404, "the wheel has no METADATA");
        }
        return Responses.send(ex, 200, "text/plain; charset=utf-8", body, "\"" + FileFacts.sha256(body) + "\"");
    }
}

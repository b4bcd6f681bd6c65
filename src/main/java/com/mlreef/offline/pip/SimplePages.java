package com.mlreef.offline.pip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The pages of the simple index: the project list and a project's files, as PEP 503 HTML or PEP 691 JSON. Files are
 * linked relative to the page, at {@code ../../packages/PATH}, with their SHA-256 and, for wheels, their metadata's
 * (PEP 658 and its PEP 714 name).
 */
final class SimplePages {
    private static final JsonFactory JSON = new JsonFactory();

    /** A file of a project page with its facts. */
    record Link(FolderIndex.Entry entry, FileFacts facts) {
    }

    private SimplePages() {
    }

    static byte[] projectList(Iterable<String> projects, PageForm form) {
        if (form == PageForm.JSON) {
            return json(g -> {
                g.writeArrayFieldStart("projects");
                for (String name : projects) {
                    g.writeStartObject();
                    g.writeStringField("name", name);
                    g.writeEndObject();
                }
                g.writeEndArray();
            });
        }
        StringBuilder html = head("Simple index");
        for (String name : projects) {
            html.append("<a href=\"").append(escape(name)).append("/\">").append(escape(name)).append("</a><br/>\n");
        }
        return html.append("</body>\n</html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] project(String name, List<Link> links, PageForm form) {
        if (form == PageForm.JSON) {
            return json(g -> {
                g.writeStringField("name", name);
                g.writeArrayFieldStart("files");
                for (Link link : links) {
                    jsonFile(g, link);
                }
                g.writeEndArray();
            });
        }
        StringBuilder html = head("Links for " + name).append("<h1>Links for ").append(escape(name)).append("</h1>\n");
        for (Link link : links) {
            FileFacts facts = link.facts();
            html.append("<a href=\"").append(escape(url(link))).append("#sha256=").append(facts.sha256()).append('"');
            if (facts.requiresPython() != null) {
                html.append(" data-requires-python=\"").append(escape(facts.requiresPython())).append('"');
            }
            if (facts.metadataSha256() != null) {
                // both names (PEP 658, PEP 714): pip 22.3 to 23.0 read the first, and only from HTML, which they
                // ask for after JSON: they get JSON, without it, and so escape their name check's bug, unless the
                // index gives them metadata (PageForm.readsMetadataFromHtmlOnly)
                String value = "sha256=" + facts.metadataSha256();
                html.append(" data-dist-info-metadata=\"").append(value).append('"')
                        .append(" data-core-metadata=\"").append(value).append('"');
            }
            html.append('>').append(escape(link.entry().name().fileName())).append("</a><br/>\n");
        }
        return html.append("</body>\n</html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void jsonFile(JsonGenerator g, Link link) throws IOException {
        FileFacts facts = link.facts();
        g.writeStartObject();
        g.writeStringField("filename", link.entry().name().fileName());
        g.writeStringField("url", url(link));
        g.writeObjectFieldStart("hashes");
        g.writeStringField("sha256", facts.sha256());
        g.writeEndObject();
        if (facts.requiresPython() != null) {
            g.writeStringField("requires-python", facts.requiresPython());
        }
        // PEP 714's name only: pip 22.3 to 23.0 fail on the older "dist-info-metadata" key in JSON
        if (facts.metadataSha256() == null) {
            g.writeBooleanField("core-metadata", false);
        } else {
            g.writeObjectFieldStart("core-metadata");
            g.writeStringField("sha256", facts.metadataSha256());
            g.writeEndObject();
        }
        g.writeNumberField("size", facts.size());
        g.writeEndObject();
    }

    private static String url(Link link) {
        StringBuilder url = new StringBuilder("../../packages");
        for (String segment : link.entry().relative().split("/")) {
            url.append('/').append(RequestPath.encodeSegment(segment));
        }
        return url.toString();
    }

    private static StringBuilder head(String title) {
        return new StringBuilder(4096).append("<!DOCTYPE html>\n<html>\n<head>\n")
                .append("<meta name=\"pypi:repository-version\" content=\"1.0\">\n<title>").append(escape(title))
                .append("</title>\n</head>\n<body>\n");
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(JsonBody body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("meta");
            g.writeStringField("api-version", "1.0");
            g.writeEndObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

package com.mlreef.offline.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** File names derived from image references: readable, unique per reference, and safe in a folder. */
class StackExporterTest {
    @Test
    void aFileIsNamedAfterItsReferenceWithoutTheRegistry() {
        assertEquals("mlreef_mlreef_latest.tar", StackExporter.fileName("registry.gitlab.com/mlreef/mlreef:latest"));
        assertEquals("alpine_latest.tar", StackExporter.fileName("alpine:latest"));
        String longName = StackExporter.fileName("registry.example.com/" + "team/".repeat(60) + "app:1");
        assertEquals(200, longName.length(), "room for .zst.partial on a file system of 255-byte names");
        assertTrue(longName.matches("team_team_.*_[0-9a-f]{12}\\.tar"), longName);
        assertEquals("alpine_latest.tar", StackExporter.fileName("docker.io/library/alpine:latest"));
        assertEquals("team_app_1.tar", StackExporter.fileName("127.0.0.1:5000/team/app:1"));
        assertEquals("team_app_1.tar", StackExporter.fileName("localhost/team/app:1"));
        assertEquals("docker_19.03.12-dind.tar", StackExporter.fileName("docker:19.03.12-dind"));
        assertEquals("busybox_0123456789ab.tar", StackExporter.fileName("busybox@sha256:" + "0123456789ab".repeat(5) + "0123"));
        assertEquals("team_app.tar", StackExporter.fileName("team/app"));
    }
}

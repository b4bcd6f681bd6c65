package com.mlreef.offline.pip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The facts of each file, kept while its size and modification time stay the same: a file is hashed once. */
final class FactsCache {
    private final Map<Path, FileFacts> facts = new ConcurrentHashMap<>();

    /** The file's facts, read again only when it changed since they were read. */
    FileFacts of(Path file, DistributionName name) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        long size = attributes.size();
        long modified = attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.MICROSECONDS);
        FileFacts known = facts.get(file);
        if (known != null && known.describes(size, modified)) {
            return known;
        }
        FileFacts read = FileFacts.read(file, name, size, modified);
        facts.put(file, read);
        return read;
    }

    /** Forgets the files that are gone. */
    void retain(Collection<Path> files) {
        facts.keySet().retainAll(files instanceof java.util.Set<?> ? files : java.util.Set.copyOf(files));
    }
}

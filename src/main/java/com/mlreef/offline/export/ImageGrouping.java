package com.mlreef.offline.export;

import com.mlreef.offline.bundle.BundleFiles;
import com.mlreef.offline.bundle.Compression;
import com.mlreef.offline.stackfile.StackSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Which file of the bundle holds which images, and the names of those files. */
final class ImageGrouping {
    private ImageGrouping() {
    }

    /**
     * One file per image (named by x-offline.files or after the reference; the references of one image share its
     * file unless the stack names another), or one file for all with --combined.
     */
    static List<ImageGroup> group(StackSpec spec, List<ResolvedImage> images, Compression compression,
                                  boolean combined) {
        String suffix = compression.suffix();
        if (combined) {
            return List.of(new ImageGroup(BundleFiles.IMAGES + "/" + shortened(spec.name() + "-images") + ".tar"
                    + suffix, images));
        }
        List<ImageGroup> groups = new ArrayList<>();
        Map<String, Integer> groupOfImage = new HashMap<>();
        // the names the stack gives are kept; a name derived from a reference gives way with -2, -3... (compared
        // without case: FAT and exFAT, the file systems of USB sticks, do not tell case apart)
        Set<String> used = new HashSet<>();
        images.forEach(i -> {
            String given = spec.files().get(i.reference());
            if (given != null) {
                used.add(given.toLowerCase(Locale.ROOT));
            }
        });
        for (ResolvedImage image : images) {
            String name = spec.files().get(image.reference());
            Integer same = groupOfImage.get(image.image().id());
            if (name == null && same != null) {
                groups.get(same).images().add(image);
                continue;
            }
            if (name == null) {
                name = unused(fileName(image.reference()), used);
            }
            groupOfImage.putIfAbsent(image.image().id(), groups.size());
            groups.add(new ImageGroup(BundleFiles.IMAGES + "/" + name + suffix, new ArrayList<>(List.of(image))));
        }
        return groups;
    }

    /** The name, or the first of NAME-2.tar, NAME-3.tar... not used yet; taken. */
    private static String unused(String base, Set<String> used) {
        String name = base;
        for (int n = 2; used.contains(name.toLowerCase(Locale.ROOT)); n++) {
            name = base.replaceFirst("(\\.tar)?$", "-" + n + "$1");
        }
        used.add(name.toLowerCase(Locale.ROOT));
        return name;
    }

    /** A file name after an image reference: {@code registry.example.com/team/app:1} -> {@code team_app_1.tar}. */
    static String fileName(String reference) {
        String name = reference;
        int slash = name.indexOf('/');
        if (slash > 0 && (name.substring(0, slash).contains(".") || name.substring(0, slash).contains(":")
                || name.substring(0, slash).equals("localhost"))) {
            name = name.substring(slash + 1);
        }
        name = name.replaceFirst("^library/", "").replaceFirst("@sha256:([0-9a-f]{12})[0-9a-f]*$", "_$1");
        name = name.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[^A-Za-z0-9]+", "");
        return shortened(name.isEmpty() ? "image" : name) + ".tar";
    }

    /** A name cut to fit {@link StackSpec#MAX_FILE_NAME} with .tar, kept apart from others by a hash of the whole. */
    private static String shortened(String name) {
        int room = StackSpec.MAX_FILE_NAME - ".tar".length();
        if (name.length() <= room) {
            return name;
        }
        String hash = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString()
                .replace("-", "");
        return name.substring(0, room - 13) + "_" + hash.substring(0, 12);
    }
}

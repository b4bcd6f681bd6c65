package com.mlreef.offline.bundle;

import com.mlreef.offline.ui.IoReason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SHA256SUMS against bundle.json (in a bundle) or against the files it lists (beside plain tars). */
final class SumsCheck {
    private SumsCheck() {
    }

    /** What SHA256SUMS must list: bundle.json with its sha256 as read now, and each file bundle.json lists. */
    static Map<String, String> expected(Path dir, BundleManifest manifest) {
        Path manifestFile = dir.resolve(BundleManifest.FILE_NAME);
        try {
            return BundleFiles.sums(manifest, BundleVerifier.sha256(Files.readAllBytes(manifestFile)));
        } catch (IOException e) {
            throw new BundleException("cannot read " + manifestFile + ": " + IoReason.of(e), e);
        }
    }

    /** A bundle's SHA256SUMS must list exactly {@code expected}. */
    static void checkBundle(Path dir, Map<String, String> expected, List<String> problems) {
        Path sumsFile = dir.resolve(BundleFiles.SUMS);
        if (!Files.exists(sumsFile)) {
            problems.add(sumsFile + ": missing");
            return;
        }
        Map<String, String> sums = read(dir, problems);
        if (sums == null) {
            return;
        }
        expected.forEach((file, sha) -> {
            String listed = sums.get(file);
            if (listed == null) {
                problems.add(sumsFile + ": does not list " + file);
            } else if (!listed.equals(sha)) {
                problems.add(sumsFile + ": the checksum of " + file + " differs from "
                        + (file.equals(BundleManifest.FILE_NAME) ? "the file's own" : "bundle.json's"));
            }
        });
        sums.keySet().stream().filter(f -> !expected.containsKey(f))
                .forEach(f -> problems.add(sumsFile + ": lists " + f + ", which the bundle does not hold"));
    }

    /** A SHA256SUMS beside plain tars (one a user made, or a bundle's) is checked as sha256sum -c checks it. */
    static void checkPlain(Path dir, List<BundleVerifier.FileCheck> checks, List<String> problems) {
        Path sumsFile = dir.resolve(BundleFiles.SUMS);
        if (!Files.isRegularFile(sumsFile)) {
            return;
        }
        Map<String, String> sums = read(dir, problems);
        if (sums == null) {
            return;
        }
        Map<String, String> read = new HashMap<>();
        checks.forEach(c -> read.put(c.file(), c.sha256()));
        sums.forEach((file, sha) -> {
            if (file.equals(BundleManifest.FILE_NAME)) {
                return; // said above
            }
            if (read.containsKey(file)) {
                String actual = read.get(file);
                if (actual != null && !actual.equals(sha)) {
                    problems.add(differs(dir, file, actual, sha));
                }
            } else if (!Files.exists(dir.resolve(file))) {
                problems.add(dir.resolve(file) + ": missing (" + BundleFiles.SUMS + " lists it)");
            } else {
                checkOther(dir, file, sha, problems);
            }
        });
    }

    /** A file beside the tars (notes, a checksum of the tool): checked as sha256sum -c checks it. */
    private static void checkOther(Path dir, String file, String sha, List<String> problems) {
        try (HashingInputStream hashing = new HashingInputStream(Files.newInputStream(dir.resolve(file)), n -> { })) {
            hashing.transferTo(OutputStream.nullOutputStream());
            String actual = hashing.hex();
            if (!actual.equals(sha)) {
                problems.add(differs(dir, file, actual, sha));
            }
        } catch (IOException e) {
            problems.add(dir.resolve(file) + ": unreadable: " + IoReason.of(e));
        }
    }

    private static String differs(Path dir, String file, String actual, String listed) {
        return dir.resolve(file) + ": sha256 " + actual + " differs from " + BundleFiles.SUMS + "'s " + listed
                + " (damaged or changed)";
    }

    /** SHA256SUMS, or null when it cannot be read (which is a problem). */
    private static Map<String, String> read(Path dir, List<String> problems) {
        try {
            return BundleFiles.readSums(dir);
        } catch (BundleException e) {
            problems.add(e.getMessage());
        } catch (IOException e) {
            problems.add(dir.resolve(BundleFiles.SUMS) + ": unreadable: " + IoReason.of(e));
        }
        return null;
    }
}

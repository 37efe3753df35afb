package dev.sfd.segmentation.cpsat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sfd.common.InvalidInputException;
import dev.sfd.segmentation.SegmenterSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Settings of the CP-SAT segmenter ({@code solver-configs/segmenter-cpsat.yaml}). The solver-neutral
 * {@link SegmenterSettings} passed to {@code segment} override {@code workers}, {@code seed} and
 * {@code timeLimitSeconds} (they carry the command line's values); the file gives the rest.
 *
 * @param workers CP-SAT search workers
 * @param seed CP-SAT random seed
 * @param timeLimitSeconds wall-clock limit of the main solve
 * @param warmStart whether the DP's plan is given to CP-SAT as a hint (and as an objective upper bound)
 * @param fullModelMaxOperators networks with more operators get the banded model around the DP's plan
 * @param band in the banded model, operator {@code v} may sit in segments {@code dp[v] - band .. dp[v] + band}
 * @param logSearch CP-SAT search log (to stdout)
 */
public record CpSatSegmenterSettings(int workers, int seed, double timeLimitSeconds, boolean warmStart,
                                     int fullModelMaxOperators, int band, boolean logSearch) {
    public static final String FORMAT = "sfd-segmenter-cpsat/1";
    public static final Path DEFAULT_FILE = Path.of("solver-configs", "segmenter-cpsat.yaml");
    public static final CpSatSegmenterSettings DEFAULT = new CpSatSegmenterSettings(2, 7, 10.0, true, 64, 3, false);
    private static final Set<String> FIELDS = Set.of("format", "workers", "seed", "timeLimitSeconds", "warmStart",
            "fullModelMaxOperators", "band", "logSearch");

    public CpSatSegmenterSettings {
        if (workers < 1 || timeLimitSeconds <= 0 || fullModelMaxOperators < 0 || band < 0) {
            throw new IllegalArgumentException("workers >= 1, timeLimitSeconds > 0, fullModelMaxOperators >= 0, "
                    + "band >= 0: " + workers + ", " + timeLimitSeconds + ", " + fullModelMaxOperators + ", " + band);
        }
    }

    /** These settings with the caller's workers, seed and time limit. */
    public CpSatSegmenterSettings overriddenBy(SegmenterSettings s) {
        return new CpSatSegmenterSettings(s.workers(), (int) Math.floorMod(s.seed(), (long) Integer.MAX_VALUE),
                s.timeLimitSeconds(), warmStart, fullModelMaxOperators, band, logSearch);
    }

    public CpSatSegmenterSettings withWarmStart(boolean w) {
        return new CpSatSegmenterSettings(workers, seed, timeLimitSeconds, w, fullModelMaxOperators, band, logSearch);
    }

    public CpSatSegmenterSettings withFullModelMaxOperators(int n) {
        return new CpSatSegmenterSettings(workers, seed, timeLimitSeconds, warmStart, n, band, logSearch);
    }

    public CpSatSegmenterSettings withBand(int b) {
        return new CpSatSegmenterSettings(workers, seed, timeLimitSeconds, warmStart, fullModelMaxOperators, b,
                logSearch);
    }

    /** Reads the default file when it exists, else {@link #DEFAULT}. */
    public static CpSatSegmenterSettings readDefault() {
        return Files.isRegularFile(DEFAULT_FILE) ? read(DEFAULT_FILE) : DEFAULT;
    }

    /** Reads and validates a settings file; every problem names the field, the value and what is valid. */
    public static CpSatSegmenterSettings read(Path file) {
        String source = file.toString();
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidInputException(source, "cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException(source, "must be a YAML mapping of settings");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add("unknown field '" + f + "'; valid fields are " + FIELDS.stream().sorted().toList());
            }
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            problems.add("format is '" + root.path("format").asText() + "'; expected '" + FORMAT + "'");
        }
        CpSatSegmenterSettings d = DEFAULT;
        int workers = intField(root, "workers", d.workers(), 1, 64, problems);
        int seed = intField(root, "seed", d.seed(), 0, Integer.MAX_VALUE, problems);
        double limit = d.timeLimitSeconds();
        if (root.has("timeLimitSeconds")) {
            JsonNode n = root.get("timeLimitSeconds");
            if (!n.isNumber() || n.asDouble() <= 0) {
                problems.add("timeLimitSeconds is (" + n + "); it must be a number > 0");
            } else {
                limit = n.asDouble();
            }
        }
        boolean warm = boolField(root, "warmStart", d.warmStart(), problems);
        int fullMax = intField(root, "fullModelMaxOperators", d.fullModelMaxOperators(), 0, 100_000, problems);
        int band = intField(root, "band", d.band(), 0, 1_000, problems);
        boolean log = boolField(root, "logSearch", d.logSearch(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidInputException(source, problems);
        }
        return new CpSatSegmenterSettings(workers, seed, limit, warm, fullMax, band, log);
    }

    private static int intField(JsonNode root, String field, int dflt, int min, int max, List<String> problems) {
        if (!root.has(field)) {
            return dflt;
        }
        JsonNode n = root.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            problems.add(field + " is (" + n + "); it must be an integer in [" + min + ", " + max + "]");
            return dflt;
        }
        return n.asInt();
    }

    private static boolean boolField(JsonNode root, String field, boolean dflt, List<String> problems) {
        if (!root.has(field)) {
            return dflt;
        }
        JsonNode n = root.get(field);
        if (!n.isBoolean()) {
            problems.add(field + " is (" + n + "); it must be true or false");
            return dflt;
        }
        return n.asBoolean();
    }
}

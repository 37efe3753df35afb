package dev.sfd.segmentation.cpsat;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;
import dev.sfd.segmentation.SegmenterSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<String> problems = new ArrayList<>();
        Fields f = Fields.settingsFile(file, "segmenter settings", FORMAT, FIELDS, problems);
        CpSatSegmenterSettings d = DEFAULT;
        int workers = f.intInRange("workers", d.workers(), 1, 64);
        int seed = f.intInRange("seed", d.seed(), 0, Integer.MAX_VALUE);
        double limit = f.positiveNumber("timeLimitSeconds", d.timeLimitSeconds());
        boolean warm = f.bool("warmStart", d.warmStart());
        int fullMax = f.intInRange("fullModelMaxOperators", d.fullModelMaxOperators(), 0, 100_000);
        int band = f.intInRange("band", d.band(), 0, 1_000);
        boolean log = f.bool("logSearch", d.logSearch());
        if (!problems.isEmpty()) {
            throw new InvalidInputException(file.toString(), problems);
        }
        return new CpSatSegmenterSettings(workers, seed, limit, warm, fullMax, band, log);
    }
}

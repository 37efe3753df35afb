package dev.sfd.segmentation;

import java.util.Objects;

/**
 * Settings shared by every segmenter; each solver uses what applies to it.
 *
 * @param objective what to minimise
 * @param timeLimitSeconds wall-clock limit of a search solver (the DP ignores it)
 * @param workers solver threads
 * @param seed random seed (fixed for reproducible runs)
 * @param maxSegmentLength longest segment the DP considers (operators); the DP is exact when the network's
 *     best segmentation has no longer segment
 */
public record SegmenterSettings(Objective objective, double timeLimitSeconds, int workers, long seed,
                                int maxSegmentLength) {
    public SegmenterSettings {
        Objects.requireNonNull(objective, "objective");
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1: " + workers);
        }
        if (maxSegmentLength < 1) {
            throw new IllegalArgumentException("maxSegmentLength must be >= 1: " + maxSegmentLength);
        }
    }

    public static SegmenterSettings defaults() {
        return new SegmenterSettings(Objective.LATENCY, 10, 2, 42, 96);
    }

    public SegmenterSettings withObjective(Objective o) {
        return new SegmenterSettings(o, timeLimitSeconds, workers, seed, maxSegmentLength);
    }

    public SegmenterSettings withTimeLimitSeconds(double s) {
        return new SegmenterSettings(objective, s, workers, seed, maxSegmentLength);
    }
}

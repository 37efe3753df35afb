package dev.sfd.segmentation;

import java.util.Objects;

/**
 * Settings shared by every segmenter; each solver uses what applies to it.
 *
 * @param objective what to minimise
 * @param timeLimitSeconds wall-clock limit of a search solver and of the priced DP (the DP over the additive model
 *     ignores it)
 * @param workers solver threads
 * @param seed random seed (fixed for reproducible runs)
 * @param maxSegmentLength longest segment the DP considers (operators); the DP is exact when the network's
 *     best segmentation has no longer segment
 * @param workBudget tile events the priced DP may have its pricer walk ({@link SegmentPricer#work}) before it
 *     stops as at its time limit; 0 for none. The count does not depend on the machine's speed, so neither does
 *     an answer cut by it.
 */
public record SegmenterSettings(Objective objective, double timeLimitSeconds, int workers, long seed,
                                int maxSegmentLength, long workBudget) {
    public SegmenterSettings {
        Objects.requireNonNull(objective, "objective");
        if (workBudget < 0) {
            throw new IllegalArgumentException("workBudget must be >= 0: " + workBudget);
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1: " + workers);
        }
        if (maxSegmentLength < 1) {
            throw new IllegalArgumentException("maxSegmentLength must be >= 1: " + maxSegmentLength);
        }
    }

    /** Settings with no work budget. */
    public SegmenterSettings(Objective objective, double timeLimitSeconds, int workers, long seed,
                             int maxSegmentLength) {
        this(objective, timeLimitSeconds, workers, seed, maxSegmentLength, 0);
    }

    public static SegmenterSettings defaults() {
        return new SegmenterSettings(Objective.LATENCY, 10, 2, 42, 96);
    }

    public SegmenterSettings withObjective(Objective o) {
        return new SegmenterSettings(o, timeLimitSeconds, workers, seed, maxSegmentLength, workBudget);
    }

    public SegmenterSettings withTimeLimitSeconds(double s) {
        return new SegmenterSettings(objective, s, workers, seed, maxSegmentLength, workBudget);
    }

    public SegmenterSettings withWorkBudget(long events) {
        return new SegmenterSettings(objective, timeLimitSeconds, workers, seed, maxSegmentLength, events);
    }
}

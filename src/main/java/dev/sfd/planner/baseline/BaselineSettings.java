package dev.sfd.planner.baseline;

import dev.sfd.planner.SfdPlanner;
import dev.sfd.segmentation.SegmenterSettings;

/**
 * Settings of the fusion baselines. The search baselines ({@code anneal}, {@code genetic}) stop at whichever of
 * {@code evaluations} and {@code timeLimitSeconds} comes first; the others use only the limits on segment size.
 *
 * @param evaluations candidate solutions a search baseline may score (its evaluation budget)
 * @param timeLimitSeconds wall-clock limit of a search baseline
 * @param seed random seed of a search baseline (runs with the same seed and budget are identical unless the time
 *     limit stops them first)
 * @param mapperThreads layers mapped in parallel when the planner maps the network itself
 * @param maxTasks segments whose tile walk has more events are neither priced nor scheduled (as in the SFD planner)
 * @param maxSegmentLength longest segment formed, in operators (as in the SFD planner's segmenter)
 */
public record BaselineSettings(long evaluations, double timeLimitSeconds, long seed, int mapperThreads, int maxTasks,
                               int maxSegmentLength) {
    public BaselineSettings {
        if (evaluations < 1) {
            throw new IllegalArgumentException("evaluations must be >= 1: " + evaluations);
        }
        if (!(timeLimitSeconds > 0)) {
            throw new IllegalArgumentException("timeLimitSeconds must be > 0: " + timeLimitSeconds);
        }
        if (mapperThreads < 1 || maxTasks < 1 || maxSegmentLength < 1) {
            throw new IllegalArgumentException("mapperThreads, maxTasks and maxSegmentLength must be >= 1");
        }
    }

    /** 4000 evaluations, 60 s, seed 42, 2 mapper threads, the SFD planner's limits on segment size. */
    public static BaselineSettings defaults() {
        return new BaselineSettings(4000, 60, 42, 2, SfdPlanner.Options.defaults().maxFusedTasks(),
                SegmenterSettings.defaults().maxSegmentLength());
    }

    public BaselineSettings withEvaluations(long n) {
        return new BaselineSettings(n, timeLimitSeconds, seed, mapperThreads, maxTasks, maxSegmentLength);
    }

    public BaselineSettings withTimeLimitSeconds(double s) {
        return new BaselineSettings(evaluations, s, seed, mapperThreads, maxTasks, maxSegmentLength);
    }

    public BaselineSettings withSeed(long s) {
        return new BaselineSettings(evaluations, timeLimitSeconds, s, mapperThreads, maxTasks, maxSegmentLength);
    }

    public BaselineSettings withMapperThreads(int n) {
        return new BaselineSettings(evaluations, timeLimitSeconds, seed, n, maxTasks, maxSegmentLength);
    }

    public BaselineSettings withMaxTasks(int n) {
        return new BaselineSettings(evaluations, timeLimitSeconds, seed, mapperThreads, n, maxSegmentLength);
    }
}

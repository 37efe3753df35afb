package dev.sfd.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.segmentation.Objective;
import org.junit.jupiter.api.Test;

/**
 * {@code --time-limit} is the SFD run's: the segmenter gets what is left of 80 % of it after mapping, and at least a
 * quarter of it when mapping took longer.
 */
class SegmenterTimeLimitTest {
    private static final double SECOND = 1e9;

    private static SfdPlanner planner(double limitSeconds) {
        return new SfdPlanner(new HeuristicMapper(), new SfdPlanner.Options(SolverChoice.AUTO, Objective.LATENCY,
                limitSeconds, 2, 42, "fast", SfdPlannerZooTest.MAX_FUSED_TASKS), ProgressListener.NONE);
    }

    @Test
    void theSegmenterGetsWhatMappingLeftOfEightyPercent() {
        long start = System.nanoTime() - (long) (2 * SECOND); // mapping took 2 s of a 10 s run
        assertEquals(6.0, planner(10).segmenterSeconds(start), 0.2);
        start = System.nanoTime() - (long) (0.5 * SECOND); // and 0.5 s of a 60 s run
        assertEquals(47.5, planner(60).segmenterSeconds(start), 0.2);
    }

    @Test
    void theSegmenterGetsAQuarterWhenMappingTookLonger() {
        long start = System.nanoTime() - (long) (9 * SECOND);
        assertEquals(2.5, planner(10).segmenterSeconds(start), 1e-9);
    }
}

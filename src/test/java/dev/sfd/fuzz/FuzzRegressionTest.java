package dev.sfd.fuzz;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Seeds that once failed a fuzz run, kept as regression cases (benchmarks/README.md, "Fuzzing", lists what each
 * found): 238 (an output that is a view of an input), 1898 (pooling that leaves the last column unread), 1000019 and
 * 1000148 (strided windows that skip rows) had plans below the old lower bound; 560 had a merged segment storing a
 * tensor nobody loads (the merge pass is gone); 8159 crashed the priced DP when its greedy seed grew a segment on a
 * tie of two infinite prices and no fully priced path was left; 9551 crashed it when an operator fit the buffer at tile
 * level with none of its options, alone or fused (the DP now answers infeasible and the planner falls back). Each must
 * give legal plans at or above the bound, or a clear infeasibility.
 */
class FuzzRegressionTest {
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {238, 560, 1898, 8159, 9551, 1000019, 1000148})
    void formerlyFailingSeedsPass(long seed) {
        PlannerFuzz.Result r = PlannerFuzz.run(seed);
        assertFalse(r.failed(), "seed " + seed + ": " + r.outcomes());
    }
}

package dev.sfd.fuzz;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CI fuzz run: {@link #CASES} fixed seeds, each a random network and accelerator ({@link FuzzInputs}) planned by
 * every registered planner ({@link PlannerFuzz}): a plan or a clear infeasibility, never another exception; no
 * simulator violation; latency at or above the lower bound. The cases run two at a time (started before the first
 * assertion), one test per seed. The 10,000-case run is {@link FuzzRun} (benchmarks/README.md).
 */
class PlannerFuzzTest {
    static final int CASES = 300;
    /** Seeds of the CI run: 1_000_000 + i, so they differ from the benchmark run's 0 .. 9,999. */
    static final long FIRST_SEED = 1_000_000;

    private static ExecutorService pool;
    private static final Map<Long, Future<PlannerFuzz.Result>> RESULTS = new ConcurrentHashMap<>();

    static LongStream seeds() {
        return LongStream.range(FIRST_SEED, FIRST_SEED + CASES);
    }

    @BeforeAll
    static void startAll() {
        pool = Executors.newFixedThreadPool(2);
        seeds().forEach(s -> RESULTS.put(s, pool.submit(() -> PlannerFuzz.run(s))));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyPlannerGivesALegalPlanOrAClearInfeasibility(long seed) throws Exception {
        PlannerFuzz.Result r = RESULTS.get(seed).get();
        assertFalse(r.outcomes().isEmpty(), "no planner ran");
        assertFalse(r.failed(), "seed " + seed + " (" + r.network() + ", " + r.operators() + " operators, " + r.hardware()
                + ", " + r.mapper() + "): " + r.outcomes()
                + "\n  reproduce: PlannerFuzz.run(" + seed + "); files: FuzzInputs.network/hardware(" + seed + ")");
        assertTrue(r.outcomes().stream().allMatch(o -> o.kind().equals("PLAN") || o.kind().equals("INFEASIBLE")),
                r.outcomes().toString());
    }
}

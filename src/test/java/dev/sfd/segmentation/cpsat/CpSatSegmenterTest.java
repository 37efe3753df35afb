package dev.sfd.segmentation.cpsat;

import dev.sfd.common.InvalidInputException;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.RandomModels;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpSatSegmenterTest {
    private static final CpSatSegmenterSettings ONE_WORKER = new CpSatSegmenterSettings(1, 7, 5.0, true, 64, 3, false);

    private static SegmenterSettings settings(Objective objective) {
        return new SegmenterSettings(objective, 5.0, 1, 7, 96);
    }

    static Stream<Arguments> tinyDags() {
        return Stream.iterate(1L, s -> s + 1).limit(14).flatMap(seed -> Stream.of(
                Arguments.of(seed, Objective.LATENCY, seed % 2 == 0),
                Arguments.of(seed, seed % 2 == 0 ? Objective.ENERGY : Objective.DRAM, true)));
    }

    @ParameterizedTest(name = "seed {0} {1} warm start {2}")
    @MethodSource("tinyDags")
    void equalsBruteForceOverAllConvexSegmentationsAndOptions(long seed, Objective objective, boolean warmStart) {
        Random r = new Random(seed);
        int n = 3 + r.nextInt(5); // 3..7 operators, branches and residual joins
        SegmentationModel m = RandomModels.random(r, n, false, 48);
        double brute = ConvexBruteForce.best(m, objective);
        Segmentation s = new CpSatSegmenter(ONE_WORKER.withWarmStart(warmStart)).segment(m, settings(objective));
        if (brute == Double.MAX_VALUE) {
            assertFalse(s.feasible(), "brute force finds nothing legal, CP-SAT must not either");
            assertEquals(Segmentation.Status.INFEASIBLE, s.status());
            return;
        }
        assertTrue(s.feasible(), () -> "CP-SAT found nothing, brute force " + brute);
        assertEquals(Segmentation.Status.OPTIMAL, s.status());
        assertEquals(0.0, s.gap());
        assertEquals(brute, objective.score(s.evaluation()), 1e-6 * Math.max(1, brute), "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void equalsDpOnChainsWhereEveryOrderIsTheSame(long seed) {
        Random r = new Random(100 + seed);
        int n = 4 + r.nextInt(7); // 4..10
        SegmentationModel m = RandomModels.random(r, n, true, 4096);
        Segmentation dp = new DpSegmenter().segment(m, settings(Objective.LATENCY));
        Segmentation cp = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.LATENCY));
        assertEquals(dp.feasible(), cp.feasible());
        if (dp.feasible()) {
            assertEquals(Segmentation.Status.OPTIMAL, cp.status());
            assertEquals(dp.evaluation().latencyCycles(), cp.evaluation().latencyCycles());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void neverWorseThanDpOnBranchyGraphs(long seed) {
        Random r = new Random(200 + seed);
        int n = 6 + r.nextInt(7); // 6..12
        SegmentationModel m = RandomModels.random(r, n, false, 4096);
        Segmentation dp = new DpSegmenter().segment(m, settings(Objective.LATENCY));
        Segmentation cp = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.LATENCY));
        if (!dp.feasible()) {
            return;
        }
        assertTrue(cp.feasible());
        assertTrue(cp.evaluation().latencyCycles() <= dp.evaluation().latencyCycles(),
                cp.evaluation().latencyCycles() + " > DP " + dp.evaluation().latencyCycles());
    }

    @Test
    void findsAGroupingOutsideTheTopologicalOrder() {
        // a -> b, a -> c, b -> d, c -> d in the order a, b, c, d; a fuses with c and b with d only when the
        // buffer holds {a, c} and {b, d} but no three operators: not contiguous in the order, yet convex.
        List<SegmentationModel.OperatorNode> ops = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            ops.add(new SegmentationModel.OperatorNode(name, List.of(new SegmentationModel.Option(400, 100, 0, 0))));
        }
        List<SegmentationModel.TensorEdge> ts = List.of(
                new SegmentationModel.TensorEdge("in", -1, List.of(0), 1000, 0, false),
                new SegmentationModel.TensorEdge("ta", 0, List.of(1, 2), 8000, 100, false),
                new SegmentationModel.TensorEdge("tb", 1, List.of(3), 100_000, 100, false),
                new SegmentationModel.TensorEdge("tc", 2, List.of(3), 8000, 100, false),
                new SegmentationModel.TensorEdge("td", 3, List.of(), 1000, 0, true));
        SegmentationModel m = new SegmentationModel(ops, ts, 1000, 10, 1, 50);
        Segmentation dp = new DpSegmenter().segment(m, settings(Objective.DRAM));
        Segmentation cp = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.DRAM));
        // the DRAM score breaks ties by latency at less than a byte per plan; CP-SAT minimises the bytes alone
        assertEquals(ConvexBruteForce.best(m, Objective.DRAM), Objective.DRAM.score(cp.evaluation()), 1.0);
        assertTrue(cp.evaluation().dramBytes() < dp.evaluation().dramBytes(),
                cp.parts() + " vs DP " + dp.parts());
    }

    @Test
    void infeasibleWhenNothingFitsNamingTheOperator() {
        SegmentationModel m = new SegmentationModel(List.of(
                new SegmentationModel.OperatorNode("small", List.of(new SegmentationModel.Option(100, 10, 0, 0))),
                new SegmentationModel.OperatorNode("big", List.of(new SegmentationModel.Option(5000, 10, 0, 0),
                        new SegmentationModel.Option(3000, 20, 0, 0)))),
                List.of(new SegmentationModel.TensorEdge("t", 0, List.of(1), 10, 0, false)), 1000, 1, 1, 0);
        Segmentation s = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.LATENCY));
        assertEquals(Segmentation.Status.INFEASIBLE, s.status());
        assertFalse(s.feasible());
        assertTrue(s.evaluation().problem().contains("big"), s.evaluation().problem());
        Segmentation cold = new CpSatSegmenter(ONE_WORKER.withWarmStart(false)).segment(m, settings(Objective.LATENCY));
        assertEquals(Segmentation.Status.INFEASIBLE, cold.status());
    }

    @Test
    void energyWithFractionalPicojoulesAgreesWithTheEvaluatorWithinRounding() {
        Random r = new Random(77);
        SegmentationModel base = RandomModels.random(r, 6, false, 64);
        List<SegmentationModel.OperatorNode> ops = new ArrayList<>();
        for (SegmentationModel.OperatorNode op : base.operators()) {
            ops.add(new SegmentationModel.OperatorNode(op.name(), op.options().stream()
                    .map(o -> new SegmentationModel.Option(o.bufferBytes(), o.computeCycles(), o.weightDramBytes(),
                            o.computeEnergyPj() / 7.0)).toList()));
        }
        SegmentationModel m = new SegmentationModel(ops, base.tensors(), base.capacityBytes(), 12.5, 2.25,
                base.segmentOverheadCycles());
        Segmentation s = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.ENERGY));
        assertTrue(s.feasible());
        double brute = ConvexBruteForce.best(m, Objective.ENERGY);
        assertEquals(brute, s.evaluation().energyPj(), 1e-3 * m.operators().size() + 1e-9 * brute);
        Segmentation latency = new CpSatSegmenter(ONE_WORKER).segment(m, settings(Objective.LATENCY));
        assertEquals(ConvexBruteForce.best(m, Objective.LATENCY), latency.evaluation().latencyCycles());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void bandedModelPolishesTheDpPlanAndSaysItIsNotProven(long seed) {
        Random r = new Random(300 + seed);
        SegmentationModel m = RandomModels.random(r, 14, false, 1 << 20);
        Segmentation dp = new DpSegmenter().segment(m, settings(Objective.LATENCY));
        Segmentation cp = new CpSatSegmenter(ONE_WORKER.withFullModelMaxOperators(8).withBand(2))
                .segment(m, settings(Objective.LATENCY));
        if (!dp.feasible()) {
            return;
        }
        assertTrue(cp.feasible());
        assertEquals(Segmentation.Status.FEASIBLE, cp.status());
        assertTrue(Double.isNaN(cp.gap()));
        assertTrue(cp.evaluation().latencyCycles() <= dp.evaluation().latencyCycles());
    }

    @Test
    void readsTheShippedSettingsFile() {
        CpSatSegmenterSettings s = CpSatSegmenterSettings.read(CpSatSegmenterSettings.DEFAULT_FILE);
        assertTrue(s.workers() >= 1 && s.workers() <= 2, "workers " + s.workers());
        assertTrue(s.timeLimitSeconds() > 0);
    }

    @Test
    void rejectsBadSettingsNamingFileFieldAndValue(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "format: sfd-segmenter-cpsat/1\nworkers: 0\ntimeLimitSeconds: -1\nbandd: 2\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CpSatSegmenterSettings.read(f));
        String msg = e.getMessage();
        assertEquals(3, e.problems().size(), msg);
        assertTrue(msg.contains("bad.yaml: segmenter settings field 'workers' has value (0); "
                + "expected a whole number in [1, 64]"), msg);
        assertTrue(msg.contains("segmenter settings field 'timeLimitSeconds' has value (-1); expected a number > 0"),
                msg);
        assertTrue(msg.contains("segmenter settings has unknown field 'bandd'"), msg);
        assertTrue(msg.contains("Maybe you meant 'band'"), msg);
    }
}

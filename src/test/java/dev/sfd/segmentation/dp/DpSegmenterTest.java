package dev.sfd.segmentation.dp;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.RandomModels;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DpSegmenterTest {

    static Stream<Arguments> seeds() {
        return Stream.iterate(1L, s -> s + 1).limit(40).flatMap(seed -> Stream.of(Objective.values())
                .map(o -> Arguments.of(seed, o)));
    }

    @ParameterizedTest(name = "seed {0} {1}")
    @MethodSource("seeds")
    void equalsBruteForceOverContiguousSegmentationsAndChoices(long seed, Objective objective) {
        Random r = new Random(seed);
        int n = 2 + r.nextInt(11); // 2..12 operators
        SegmentationModel m = RandomModels.random(r, n, false, Math.max(1, 60_000L >> (n - 1)));
        double brute = RandomModels.bruteForceContiguous(m, objective);
        Segmentation s = new DpSegmenter().segment(m, SegmenterSettings.defaults().withObjective(objective));
        if (brute == Double.MAX_VALUE) {
            assertFalse(s.feasible(), "brute force finds nothing legal, DP must not either");
            return;
        }
        assertTrue(s.feasible(), () -> "DP found nothing, brute force " + brute);
        assertEquals(Segmentation.Status.OPTIMAL, s.status());
        double dp = objective.score(s.evaluation());
        assertEquals(brute, dp, 1e-6 * Math.max(1, brute), "seed " + seed);
    }

    @Test
    void reportsOperatorThatDoesNotFitAlone() {
        SegmentationModel m = new SegmentationModel(
                List.of(new SegmentationModel.OperatorNode("big", List.of(new SegmentationModel.Option(5000, 10, 0, 0)))),
                List.of(), 1000, 1, 1, 0);
        Segmentation s = new DpSegmenter().segment(m, SegmenterSettings.defaults());
        assertFalse(s.feasible());
        assertTrue(s.evaluation().problem().contains("big"), s.evaluation().problem());
    }

    @Test
    void fusesChainWhenBufferAllowsAndSplitsWhenNot() {
        List<SegmentationModel.OperatorNode> ops = List.of(
                new SegmentationModel.OperatorNode("a", List.of(new SegmentationModel.Option(100, 10, 0, 0))),
                new SegmentationModel.OperatorNode("b", List.of(new SegmentationModel.Option(100, 10, 0, 0))));
        List<SegmentationModel.TensorEdge> ts = List.of(
                new SegmentationModel.TensorEdge("x", -1, List.of(0), 100, 0, false),
                new SegmentationModel.TensorEdge("y", 0, List.of(1), 10_000, 50, false),
                new SegmentationModel.TensorEdge("z", 1, List.of(), 100, 0, true));
        Segmentation fused = new DpSegmenter().segment(new SegmentationModel(ops, ts, 250, 1, 1, 0),
                SegmenterSettings.defaults());
        assertEquals(1, fused.parts().size());
        Segmentation split = new DpSegmenter().segment(new SegmentationModel(ops, ts, 240, 1, 1, 0),
                SegmenterSettings.defaults());
        assertEquals(2, split.parts().size());
        assertEquals(100 + 10_000 + 10_000 + 100, split.evaluation().dramBytes());
    }
}

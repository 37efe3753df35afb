package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationInput;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.TilePricer;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The priced DP by rising segment size ({@link SegmenterChain}) against its exact twin, the priced DP run once at
 * the pricer's full limit: when every round converges, both are optimal for the same priced model and must find the
 * same latency, unless a round's answer joins lower (then the staged answer is below it and says so). The first limit is small so that several rounds run on a small network.
 */
class StagedDpTest {
    static final Network NET = NetworkReader.parse("staged.yaml", """
            format: sfd-network/1
            name: staged
            batch: 1
            inputs:
              - {name: x, shape: [1, 16, 28, 28]}
            outputs: [r3]
            operators:
              - {name: c1, op: conv, inputs: [x], channels: 32, kernel: 3, padding: 1}
              - {name: r1, op: relu, inputs: [c1]}
              - {name: c2, op: conv, inputs: [r1], channels: 32, kernel: 3, padding: 1}
              - {name: r2, op: relu, inputs: [c2]}
              - {name: c3, op: conv, inputs: [r2], channels: 64, kernel: 1}
              - {name: r3, op: relu, inputs: [c3]}
            """, null);
    static final Hardware HW = HardwareCatalog.resolve("edge");
    static final SegmentationInput INPUT = new SegmentationModelBuilder(NET, HW)
            .build(NetworkMapper.map(new HeuristicMapper(), NET, HW, 1));
    static final SegmenterSettings SETTINGS = new SegmenterSettings(Objective.LATENCY, 120, 1, 42, 96);

    /** A fresh single-threaded pricer (its own cache) pricing walks of up to {@code maxTasks} tile events. */
    private static TilePricer pricer(int maxTasks) {
        return new TilePricer(NET, new CostModel(HW), INPUT, maxTasks, 1);
    }

    @Test
    void risingLimitsReachTheSingleRunsOptimum() {
        int full = 8_000;

        Segmentation once = new DpSegmenter(pricer(full)).segment(INPUT.model(), SETTINGS);
        SegmenterChain chain = new SegmenterChain(SolverChoice.DP, "fast", Optional.of(pricer(full)), 500);
        Segmentation staged = chain.segment(INPUT.model(), SETTINGS);

        assertEquals(Segmentation.Status.OPTIMAL, once.status());
        String note = chain.runs().get(0).note();
        assertTrue(note.contains("500 OPTIMAL") && note.contains(full + " OPTIMAL"), note);
        if (note.contains("joined")) {
            // a round's answer joined lower (SegmentJoins): outside the searched space, so below the optimum
            assertEquals(Segmentation.Status.FEASIBLE, staged.status());
            assertTrue(staged.pricedValue() < once.pricedValue(), () -> chain.runs().toString());
        } else {
            assertEquals(Segmentation.Status.OPTIMAL, staged.status(), () -> chain.runs().toString());
            assertEquals(once.pricedValue(), staged.pricedValue(), () -> chain.runs().toString());
        }
    }

    /**
     * A round that converges without refusing any segment the pricer's own limit would price searched the whole
     * problem: the ladder stops there, OPTIMAL, at the single run's optimum (which the pricer's full limit finds).
     */
    @Test
    void aRoundThatRefusedNothingIsTheLast() {
        int full = 1_000_000;
        int first = 200_000;

        Segmentation once = new DpSegmenter(pricer(full)).segment(INPUT.model(), SETTINGS);
        SegmenterChain chain = new SegmenterChain(SolverChoice.DP, "fast", Optional.of(pricer(full)), first);
        Segmentation answer = chain.segment(INPUT.model(), SETTINGS);

        assertEquals(Segmentation.Status.OPTIMAL, once.status());
        String note = chain.runs().get(0).note();
        assertTrue(note.contains(first + " OPTIMAL (no segment over the limit)"), note);
        assertTrue(!note.contains(String.valueOf(2 * first)), note);
        if (!note.contains("joined")) {
            assertEquals(Segmentation.Status.OPTIMAL, answer.status(), () -> chain.runs().toString());
            assertEquals(once.pricedValue(), answer.pricedValue(), () -> chain.runs().toString());
        } else {
            assertTrue(answer.pricedValue() < once.pricedValue(), () -> chain.runs().toString());
        }
    }
}

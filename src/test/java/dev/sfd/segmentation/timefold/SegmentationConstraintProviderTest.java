package dev.sfd.segmentation.timefold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ai.timefold.solver.test.api.score.stream.ConstraintVerifier;

import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModel.Option;
import dev.sfd.segmentation.SegmentationModel.OperatorNode;
import dev.sfd.segmentation.SegmentationModel.Part;
import dev.sfd.segmentation.SegmentationModel.TensorEdge;

/**
 * Each constraint on a hand-made chain a -> b -> c, with the expected amounts worked out by hand (and checked
 * against the reference {@link SegmentationModel#evaluate}).
 */
class SegmentationConstraintProviderTest {

    private final ConstraintVerifier<SegmentationConstraintProvider, SegmentationPlan> verifier =
            ConstraintVerifier.build(new SegmentationConstraintProvider(), SegmentationPlan.class, OperatorSlot.class);

    /** Capacity 500 B, 10 B/cycle, 2 pJ/B, 50 cycles per segment. */
    private static final SegmentationModel MODEL = new SegmentationModel(
            List.of(new OperatorNode("a", List.of(new Option(100, 1000, 400, 10))),
                    new OperatorNode("b", List.of(new Option(200, 500, 0, 5), new Option(50, 800, 0, 4))),
                    new OperatorNode("c", List.of(new Option(100, 300, 800, 7)))),
            List.of(new TensorEdge("input", -1, List.of(0), 1000, 0, false),
                    new TensorEdge("ta", 0, List.of(1), 2000, 300, false),
                    new TensorEdge("tb", 1, List.of(2), 1600, 200, false),
                    new TensorEdge("tc", 2, List.of(), 400, 0, true)),
            500, 10.0, 2.0, 50);

    /** [a b] [c] with b's big option: segment 0 holds 100 + 200 + 300 (ta on chip) = 600 B. */
    private static final List<Part> FUSED_AB = List.of(new Part(List.of(0, 1), List.of(0, 0)),
            new Part(List.of(2), List.of(0)));
    /** [a] [b] [c] with b's small option. */
    private static final List<Part> ALONE = List.of(new Part(List.of(0), List.of(0)),
            new Part(List.of(1), List.of(1)), new Part(List.of(2), List.of(0)));
    /** [a b c] with b's small option: 100 + 50 + 100 + 300 + 200 = 750 B. */
    private static final List<Part> ALL_FUSED = List.of(new Part(List.of(0, 1, 2), List.of(0, 1, 0)));

    private static SegmentationPlan plan(List<Part> parts) {
        return SegmentationPlanFactory.warmStart(MODEL, parts);
    }

    @Test
    void bufferCapacityPenalizesOverflowBytesPerSegment() {
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity).givenSolution(plan(FUSED_AB))
                .penalizesBy(100);
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity).givenSolution(plan(ALONE))
                .penalizesBy(0);
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity).givenSolution(plan(ALL_FUSED))
                .penalizesBy(250);
        assertEquals(600, MODEL.evaluate(FUSED_AB).parts().get(0).bufferBytes());
        assertEquals(750, MODEL.evaluate(ALL_FUSED).parts().get(0).bufferBytes());
    }

    /**
     * The chain above with window terms: ta adds 40 B for a's option and 10 / 70 B for b's options 0 / 1 as its
     * consumer; tb adds 5 / 25 B for b's options as producer and 30 B for c's option as consumer.
     */
    private static final SegmentationModel WINDOWED = new SegmentationModel(MODEL.operators(),
            List.of(MODEL.tensors().get(0),
                    new TensorEdge("ta", 0, List.of(1), 2000, 300, false, List.of(40L), List.of(List.of(10L, 70L))),
                    new TensorEdge("tb", 1, List.of(2), 1600, 200, false, List.of(5L, 25L), List.of(List.of(30L))),
                    MODEL.tensors().get(3)),
            500, 10.0, 2.0, 50);

    @Test
    void bufferCapacityCountsProducerAndConsumerWindowTerms() {
        // [a b] [c], b's option 0: 100 + 200 + 300 (ta) + 40 (a's window) + 10 (b's window) = 650 B -> 150.
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity)
                .givenSolution(SegmentationPlanFactory.warmStart(WINDOWED, FUSED_AB)).penalizesBy(150);
        // [a b c], b's option 1: 100 + 50 + 100 + (300 + 40 + 70) + (200 + 25 + 30) = 915 B -> 415.
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity)
                .givenSolution(SegmentationPlanFactory.warmStart(WINDOWED, ALL_FUSED)).penalizesBy(415);
        // [a] [b c], b's option 0: 200 + 100 + 200 + 5 + 30 = 535 B -> 35; a alone holds no window.
        List<Part> fusedBc = List.of(new Part(List.of(0), List.of(0)), new Part(List.of(1, 2), List.of(0, 0)));
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity)
                .givenSolution(SegmentationPlanFactory.warmStart(WINDOWED, fusedBc)).penalizesBy(35);
        // Every operator alone: no tensor stays on chip, so no window term counts.
        verifier.verifyThat(SegmentationConstraintProvider::bufferCapacity)
                .givenSolution(SegmentationPlanFactory.warmStart(WINDOWED, ALONE)).penalizesBy(0);
        assertEquals(650, WINDOWED.evaluate(FUSED_AB).parts().get(0).bufferBytes());
        assertEquals(915, WINDOWED.evaluate(ALL_FUSED).parts().get(0).bufferBytes());
        assertEquals(535, WINDOWED.evaluate(fusedBc).parts().get(1).bufferBytes());
    }

    @Test
    void refitterPricesWindowTermsOfTheSegmentsOperators() {
        SegmentRefitter refitter = new SegmentRefitter(SegmentationPlanFactory.warmStart(WINDOWED, ALONE));
        // [a b] as one segment: b's option 0 costs 200 + 10 (ta window), option 1 costs 50 + 70; a 100 + 40.
        long[][] ab = refitter.optionBuffers(0, 1);
        assertEquals(140, ab[0][0]);
        assertEquals(210, ab[1][0]);
        assertEquals(120, ab[1][1]);
        // [b c]: b's producer window of tb joins (5 / 25), c's consumer window 30.
        long[][] bc = refitter.optionBuffers(1, 2);
        assertEquals(205, bc[0][0]);
        assertEquals(75, bc[0][1]);
        assertEquals(130, bc[1][0]);
        // [a b c] with b's small option: 300 + 200 on chip + 140 + 120 + 130 = 890 > 500 whatever the options.
        assertTrue(!refitter.fit(0, 2).fits());
        // [a b]: even b's small option needs 300 + 140 + 120 = 560 B > 500.
        assertTrue(!refitter.fit(0, 1).fits());
        // [b c]: 200 + 75 + 130 = 405 fits with b's option 1 only (200 + 205 + 130 = 535 does not).
        SegmentRefitter.Fit fit = refitter.fit(1, 2);
        assertTrue(fit.fits());
        assertEquals(1, fit.choice()[0]);
    }

    @Test
    void latencyPenalizesEachSegmentsMaxOfComputeAndTransferPlusOverhead() {
        // [a b]: compute 1500, DRAM 400 + 1000 (input) + 1600 (tb out) = 3000 B = 300 cycles -> 1550.
        // [c]: compute 300, DRAM 800 + 1600 + 400 = 2800 B = 280 cycles -> 350.
        verifier.verifyThat(SegmentationConstraintProvider::latency).givenSolution(plan(FUSED_AB))
                .penalizesBy(1550 + 350);
        // [a] 1000 vs 340 -> 1050; [b] 800 vs 360 -> 850; [c] 350.
        verifier.verifyThat(SegmentationConstraintProvider::latency).givenSolution(plan(ALONE))
                .penalizesBy(1050 + 850 + 350);
        assertEquals(1900, MODEL.evaluate(FUSED_AB).latencyCycles());
        assertEquals(2250, MODEL.evaluate(ALONE).latencyCycles());
    }

    @Test
    void latencyCountsEverySegmentOnce() {
        verifier.verifyThat(SegmentationConstraintProvider::latency).givenSolution(plan(ALONE)).penalizes(3);
        verifier.verifyThat(SegmentationConstraintProvider::latency).givenSolution(plan(ALL_FUSED)).penalizes(1);
    }

    @Test
    void energyPenalizesComputeAndDramEnergyInFemtojoules() {
        // Compute 10 + 5 + 7 = 22 pJ; DRAM 3000 + 2800 = 5800 B x 2 pJ = 11,600 pJ.
        verifier.verifyThat(SegmentationConstraintProvider::energy).givenSolution(plan(FUSED_AB))
                .penalizesBy(11_622_000);
        assertEquals(11_622.0, MODEL.evaluate(FUSED_AB).energyPj(), 1e-9);
    }

    @Test
    void tensorFlowingToAnEarlierSegmentIsPenalizedByItsBytes() {
        SegmentationPlan plan = plan(ALONE);
        verifier.verifyThat(SegmentationConstraintProvider::tensorFlowsBackwards).givenSolution(plan).penalizesBy(0);
        // A tensor from c back to a (which the factory rejects, so the link is made by hand): a's segment
        // runs before c's, so the tensor would flow backwards.
        TensorLink backwards = new TensorLink(99, TensorLink.Kind.DEPENDENCY, "back", 2, 0, 1234);
        List<OperatorSlot> slots = plan.getSlots();
        verifier.verifyThat(SegmentationConstraintProvider::tensorFlowsBackwards)
                .given(slots.get(0), slots.get(1), slots.get(2), backwards, plan.getParameters())
                .penalizesBy(1234);
        verifier.verifyThat(SegmentationConstraintProvider::tensorFlowsBackwards)
                .given(slots.get(0), slots.get(1), slots.get(2), plan.getParameters(),
                        new TensorLink(98, TensorLink.Kind.DEPENDENCY, "forward", 0, 2, 1234))
                .penalizesBy(0);
    }

    @Test
    void warmStartOfANonConvexPlanIsRejected() {
        List<Part> backwards = List.of(new Part(List.of(1), List.of(0)), new Part(List.of(0, 2), List.of(0, 0)));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plan(backwards));
        assertTrue(e.getMessage().contains("flows backwards"), e.getMessage());
    }
}

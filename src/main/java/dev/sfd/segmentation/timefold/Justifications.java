package dev.sfd.segmentation.timefold;

import ai.timefold.solver.core.api.score.stream.ConstraintJustification;

/** Justification records: they say, in the model's units, why a plan lost score. */
final class Justifications {
    private Justifications() {
    }

    /**
     * A segment needs more buffer than the chip has.
     *
     * @param segmentStart position of the segment's first operator
     * @param bufferBytes buffer the segment needs
     * @param capacityBytes buffer capacity
     */
    record BufferOverflow(int segmentStart, long bufferBytes, long capacityBytes) implements ConstraintJustification {
    }

    /**
     * The latency of one segment.
     *
     * @param segmentStart position of the segment's first operator
     * @param computeCycles sum of compute cycles
     * @param dramBytes DRAM bytes moved
     * @param latencyCycles max(compute, DRAM transfer) + overhead
     */
    record SegmentLatency(int segmentStart, long computeCycles, long dramBytes, long latencyCycles)
            implements ConstraintJustification {
    }

    /**
     * A tensor read by a consumer that runs in an earlier segment than its producer.
     *
     * @param tensor tensor name
     * @param producer producer operator
     * @param consumer consumer operator
     */
    record BackwardFlow(String tensor, String producer, String consumer) implements ConstraintJustification {
    }
}

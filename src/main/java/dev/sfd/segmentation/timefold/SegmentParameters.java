package dev.sfd.segmentation.timefold;

/**
 * The single problem fact with the model-wide numbers the constraints need.
 *
 * @param capacityBytes global buffer capacity
 * @param dramBytesPerCycle DRAM bandwidth
 * @param dramEnergyPjPerByte DRAM energy per byte
 * @param segmentOverheadCycles fixed cost of each segment
 */
public record SegmentParameters(long capacityBytes, double dramBytesPerCycle, double dramEnergyPjPerByte,
                                long segmentOverheadCycles) {

    /** Soft score unit: energy is scored in femtojoules so that rounding stays far below one pJ per term. */
    public static final double FEMTOJOULES_PER_PICOJOULE = 1000.0;

    /** DRAM cycles of a segment, rounded up exactly as {@link dev.sfd.segmentation.SegmentationModel#evaluate}. */
    public long memoryCycles(long dramBytes) {
        return (long) Math.ceil(dramBytes / dramBytesPerCycle);
    }

    /** Latency of a segment: max(compute, DRAM transfer) plus the fixed overhead. */
    public long latencyCycles(long computeCycles, long dramBytes) {
        return Math.max(computeCycles, memoryCycles(dramBytes)) + segmentOverheadCycles;
    }

    /** Energy of moving {@code bytes} to or from DRAM, in femtojoules. */
    public long dramEnergyFj(long bytes) {
        return Math.round(bytes * dramEnergyPjPerByte * FEMTOJOULES_PER_PICOJOULE);
    }
}

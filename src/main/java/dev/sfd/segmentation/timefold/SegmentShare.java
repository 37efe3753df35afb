package dev.sfd.segmentation.timefold;

/**
 * What one operator or one tensor adds to one segment; the constraint streams sum these per segment.
 *
 * @param segment the segment's start position
 * @param bufferBytes buffer bytes
 * @param computeCycles compute cycles
 * @param dramBytes DRAM bytes (weights, tensor loads and stores)
 * @param computeEnergyFj compute energy in femtojoules (DRAM energy follows from {@code dramBytes})
 */
record SegmentShare(int segment, long bufferBytes, long computeCycles, long dramBytes, long computeEnergyFj) {

    static SegmentShare ofOperator(OperatorSlot slot) {
        var o = slot.chosenOption();
        return new SegmentShare(slot.getSegmentStart(), o.bufferBytes(), o.computeCycles(), o.weightDramBytes(),
                Math.round(o.computeEnergyPj() * SegmentParameters.FEMTOJOULES_PER_PICOJOULE));
    }

    static SegmentShare ofDram(OperatorSlot slot, long bytes) {
        return new SegmentShare(slot.getSegmentStart(), 0, 0, bytes, 0);
    }

    static SegmentShare ofBuffer(OperatorSlot slot, long bytes) {
        return new SegmentShare(slot.getSegmentStart(), bytes, 0, 0, 0);
    }
}

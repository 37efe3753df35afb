package dev.sfd.segmentation;

import java.util.List;

/**
 * Prices a candidate segment of a {@link SegmentationModel} in its {@linkplain #objective objective}: for latency, the
 * segment's cycles as the tile scheduler will run it; for DRAM, the bytes its walk moves; for energy, the picojoules
 * its walk spends (both with the cycles at {@link Objective#TIE_PER_CYCLE} to break ties);
 * {@link Double#POSITIVE_INFINITY} when no tile order fits it in the buffer. The DP segmenter uses a pricer to solve
 * the priced model exactly (docs/segmentation.md): every segment of the plan it returns has been priced, and no
 * segmentation scores better, because no price is below the bound the DP computes for it ({@link #bound}).
 */
public interface SegmentPricer {
    /** What the prices measure (latency by default). */
    default Objective objective() {
        return Objective.LATENCY;
    }

    /**
     * @param operators model indexes of the segment's operators (topological order)
     * @param choices the option of each
     */
    double price(List<Integer> operators, List<Integer> choices);

    /** Prices several segments (a pricer may work on them in parallel); results in the same order. */
    default double[] priceAll(List<List<Integer>> operators, List<List<Integer>> choices) {
        double[] out = new double[operators.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = price(operators.get(i), choices.get(i));
        }
        return out;
    }

    /**
     * Other option choices worth pricing for a segment besides {@code choices} (none by default); the segmenter takes
     * the cheapest and bounds the segment by the least of their bounds, so it stays exact for that rule.
     */
    default List<List<Integer>> alternatives(List<Integer> operators, List<Integer> choices) {
        return List.of();
    }

    /**
     * The pricing work done so far: the tile events of the distinct walks behind the prices asked for (a walk counts
     * once, however often its price is asked for), so the count depends only on which prices were asked, not on the
     * machine or on the order the workers took them in. A segmenter's
     * {@linkplain SegmenterSettings#workBudget work budget} is measured in it; a pricer that does not count (0, the
     * default) is never stopped by one.
     */
    default long work() {
        return 0;
    }

    /**
     * The least DRAM bytes a segment's price pays for loading {@code tensor} (a model tensor index) from outside the
     * segment for its operator {@code consumer} (a model operator index): what any walk of it reads at the very
     * least. The tensor's size by default, as the model counts it; a pricer whose segments may read less (a strided
     * window skips elements, a layout view reads nothing itself) says how much less, so that the bounds the
     * segmenter builds on it ({@link #lowerBound}) hold for its prices.
     */
    default long leastLoadBytes(SegmentationModel model, int tensor, int consumer) {
        return model.tensors().get(tensor).bytes();
    }

    /** Likewise for storing {@code tensor} from the segment that produces it (the tensor's size by default). */
    default long leastStoreBytes(SegmentationModel model, int tensor) {
        return model.tensors().get(tensor).bytes();
    }

    /**
     * The largest fused segment (tile events of its walk) priced now; larger ones price as infinite (no limit by
     * default).
     */
    default int taskLimit() {
        return Integer.MAX_VALUE;
    }

    /**
     * Prices fused segments only up to {@code limit} tile events from now on (at most the pricer's own maximum);
     * returns the limit in force. A pricer without a limit ignores it.
     */
    default int limitTasks(int limit) {
        return taskLimit();
    }

    /**
     * Prices so far that were infinite only because the segment's walk exceeds the limit in force ({@link #taskLimit}):
     * a search that saw none of them solved the same problem it would have solved with no limit. None by default.
     */
    default long refusals() {
        return 0;
    }

    /**
     * A value no price of this segment can be below: the busiest unit plus the latency of the first load (no step
     * starts before a load lands) and of the last store, computed from the options alone, and {@code dramBytes} at
     * the DRAM's bandwidth after one latency.
     *
     * @param dramBytes DRAM bytes the segment moves at the least: its options' weights and its boundary tensors as
     *     {@link #leastLoadBytes} and {@link #leastStoreBytes} count them
     */
    static double lowerBound(SegmentationModel model, List<Integer> operators, List<Integer> choices,
                             long dramBytes) {
        long[] busy = busyCycles(model, operators, choices);
        return lowerBound(model, busy[0], busy[1], dramBytes);
    }

    /**
     * A value no price of this pricer's {@linkplain #objective objective} goes below for a segment whose units are
     * busy at least {@code pe} and {@code vector} cycles, that moves at least {@code dramBytes} and whose operators
     * spend at least {@code fixedPj} whatever their tiles ({@link #fixedEnergyPj}): {@link #lowerBound} for latency,
     * the bytes themselves for DRAM, for energy {@code fixedPj} and every byte's least DRAM and buffer access energy
     * ({@link #leastPjPerDramByte}).
     */
    default double bound(SegmentationModel model, long pe, long vector, long dramBytes, double fixedPj) {
        return switch (objective()) {
            case LATENCY -> lowerBound(model, pe, vector, dramBytes);
            case DRAM -> dramBytes;
            case ENERGY -> fixedPj + dramBytes * leastPjPerDramByte();
        };
    }

    /** {@link #bound} of a segment with the given options, from their busy cycles and fixed energy. */
    default double bound(SegmentationModel model, List<Integer> operators, List<Integer> choices, long dramBytes) {
        long[] busy = busyCycles(model, operators, choices);
        double fixed = 0;
        for (int op : operators) {
            fixed += fixedEnergyPj(model, op);
        }
        return bound(model, busy[0], busy[1], dramBytes, fixed);
    }

    /**
     * Energy an operator spends in any walk of any of its options, in picojoules (its MACs or vector operations and
     * the PE accesses they make); 0 by default.
     */
    default double fixedEnergyPj(SegmentationModel model, int operator) {
        return 0;
    }

    /** Energy no DRAM byte a walk moves costs less than (the DRAM access and the buffer's); 0 by default. */
    default double leastPjPerDramByte() {
        return 0;
    }

    /** {@link #lowerBound} of a segment whose units are busy {@code pe} and {@code vector} cycles. */
    static double lowerBound(SegmentationModel model, long pe, long vector, long dramBytes) {
        if (dramBytes <= 0) {
            return Math.max(pe, vector); // layout views alone: nothing to load or store, no latency to wait for
        }
        long l = model.segmentOverheadCycles();
        long dram = (long) Math.floor(dramBytes / model.dramBytesPerCycle());
        return Math.max(Math.max(pe, vector) + 2 * l, dram + l);
    }

    /** The PE array's and the vector unit's busy cycles of the given options, summed. */
    private static long[] busyCycles(SegmentationModel model, List<Integer> operators, List<Integer> choices) {
        long pe = 0;
        long vector = 0;
        for (int k = 0; k < operators.size(); k++) {
            SegmentationModel.Option o = model.operators().get(operators.get(k)).options().get(choices.get(k));
            if (o.vectorUnit()) {
                vector += o.busyCycles();
            } else {
                pe += o.busyCycles();
            }
        }
        return new long[] {pe, vector};
    }
}

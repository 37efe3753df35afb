package dev.sfd.segmentation;

import java.util.List;
import java.util.Objects;

/**
 * The segmentation problem in solver-neutral numbers, built from a network, its layers' Pareto fronts and the
 * hardware. Every segmenter (DP, CP-SAT, Timefold, brute force) reads this record and is scored by
 * {@link #evaluate(List)}; the schedule and simulator then check the chosen plan for real.
 *
 * <p>Semantics (the additive model):
 * <ul>
 *   <li>Operators are indexed in a topological order {@code 0..n-1}. A segment is a set of operators; the
 *       segments of a solution are ordered and every tensor flows from a segment to the same or a later one
 *       (convexity, no cycle between segments).</li>
 *   <li>Each operator picks one {@link Option} (one point of its Pareto front). Layout operators have a single
 *       all-zero option.</li>
 *   <li>A tensor with a consumer in its producer's segment occupies {@link TensorEdge#onChipBytes()} of that
 *       segment's buffer (a line-buffer window, or the whole tensor for a long-lived skip connection), plus
 *       the option-dependent window terms: {@link TensorEdge#producerWindowBytes(int)} of the producer's
 *       option and {@link TensorEdge#consumerWindowBytes(int, int)} of every consumer in the same segment
 *       (both zero when the lists are empty). The terms are additive so that every solver can linearise them.
 *       If any consumer is in another segment, or it is a network output, the producer also stores it to DRAM
 *       once ({@code bytes}), and each consumer segment other than the producer's loads it once
 *       ({@code bytes} each). Network inputs are loaded by each consuming segment.</li>
 *   <li>Buffer use of a segment = sum of its operators' {@link Option#bufferBytes()} + on-chip bytes of its
 *       internal tensors; it must not exceed {@link #capacityBytes()}.</li>
 *   <li>Latency of a segment = max(sum of compute cycles, DRAM bytes / {@link #dramBytesPerCycle()}) where DRAM
 *       bytes = weights of its operators' options + tensor loads and stores; plus {@link #segmentOverheadCycles()}
 *       (pipeline fill and drain). Energy = options' energy + DRAM bytes x {@link #dramEnergyPjPerByte()}.</li>
 * </ul>
 *
 * @param operators operators in topological order
 * @param tensors activation tensors between operators (and network inputs / outputs)
 * @param capacityBytes global buffer capacity
 * @param dramBytesPerCycle DRAM bandwidth
 * @param dramEnergyPjPerByte DRAM energy per byte (read and write averaged)
 * @param segmentOverheadCycles fixed cost of starting a segment (fill / drain)
 */
public record SegmentationModel(List<OperatorNode> operators, List<TensorEdge> tensors, long capacityBytes,
                                double dramBytesPerCycle, double dramEnergyPjPerByte, long segmentOverheadCycles) {

    public SegmentationModel {
        operators = List.copyOf(operators);
        tensors = List.copyOf(tensors);
        if (dramBytesPerCycle <= 0) {
            throw new IllegalArgumentException("dramBytesPerCycle must be > 0");
        }
    }

    /** The same model with another buffer capacity. */
    public SegmentationModel withCapacityBytes(long capacity) {
        return new SegmentationModel(operators, tensors, capacity, dramBytesPerCycle, dramEnergyPjPerByte,
                segmentOverheadCycles);
    }

    /**
     * One operator and its mapping options.
     *
     * @param name operator name
     * @param options Pareto points; index = mapping choice. The model builder puts the operator's best mapping alone
     *     (the layer-by-layer one) first; segmenters may try option 0 for an operator in a segment of its own.
     */
    public record OperatorNode(String name, List<Option> options) {
        public OperatorNode {
            Objects.requireNonNull(name, "name");
            options = List.copyOf(options);
            if (options.isEmpty()) {
                throw new IllegalArgumentException(name + " has no mapping option");
            }
        }
    }

    /**
     * One mapping choice of one operator when it runs inside a segment.
     *
     * @param bufferBytes on-chip working set of its tiles (double buffering included)
     * @param computeCycles the cycles the additive model charges: the operator's steps with the DRAM latencies its
     *     transfers expose (the cost model's exposed cycles; at least {@code busyCycles})
     * @param weightDramBytes weight bytes read from DRAM under this mapping (re-fetches included)
     * @param computeEnergyPj MAC / vector / buffer energy
     * @param busyCycles cycles its unit is busy (the cost model's compute cycles, buffer port included)
     * @param vectorUnit whether the busy cycles are the vector unit's (else the PE array's)
     */
    public record Option(long bufferBytes, long computeCycles, long weightDramBytes, double computeEnergyPj,
                         long busyCycles, boolean vectorUnit) {
        public static final Option NONE = new Option(0, 0, 0, 0, 0, false);

        /** A PE-array option busy for all its cycles. */
        public Option(long bufferBytes, long computeCycles, long weightDramBytes, double computeEnergyPj) {
            this(bufferBytes, computeCycles, weightDramBytes, computeEnergyPj, computeCycles, false);
        }
    }

    /**
     * A tensor: produced by {@code producer} (-1 for a network input), read by {@code consumers}.
     *
     * @param name tensor name
     * @param producer operator index, or -1 for a network input
     * @param consumers operator indexes (may be empty for a network output)
     * @param bytes size in DRAM
     * @param onChipBytes buffer bytes while producer and consumers share a segment
     * @param networkOutput whether it must be stored to DRAM in any case
     */
    public record TensorEdge(String name, int producer, List<Integer> consumers, long bytes, long onChipBytes,
                             boolean networkOutput, List<Long> producerWindowBytes,
                             List<List<Long>> consumerWindowBytes) {
        public TensorEdge {
            consumers = List.copyOf(consumers);
            producerWindowBytes = List.copyOf(producerWindowBytes);
            List<List<Long>> copy = new java.util.ArrayList<>();
            for (List<Long> l : consumerWindowBytes) {
                copy.add(List.copyOf(l));
            }
            consumerWindowBytes = List.copyOf(copy);
            if (!consumerWindowBytes.isEmpty() && consumerWindowBytes.size() != consumers.size()) {
                throw new IllegalArgumentException(name + ": one window list per consumer");
            }
        }

        /** A tensor whose on-chip bytes do not depend on the mapping choices. */
        public TensorEdge(String name, int producer, List<Integer> consumers, long bytes, long onChipBytes,
                          boolean networkOutput) {
            this(name, producer, consumers, bytes, onChipBytes, networkOutput, List.of(), List.of());
        }

        /**
         * Extra on-chip bytes (beyond {@link #onChipBytes()}) that the producer's option {@code option} adds
         * while the tensor stays on chip: its output band of the line buffer.
         */
        public long producerWindowBytes(int option) {
            return producerWindowBytes.isEmpty() ? 0 : producerWindowBytes.get(option);
        }

        /**
         * Extra on-chip bytes that consumer number {@code consumerIndex} (position in {@link #consumers()})
         * adds under its option {@code option} when it shares the producer's segment: its input band, halo
         * included.
         */
        public long consumerWindowBytes(int consumerIndex, int option) {
            return consumerWindowBytes.isEmpty() ? 0 : consumerWindowBytes.get(consumerIndex).get(option);
        }
    }

    /** A solution's segment as the model sees it: operator indexes plus the chosen option of each. */
    public record Part(List<Integer> operators, List<Integer> choices) {
        public Part {
            operators = List.copyOf(operators);
            choices = List.copyOf(choices);
            if (operators.size() != choices.size()) {
                throw new IllegalArgumentException("one choice per operator");
            }
        }
    }

    /** Figures of one segment under the model. */
    public record PartCost(long bufferBytes, long computeCycles, long dramBytes, long latencyCycles, double energyPj) {
        public boolean fits(long capacity) {
            return bufferBytes <= capacity;
        }
    }

    /** Total figures of a solution, and whether it is legal (fits, convex, covers every operator once). */
    public record Evaluation(List<PartCost> parts, long latencyCycles, long dramBytes, double energyPj,
                             boolean legal, String problem) {
    }

    /** Scores a solution (segments in execution order) under the model semantics above. */
    public Evaluation evaluate(List<Part> parts) {
        return SegmentationModelEvaluator.evaluate(this, parts);
    }
}

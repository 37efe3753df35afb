package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.LowerBounds;
import dev.sfd.cost.Mapping;
import dev.sfd.cost.OperandCost;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Regions;
import dev.sfd.workload.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link SegmentationModel} of a network from its layers' mapping fronts: the lifetime and
 * memory analysis of DESIGN.md §3a in closed form.
 *
 * <p><b>Options.</b> One per front mapping, evaluated by the shared {@link CostModel}: buffer bytes = the
 * mapping's GLB footprint (double buffering included), compute cycles, weight DRAM bytes as the mapping's
 * outer loop order dictates (read once when the weights stay resident across the tiles that reuse them,
 * re-fetched otherwise) plus any spilled partial sums, and energy other than DRAM.
 *
 * <p><b>Tensors.</b> When a tensor's producer and its consumers share a segment it stays on chip as
 * <ul>
 *   <li>a <em>line buffer</em> when it has one consumer and both sides tile the rows (the P loop) of their
 *       outputs: the consumer's input band for one output tile of {@code tile(P)} rows, halo, stride,
 *       dilation and channel slice included (from {@link Regions}), plus one output band of the producer
 *       ({@code tile(P)} rows of the producer's mapping). The two tilings may differ; each side is an additive
 *       option-dependent term ({@link SegmentationModel.TensorEdge#producerWindowBytes(int)} and
 *       {@link SegmentationModel.TensorEdge#consumerWindowBytes(int, int)}), each capped at the whole tensor;
 *   </li>
 *   <li>the <em>whole tensor</em> otherwise: a skip tensor read by several operators (held until the
 *       residual add), K and V of attention and any input a consumer reads whole for every output band, and
 *       tensors around layout operators.</li>
 * </ul>
 */
public final class SegmentationModelBuilder {
    private final Network net;
    private final Hardware hw;
    private final CostModel costModel;

    /** Options kept per operator by default: enough for the trade-off, few enough for a fast exact DP. */
    public static final int DEFAULT_MAX_OPTIONS = 8;

    private final int maxOptions;

    public SegmentationModelBuilder(Network net, Hardware hw) {
        this(net, hw, DEFAULT_MAX_OPTIONS);
    }

    /** @param maxOptions most options (front points) kept per operator, >= 2 */
    public SegmentationModelBuilder(Network net, Hardware hw, int maxOptions) {
        this.net = Objects.requireNonNull(net, "net");
        this.hw = Objects.requireNonNull(hw, "hw");
        this.costModel = new CostModel(hw);
        if (maxOptions < 2) {
            throw new IllegalArgumentException("maxOptions must be >= 2: " + maxOptions);
        }
        this.maxOptions = maxOptions;
    }

    /** The model of a network from the mapper's fronts (every point of every layer's front is an option). */
    public SegmentationInput build(NetworkMapping mapping) {
        Objects.requireNonNull(mapping, "mapping");
        Map<String, List<Mapping>> fronts = new HashMap<>();
        for (ParetoFront f : mapping.fronts()) {
            fronts.put(f.operator(), f.points().stream().map(MappingChoice::mapping).toList());
        }
        return build(fronts);
    }

    /**
     * @param fronts per compute operator, the mappings of its Pareto front (at least one); layout operators
     *     need no entry
     */
    public SegmentationInput build(Map<String, List<Mapping>> fronts) {
        Objects.requireNonNull(fronts, "fronts");
        List<Operator> ops = net.operators();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            index.put(ops.get(i).name(), i);
        }
        List<SegmentationModel.OperatorNode> nodes = new ArrayList<>();
        List<List<Mapping>> mappings = new ArrayList<>();
        for (Operator op : ops) {
            if (net.loopNest(op.name()).isEmpty()) {
                nodes.add(new SegmentationModel.OperatorNode(op.name(), List.of(SegmentationModel.Option.NONE)));
                mappings.add(List.of());
                continue;
            }
            List<Mapping> front = fronts.get(op.name());
            if (front == null || front.isEmpty()) {
                throw new IllegalArgumentException("operator " + op.name() + " has no mapping in the fronts");
            }
            List<Mapping> kept = reduce(op, front);
            List<SegmentationModel.Option> options = new ArrayList<>();
            for (Mapping m : kept) {
                options.add(option(op, m));
            }
            nodes.add(new SegmentationModel.OperatorNode(op.name(), options));
            mappings.add(kept);
        }
        List<SegmentationModel.TensorEdge> tensors = new ArrayList<>();
        Set<String> outputs = Set.copyOf(net.outputs());
        for (Tensor t : net.tensors().values()) {
            if (t.isWeight()) {
                continue;
            }
            Optional<Operator> producer = net.producer(t.name());
            int p = producer.map(o -> index.get(o.name())).orElse(-1);
            List<Integer> consumers = new ArrayList<>(new LinkedHashSet<>(net.consumers(t.name()).stream()
                    .map(o -> index.get(o.name())).toList()));
            if (p < 0 && consumers.isEmpty()) {
                continue;
            }
            long bytes = LowerBounds.activationBytes(t, hw);
            boolean isOutput = outputs.contains(t.name());
            tensors.add(edge(t, p, consumers, bytes, isOutput, ops, mappings));
        }
        double dramPjPerByte = (hw.dram().readEnergyPjPerByte() + hw.dram().writeEnergyPjPerByte()) / 2;
        SegmentationModel model = new SegmentationModel(nodes, tensors, hw.globalBuffer().capacityBytes(),
                hw.dram().bandwidthBytesPerCycle(), dramPjPerByte, hw.dram().latencyCycles());
        return new SegmentationInput(model, ops, mappings);
    }

    /**
     * The front points worth offering the segmenter: those not dominated in (buffer bytes, compute cycles,
     * weight DRAM bytes, energy, row tile) — every coordinate only ever hurts, so dropping dominated points
     * loses nothing — then, if more than {@link #maxOptions} remain, an even spread over buffer bytes that
     * always keeps the smallest-footprint point and the point fastest alone.
     */
    List<Mapping> reduce(Operator op, List<Mapping> front) {
        List<Mapping> ms = new ArrayList<>(front);
        List<SegmentationModel.Option> os = new ArrayList<>();
        for (Mapping m : ms) {
            os.add(option(op, m));
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            boolean dominated = false;
            for (int j = 0; j < ms.size() && !dominated; j++) {
                if (i == j) {
                    continue;
                }
                SegmentationModel.Option a = os.get(j);
                SegmentationModel.Option b = os.get(i);
                boolean noWorse = a.bufferBytes() <= b.bufferBytes() && a.computeCycles() <= b.computeCycles()
                        && a.weightDramBytes() <= b.weightDramBytes() && a.computeEnergyPj() <= b.computeEnergyPj()
                        && ms.get(j).tile(LoopDim.P) <= ms.get(i).tile(LoopDim.P);
                boolean equal = a.bufferBytes() == b.bufferBytes() && a.computeCycles() == b.computeCycles()
                        && a.weightDramBytes() == b.weightDramBytes() && a.computeEnergyPj() == b.computeEnergyPj()
                        && ms.get(j).tile(LoopDim.P) == ms.get(i).tile(LoopDim.P);
                dominated = noWorse && (!equal || j < i);
            }
            if (!dominated) {
                kept.add(i);
            }
        }
        kept.sort(java.util.Comparator.comparingLong(i -> os.get(i).bufferBytes()));
        if (kept.size() <= maxOptions) {
            return kept.stream().map(ms::get).toList();
        }
        double bw = hw.dram().bandwidthBytesPerCycle();
        int fastest = kept.stream().min(java.util.Comparator.comparingDouble(
                i -> Math.max(os.get(i).computeCycles(), os.get(i).weightDramBytes() / bw))).orElseThrow();
        LinkedHashSet<Integer> pick = new LinkedHashSet<>();
        pick.add(kept.get(0));
        pick.add(fastest);
        for (int k = 0; pick.size() < maxOptions && k < maxOptions; k++) {
            pick.add(kept.get((int) Math.round((double) k * (kept.size() - 1) / (maxOptions - 1))));
        }
        List<Integer> sorted = new ArrayList<>(pick);
        sorted.sort(java.util.Comparator.comparingLong(i -> os.get(i).bufferBytes()));
        return sorted.stream().map(ms::get).toList();
    }

    /** The option of one mapping: its figures inside a segment. */
    SegmentationModel.Option option(Operator op, Mapping m) {
        LayerCost c = costModel.evaluate(net, op, m);
        long weightBytes = 0;
        for (OperandCost oc : c.operands()) {
            if (oc.role() == Operand.Role.WEIGHT) {
                weightBytes += oc.dramReadBytes() + oc.dramWriteBytes();
            } else if (oc.role() == Operand.Role.OUTPUT) {
                // Partial sums spilled by a reduction split above the output's loops go to DRAM even when
                // the final output stays on chip.
                long finalBytes = LowerBounds.activationBytes(net.tensor(oc.tensor()), hw);
                weightBytes += Math.max(0, oc.dramReadBytes() + oc.dramWriteBytes() - finalBytes);
            }
        }
        double energy = c.energy().totalPj() - c.energy().dramPj();
        return new SegmentationModel.Option(c.footprintBytes(), c.computeCycles(), weightBytes, energy);
    }

    private SegmentationModel.TensorEdge edge(Tensor t, int p, List<Integer> consumers, long bytes, boolean isOutput,
                                              List<Operator> ops, List<List<Mapping>> mappings) {
        if (p < 0 || consumers.size() != 1) {
            return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, bytes, isOutput);
        }
        Operator producer = ops.get(p);
        Operator consumer = ops.get(consumers.get(0));
        Optional<Integer> producerRowAxis = rowAxis(producer);
        Optional<Integer> consumerRowAxis = rowAxis(consumer);
        if (producerRowAxis.isEmpty() || consumerRowAxis.isEmpty() || producer.outputs().size() != 1) {
            return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, bytes, isOutput);
        }
        List<Long> producerTerms = new ArrayList<>();
        for (Mapping m : mappings.get(p)) {
            Box band = band(net.tensor(producer.output()), producerRowAxis.get(), m.tile(LoopDim.P));
            producerTerms.add(Math.min(bytes, bytes(band.elements())));
        }
        int inputIndex = consumer.inputs().indexOf(t.name());
        List<Long> consumerTerms = new ArrayList<>();
        for (Mapping m : mappings.get(consumers.get(0))) {
            Box band = band(net.tensor(consumer.output()), consumerRowAxis.get(), m.tile(LoopDim.P));
            long elements = Regions.inputRegion(net, consumer, inputIndex, 0, band).map(Box::elements).orElse(0L);
            consumerTerms.add(Math.min(bytes, bytes(elements)));
        }
        return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, 0, isOutput, producerTerms,
                List.of(consumerTerms));
    }

    /** The output axis indexed by the P loop alone, when the operator tiles rows; empty otherwise. */
    private Optional<Integer> rowAxis(Operator op) {
        Optional<LoopNest> nest = net.loopNest(op.name());
        if (nest.isEmpty() || nest.get().bound(LoopDim.P) <= 1) {
            return Optional.empty();
        }
        List<List<LoopDim>> axes = nest.get().outputAxes();
        for (int a = 0; a < axes.size(); a++) {
            if (axes.get(a).equals(List.of(LoopDim.P))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** A band of {@code rows} rows in the middle of a tensor (so that halos on both sides count), all else whole. */
    private static Box band(Tensor t, int axis, int rows) {
        int size = t.dim(axis);
        int r = Math.min(rows, size);
        int lo = Math.max(0, (size - r) / 2);
        return Box.full(t.shape()).withAxis(axis, lo, lo + r);
    }

    private long bytes(long elements) {
        return (long) Math.ceil(elements * hw.dataWidths().activationBytes());
    }
}

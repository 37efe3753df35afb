package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.LayerShape;
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
 * re-fetched otherwise) plus any spilled partial sums, and energy other than DRAM. Row-major variants of the front
 * join them; elementwise operators, softmax and normalisations also get options matched to their producers'
 * options ({@link SegmentationInput#matches}), and grouped convolutions variants with all groups in one tile
 * ({@link #groupWholeVariants}).
 *
 * <p><b>Tensors.</b> When a tensor's producer and its consumers share a segment it stays on chip as
 * <ul>
 *   <li>a <em>line buffer</em> when it has one consumer and both sides tile the rows (the P loop) of their
 *       outputs: the consumer's input band for one output band of {@code tile(P)} rows at full width, halo,
 *       stride, dilation and channel slice included (from {@link Regions}), plus one output band of the producer
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
        Map<List<Integer>, Integer> matches = new HashMap<>();
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
            List<Mapping> kept = new ArrayList<>(reduce(op, front));
            // option 0 is the operator's best mapping alone (what the layer-by-layer plan runs)
            Mapping alone = bestAlone(op, front);
            kept.remove(alone);
            kept.add(0, alone);
            if (rowAxis(op).isPresent()) {
                // Row-major variants of the front (same tiles, P outermost): only they can stream a row window
                // to or from a neighbour in the same segment, at the price of the re-fetches their order causes.
                List<Mapping> rowMajor = new ArrayList<>();
                for (Mapping m : front) {
                    rowMajor.add(rowMajor(op, m) ? m : rowMajorVariant(m));
                }
                for (Mapping m : reduce(op, rowMajor.stream().distinct().toList(), Math.max(2, maxOptions / 2))) {
                    if (!kept.contains(m)) {
                        kept.add(m);
                    }
                }
            }
            // group-whole variants of a grouped convolution, where they fit
            for (Mapping m : groupWholeVariants(op, kept)) {
                if (!kept.contains(m) && option(op, m).bufferBytes() <= hw.globalBuffer().capacityBytes()) {
                    kept.add(m);
                }
            }
            int opIndex = nodes.size();
            for (Match match : matchedMappings(op, alone, index, mappings)) {
                int at = kept.indexOf(match.mapping());
                if (at < 0 && option(op, match.mapping()).bufferBytes() <= hw.globalBuffer().capacityBytes()) {
                    at = kept.size();
                    kept.add(match.mapping());
                }
                if (at >= 0) {
                    matches.putIfAbsent(List.of(opIndex, match.producer(), match.producerOption()), at);
                }
            }
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
        return new SegmentationInput(model, ops, mappings, matches);
    }

    /**
     * Operators that get matched options: one output element per input element at the same index, so that a
     * producer's output tile is a tile of theirs (softmax and normalisations over their whole axis).
     */
    private static final Set<dev.sfd.workload.OpKind> MATCHED_KINDS = java.util.EnumSet.of(
            dev.sfd.workload.OpKind.ELEMENTWISE, dev.sfd.workload.OpKind.SOFTMAX, dev.sfd.workload.OpKind.LAYERNORM,
            dev.sfd.workload.OpKind.BATCHNORM);

    /** An elementwise operator's mapping that walks the tiles of option {@code producerOption} of its producer. */
    private record Match(Mapping mapping, int producer, int producerOption) {
    }

    /**
     * For an elementwise operator (an activation, a residual add, a bias, a softmax or a normalisation), per option of
     * each compute operator that produces one of its inputs of the output's shape, a mapping with that option's
     * output tile and tile order, widened to the whole of any axis the operator needs whole (softmax, normalisation):
     * each producer tile then feeds exactly one consumer tile (or one row block of them). The mapper's front cannot
     * offer it, since alone a larger tile of an elementwise operator costs buffer and saves nothing once the vector
     * unit is busy; in a fused segment it is what keeps the walk aligned instead of splitting every producer tile into
     * many small ones. Dims that no output axis names keep the operator's best mapping alone ({@code alone}).
     */
    private List<Match> matchedMappings(Operator op, Mapping alone, Map<String, Integer> index,
                                        List<List<Mapping>> mappings) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        if (!MATCHED_KINDS.contains(op.kind()) || op.outputs().size() != 1) {
            return List.of();
        }
        Tensor out = net.tensor(op.output());
        List<Match> found = new ArrayList<>();
        for (String in : new LinkedHashSet<>(op.inputs())) {
            Optional<Operator> producer = net.producer(in);
            if (producer.isEmpty() || producer.get().outputs().size() != 1
                    || !net.tensor(in).shape().equals(out.shape())) {
                continue;
            }
            Optional<LoopNest> pNest = net.loopNest(producer.get().name());
            if (pNest.isEmpty()) {
                continue;
            }
            int p = index.get(producer.get().name());
            List<Mapping> producerMappings = mappings.get(p);
            for (int o = 0; o < producerMappings.size(); o++) {
                Optional<Mapping> m = matched(nest, pNest.get(), producerMappings.get(o), alone, out.shape());
                if (m.isPresent()) {
                    found.add(new Match(m.get(), p, o));
                }
            }
        }
        return found;
    }

    /**
     * The mapping of an elementwise operator ({@code nest}) whose output tile is the producer mapping's output tile,
     * axis by axis, walked in the producer's order; empty when an output axis of either side is indexed by more than
     * one loop dim (the tile of a composed axis has no single dim to carry it).
     */
    private static Optional<Mapping> matched(LoopNest nest, LoopNest producerNest, Mapping producer, Mapping alone,
                                             List<Integer> shape) {
        List<List<LoopDim>> axes = nest.outputAxes();
        List<List<LoopDim>> producerAxes = producerNest.outputAxes();
        if (axes.size() != shape.size() || producerAxes.size() != shape.size()) {
            return Optional.empty();
        }
        Map<LoopDim, Integer> tile = new java.util.EnumMap<>(alone.tile());
        Map<LoopDim, LoopDim> rename = new java.util.EnumMap<>(LoopDim.class);
        for (int a = 0; a < shape.size(); a++) {
            List<LoopDim> mine = axes.get(a).stream().filter(d -> nest.bound(d) > 1).toList();
            List<LoopDim> theirs = producerAxes.get(a).stream().filter(d -> producerNest.bound(d) > 1).toList();
            if (mine.size() > 1 || theirs.size() > 1) {
                return Optional.empty();
            }
            if (mine.isEmpty()) {
                continue;
            }
            LoopDim d = mine.get(0);
            long extent = nest.wholeDims().contains(d) ? nest.bound(d)
                    : producerNest.output().axes().get(a).extent(producer.tile());
            tile.put(d, (int) Math.max(1, Math.min(extent, nest.bound(d))));
            if (!theirs.isEmpty()) {
                rename.put(theirs.get(0), d);
            }
        }
        List<LoopDim> order = new ArrayList<>();
        for (LoopDim d : producer.outerOrder()) {
            LoopDim own = rename.get(d);
            if (own != null && !order.contains(own)) {
                order.add(own);
            }
        }
        for (LoopDim d : alone.outerOrder()) {
            if (!order.contains(d)) {
                order.add(d);
            }
        }
        return Optional.of(new Mapping(alone.operator(), tile, alone.spatial(), order, alone.doubleBuffered()));
    }

    /**
     * The front points worth offering the segmenter: those not dominated in (buffer bytes, compute cycles,
     * weight DRAM bytes, energy, row tile) — every coordinate only ever hurts, so dropping dominated points
     * loses nothing — then, if more than {@link #maxOptions} remain, an even spread over buffer bytes that
     * always keeps the smallest-footprint point and the point fastest alone.
     */
    List<Mapping> reduce(Operator op, List<Mapping> front) {
        return reduce(op, front, maxOptions);
    }

    /** The front point with the lowest latency alone that fits the buffer (then DRAM bytes, then footprint). */
    private Mapping bestAlone(Operator op, List<Mapping> front) {
        Mapping best = null;
        LayerCost bestCost = null;
        for (Mapping m : front) {
            LayerCost c = costModel.evaluate(net, op, m);
            if (c.footprintBytes() > hw.globalBuffer().capacityBytes()) {
                continue;
            }
            if (best == null || c.latencyCycles() < bestCost.latencyCycles()
                    || c.latencyCycles() == bestCost.latencyCycles() && (c.dramBytes() < bestCost.dramBytes()
                    || c.dramBytes() == bestCost.dramBytes() && c.footprintBytes() < bestCost.footprintBytes())) {
                best = m;
                bestCost = c;
            }
        }
        return best == null ? front.get(0) : best;
    }

    /**
     * Group-whole variants of a grouped convolution's options (a depthwise one above all): the same tiles with every
     * group in one tile, the group dim moved innermost in the order (with one tile its place changes nothing, so the
     * variants of an option and of its row-major variant are one). A producer's output tile holds all its channels;
     * a consumer walking one group per step splits it into a step, a weight load and a store per group, each with its
     * DRAM latency exposed behind a few cycles of work (MobileNet-V2's {@code features.2} expand -> depthwise on
     * {@code edge}: 864 steps, 77,973 cycles for 29,280 of PE work). Alone a depthwise layer is DRAM-bound, so more
     * groups per tile cost buffer and save nothing, and the mapper's front may not offer one. None for an
     * ungrouped operator, and none that the cost model rejects.
     */
    private List<Mapping> groupWholeVariants(Operator op, List<Mapping> options) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        int groups = nest.bound(LoopDim.G);
        Optional<LayerShape> shape = LayerShape.of(net, op);
        if (groups <= 1 || shape.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<Mapping> out = new LinkedHashSet<>();
        for (Mapping m : options) {
            if (m.tile(LoopDim.G) >= groups) {
                continue;
            }
            Map<LoopDim, Integer> tile = new java.util.EnumMap<>(m.tile());
            tile.put(LoopDim.G, groups);
            List<LoopDim> order = new ArrayList<>(m.outerOrder());
            order.remove(LoopDim.G);
            order.add(LoopDim.G);
            Mapping v = new Mapping(m.operator(), tile, m.spatial(), order, m.doubleBuffered());
            if (costModel.violations(shape.get(), v).isEmpty()) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    /** The same mapping with P (then Q) moved to the outermost positions of its loop order. */
    private static Mapping rowMajorVariant(Mapping m) {
        List<LoopDim> order = new ArrayList<>(List.of(LoopDim.P, LoopDim.Q));
        for (LoopDim d : m.outerOrder()) {
            if (d != LoopDim.P && d != LoopDim.Q) {
                order.add(d);
            }
        }
        return new Mapping(m.operator(), m.tile(), m.spatial(), order, m.doubleBuffered());
    }

    private List<Mapping> reduce(Operator op, List<Mapping> front, int maxOptions) {
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
                        && ms.get(j).tile(LoopDim.P) <= ms.get(i).tile(LoopDim.P)
                        && (rowMajor(op, ms.get(j)) || !rowMajor(op, ms.get(i)));
                boolean equal = a.bufferBytes() == b.bufferBytes() && a.computeCycles() == b.computeCycles()
                        && a.weightDramBytes() == b.weightDramBytes() && a.computeEnergyPj() == b.computeEnergyPj()
                        && ms.get(j).tile(LoopDim.P) == ms.get(i).tile(LoopDim.P)
                        && rowMajor(op, ms.get(j)) == rowMajor(op, ms.get(i));
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

    /**
     * The option of one mapping: its figures inside a segment, from the cost model: footprint (prefetch depth
     * included), exposed cycles (compute with the DRAM latencies its transfers expose), busy cycles of its unit
     * (buffer port included), weight DRAM bytes under its loop order, and the energy that does not move DRAM data.
     */
    SegmentationModel.Option option(Operator op, Mapping m) {
        LayerCost c = costModel.evaluate(net, op, m);
        long weightBytes = 0;
        for (OperandCost oc : c.operands()) {
            if (oc.role() == Operand.Role.WEIGHT) {
                weightBytes += oc.dramReadBytes();
            }
        }
        double energy = c.energy().totalPj() - c.energy().dramPj() - c.energy().leakagePj();
        boolean vector = net.loopNest(op.name()).map(n -> n.unit() == dev.sfd.workload.OpKind.ComputeUnit.VECTOR)
                .orElse(false);
        return new SegmentationModel.Option(c.footprintBytes(), c.exposedCycles(), weightBytes, energy,
                c.computeCycles(), vector);
    }

    private SegmentationModel.TensorEdge edge(Tensor t, int p, List<Integer> consumers, long bytes, boolean isOutput,
                                              List<Operator> ops, List<List<Mapping>> mappings) {
        if (p < 0 || consumers.isEmpty()) {
            return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, bytes, isOutput);
        }
        Operator producer = ops.get(p);
        Optional<Integer> rowAxis = rowAxis(producer);
        if (rowAxis.isEmpty() || producer.outputs().size() != 1) {
            return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, bytes, isOutput);
        }
        for (int c : consumers) {
            if (rowAxis(ops.get(c)).isEmpty() || ops.get(c).inputs().indexOf(t.name()) < 0) {
                return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, bytes, isOutput);
            }
        }
        List<Long> producerTerms = new ArrayList<>();
        for (Mapping m : mappings.get(p)) {
            // Output tiles of a split reduction sit on chip at accumulator width (TileWalk).
            double width = reductionSplit(producer, m) ? hw.dataWidths().accumulatorBytes()
                    : hw.dataWidths().activationBytes();
            long whole = (long) Math.ceil(t.elements() * width);
            long band = rowMajor(producer, m)
                    ? (long) Math.ceil(band(t, rowAxis.get(), m.tile(LoopDim.P)).elements() * width) : whole;
            producerTerms.add(Math.max(0, Math.min(whole, band) - outputTileCredit(producer, m)));
        }
        List<List<Long>> consumerTerms = new ArrayList<>();
        for (int c : consumers) {
            Operator consumer = ops.get(c);
            List<Long> terms = new ArrayList<>();
            for (Mapping m : mappings.get(c)) {
                long window = rowMajor(consumer, m) ? consumerWindow(t, rowAxis.get(), consumer, m) : bytes;
                terms.add(Math.max(0, Math.min(bytes, window) - inputTileCredit(consumer, t, m)));
            }
            consumerTerms.add(terms);
        }
        long held = consumers.size() == 1 ? 0 : skipWindow(t, rowAxis.get(), p, consumers, ops, mappings);
        return new SegmentationModel.TensorEdge(t.name(), p, consumers, bytes, held, isOutput, producerTerms,
                consumerTerms);
    }

    /**
     * Whether the mapping walks its output in row bands: no loop with more than one tile sits outside P in the
     * outer loop order. Only then does a row band of the output complete before the next starts (producer) or a
     * row band of the input get read once and never again (consumer); otherwise the whole tensor lives on chip.
     */
    private boolean rowMajor(Operator op, Mapping m) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        for (LoopDim d : m.outerOrder()) {
            if (d == LoopDim.P) {
                return true;
            }
            int tile = nest.wholeDims().contains(d) ? nest.bound(d) : Math.max(1, Math.min(m.tile(d), nest.bound(d)));
            if ((nest.bound(d) + tile - 1) / tile > 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a row-major consumer holds of its input while it walks its tiles (DESIGN.md §3a): the halo rows that
     * the next row band reads again, at full width and all channels, plus the input band of one output row band
     * (its own rows as tiled, halo included, at full width and all input channels). Full width whatever its column
     * tile: a row-major producer completes its rows across the whole width before the next, so the consumer's
     * first column tile of a band waits until the band's last input row is done, and its rows stay until the
     * band's last column tile has read them. Counting the column tile alone put MobileNet-V2's {@code features.3}
     * depthwise (32 rows x 4 columns) at 29 KB where the walk holds 34 rows of 56 columns (274 KB), and 31 segments
     * of the additive DP's zoo plans on {@code edge} did not fit the buffer.
     */
    private long consumerWindow(Tensor t, int axis, Operator consumer, Mapping m) {
        LoopNest nest = net.loopNest(consumer.name()).orElseThrow();
        int inputIndex = consumer.inputs().indexOf(t.name());
        Tensor out = net.tensor(consumer.output());
        int outAxis = rowAxis(consumer).orElseThrow();
        int rows = Math.max(1, Math.min(m.tile(LoopDim.P), out.dim(outAxis)));
        Box band = band(out, outAxis, rows);
        Optional<Box> in = Regions.inputRegion(net, consumer, inputIndex, 0, band);
        if (in.isEmpty()) {
            return 0;
        }
        long halo = 0;
        if (band.hi(outAxis) + rows <= out.dim(outAxis)) {
            Box next = band.withAxis(outAxis, band.hi(outAxis), band.hi(outAxis) + rows);
            Optional<Box> inNext = Regions.inputRegion(net, consumer, inputIndex, 0, next);
            if (inNext.isPresent() && in.get().extent(axis) > 0) {
                long overlap = Math.max(0, in.get().hi(axis) - inNext.get().lo(axis));
                halo = in.get().elements() / in.get().extent(axis) * Math.min(overlap, in.get().extent(axis));
            }
        }
        Map<LoopDim, dev.sfd.workload.AxisExpr.Range> loops = new java.util.EnumMap<>(nest.fullRanges());
        loops.put(LoopDim.P, middle(nest.bound(LoopDim.P), m.tile(LoopDim.P)));
        Operand operand = nest.reads().get(inputIndex);
        long tile = nest.region(operand, t.shape(), loops).elements();
        return bytes(halo + tile);
    }

    private static dev.sfd.workload.AxisExpr.Range middle(int bound, int tile) {
        int r = Math.max(1, Math.min(tile, bound));
        int lo = Math.max(0, (bound - r) / 2);
        return new dev.sfd.workload.AxisExpr.Range(lo, lo + r, bound);
    }

    /**
     * Rows of a skip tensor held until its last consumer (the residual add) reads them, when every operator on
     * the way walks rows: each of them runs ahead of the add by one input band (its largest row tile over its
     * options, halo included). The whole tensor when some operator on the way does not tile rows.
     */
    private long skipWindow(Tensor t, int axis, int p, List<Integer> consumers, List<Operator> ops,
                            List<List<Mapping>> mappings) {
        long bytes = LowerBounds.activationBytes(t, hw);
        int last = consumers.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Set<Integer> reach = new java.util.HashSet<>();
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(consumers);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            index.put(ops.get(i).name(), i);
        }
        while (!todo.isEmpty()) {
            int o = todo.pop();
            if (o > last || !reach.add(o)) {
                continue;
            }
            for (String outName : ops.get(o).outputs()) {
                for (Operator c : net.consumers(outName)) {
                    todo.push(index.get(c.name()));
                }
            }
        }
        long rows = 0;
        for (int o : reach) {
            Operator op = ops.get(o);
            if (rowAxis(op).isEmpty() || mappings.get(o).isEmpty()) {
                return bytes;
            }
            int tileRows = 0;
            for (Mapping m : mappings.get(o)) {
                if (!rowMajor(op, m)) {
                    return bytes;
                }
                tileRows = Math.max(tileRows, m.tile(LoopDim.P));
            }
            rows += tileRows + 2L * haloRows(op);
        }
        return Math.min(bytes, bytes * rows / Math.max(1, t.dim(axis)));
    }

    /** Input rows an operator reads beyond its output rows (the filter height less one; 0 without a window). */
    private int haloRows(Operator op) {
        return Math.max(0, net.loopNest(op.name()).orElseThrow().bound(LoopDim.R) - 1);
    }

    /** Whether the mapping splits the reduction (C, R or S in more than one tile). */
    private boolean reductionSplit(Operator op, Mapping m) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        for (LoopDim d : List.of(LoopDim.C, LoopDim.R, LoopDim.S)) {
            if (!nest.wholeDims().contains(d) && m.tile(d) < nest.bound(d)) {
                return true;
            }
        }
        return false;
    }

    /** Bytes the producer's footprint already counts for the output tile that is part of its band. */
    private long outputTileCredit(Operator op, Mapping m) {
        for (OperandCost oc : costModel.evaluate(net, op, m).operands()) {
            if (oc.role() == Operand.Role.OUTPUT) {
                return oc.tileBytes();
            }
        }
        return 0;
    }

    /**
     * Bytes the consumer's footprint counts for loading this input from DRAM (both halves when double buffered):
     * inside the producer's segment it reads the producer's tiles instead and loads nothing.
     */
    private long inputTileCredit(Operator op, Tensor t, Mapping m) {
        LayerCost c = costModel.evaluate(net, op, m);
        long credit = 0;
        for (OperandCost oc : c.operands()) {
            if (oc.role() != Operand.Role.WEIGHT && oc.role() != Operand.Role.OUTPUT && oc.tensor().equals(t.name())) {
                credit += m.doubleBuffered() && oc.streamed() ? 2 * oc.tileBytes() : oc.tileBytes();
                break;
            }
        }
        return credit;
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

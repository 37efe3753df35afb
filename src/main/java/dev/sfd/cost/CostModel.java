package dev.sfd.cost;

import dev.sfd.hardware.Hardware;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The analytical cost model: evaluates one {@link Mapping} of one operator on one accelerator, without any
 * solver. It is the planner side's one model of the machine: the mappers rank mappings with it, the segmentation
 * model builds its options from it, and the tile walk takes its step timing ({@link StepTiming}), prefetch depth
 * ({@link #prefetchDepth(Mapping)}) and transfer timing ({@link DmaTiming}) from here. The simulator does not use
 * it (it derives timing and energy itself). Every formula is written out in {@code docs/cost-model.md}.
 *
 * <p>Layout operators (reshape, transpose, concat, split) have no loop nest: they are views of their input, have
 * no mapping and cost nothing ({@link LayerCost#zero(String)}).
 */
public final class CostModel {
    /** DRAM bandwidth is used as an integer number of thousandths of a byte per cycle. */
    public static final long BANDWIDTH_SCALE = 1000;

    private final Hardware hw;
    private final int rows;
    private final int cols;
    private final int macsPerPe;
    private final int vectorOpsPerCycle;
    private final long bandwidthMilliBytesPerCycle;
    private final long portMilliBytesPerCycle;
    private final int dramLatencyCycles;
    private final int activationBits;
    private final int weightBits;
    private final int accumulatorBits;

    public CostModel(Hardware hw) {
        this.hw = Objects.requireNonNull(hw, "hw");
        this.rows = hw.peArray().rows();
        this.cols = hw.peArray().cols();
        this.macsPerPe = hw.peArray().macsPerPe();
        this.vectorOpsPerCycle = hw.vectorUnit().opsPerCycle();
        this.bandwidthMilliBytesPerCycle = Math.max(1,
                Math.round(hw.dram().bandwidthBytesPerCycle() * BANDWIDTH_SCALE));
        this.portMilliBytesPerCycle = Math.max(1,
                Math.round(hw.globalBuffer().bandwidthBytesPerCycle() * BANDWIDTH_SCALE));
        this.dramLatencyCycles = hw.dram().latencyCycles();
        this.activationBits = hw.dataWidths().activationBits();
        this.weightBits = hw.dataWidths().weightBits();
        this.accumulatorBits = hw.dataWidths().accumulatorBits();
    }

    public Hardware hardware() {
        return hw;
    }

    /** The figures a search needs, without per-operand detail or energy. */
    public record Figures(long latencyCycles, long dramBytes, long footprintBytes, long computeCycles,
                         long dramCycles, long exposedCycles) {
    }

    // ---------------------------------------------------------------- public API (stable)

    /** Cost of one operator under a mapping; layout operators cost nothing. */
    public LayerCost evaluate(Network net, Operator op, Mapping m) {
        Objects.requireNonNull(m, "m");
        return LayerShape.of(net, op).map(s -> evaluate(s, m)).orElseGet(() -> LayerCost.zero(op.name()));
    }

    /** GLB footprint of a mapping (double buffering counted when the mapping uses it); 0 for layout ops. */
    public long footprintBytes(Network net, Operator op, Mapping m) {
        return evaluate(net, op, m).footprintBytes();
    }

    /** Cost of a compute layer given its flattened shape. */
    public LayerCost evaluate(LayerShape s, Mapping m) {
        Objects.requireNonNull(s, "s");
        checkLegal(s, m);
        return (LayerCost) core(s, tiles(m), unroll(m), order(m), m.doubleBuffered(), true);
    }

    /**
     * Fast evaluation for searches: the same formulas as {@link #evaluate(LayerShape, Mapping)}, on arrays
     * indexed by {@link LoopDim#ordinal()} ({@code unroll[d]} is the spatial factor of dim d, 1 if not unrolled;
     * {@code order} lists dim ordinals outermost first). The caller guarantees legality.
     */
    public Figures figures(LayerShape s, int[] tile, int[] unroll, int[] order, boolean doubleBuffered) {
        return (Figures) core(s, tile, unroll, order, doubleBuffered, false);
    }

    /** Everything that makes a mapping illegal for the layer, one sentence each; empty when legal. */
    public List<String> violations(LayerShape s, Mapping m) {
        List<String> out = new ArrayList<>();
        for (LoopDim d : LoopDim.values()) {
            int t = m.tile(d);
            int b = s.bound(d);
            if (t > b) {
                out.add("tile of " + d + " (" + t + ") exceeds its bound (" + b + ")");
            }
            if ((s.wholeMask() >> d.ordinal() & 1) != 0 && t != b) {
                out.add("tile of " + d + " (" + t + ") must cover the whole dim (" + b + ")");
            }
        }
        Mapping.SpatialUnroll u = m.spatial();
        boolean unrolled = u.rowFactor() > 1 || u.colFactor() > 1;
        if (unrolled && s.unit() != OpKind.ComputeUnit.PE_ARRAY) {
            out.add("a " + s.unit() + " operator cannot be unrolled on the PE array: " + u);
        }
        if (u.rowFactor() > rows) {
            out.add("row factor " + u.rowFactor() + " exceeds the " + rows + " PE rows");
        }
        if (u.colFactor() > cols) {
            out.add("column factor " + u.colFactor() + " exceeds the " + cols + " PE columns");
        }
        if (u.rowFactor() > 1 && u.rowFactor() > m.tile(u.rowDim())) {
            out.add("row factor " + u.rowFactor() + " exceeds the tile of " + u.rowDim() + " (" + m.tile(u.rowDim()) + ")");
        }
        if (u.colFactor() > 1 && u.colFactor() > m.tile(u.colDim())) {
            out.add("column factor " + u.colFactor() + " exceeds the tile of " + u.colDim() + " (" + m.tile(u.colDim()) + ")");
        }
        if (out.isEmpty() && !s.contiguous(tiles(m))) {
            out.add("a tile spans several indices of an outer dim of a product axis while splitting an inner one "
                    + "(tiles " + m.tile() + "): its region would not be a box");
        }
        if (out.isEmpty() && splitsReductionAcrossOutputTiles(s, order(m), tiles(m))) {
            out.add("a loop over a split reduction dim sits above a loop over a tiled output dim in the order "
                    + m.outerOrder() + ": each output tile would wait for its partial sums across other tiles");
        }
        return out;
    }

    // ---------------------------------------------------------------- formulas

    private void checkLegal(LayerShape s, Mapping m) {
        List<String> v = violations(s, m);
        if (!v.isEmpty()) {
            throw new IllegalArgumentException("illegal mapping of " + s.operator() + ": " + String.join("; ", v));
        }
    }

    private static int[] tiles(Mapping m) {
        int[] t = new int[LayerShape.DIMS];
        for (LoopDim d : LoopDim.values()) {
            t[d.ordinal()] = m.tile(d);
        }
        return t;
    }

    private static int[] unroll(Mapping m) {
        int[] u = new int[LayerShape.DIMS];
        java.util.Arrays.fill(u, 1);
        u[m.spatial().rowDim().ordinal()] *= m.spatial().rowFactor();
        u[m.spatial().colDim().ordinal()] *= m.spatial().colFactor();
        return u;
    }

    private static int[] order(Mapping m) {
        return m.outerOrder().stream().mapToInt(LoopDim::ordinal).toArray();
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Cycles to move {@code bytes} at the DRAM bandwidth (ceil). */
    public long transferCycles(long bytes) {
        return ceilDiv(bytes * BANDWIDTH_SCALE, bandwidthMilliBytesPerCycle);
    }

    /** Buffer-port bandwidth in thousandths of a byte per cycle (the integer the formulas use). */
    public long portMilliBytesPerCycle() {
        return portMilliBytesPerCycle;
    }

    /** Bandwidth in thousandths of a byte per cycle (the integer the formulas use). */
    public long bandwidthMilliBytesPerCycle() {
        return bandwidthMilliBytesPerCycle;
    }

    /** Effective spatial factor of dim d: its unroll factor, times the MAC lanes of a PE for C. */
    private int effectiveUnroll(int d, int[] u) {
        return d == LoopDim.C.ordinal() ? u[d] * macsPerPe : u[d];
    }

    /** Temporal steps of dim d over the whole bound: full tiles and the edge tile, each ceil(extent / factor). */
    public long peSteps(int bound, int tile, int factor) {
        long full = bound / tile;
        int edge = bound % tile;
        return full * ceilDiv(tile, factor) + (edge > 0 ? ceilDiv(edge, factor) : 0);
    }

    /** Spatial factor that the C dim gets from the MAC lanes of one PE (1 on every preset). */
    public int macsPerPe() {
        return macsPerPe;
    }

    private static long[][] fullPieces(int bound, int tile) {
        int full = bound / tile;
        int edge = bound % tile;
        if (edge == 0) {
            return new long[][] {{tile, full}};
        }
        if (full == 0) {
            return new long[][] {{edge, 1}};
        }
        return new long[][] {{tile, full}, {edge, 1}};
    }

    /** Sum over all tile classes of count x ceil(points x opsPerPoint / opsPerCycle). */
    private long vectorCycles(LayerShape s, long[][][] pieces, int d, long points, long count) {
        if (d == LayerShape.DIMS) {
            return count * ceilDiv(points * s.opsPerPoint(), vectorOpsPerCycle);
        }
        long sum = 0;
        for (long[] p : pieces[d]) {
            sum += vectorCycles(s, pieces, d + 1, points * p[0], count * p[1]);
        }
        return sum;
    }

    /**
     * Compute cycles of the whole layer for the given tiles and per-dim spatial factors: the larger of the
     * PE-array or vector-unit cycles ({@link #unitCycles}) and the global-buffer port cycles
     * ({@link #portBytes}); 0 for operators without a compute unit. The loop order does not enter.
     */
    public long computeCycles(LayerShape s, int[] t, int[] u) {
        if (s.unit() == OpKind.ComputeUnit.NONE) {
            return 0;
        }
        return Math.max(unitCycles(s, t, u), portCycles(portBytes(s, t)));
    }

    /**
     * Bytes that cross the global buffer's port on the array side over the whole walk: every step reads its
     * input and weight regions and writes its output tile (at accumulator width when the reduction is split);
     * later reduction steps also read the partial sums back. Independent of the loop order and the unrolling.
     */
    public long portBytes(LayerShape s, int[] t) {
        long[] n = new long[LayerShape.DIMS];
        int tiledMask = 0;
        long reductionSteps = 1;
        for (int d = 0; d < LayerShape.DIMS; d++) {
            n[d] = ceilDiv(s.bound(d), t[d]);
            if (n[d] > 1) {
                tiledMask |= 1 << d;
            }
            if ((s.reductionMask() >> d & 1) != 0) {
                reductionSteps *= n[d];
            }
        }
        boolean reductionTiled = (tiledMask & s.reductionMask()) != 0;
        int out = s.operandCount() - 1;
        long outElements = s.sweepElements(out, t);
        long bytes = ceilDiv(outElements * reductionSteps * bits(s, out, reductionTiled), 8)
                + ceilDiv(outElements * (reductionSteps - 1) * accumulatorBits, 8);
        for (int i = 0; i < out; i++) {
            bytes += ceilDiv(glbElements(s, i, t, n) * bits(s, i, reductionTiled), 8);
        }
        return bytes;
    }

    /**
     * The fewest PE-array or vector-unit cycles any mapping of the layer reaches: whole-layer tiles (a tile's edge
     * never saves steps) and the best unrolled pair of dims; what a layer whose dims fit the array badly (a depthwise
     * convolution's single channel per group) cannot beat.
     */
    public long bestUnitCycles(LayerShape s) {
        int[] t = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            t[d] = s.bound(d);
        }
        int[] u = new int[LayerShape.DIMS];
        java.util.Arrays.fill(u, 1);
        if (s.unit() != OpKind.ComputeUnit.PE_ARRAY) {
            return unitCycles(s, t, u);
        }
        int rows = hardware().peArray().rows();
        int cols = hardware().peArray().cols();
        long best = Long.MAX_VALUE;
        for (int[] p : s.spatialPairs(rows, cols)) {
            java.util.Arrays.fill(u, 1);
            u[p[0]] = Math.min(rows, t[p[0]]);
            u[p[1]] = Math.min(cols, t[p[1]]);
            best = Math.min(best, unitCycles(s, t, u));
        }
        return best;
    }

    /** PE-array or vector-unit cycles of the whole layer for the given tiles and per-dim spatial factors. */
    public long unitCycles(LayerShape s, int[] t, int[] u) {
        if (s.unit() == OpKind.ComputeUnit.PE_ARRAY) {
            long c = 1;
            for (int d = 0; d < LayerShape.DIMS; d++) {
                c *= peSteps(s.bound(d), t[d], effectiveUnroll(d, u));
            }
            return c;
        }
        if (s.unit() == OpKind.ComputeUnit.NONE) {
            return 0;
        }
        long[][][] pieces = new long[LayerShape.DIMS][][];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            pieces[d] = fullPieces(s.bound(d), t[d]);
        }
        return vectorCycles(s, pieces, 0, 1, 1);
    }

    /**
     * How many times an operand's data is swept: the product of the tile counts of the loops that sit above the
     * innermost loop the operand depends on (among loops with more than one tile) and that it does not depend on.
     */
    public static long fetches(int[] order, int relevantMask, long[] count) {
        int innermost = -1;
        for (int p = order.length - 1; p >= 0; p--) {
            int d = order[p];
            if ((relevantMask >> d & 1) != 0 && count[d] > 1) {
                innermost = p;
                break;
            }
        }
        long m = 1;
        for (int p = 0; p < innermost; p++) {
            int d = order[p];
            if ((relevantMask >> d & 1) == 0) {
                m *= count[d];
            }
        }
        return m;
    }

    private int bits(LayerShape s, int i, boolean reductionTiled) {
        Operand.Role role = s.role(i);
        if (role == Operand.Role.WEIGHT) {
            return weightBits;
        }
        if (role == Operand.Role.OUTPUT && reductionTiled) {
            return accumulatorBits;
        }
        return activationBits;
    }

    /**
     * Whether the loop order makes partial sums leave the output tile before its reduction completes: some loop of
     * a reduction dim with more than one tile sits above a loop of an output dim with more than one tile. The tile
     * walk keeps an output tile's buffer from its first reduction step to its last, so such an order would hold
     * every output tile of the inner loops at once; it is not part of the mapping space.
     */
    public static boolean splitsReductionAcrossOutputTiles(int[] order, int reductionMask, long[] count) {
        boolean reductionAbove = false;
        for (int d : order) {
            if (count[d] <= 1) {
                continue;
            }
            boolean reduction = (reductionMask >> d & 1) != 0;
            if (reduction) {
                reductionAbove = true;
            } else if (reductionAbove) {
                return true;
            }
        }
        return false;
    }

    /** {@link #splitsReductionAcrossOutputTiles(int[], int, long[])} for tile sizes. */
    public static boolean splitsReductionAcrossOutputTiles(LayerShape s, int[] order, int[] tile) {
        long[] n = new long[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            n[d] = ceilDiv(s.bound(d), tile[d]);
        }
        return splitsReductionAcrossOutputTiles(order, s.reductionMask(), n);
    }

    /**
     * Prefetch depth of a mapping: how many slices of a streamed operand the tile walk keeps in flight (the slice
     * being used and the ones loading). 2 with double buffering, else 1. The footprint holds that many tiles of
     * every streamed operand, and the next slice of an operand loads once the slice {@code depth} loads earlier
     * is no longer used.
     */
    public static int prefetchDepth(Mapping m) {
        return m.doubleBuffered() ? 2 : 1;
    }

    /** Cycles to move {@code bytes} through the global buffer's port (ceil). */
    public long portCycles(long bytes) {
        return ceilDiv(bytes * BANDWIDTH_SCALE, portMilliBytesPerCycle);
    }

    /**
     * The cycles of one compute step of an operator's tile walk: the larger of its PE-array or vector-unit cycles
     * ({@link #unitCycles(int[], int[])}) and the cycles its buffer traffic takes through the port. Over a layer the
     * steps add up to at least its compute cycles (the larger of the two totals), and to exactly that when every
     * step is bound by the same one (docs/cost-model.md).
     */
    public final class StepTiming {
        private final LayerShape shape;
        private final int[] unroll;

        private StepTiming(LayerShape shape, int[] unroll) {
            this.shape = shape;
            this.unroll = unroll;
        }

        /** PE-array or vector-unit cycles of the step covering loop ranges {@code [lo, hi)} (by dim ordinal). */
        public long unitCycles(int[] lo, int[] hi) {
            switch (shape.unit()) {
                case PE_ARRAY: {
                    long c = 1;
                    for (int d = 0; d < LayerShape.DIMS; d++) {
                        c *= ceilDiv(hi[d] - lo[d], effectiveUnroll(d, unroll));
                    }
                    return c;
                }
                case VECTOR: {
                    long points = 1;
                    for (int d = 0; d < LayerShape.DIMS; d++) {
                        points *= hi[d] - lo[d];
                    }
                    return ceilDiv(points * shape.opsPerPoint(), vectorOpsPerCycle);
                }
                default:
                    return 0;
            }
        }

        /** Cycles of the step over {@code [lo, hi)} that moves {@code portBytes} through the buffer port. */
        public long stepCycles(int[] lo, int[] hi, long portBytes) {
            if (shape.unit() == OpKind.ComputeUnit.NONE) {
                return 0;
            }
            return Math.max(unitCycles(lo, hi), portCycles(portBytes));
        }
    }

    /** The step timing of an operator under a mapping (layout operators: every step costs nothing). */
    public StepTiming stepTiming(Network net, Operator op, Mapping m) {
        LayerShape s = LayerShape.of(net, op).orElse(null);
        if (s == null) {
            throw new IllegalArgumentException("operator '" + op.name() + "' has no loop nest");
        }
        checkLegal(s, m);
        return new StepTiming(s, unroll(m));
    }

    /**
     * Elements of operand {@code i} that the steps of the whole walk read from (or, for the output, write to) the
     * global buffer: one sweep of its relevant dims, once per tile of every dim it does not depend on.
     */
    private static long glbElements(LayerShape s, int i, int[] t, long[] n) {
        long e = s.sweepElements(i, t);
        int rel = s.relevantMask(i);
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((rel >> d & 1) == 0) {
                e *= n[d];
            }
        }
        return e;
    }

    private Object core(LayerShape s, int[] t, int[] u, int[] order, boolean db, boolean full) {
        long[] n = new long[LayerShape.DIMS];
        long tiles = 1;
        int tiledMask = 0;
        for (int d = 0; d < LayerShape.DIMS; d++) {
            n[d] = ceilDiv(s.bound(d), t[d]);
            tiles *= n[d];
            if (n[d] > 1) {
                tiledMask |= 1 << d;
            }
        }
        boolean reductionTiled = (tiledMask & s.reductionMask()) != 0;
        long reductionSteps = 1;
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((s.reductionMask() >> d & 1) != 0) {
                reductionSteps *= n[d];
            }
        }
        int depth = db ? 2 : 1;
        long unitCycles = unitCycles(s, t, u);
        long portBytes = portBytes(s, t);
        int k = s.operandCount();
        int out = k - 1;
        long footSingle = 0;
        long footDouble = 0;
        long firstLoad = 0;
        long reads = 0;
        long portWrite = 0;
        long[] loads = new long[k];
        long[] operandReads = new long[k];
        OperandCost[] costs = full ? new OperandCost[k] : null;
        long outElements = s.sweepElements(out, t);
        for (int i = 0; i < k; i++) {
            int bits = bits(s, i, reductionTiled);
            long tileBytes = ceilDiv(s.tileElements(i, t) * bits, 8);
            boolean streamed = (s.relevantMask(i) & tiledMask) != 0;
            footSingle += tileBytes;
            footDouble += streamed ? 2 * tileBytes : tileBytes;
            long slices = 1;
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((s.relevantMask(i) >> d & 1) != 0) {
                    slices *= n[d];
                }
            }
            long m;
            long r;
            long w = 0;
            if (i == out) {
                m = 1;
                r = 0;
                w = ceilDiv(outElements * activationBits, 8);
                loads[i] = slices;
                // every step writes its output tile; later reduction steps read the partial sums back
                portWrite = ceilDiv(outElements * reductionSteps * bits, 8);
            } else {
                m = fetches(order, s.relevantMask(i), n);
                r = m * ceilDiv(s.sweepElements(i, t) * bits, 8);
                firstLoad += tileBytes;
                loads[i] = m * slices;
            }
            operandReads[i] = i == out ? w : r;
            reads += r;
            if (full) {
                costs[i] = new OperandCost(s.tensor(i), s.role(i), tileBytes, streamed, m, loads[i], r, w);
            }
        }
        long writes = ceilDiv(outElements * activationBits, 8);
        long portRead = portBytes - portWrite;
        long compute = s.unit() == OpKind.ComputeUnit.NONE ? 0 : Math.max(unitCycles, portCycles(portBytes));
        long footprint = db ? footDouble : footSingle;
        long dramCycles = transferCycles(reads + writes);
        // Fill and drain: the first loads and their latency before the first step, the last store and its latency
        // after the last one; in between no unit beats its own busy time (the DMA engines' steady traffic). A
        // streamed operand's slice j loads once slice j - depth is used up: every `depth` slices one more DRAM
        // latency lies on its chain, unless the compute of the slices in between hides it.
        long lastStore = ceilDiv(s.tileElements(out, t) * activationBits, 8);
        long fillDrain = transferCycles(firstLoad) + transferCycles(lastStore);
        long steadyDram = Math.max(0, dramCycles - fillDrain);
        long pipe = Math.max(compute, steadyDram);
        // inside a segment whose DRAM traffic overlaps other work, the steps with what their own slice chains
        // expose: every hop's DRAM latency and, for a weight (always loaded from DRAM, whatever the segment), the
        // transfer of the slices past the first `depth`, which cannot start before the step `depth` slices back
        long exposed = compute;
        for (int i = 0; i < k; i++) {
            if (operandReads[i] > 0) {
                long hops = (loads[i] - 1) / depth;
                pipe = Math.max(pipe, hops * dramLatencyCycles + ceilDiv(compute + steadyDram, depth));
                long chained = s.role(i) == Operand.Role.WEIGHT && loads[i] > depth
                        ? transferCycles(operandReads[i]) * (loads[i] - depth) / loads[i] : 0;
                exposed = Math.max(exposed, hops * dramLatencyCycles + ceilDiv(compute + chained, depth));
            }
        }
        long latency = pipe + 2L * dramLatencyCycles + fillDrain;
        if (!full) {
            return new Figures(latency, reads + writes, footprint, compute, dramCycles, exposed);
        }
        double util = 0;
        long points = s.points();
        double macPj = 0;
        double vectorPj = 0;
        double peAccessPj = 0;
        if (s.unit() == OpKind.ComputeUnit.PE_ARRAY) {
            util = compute == 0 ? 0 : (double) points / ((double) compute * rows * cols * macsPerPe);
            macPj = points * hw.energy().macPj();
            peAccessPj = points * (activationBits + weightBits) / 8.0 * hw.energy().peAccessPjPerByte();
        } else if (s.unit() == OpKind.ComputeUnit.VECTOR) {
            long ops = points * s.opsPerPoint();
            util = compute == 0 ? 0 : (double) ops / ((double) compute * vectorOpsPerCycle);
            vectorPj = ops * hw.energy().vectorOpPj();
        }
        // The global buffer is written by every DRAM load and every step's output, read by every step's inputs
        // (and partial sums) and by every DRAM store.
        double glbPj = (reads + portWrite) * hw.globalBuffer().writeEnergyPjPerByte()
                + (writes + portRead) * hw.globalBuffer().readEnergyPjPerByte();
        double dramPj = reads * hw.dram().readEnergyPjPerByte() + writes * hw.dram().writeEnergyPjPerByte();
        EnergyBreakdown energy = new EnergyBreakdown(macPj, vectorPj, glbPj, dramPj, peAccessPj,
                hw.energy().leakagePjPerCycle() * latency);
        return new LayerCost(s.operator(), tiles, compute, unitCycles, portBytes, exposed, reads, writes, footprint,
                latency, util, energy, compute >= dramCycles, footSingle, footDouble, dramCycles, List.of(costs));
    }
}

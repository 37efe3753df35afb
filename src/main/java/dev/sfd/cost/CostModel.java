package dev.sfd.cost;

import dev.sfd.hardware.Hardware;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The analytical cost model: evaluates one {@link Mapping} of one operator on one accelerator, without any
 * solver. It is the single source of truth for mappers, the segmenter and the simulator; every formula is
 * written out in {@code docs/cost-model.md}.
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
                         long dramCycles) {
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

    /**
     * PE-array or vector-unit cycles of producing one output tile, all its reduction steps included. The tile is
     * given by the loop ranges of the output dims (dims missing from the map, and reduction dims, are taken
     * whole). A range spanning several GLB tiles of the mapping counts each piece separately, so the sum over
     * any partition of the output equals {@code evaluate(...).computeCycles()}.
     */
    public long tileComputeCycles(Network net, Operator op, Mapping m, Map<LoopDim, AxisExpr.Range> outputTile) {
        Objects.requireNonNull(outputTile, "outputTile");
        LayerShape s = LayerShape.of(net, op).orElse(null);
        if (s == null || s.unit() == OpKind.ComputeUnit.NONE) {
            return 0;
        }
        checkLegal(s, m);
        int[] t = tiles(m);
        int[] u = unroll(m);
        long[][][] pieces = new long[LayerShape.DIMS][][];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            AxisExpr.Range r = outputTile.get(LoopDim.values()[d]);
            boolean reduction = (s.reductionMask() >> d & 1) != 0;
            if (reduction || r == null) {
                pieces[d] = fullPieces(s.bound(d), t[d]);
            } else {
                if (r.hi() > s.bound(d)) {
                    throw new IllegalArgumentException(op.name() + ": output tile range of " + LoopDim.values()[d]
                            + " [" + r.lo() + ", " + r.hi() + ") exceeds bound " + s.bound(d));
                }
                pieces[d] = rangePieces(r.lo(), r.hi(), t[d]);
            }
        }
        return computeCycles(s, pieces, u);
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

    private static long[][] rangePieces(int lo, int hi, int tile) {
        TreeMap<Long, Long> counts = new TreeMap<>();
        for (int k = lo / tile; (long) k * tile < hi; k++) {
            long a = Math.max(lo, (long) k * tile);
            long b = Math.min(hi, (long) (k + 1) * tile);
            if (b > a) {
                counts.merge(b - a, 1L, Long::sum);
            }
        }
        long[][] out = new long[counts.size()][];
        int i = 0;
        for (Map.Entry<Long, Long> e : counts.entrySet()) {
            out[i++] = new long[] {e.getKey(), e.getValue()};
        }
        return out;
    }

    private long computeCycles(LayerShape s, long[][][] pieces, int[] u) {
        switch (s.unit()) {
            case PE_ARRAY: {
                long c = 1;
                for (int d = 0; d < LayerShape.DIMS; d++) {
                    long steps = 0;
                    int f = effectiveUnroll(d, u);
                    for (long[] p : pieces[d]) {
                        steps += p[1] * ceilDiv(p[0], f);
                    }
                    c *= steps;
                }
                return c;
            }
            case VECTOR:
                return vectorCycles(s, pieces, 0, 1, 1);
            default:
                return 0;
        }
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

    /** PE-array or vector cycles of the whole layer for the given tiles and per-dim spatial factors. */
    public long computeCycles(LayerShape s, int[] t, int[] u) {
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
        long compute = computeCycles(s, t, u);
        int k = s.operandCount();
        int out = k - 1;
        long footSingle = 0;
        long footDouble = 0;
        long firstLoad = 0;
        long reads = 0;
        long writes = 0;
        OperandCost[] costs = full ? new OperandCost[k] : null;
        long arraySideBytes = 0;
        for (int i = 0; i < k; i++) {
            int bits = bits(s, i, reductionTiled);
            long tileBytes = ceilDiv(s.tileElements(i, t) * bits, 8);
            boolean streamed = (s.relevantMask(i) & tiledMask) != 0;
            footSingle += tileBytes;
            footDouble += streamed ? 2 * tileBytes : tileBytes;
            arraySideBytes += tileBytes;
            long m = fetches(order, s.relevantMask(i), n);
            long sweep = s.sweepElements(i, t);
            long r;
            long w = 0;
            if (i == out) {
                long partial = ceilDiv(sweep * accumulatorBits, 8);
                w = ceilDiv(sweep * activationBits, 8) + (m - 1) * partial;
                r = (m - 1) * partial;
            } else {
                firstLoad += tileBytes;
                r = m * ceilDiv(sweep * bits, 8);
            }
            reads += r;
            writes += w;
            if (full) {
                costs[i] = new OperandCost(s.tensor(i), s.role(i), tileBytes, streamed, m, r, w);
            }
        }
        long footprint = db ? footDouble : footSingle;
        long dramCycles = transferCycles(reads + writes);
        long lastStore = ceilDiv(s.tileElements(out, t) * activationBits, 8);
        long latency = db
                ? Math.max(compute, dramCycles) + dramLatencyCycles + transferCycles(firstLoad) + transferCycles(lastStore)
                : compute + dramCycles + tiles * dramLatencyCycles;
        if (!full) {
            return new Figures(latency, reads + writes, footprint, compute, dramCycles);
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
        double glbPj = (reads + tiles * costs[out].tileBytes()) * hw.globalBuffer().writeEnergyPjPerByte()
                + (writes + tiles * (arraySideBytes - costs[out].tileBytes())) * hw.globalBuffer().readEnergyPjPerByte();
        double dramPj = reads * hw.dram().readEnergyPjPerByte() + writes * hw.dram().writeEnergyPjPerByte();
        EnergyBreakdown energy = new EnergyBreakdown(macPj, vectorPj, glbPj, dramPj, peAccessPj);
        return new LayerCost(s.operator(), tiles, compute, reads, writes, footprint, latency, util, energy,
                compute >= dramCycles, footSingle, footDouble, dramCycles, List.of(costs));
    }
}

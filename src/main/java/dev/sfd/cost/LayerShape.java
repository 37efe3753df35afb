package dev.sfd.cost;

import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The loop nest of one compute operator flattened into arrays for fast evaluation: bounds, and per operand its
 * axes (a product of dims, a sliding window or a scaled resampling axis, both clipped to the tensor) and the dims it depends on. Two layers
 * with equal {@link #key()} cost the same under every mapping (names do not enter the key), so mapping results
 * can be shared between them.
 */
public final class LayerShape {
    /** Number of loop dims. */
    public static final int DIMS = LoopDim.values().length;

    /**
     * One axis of an operand: a product of dims, a sliding window, or a scaled axis ({@link AxisExpr.Scaled}:
     * {@code scaled} holds its out dim in {@code out} and {num, den, haloBefore, haloAfter}).
     */
    record Axis(int[] dims, int out, int filter, int stride, int dilation, int padBefore, int size, int fixed,
                AxisExpr.Scaled scaled) {
        Axis(int[] dims, int out, int filter, int stride, int dilation, int padBefore, int size) {
            this(dims, out, filter, stride, dilation, padBefore, size, 1, null);
        }

        boolean isWindow() {
            return dims == null && scaled == null;
        }

        boolean isScaled() {
            return scaled != null;
        }

        boolean isProduct() {
            return dims != null;
        }
    }

    /** One operand: its axes, the bit mask of loop dims it depends on, and whether it is a weight. */
    record OperandShape(String tensor, Operand.Role role, Axis[] axes, int relevantMask) {
    }

    private final String operator;
    private final OpKind.ComputeUnit unit;
    private final int[] bound = new int[DIMS];
    private final int opsPerPoint;
    private final int wholeMask;
    private final int reductionMask;
    private final int activeMask;
    private final OperandShape[] operands;
    private final String key;
    private final ConcurrentHashMap<Long, Long> windowSweeps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> scaledSweeps = new ConcurrentHashMap<>();

    private LayerShape(LoopNest nest, Network net) {
        this.operator = nest.operator();
        this.unit = nest.unit();
        int active = 0;
        for (LoopDim d : LoopDim.values()) {
            bound[d.ordinal()] = nest.bound(d);
            if (nest.bound(d) > 1) {
                active |= 1 << d.ordinal();
            }
        }
        this.activeMask = active;
        this.opsPerPoint = nest.opsPerPoint();
        int whole = 0;
        for (LoopDim d : nest.wholeDims()) {
            whole |= 1 << d.ordinal();
        }
        this.wholeMask = whole;
        List<OperandShape> ops = new ArrayList<>();
        StringBuilder k = new StringBuilder(unit.name()).append('|').append(opsPerPoint).append('|');
        for (int b : bound) {
            k.append(b).append(',');
        }
        k.append("|w").append(whole);
        for (Operand o : nest.operands()) {
            List<Integer> shape = net.tensor(o.tensor()).shape();
            Axis[] axes = new Axis[o.axes().size()];
            int rel = 0;
            int used = 0;
            k.append('|').append(o.role().name().charAt(0)).append(':');
            for (int i = 0; i < axes.length; i++) {
                AxisExpr a = o.axes().get(i);
                int mask;
                if (a instanceof AxisExpr.Dims dims) {
                    int[] ds = dims.dims().stream().mapToInt(LoopDim::ordinal).toArray();
                    axes[i] = new Axis(ds, -1, -1, 0, 0, 0, shape.get(i));
                    mask = 0;
                    for (int d : ds) {
                        mask |= 1 << d;
                    }
                    k.append('D').append(mask).append(';');
                } else if (a instanceof AxisExpr.Whole wholeAxis) {
                    // read whole by every tile (operands of opaque operators): no loop dim, a fixed extent
                    axes[i] = new Axis(new int[0], -1, -1, 0, 0, 0, shape.get(i), wholeAxis.size(), null);
                    mask = 0;
                    k.append('F').append(wholeAxis.size()).append(';');
                } else if (a instanceof AxisExpr.Scaled sc) {
                    axes[i] = new Axis(null, sc.out().ordinal(), -1, 0, 0, 0, shape.get(i), 1, sc);
                    mask = 1 << sc.out().ordinal();
                    k.append('X').append(sc.out().ordinal()).append('s').append(sc.num()).append('/').append(sc.den())
                            .append('h').append(sc.haloBefore()).append(',').append(sc.haloAfter())
                            .append('n').append(shape.get(i)).append(';');
                } else {
                    AxisExpr.Window w = (AxisExpr.Window) a;
                    axes[i] = new Axis(null, w.out().ordinal(), w.filter().ordinal(), w.stride(), w.dilation(),
                            w.padBefore(), shape.get(i));
                    mask = (1 << w.out().ordinal()) | (1 << w.filter().ordinal());
                    k.append('W').append(w.out().ordinal()).append(w.filter().ordinal()).append('s')
                            .append(w.stride()).append('d').append(w.dilation()).append('p').append(w.padBefore())
                            .append('n').append(shape.get(i)).append(';');
                }
                if ((used & mask) != 0) {
                    throw new IllegalArgumentException(nest.operator() + ": operand " + o.tensor()
                            + " indexes one loop dim from two axes; the cost model needs disjoint axes");
                }
                used |= mask;
                rel |= mask;
            }
            ops.add(new OperandShape(o.tensor(), o.role(), axes, rel));
        }
        this.operands = ops.toArray(new OperandShape[0]);
        this.reductionMask = ~operands[operands.length - 1].relevantMask() & ((1 << DIMS) - 1);
        this.key = k.toString();
    }

    /** The shape of a compute operator; empty for layout operators (they have no loop nest). */
    public static Optional<LayerShape> of(Network net, Operator op) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(op, "op");
        return net.loopNest(op.name()).map(n -> new LayerShape(n, net));
    }

    public String operator() {
        return operator;
    }

    public OpKind.ComputeUnit unit() {
        return unit;
    }

    /** A key equal for layers that cost the same under every mapping (no names in it). */
    public String key() {
        return key;
    }

    public int bound(int dim) {
        return bound[dim];
    }

    public int bound(LoopDim d) {
        return bound[d.ordinal()];
    }

    public int opsPerPoint() {
        return opsPerPoint;
    }

    /** Bit mask (by {@link LoopDim#ordinal()}) of dims a tile must cover whole. */
    public int wholeMask() {
        return wholeMask;
    }

    /** Bit mask of dims the output does not depend on (C, R, S for a convolution). */
    public int reductionMask() {
        return reductionMask;
    }

    /**
     * The (row dim, column dim) pairs a PE-array mapping may unroll: every ordered pair of active dims (the unordered
     * ones on a square array), padded with inactive dims when fewer than two are active.
     */
    public List<int[]> spatialPairs(int rows, int cols) {
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < DIMS; d++) {
            if ((activeMask() >> d & 1) != 0) {
                dims.add(d);
            }
        }
        for (int d = 0; d < DIMS && dims.size() < 2; d++) {
            if (!dims.contains(d)) {
                dims.add(d);
            }
        }
        List<int[]> pairs = new ArrayList<>();
        for (int a : dims) {
            for (int b : dims) {
                if (a != b && (rows != cols || a < b)) {
                    pairs.add(new int[] {a, b});
                }
            }
        }
        return pairs;
    }

    /** Bit mask of dims with a bound above 1. */
    public int activeMask() {
        return activeMask;
    }

    public int operandCount() {
        return operands.length;
    }

    /** Bit mask of the dims operand {@code i} depends on (output last). */
    public int relevantMask(int i) {
        return operands[i].relevantMask();
    }

    public Operand.Role role(int i) {
        return operands[i].role();
    }

    public String tensor(int i) {
        return operands[i].tensor();
    }

    OperandShape operand(int i) {
        return operands[i];
    }

    /** Iteration points of the whole layer. */
    public long points() {
        long n = 1;
        for (int b : bound) {
            n *= b;
        }
        return n;
    }

    /**
     * Elements of operand {@code i} touched by one full tile (window axes unclipped: halo and padding included).
     */
    public long tileElements(int i, int[] tile) {
        long n = 1;
        for (Axis a : operands[i].axes()) {
            n *= axisTileExtent(a, tile);
        }
        return n;
    }

    static long axisTileExtent(Axis a, int[] tile) {
        if (a.isScaled()) {
            return a.scaled().extentOf(tile[a.out()]);
        }
        if (!a.isWindow()) {
            long e = a.fixed();
            for (int d : a.dims()) {
                e *= tile[d];
            }
            // an axis indexed past its size (an embedding's rows, looked up by token) reads at most the whole axis
            return a.dims().length > 0 ? Math.min(e, a.size()) : e;
        }
        return (long) (tile[a.out()] - 1) * a.stride() + (long) (tile[a.filter()] - 1) * a.dilation() + 1;
    }

    /**
     * Elements of operand {@code i} read by one sweep over all tiles of the dims it depends on: the product over
     * its axes of the summed (clipped) axis extents. A product axis sums to the product of its bounds; a window
     * axis sums its halos, clipped to the tensor (padding is not read).
     */
    public long sweepElements(int i, int[] tile) {
        long n = 1;
        int axisIndex = 0;
        for (Axis a : operands[i].axes()) {
            if (a.isScaled()) {
                n *= scaledSweep(i, axisIndex, a, tile[a.out()]);
            } else if (!a.isWindow()) {
                long e = a.fixed();
                for (int d : a.dims()) {
                    e *= bound[d];
                }
                int d = clippedDim(a);
                if (d >= 0) {
                    // indexed past its size (an embedding's rows): every tile reads at most the whole axis
                    e = clippedSweep(a.size(), d, tile[d]);
                }
                n *= e;
            } else {
                n *= windowSweep(i, axisIndex, a, tile[a.out()], tile[a.filter()]);
            }
            axisIndex++;
        }
        return n;
    }

    /** The one dim of {@code dims} with a bound above 1, or -1 when there is not exactly one. */
    private int onlyActiveDim(int[] dims) {
        int found = -1;
        for (int d : dims) {
            if (bound[d] > 1) {
                if (found >= 0) {
                    return -1;
                }
                found = d;
            }
        }
        return found;
    }

    /** Sum over all (out tile, filter tile) pairs of the extent a window axis reads (as the tile walk reads it). */
    long windowSweep(int operandIndex, int axisIndex, Axis a, int tOut, int tFilter) {
        long cacheKey = (((long) operandIndex * 16 + axisIndex) << 40) | ((long) tOut << 20) | tFilter;
        Long cached = windowSweeps.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        int bOut = bound[a.out()];
        int bFilter = bound[a.filter()];
        AxisExpr.Window w = new AxisExpr.Window(LoopDim.values()[a.out()], LoopDim.values()[a.filter()], a.stride(),
                a.dilation(), a.padBefore());
        long sum = 0;
        for (int o0 = 0; o0 < bOut; o0 += tOut) {
            int o1 = Math.min(bOut, o0 + tOut);
            for (int f0 = 0; f0 < bFilter; f0 += tFilter) {
                int f1 = Math.min(bFilter, f0 + tFilter);
                // the tile walk's region: taps that fall into the padding read nothing
                AxisExpr.Range r = w.range(o0, o1, f0, f1, a.size());
                sum += r.hi() - r.lo();
            }
        }
        windowSweeps.put(cacheKey, sum);
        return sum;
    }

    /** Sum over all out tiles of the clipped extent of a scaled axis (what one sweep reads of it). */
    long scaledSweep(int operandIndex, int axisIndex, Axis a, int tOut) {
        long cacheKey = (((long) operandIndex * 16 + axisIndex) << 40) | tOut;
        Long cached = scaledSweeps.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        int bOut = bound[a.out()];
        AxisExpr.Scaled sc = a.scaled();
        long sum = 0;
        for (int o0 = 0; o0 < bOut; o0 += tOut) {
            int o1 = Math.min(bOut, o0 + tOut);
            long lo = sc.base(o0) - sc.haloBefore();
            long hi = sc.base(o1 - 1) + sc.haloAfter() + 1;
            long clippedLo = Math.max(0, Math.min(a.size(), lo));
            long clippedHi = Math.max(clippedLo, Math.min(a.size(), hi));
            sum += clippedHi - clippedLo;
        }
        scaledSweeps.put(cacheKey, sum);
        return sum;
    }

    /** Scaled axes of operand {@code i} as (axis index, out dim) pairs. */
    public List<int[]> scaledAxes(int i) {
        List<int[]> out = new ArrayList<>();
        Axis[] axes = operands[i].axes();
        for (int a = 0; a < axes.length; a++) {
            if (axes[a].isScaled()) {
                out.add(new int[] {a, axes[a].out()});
            }
        }
        return out;
    }

    /** Unclipped extent of scaled axis {@code axisIndex} of operand {@code i} for {@code tOut} output indices. */
    public long scaledTileExtent(int i, int axisIndex, int tOut) {
        return operands[i].axes()[axisIndex].scaled().extentOf(tOut);
    }

    /** The clipped sweep of scaled axis {@code axisIndex} of operand {@code i} for out tiles of {@code tOut}. */
    public long scaledSweep(int i, int axisIndex, int tOut) {
        return scaledSweep(i, axisIndex, operands[i].axes()[axisIndex], tOut);
    }

    /** Window axes of operand {@code i} as (axis index, out dim, filter dim) triples. */
    public List<int[]> windowAxes(int i) {
        List<int[]> out = new ArrayList<>();
        Axis[] axes = operands[i].axes();
        for (int a = 0; a < axes.length; a++) {
            if (axes[a].isWindow()) {
                out.add(new int[] {a, axes[a].out(), axes[a].filter()});
            }
        }
        return out;
    }

    /** The clipped sweep of window axis {@code axisIndex} of operand {@code i} for the given tile sizes. */
    public long windowSweep(int i, int axisIndex, int tOut, int tFilter) {
        return windowSweep(i, axisIndex, operands[i].axes()[axisIndex], tOut, tFilter);
    }

    /** Product of the bounds of the product (non-window, non-scaled) axes of operand {@code i}. */
    public long productAxesElements(int i) {
        long n = 1;
        for (Axis a : operands[i].axes()) {
            if (a.isProduct() && clippedDim(a) < 0) {
                n *= a.fixed();
                for (int d : a.dims()) {
                    n *= bound[d];
                }
            }
        }
        return n;
    }

    /**
     * The product axes of operand {@code i} indexed past their size (an embedding's rows, looked up by token), as
     * (axis index, the one active dim, axis size): a tile reads at most the whole axis
     * ({@link #productAxesElements} leaves them out; their extents depend on the tile of that dim).
     */
    public List<int[]> clippedProductAxes(int i) {
        List<int[]> out = new ArrayList<>();
        Axis[] axes = operands[i].axes();
        for (int k = 0; k < axes.length; k++) {
            int d = axes[k].isProduct() ? clippedDim(axes[k]) : -1;
            if (d >= 0) {
                out.add(new int[] {k, d, axes[k].size()});
            }
        }
        return out;
    }

    /** The active dim of a product axis indexed past its size, or -1 (the axis is read within its size). */
    private int clippedDim(Axis a) {
        long e = a.fixed();
        for (int d : a.dims()) {
            e *= bound[d];
        }
        int only = onlyActiveDim(a.dims());
        return only >= 0 && e > a.size() && a.fixed() == 1 ? only : -1;
    }

    /** Elements a sweep reads of a clipped product axis for tiles of {@code tile} on its active dim. */
    public long clippedSweep(int size, int dim, int tile) {
        long full = bound[dim] / tile;
        int edge = bound[dim] % tile;
        return full * Math.min(tile, size) + Math.min(edge, size);
    }

    /** Window axis parameters {stride, dilation} of operand {@code i}, axis {@code axisIndex}. */
    public int[] windowStrideDilation(int i, int axisIndex) {
        Axis a = operands[i].axes()[axisIndex];
        return new int[] {a.stride(), a.dilation()};
    }

    /** Product of the fixed extents of operand {@code i}'s axes that no loop dim indexes (read whole). */
    public long fixedElements(int i) {
        long n = 1;
        for (Axis a : operands[i].axes()) {
            if (a.isProduct()) {
                n *= a.fixed();
            }
        }
        return n;
    }

    /**
     * Whether every tile reads and writes contiguous ranges: on an axis indexed by a product of dims (outermost
     * first, e.g. channels = G·C), a dim may be split into tiles only when every dim outside it on that axis has a
     * tile of one (otherwise a tile would read a strided set of channels, not a box).
     */
    public boolean contiguous(int[] tile) {
        for (OperandShape o : operands) {
            for (Axis a : o.axes()) {
                if (!a.isProduct()) {
                    continue;
                }
                int[] dims = a.dims();
                for (int j = 1; j < dims.length; j++) {
                    if (tile[dims[j]] >= bound[dims[j]]) {
                        continue;
                    }
                    for (int k = 0; k < j; k++) {
                        if (tile[dims[k]] > 1) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /** Product axes of operand {@code i}: for each, the dims multiplied. */
    public List<int[]> productAxes(int i) {
        List<int[]> out = new ArrayList<>();
        for (Axis a : operands[i].axes()) {
            if (a.isProduct()) {
                out.add(a.dims().clone());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "LayerShape[" + operator + ", " + key + "]";
    }
}

package dev.sfd.mapping;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.cost.Mapping;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.OpKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The mapping design space of one layer, shared by every mapper (so that their optima can be compared):
 *
 * <ul>
 *   <li><b>Tile sizes</b> per dim: the divisors of the bound, plus (PE-array operators, dims other than R and S)
 *       balanced non-divisors {@code ceil(bound/n)} and multiples of the array sides, whose edge tile is padded;
 *       thinned to at most {@code maxTileCandidates} log-spaced sizes (1 and the bound always kept). Dims a tile
 *       must keep whole have one candidate. Vector operators use divisors only.</li>
 *   <li><b>Spatial unrolling</b> (PE-array operators): an ordered pair of distinct dims on (rows, cols); the
 *       factors are {@code min(rows, tile)} and {@code min(cols, tile)} — a smaller factor never lowers the
 *       cycle count, so it is dominated. On a square array a pair and its mirror are the same option.</li>
 *   <li><b>Outer loop order</b>: active dims are grouped by the set of operands that depend on them (dims of
 *       one group affect the same operands' reuse); dims every operand depends on go outermost (dominant);
 *       the orders are the permutations of the remaining groups — the distinct reuse classes.</li>
 *   <li><b>Double buffering</b>: on or off.</li>
 * </ul>
 */
public final class MappingSpace {
    /** Options of the space. */
    public record Options(int maxTileCandidates, boolean paddedTiles) {
        public static final Options DEFAULT = new Options(8, true);

        public Options {
            if (maxTileCandidates < 2) {
                throw new IllegalArgumentException("maxTileCandidates must be >= 2: " + maxTileCandidates);
            }
        }
    }

    private final LayerShape shape;
    private final CostModel model;
    private final int[][] candidates = new int[LayerShape.DIMS][];
    private final List<int[]> pairs = new ArrayList<>();
    private final int universalMask;
    private final int[] groupMasks;
    private final List<int[]> groupOrders = new ArrayList<>();
    private final List<int[]> orders = new ArrayList<>();
    private final int rows;
    private final int cols;

    public MappingSpace(LayerShape shape, CostModel model, Options options) {
        this.shape = Objects.requireNonNull(shape, "shape");
        this.model = Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        this.rows = model.hardware().peArray().rows();
        this.cols = model.hardware().peArray().cols();
        boolean pe = shape.unit() == OpKind.ComputeUnit.PE_ARRAY;
        for (int d = 0; d < LayerShape.DIMS; d++) {
            candidates[d] = tileCandidates(d, pe && options.paddedTiles(), options.maxTileCandidates());
        }
        // Spatial pairs.
        if (pe) {
            pairs.addAll(shape.spatialPairs(rows, cols));
        } else {
            pairs.add(new int[] {LoopDim.K.ordinal(), LoopDim.C.ordinal()});
        }
        // Reuse groups.
        int all = (1 << shape.operandCount()) - 1;
        int universal = 0;
        List<Integer> sigs = new ArrayList<>();
        List<Integer> masks = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((shape.activeMask() >> d & 1) == 0) {
                continue;
            }
            int sig = 0;
            for (int i = 0; i < shape.operandCount(); i++) {
                if ((shape.relevantMask(i) >> d & 1) != 0) {
                    sig |= 1 << i;
                }
            }
            if (sig == all) {
                universal |= 1 << d;
                continue;
            }
            int g = sigs.indexOf(sig);
            if (g < 0) {
                sigs.add(sig);
                masks.add(1 << d);
            } else {
                masks.set(g, masks.get(g) | 1 << d);
            }
        }
        this.universalMask = universal;
        this.groupMasks = masks.stream().mapToInt(Integer::intValue).toArray();
        permutations(new int[groupMasks.length], new boolean[groupMasks.length], 0);
        for (int[] perm : groupOrders) {
            int[] order = new int[LayerShape.DIMS];
            int p = 0;
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((universal >> d & 1) != 0) {
                    order[p++] = d;
                }
            }
            for (int g : perm) {
                for (int d = 0; d < LayerShape.DIMS; d++) {
                    if ((groupMasks[g] >> d & 1) != 0) {
                        order[p++] = d;
                    }
                }
            }
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((shape.activeMask() >> d & 1) == 0) {
                    order[p++] = d;
                }
            }
            orders.add(order);
        }
    }

    private void permutations(int[] cur, boolean[] used, int k) {
        if (k == cur.length) {
            groupOrders.add(cur.clone());
            return;
        }
        for (int g = 0; g < cur.length; g++) {
            if (!used[g]) {
                used[g] = true;
                cur[k] = g;
                permutations(cur, used, k + 1);
                used[g] = false;
            }
        }
    }

    private int[] tileCandidates(int d, boolean padded, int max) {
        int b = shape.bound(d);
        if (b == 1 || (shape.wholeMask() >> d & 1) != 0) {
            return new int[] {b};
        }
        TreeSet<Integer> set = new TreeSet<>();
        for (int v = 1; (long) v * v <= b; v++) {
            if (b % v == 0) {
                set.add(v);
                set.add(b / v);
            }
        }
        boolean filter = d == LoopDim.R.ordinal() || d == LoopDim.S.ordinal();
        if (padded && !filter) {
            for (int n = 2; n <= 8 && n < b; n++) {
                set.add((b + n - 1) / n);
            }
            for (int side : new int[] {rows, cols}) {
                for (long v = side; v < b && v <= 8L * side; v += side) {
                    set.add((int) v);
                }
            }
        }
        List<Integer> all = new ArrayList<>(set);
        if (all.size() <= max) {
            return all.stream().mapToInt(Integer::intValue).toArray();
        }
        // Thin to log-spaced sizes, keeping 1 and the bound.
        TreeSet<Integer> kept = new TreeSet<>();
        double logB = Math.log(b);
        for (int j = 0; j < max; j++) {
            double target = Math.exp(logB * j / (max - 1));
            int bestIndex = -1;
            for (int i = 0; i < all.size(); i++) {
                if (kept.contains(all.get(i))) {
                    continue;
                }
                if (bestIndex < 0 || Math.abs(Math.log(all.get(i)) - Math.log(target))
                        < Math.abs(Math.log(all.get(bestIndex)) - Math.log(target))) {
                    bestIndex = i;
                }
            }
            kept.add(all.get(bestIndex));
        }
        kept.add(1);
        kept.add(b);
        while (kept.size() > max) {
            // drop the candidate closest (in log) to a neighbour, never 1 or b
            Integer[] k = kept.toArray(new Integer[0]);
            int drop = 1;
            double bestGap = Double.MAX_VALUE;
            for (int i = 1; i < k.length - 1; i++) {
                double gap = Math.log(k[i + 1]) - Math.log(k[i - 1]);
                if (gap < bestGap) {
                    bestGap = gap;
                    drop = i;
                }
            }
            kept.remove(k[drop]);
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    public LayerShape shape() {
        return shape;
    }

    public CostModel model() {
        return model;
    }

    /** Candidate tile sizes of dim {@code d} (by ordinal), ascending. */
    public int[] candidates(int d) {
        return candidates[d].clone();
    }

    /** Spatial options: (row dim, col dim) ordinals. */
    public List<int[]> pairs() {
        return pairs.stream().map(int[]::clone).toList();
    }

    public int pairCount() {
        return pairs.size();
    }

    /** Outer loop orders (all eight dim ordinals, outermost first), one per reuse class. */
    public List<int[]> orders() {
        return orders.stream().map(int[]::clone).toList();
    }

    public int orderCount() {
        return orders.size();
    }

    /** Dims every operand depends on (kept outermost). */
    public int universalMask() {
        return universalMask;
    }

    /** Dim masks of the reuse groups. */
    public int[] groupMasks() {
        return groupMasks.clone();
    }

    /** For order {@code o}: the permutation of groups, outermost first. */
    public int[] groupOrder(int o) {
        return groupOrders.get(o).clone();
    }

    /**
     * Whether tiles and order {@code o} are a legal point: every tile region is a box ({@link LayerShape#contiguous})
     * and no tiled reduction loop sits above a tiled output loop ({@link CostModel#splitsReductionAcrossOutputTiles}).
     */
    public boolean legal(int[] tile, int o) {
        return shape.contiguous(tile) && !CostModel.splitsReductionAcrossOutputTiles(shape, orders.get(o), tile);
    }

    /**
     * The first legal order for the tiles (orders with the reduction loops innermost always are, when the tiles are
     * contiguous).
     */
    public int firstLegalOrder(int[] tile) {
        for (int o = 0; o < orders.size(); o++) {
            if (legal(tile, o)) {
                return o;
            }
        }
        throw new IllegalStateException(shape.operator() + ": no loop order keeps the reduction inside the output loops");
    }

    /** Per-dim spatial factors of a spatial option for the given tiles. */
    public int[] unroll(int[] tile, int pair) {
        int[] u = new int[LayerShape.DIMS];
        Arrays.fill(u, 1);
        if (shape.unit() != OpKind.ComputeUnit.PE_ARRAY) {
            return u;
        }
        int[] p = pairs.get(pair);
        u[p[0]] = Math.min(rows, tile[p[0]]);
        u[p[1]] = Math.min(cols, tile[p[1]]);
        return u;
    }

    /** The mapping of a point of the space. */
    public Mapping mapping(String operator, int[] tile, int pair, int order, boolean doubleBuffered) {
        java.util.EnumMap<LoopDim, Integer> t = new java.util.EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            t.put(d, tile[d.ordinal()]);
        }
        Mapping.SpatialUnroll spatial = Mapping.SpatialUnroll.NONE;
        if (shape.unit() == OpKind.ComputeUnit.PE_ARRAY) {
            int[] p = pairs.get(pair);
            spatial = new Mapping.SpatialUnroll(LoopDim.values()[p[0]], Math.min(rows, tile[p[0]]),
                    LoopDim.values()[p[1]], Math.min(cols, tile[p[1]]));
        }
        List<LoopDim> o = Arrays.stream(orders.get(order)).mapToObj(d -> LoopDim.values()[d]).toList();
        return new Mapping(operator, t, spatial, o, doubleBuffered);
    }

    /** Smallest candidate tile of every dim. */
    public int[] smallestTiles() {
        int[] t = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            t[d] = candidates[d][0];
        }
        return t;
    }

    /**
     * The smallest footprint of the space: smallest tiles, single-buffered (footprints grow with every tile
     * size, and do not depend on the order or the unrolling).
     */
    /**
     * The smallest footprint of this space, after checking that it fits {@code capacityBytes}.
     *
     * @throws MappingInfeasibleException naming the layer, its smallest footprint and the capacity
     */
    public long requireFits(String operator, long capacityBytes) {
        long min = minFootprintBytes();
        if (min > capacityBytes) {
            throw new MappingInfeasibleException(operator, min, capacityBytes);
        }
        return min;
    }

    public long minFootprintBytes() {
        int[] t = smallestTiles();
        long min = model.figures(shape, t, unroll(t, 0), orders.get(0), false).footprintBytes();
        // Footprints grow with every tile size except at one step: when no reduction dim is split, the output
        // tile is held in activation width instead of accumulator width. Try that case too.
        int[] whole = t.clone();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((shape.reductionMask() >> d & 1) != 0) {
                whole[d] = shape.bound(d);
            }
        }
        long unsplit = model.figures(shape, whole, unroll(whole, 0), orders.get(0), false).footprintBytes();
        return Math.min(min, unsplit);
    }

    /** Number of points (tile combinations x spatial options x orders x buffering). */
    public double size() {
        double n = pairs.size() * (double) orders.size() * 2;
        for (int[] c : candidates) {
            n *= c.length;
        }
        return n;
    }
}

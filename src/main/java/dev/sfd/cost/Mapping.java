package dev.sfd.cost;

import dev.sfd.workload.LoopDim;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One mapping of one operator onto the accelerator: plain data that the cost model evaluates without any
 * solver.
 *
 * <ul>
 *   <li>{@code tile}: the GLB tile size of every loop dim (1..bound; a size that does not divide the bound
 *       leaves a smaller edge tile, whose padding waste the cost model charges).</li>
 *   <li>{@code spatial}: which loop dims are unrolled on the PE rows and columns, and by how much.</li>
 *   <li>{@code outerOrder}: the order of the DRAM-level tile loops, outermost first; it decides which
 *       operand is re-fetched.</li>
 *   <li>{@code doubleBuffered}: whether the next tile is loaded while the current one computes (doubles the
 *       footprint of the streamed operands).</li>
 * </ul>
 *
 * @param operator operator name
 * @param tile GLB tile size per loop dim (every dim present)
 * @param spatial spatial unrolling on the PE array
 * @param outerOrder all eight loop dims, outermost first
 * @param doubleBuffered double buffering of streamed operands
 */
public record Mapping(String operator, Map<LoopDim, Integer> tile, SpatialUnroll spatial, List<LoopDim> outerOrder,
                     boolean doubleBuffered) {

    public Mapping {
        Objects.requireNonNull(operator, "operator");
        EnumMap<LoopDim, Integer> t = new EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            Integer v = tile.get(d);
            if (v == null || v < 1) {
                throw new IllegalArgumentException(operator + ": tile size of " + d + " is " + v);
            }
            t.put(d, v);
        }
        tile = Collections.unmodifiableMap(t);
        Objects.requireNonNull(spatial, "spatial");
        outerOrder = List.copyOf(outerOrder);
        if (outerOrder.size() != LoopDim.values().length || outerOrder.stream().distinct().count() != outerOrder.size()) {
            throw new IllegalArgumentException(operator + ": outer order must list every loop dim once: " + outerOrder);
        }
    }

    public int tile(LoopDim d) {
        return tile.get(d);
    }

    /**
     * Spatial unrolling: {@code rowDim} unrolled by {@code rowFactor} across PE rows, {@code colDim} by
     * {@code colFactor} across PE columns (factor 1 leaves that axis idle). Unrolled factors divide into the
     * GLB tile: the tile is processed in {@code ceil(tile/factor)} temporal steps per unrolled dim.
     */
    public record SpatialUnroll(LoopDim rowDim, int rowFactor, LoopDim colDim, int colFactor) {
        public SpatialUnroll {
            Objects.requireNonNull(rowDim, "rowDim");
            Objects.requireNonNull(colDim, "colDim");
            if (rowFactor < 1 || colFactor < 1) {
                throw new IllegalArgumentException("unroll factors must be >= 1: " + rowFactor + ", " + colFactor);
            }
            if (rowDim == colDim && rowFactor > 1 && colFactor > 1) {
                throw new IllegalArgumentException("rows and cols unroll the same dim " + rowDim);
            }
        }

        /** No unrolling (vector-unit and data-movement operators). */
        public static final SpatialUnroll NONE = new SpatialUnroll(LoopDim.K, 1, LoopDim.C, 1);
    }
}

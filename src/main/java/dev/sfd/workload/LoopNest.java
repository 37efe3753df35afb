package dev.sfd.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The loop nest of one compute operator: bounds of the eight canonical loop dims, the projection of the
 * loops onto every operand, and the dims a tile must keep whole (the softmax or normalisation axis).
 * Layout operators have none.
 *
 * @param operator operator name
 * @param unit PE array (MACs: one per iteration point), vector unit or none (data movement only)
 * @param bounds bound of every loop dim (1 where unused)
 * @param opsPerPoint vector ops per iteration point (vector unit only)
 * @param operands inputs and weights first, the output last
 * @param outputAxes for each output axis, the loop dims that index it (outermost first)
 * @param wholeDims loop dims that a tile must cover entirely
 */
public record LoopNest(String operator, OpKind.ComputeUnit unit, Map<LoopDim, Integer> bounds, int opsPerPoint,
                       List<Operand> operands, List<List<LoopDim>> outputAxes, Set<LoopDim> wholeDims) {

    public LoopNest {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(unit, "unit");
        EnumMap<LoopDim, Integer> b = new EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            int v = bounds.getOrDefault(d, 1);
            if (v < 1) {
                throw new IllegalArgumentException(operator + ": loop " + d + " has bound " + v);
            }
            b.put(d, v);
        }
        bounds = Collections.unmodifiableMap(b);
        operands = List.copyOf(operands);
        List<List<LoopDim>> axes = new ArrayList<>();
        for (List<LoopDim> a : outputAxes) {
            axes.add(List.copyOf(a));
        }
        outputAxes = List.copyOf(axes);
        wholeDims = wholeDims.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(wholeDims));
    }

    public int bound(LoopDim d) {
        return bounds.get(d);
    }

    /** Number of iteration points: MACs on the PE array, or vector points. */
    public long points() {
        long n = 1;
        for (int v : bounds.values()) {
            n *= v;
        }
        return n;
    }

    public long macs() {
        return unit == OpKind.ComputeUnit.PE_ARRAY ? points() : 0;
    }

    public long vectorOps() {
        return unit == OpKind.ComputeUnit.VECTOR ? points() * opsPerPoint : 0;
    }

    public Operand output() {
        return operands.get(operands.size() - 1);
    }

    public List<Operand> reads() {
        return operands.subList(0, operands.size() - 1);
    }

    /** Loop dims with a bound above 1, in canonical order. */
    public List<LoopDim> activeDims() {
        List<LoopDim> out = new ArrayList<>();
        for (LoopDim d : LoopDim.values()) {
            if (bounds.get(d) > 1) {
                out.add(d);
            }
        }
        return out;
    }

    /** Elements of an operand touched by one tile with the given loop extents. */
    public long tileElements(Operand operand, Map<LoopDim, Integer> tileExtents) {
        long n = 1;
        for (AxisExpr a : operand.axes()) {
            n *= a.extent(tileExtents);
        }
        return n;
    }

    /** Full ranges of every loop dim. */
    public Map<LoopDim, AxisExpr.Range> fullRanges() {
        EnumMap<LoopDim, AxisExpr.Range> m = new EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            m.put(d, AxisExpr.Range.full(bounds.get(d)));
        }
        return m;
    }

    /**
     * The region of an operand's tensor touched by the given loop ranges (reduction dims should be full
     * for an output tile).
     */
    public Box region(Operand operand, List<Integer> tensorShape, Map<LoopDim, AxisExpr.Range> loops) {
        int rank = operand.axes().size();
        int[] lo = new int[rank];
        int[] hi = new int[rank];
        for (int i = 0; i < rank; i++) {
            AxisExpr.Range r = operand.axes().get(i).range(loops, tensorShape.get(i));
            lo[i] = r.lo();
            hi[i] = r.hi();
        }
        return new Box(lo, hi);
    }

    /**
     * Loop ranges that produce (at least) the given output region: output dims from the region (a partial
     * range of a composed axis widens to whole inner dims), reduction dims full, and {@link #wholeDims()} full
     * (softmax and normalisation need every element of their axis even for part of it).
     */
    public Map<LoopDim, AxisExpr.Range> loopsFor(Box outputRegion) {
        Map<LoopDim, AxisExpr.Range> m = fullRanges();
        for (int axis = 0; axis < outputAxes.size(); axis++) {
            List<LoopDim> dims = outputAxes.get(axis);
            if (dims.isEmpty()) {
                continue;
            }
            int lo = outputRegion.lo(axis);
            int hi = outputRegion.hi(axis) - 1;
            // Decompose lo and hi (inclusive) into mixed-radix digits, innermost last.
            int[] loDigits = new int[dims.size()];
            int[] hiDigits = new int[dims.size()];
            for (int j = dims.size() - 1; j >= 0; j--) {
                int b = bounds.get(dims.get(j));
                loDigits[j] = lo % b;
                lo /= b;
                hiDigits[j] = hi % b;
                hi /= b;
            }
            boolean sameOuter = true;
            for (int j = 0; j < dims.size(); j++) {
                LoopDim d = dims.get(j);
                int b = bounds.get(d);
                if (sameOuter) {
                    m.put(d, new AxisExpr.Range(loDigits[j], hiDigits[j] + 1, b));
                    sameOuter = loDigits[j] == hiDigits[j];
                } else {
                    m.put(d, AxisExpr.Range.full(b));
                }
            }
        }
        for (LoopDim d : wholeDims) {
            m.put(d, AxisExpr.Range.full(bounds.get(d)));
        }
        return m;
    }
}

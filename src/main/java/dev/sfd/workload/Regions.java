package dev.sfd.workload;

import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Region arithmetic: which region of an operator's input a region of its output needs (halos, strides,
 * padding, dilation, pooling windows, channel slices of grouped convolutions, whole reduction axes, and the
 * index maps of layout operators). The tile scheduler and the simulator both rely on it.
 */
public final class Regions {
    private Regions() {
    }

    /**
     * The region of input {@code inputIndex} of {@code op} that producing {@code outputRegion} of output
     * {@code outputIndex} reads; empty when it reads nothing of that input (a concat part outside the region).
     */
    public static Optional<Box> inputRegion(Network net, Operator op, int inputIndex, int outputIndex, Box outputRegion) {
        Tensor in = net.tensor(op.inputs().get(inputIndex));
        Tensor out = net.tensor(op.outputs().get(outputIndex));
        if (outputRegion.rank() != out.rank()) {
            throw new IllegalArgumentException(op.name() + ": region " + outputRegion + " does not fit output "
                    + out.shape());
        }
        Optional<LoopNest> nest = net.loopNest(op.name());
        if (nest.isPresent()) {
            LoopNest n = nest.get();
            Map<LoopDim, AxisExpr.Range> loops = n.loopsFor(outputRegion);
            Operand operand = n.reads().get(inputIndex);
            return nonEmpty(n.region(operand, in.shape(), loops));
        }
        switch (op.kind()) {
            case TRANSPOSE -> {
                var perm = ((OpParams.Transpose) op.params()).perm();
                int[] lo = new int[in.rank()];
                int[] hi = new int[in.rank()];
                for (int i = 0; i < perm.size(); i++) {
                    lo[perm.get(i)] = outputRegion.lo(i);
                    hi[perm.get(i)] = outputRegion.hi(i);
                }
                return nonEmpty(new Box(lo, hi));
            }
            case CONCAT -> {
                int axis = ((OpParams.Concat) op.params()).axis();
                int offset = 0;
                for (int i = 0; i < inputIndex; i++) {
                    offset += net.tensor(op.inputs().get(i)).dim(axis);
                }
                int lo = Math.max(outputRegion.lo(axis) - offset, 0);
                int hi = Math.min(outputRegion.hi(axis) - offset, in.dim(axis));
                if (lo >= hi) {
                    return Optional.empty();
                }
                return nonEmpty(outputRegion.withAxis(axis, lo, hi));
            }
            case SPLIT -> {
                OpParams.Split split = (OpParams.Split) op.params();
                int offset = 0;
                for (int i = 0; i < outputIndex; i++) {
                    offset += split.sizes().get(i);
                }
                int axis = split.axis();
                return nonEmpty(outputRegion.withAxis(axis, outputRegion.lo(axis) + offset, outputRegion.hi(axis) + offset));
            }
            case RESHAPE -> {
                return nonEmpty(reshapeRegion(out, in, outputRegion));
            }
            case SLICE -> {
                return nonEmpty(sliceRegion((OpParams.Slice) op.params(), outputRegion));
            }
            default -> throw new IllegalStateException(op.name() + ": no region map for kind " + op.kind());
        }
    }

    /**
     * Reshape keeps the row-major order. Per group of dims it merges or splits (consecutive dims with equal
     * products), the output region covers a set of flat indices whose hull
     * {@code [first, last]} maps back to a box of the input (exact when the region is whole in the inner
     * dims, conservative otherwise).
     */
    static Box reshapeRegion(Tensor out, Tensor in, Box region) {
        // Split both shapes into groups of consecutive dims with equal products (the dims a reshape merges or splits):
        // each group maps on its own, so a region partial in an outer group stays exact in the others.
        int[] lo = new int[in.rank()];
        int[] hi = new int[in.rank()];
        int oi = 0;
        int ii = 0;
        while (oi < out.rank() || ii < in.rank()) {
            int oStart = oi;
            int iStart = ii;
            long op = 1;
            long ip = 1;
            if (oi < out.rank()) {
                op *= out.dim(oi++);
            }
            if (ii < in.rank()) {
                ip *= in.dim(ii++);
            }
            while (op != ip) {
                if (op < ip && oi < out.rank()) {
                    op *= out.dim(oi++);
                } else if (op > ip && ii < in.rank()) {
                    ip *= in.dim(ii++);
                } else {
                    throw new IllegalStateException(out.name() + ": reshape of " + in.shape() + " to " + out.shape()
                            + " has unequal sizes");
                }
            }
            long first = 0;
            long last = 0;
            for (int k = oStart; k < oi; k++) {
                first = first * out.dim(k) + region.lo(k);
                last = last * out.dim(k) + (region.hi(k) - 1);
            }
            long[] a = new long[ii - iStart];
            long[] b = new long[ii - iStart];
            for (int k = ii - 1; k >= iStart; k--) {
                a[k - iStart] = first % in.dim(k);
                first /= in.dim(k);
                b[k - iStart] = last % in.dim(k);
                last /= in.dim(k);
            }
            boolean same = true;
            for (int k = iStart; k < ii; k++) {
                if (same) {
                    lo[k] = (int) a[k - iStart];
                    hi[k] = (int) b[k - iStart] + 1;
                    same = a[k - iStart] == b[k - iStart];
                } else {
                    lo[k] = 0;
                    hi[k] = in.dim(k);
                }
            }
        }
        return new Box(lo, hi);
    }

    /**
     * The input indices {@code start + i·step} of the output indices i in the region, as a box (their hull: with a
     * step other than 1 the box also holds the indices skipped between them).
     */
    static Box sliceRegion(OpParams.Slice slice, Box region) {
        int rank = region.rank();
        int[] lo = new int[rank];
        int[] hi = new int[rank];
        for (int a = 0; a < rank; a++) {
            if (region.extent(a) == 0) {
                lo[a] = slice.starts().get(a);
                hi[a] = lo[a];
                continue;
            }
            long first = slice.starts().get(a) + (long) region.lo(a) * slice.steps().get(a);
            long last = slice.starts().get(a) + (long) (region.hi(a) - 1) * slice.steps().get(a);
            lo[a] = (int) Math.min(first, last);
            hi[a] = (int) Math.max(first, last) + 1;
        }
        return new Box(lo, hi);
    }

    /** Most boxes {@link #reshapeParts} returns before it settles for the hull. */
    static final int MAX_RESHAPE_PARTS = 32;

    /**
     * The input boxes that a reshape's output region reads, exactly: per group of dims the reshape merges or splits,
     * the region's flat indices are runs of consecutive indices, and each run is at most a partial row, a block of
     * whole rows and a partial row of the input dims. The boxes of the groups combine by product. When that takes
     * more than {@link #MAX_RESHAPE_PARTS} boxes, the hull ({@link #reshapeRegion}) instead.
     */
    public static List<Box> reshapeParts(Tensor out, Tensor in, Box region) {
        if (region.isEmpty()) {
            return List.of();
        }
        List<List<int[][]>> perGroup = new ArrayList<>();
        int oi = 0;
        int ii = 0;
        long total = 1;
        while (oi < out.rank() || ii < in.rank()) {
            int oStart = oi;
            int iStart = ii;
            long op = 1;
            long ip = 1;
            if (oi < out.rank()) {
                op *= out.dim(oi++);
            }
            if (ii < in.rank()) {
                ip *= in.dim(ii++);
            }
            while (op != ip) {
                if (op < ip && oi < out.rank()) {
                    op *= out.dim(oi++);
                } else if (op > ip && ii < in.rank()) {
                    ip *= in.dim(ii++);
                } else {
                    return List.of(reshapeRegion(out, in, region));
                }
            }
            List<long[]> runs = runs(out, region, oStart, oi);
            if (runs == null) {
                return List.of(reshapeRegion(out, in, region));
            }
            List<int[][]> boxes = new ArrayList<>();
            for (long[] run : runs) {
                decompose(in, iStart, ii, run[0], run[1], new int[ii - iStart][], boxes);
            }
            total *= boxes.size();
            if (total > MAX_RESHAPE_PARTS) {
                return List.of(reshapeRegion(out, in, region));
            }
            perGroup.add(boxes);
        }
        List<int[][]> combined = new ArrayList<>();
        combined.add(new int[0][]);
        for (List<int[][]> g : perGroup) {
            List<int[][]> next = new ArrayList<>();
            for (int[][] prefix : combined) {
                for (int[][] b : g) {
                    int[][] c = java.util.Arrays.copyOf(prefix, prefix.length + b.length);
                    System.arraycopy(b, 0, c, prefix.length, b.length);
                    next.add(c);
                }
            }
            combined = next;
        }
        List<Box> out2 = new ArrayList<>();
        for (int[][] ranges : combined) {
            int[] lo = new int[in.rank()];
            int[] hi = new int[in.rank()];
            for (int k = 0; k < in.rank(); k++) {
                lo[k] = ranges[k][0];
                hi[k] = ranges[k][1];
            }
            out2.add(new Box(lo, hi));
        }
        return out2;
    }

    /**
     * The runs [first, last + 1) of flat indices (within the group of output dims {@code from..to}) that the region
     * covers: the innermost dims it covers whole make one block with the partial dim just outside them; the dims
     * further out are enumerated. Null when there would be too many runs.
     */
    private static List<long[]> runs(Tensor out, Box region, int from, int to) {
        if (from == to) {
            return List.of(new long[] {0, 1});
        }
        int p = to - 1;
        long block = 1;
        while (p > from && region.lo(p) == 0 && region.hi(p) == out.dim(p)) {
            block *= out.dim(p);
            p--;
        }
        long count = 1;
        for (int k = from; k < p; k++) {
            count *= region.extent(k);
            if (count > MAX_RESHAPE_PARTS) {
                return null;
            }
        }
        List<long[]> runs = new ArrayList<>();
        int[] idx = new int[p - from];
        for (int k = from; k < p; k++) {
            idx[k - from] = region.lo(k);
        }
        for (long c = 0; c < count; c++) {
            long base = 0;
            for (int k = from; k < p; k++) {
                base = base * out.dim(k) + idx[k - from];
            }
            base = base * out.dim(p);
            long first = (base + region.lo(p)) * block;
            long last = (base + region.hi(p)) * block;
            runs.add(new long[] {first, last});
            for (int k = p - 1; k >= from; k--) {
                if (++idx[k - from] < region.hi(k)) {
                    break;
                }
                idx[k - from] = region.lo(k);
            }
        }
        return runs;
    }

    /** Boxes over input dims {@code from..to} that hold exactly the flat indices [a, b) of that group of dims. */
    private static void decompose(Tensor in, int from, int to, long a, long b, int[][] prefix, List<int[][]> out) {
        if (b <= a) {
            return;
        }
        int depth = to - from;
        int level = 0;
        while (level < depth && prefix[level] != null) {
            level++;
        }
        if (level == depth) {
            out.add(prefix.clone());
            return;
        }
        int k = from + level;
        long stride = 1;
        for (int j = k + 1; j < to; j++) {
            stride *= in.dim(j);
        }
        long ia = a / stride;
        long ib = (b - 1) / stride;
        if (ia == ib) {
            int[][] p = prefix.clone();
            p[level] = new int[] {(int) ia, (int) ia + 1};
            decompose(in, from, to, a - ia * stride, b - ia * stride, p, out);
            return;
        }
        long fullFrom = ia;
        long fullTo = ib + 1;
        if (a % stride != 0) {
            int[][] p = prefix.clone();
            p[level] = new int[] {(int) ia, (int) ia + 1};
            decompose(in, from, to, a - ia * stride, stride, p, out);
            fullFrom = ia + 1;
        }
        if (b % stride != 0) {
            int[][] p = prefix.clone();
            p[level] = new int[] {(int) ib, (int) ib + 1};
            decompose(in, from, to, 0, b - ib * stride, p, out);
            fullTo = ib;
        }
        if (fullTo > fullFrom) {
            int[][] p = prefix.clone();
            p[level] = new int[] {(int) fullFrom, (int) fullTo};
            for (int j = level + 1; j < depth; j++) {
                p[j] = new int[] {0, in.dim(from + j)};
            }
            out.add(p);
        }
    }

    private static Optional<Box> nonEmpty(Box b) {
        return b.isEmpty() ? Optional.empty() : Optional.of(b);
    }
}

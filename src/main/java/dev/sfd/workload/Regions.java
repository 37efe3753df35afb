package dev.sfd.workload;

import java.util.Map;
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

    private static Optional<Box> nonEmpty(Box b) {
        return b.isEmpty() ? Optional.empty() : Optional.of(b);
    }
}

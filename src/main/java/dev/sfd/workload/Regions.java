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
     * Reshape keeps the row-major order: the output region covers a set of flat indices whose hull
     * {@code [first, last]} maps back to a box of the input (exact when the region is whole in the inner
     * dims, conservative otherwise).
     */
    static Box reshapeRegion(Tensor out, Tensor in, Box region) {
        long first = 0;
        long last = 0;
        for (int i = 0; i < out.rank(); i++) {
            first = first * out.dim(i) + region.lo(i);
            last = last * out.dim(i) + (region.hi(i) - 1);
        }
        int[] a = unflatten(first, in);
        int[] b = unflatten(last, in);
        int[] lo = new int[in.rank()];
        int[] hi = new int[in.rank()];
        boolean same = true;
        for (int i = 0; i < in.rank(); i++) {
            if (same) {
                lo[i] = a[i];
                hi[i] = b[i] + 1;
                same = a[i] == b[i];
            } else {
                lo[i] = 0;
                hi[i] = in.dim(i);
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

    private static int[] unflatten(long flat, Tensor t) {
        int[] idx = new int[t.rank()];
        for (int i = t.rank() - 1; i >= 0; i--) {
            idx[i] = (int) (flat % t.dim(i));
            flat /= t.dim(i);
        }
        return idx;
    }

    private static Optional<Box> nonEmpty(Box b) {
        return b.isEmpty() ? Optional.empty() : Optional.of(b);
    }
}

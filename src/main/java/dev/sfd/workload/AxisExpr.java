package dev.sfd.workload;

import java.util.List;
import java.util.Map;

/**
 * How one axis of an operand tensor is indexed by the loop dims (Timeloop-style projection).
 */
public sealed interface AxisExpr {

    /** Extent of this axis touched by a tile whose loop dims have the given extents. */
    long extent(Map<LoopDim, Integer> tileExtents);

    /** Index range of this axis touched by the given loop ranges, clipped to {@code [0, size)}. */
    Range range(Map<LoopDim, Range> loops, int size);

    /**
     * Axis indexed by a product of loop dims, outermost first (e.g. channels = G·K); the empty product is a
     * broadcast axis of size 1.
     */
    record Dims(List<LoopDim> dims) implements AxisExpr {
        public Dims {
            dims = List.copyOf(dims);
        }

        public static Dims of(LoopDim... dims) {
            return new Dims(List.of(dims));
        }

        @Override
        public long extent(Map<LoopDim, Integer> tileExtents) {
            long e = 1;
            for (LoopDim d : dims) {
                e *= tileExtents.getOrDefault(d, 1);
            }
            return e;
        }

        @Override
        public Range range(Map<LoopDim, Range> loops, int size) {
            if (dims.isEmpty()) {
                return new Range(0, Math.min(1, size));
            }
            // Hull of the flattened index set: outer dims scale by the product of the inner dims' bounds.
            long lo = 0;
            long hi = 0;
            for (LoopDim d : dims) {
                Range r = loops.get(d);
                lo = lo * r.bound() + r.lo();
                hi = hi * r.bound() + (r.hi() - 1);
            }
            if (hi + 1 <= size) {
                return new Range((int) Math.max(0, lo), (int) (hi + 1), size);
            }
            // Only an embedding table is indexed past its size (rows are looked up by token id, not by
            // position): the rows read are as many as the tokens, at most the whole table.
            long extent = Math.min(hi + 1 - lo, size);
            return new Range((int) (size - extent), size, size);
        }
    }

    /**
     * Sliding-window axis: index = out·stride + filter·dilation − padBefore (convolution and pooling rows
     * or columns).
     */
    record Window(LoopDim out, LoopDim filter, int stride, int dilation, int padBefore) implements AxisExpr {
        @Override
        public long extent(Map<LoopDim, Integer> tileExtents) {
            long o = tileExtents.getOrDefault(out, 1);
            long f = tileExtents.getOrDefault(filter, 1);
            return (o - 1) * stride + (f - 1) * dilation + 1;
        }

        /**
         * Tight: the first and last index some (out, filter) pair of the ranges actually reads inside
         * {@code [0, size)}. Taps that fall into the padding read nothing, so with strides or dilations a
         * border tile may start below the clipped hull (or read nothing at all: an empty range).
         */
        @Override
        public Range range(Map<LoopDim, Range> loops, int size) {
            Range o = loops.get(out);
            Range f = loops.get(filter);
            return range(o.lo(), o.hi(), f.lo(), f.hi(), size);
        }

        /** {@link #range(Map, int)} for out indices {@code [oLo, oHi)} and filter taps {@code [fLo, fHi)}. */
        public Range range(int oLo, int oHi, int fLo, int fHi, int size) {
            if (oHi <= oLo || fHi <= fLo) {
                return new Range(0, 0, size);
            }
            long lo = (long) oLo * stride + (long) fLo * dilation - padBefore;
            long hi = (long) (oHi - 1) * stride + (long) (fHi - 1) * dilation - padBefore + 1;
            if (lo >= 0 && hi <= size) {
                return new Range((int) lo, (int) hi, size);
            }
            // Some taps fall into the padding: per filter tap, the first and last output index whose read
            // lands inside the tensor.
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int t = fLo; t < fHi; t++) {
                long offset = (long) t * dilation - padBefore;
                long oFirst = Math.max(oLo, Math.floorDiv(-offset + stride - 1, stride));
                long oLast = Math.min(oHi - 1, Math.floorDiv(size - 1 - offset, stride));
                if (oFirst <= oLast) {
                    first = Math.min(first, oFirst * stride + offset);
                    last = Math.max(last, oLast * stride + offset);
                }
            }
            if (first > last) {
                int at = (int) Math.max(0, Math.min(size, lo));
                return new Range(at, at, size);
            }
            return new Range((int) first, (int) last + 1, size);
        }
    }

    /**
     * Resampling axis (resize, upsample, the col2im step of a transposed convolution): output index o reads input
     * indices {@code floor(o·den/num) − haloBefore} to {@code floor(o·den/num) + haloAfter} (inclusive), where
     * {@code num/den} is the scale (output per input, e.g. 2/1 for a 2x upsampling). The halos absorb what the
     * sampling formula adds around that base index (the two neighbours of linear interpolation, half-pixel
     * offsets, the kernel of a transposed convolution); one of them may be negative when the reads are shifted,
     * but their sum is at least 0. See {@link Resampling} for how they are derived.
     */
    record Scaled(LoopDim out, int num, int den, int haloBefore, int haloAfter) implements AxisExpr {
        public Scaled {
            if (num < 1 || den < 1 || haloBefore + haloAfter < 0) {
                throw new IllegalArgumentException("scale " + num + "/" + den + " with halos " + haloBefore + ", "
                        + haloAfter);
            }
        }

        /** Base input index of output index {@code o}: {@code floor(o·den/num)}. */
        public long base(long o) {
            return Math.floorDiv(o * den, num);
        }

        /**
         * Largest unclipped extent of {@code t} consecutive output indices:
         * {@code ceil((t − 1)·den/num) + 1 + haloBefore + haloAfter} (floor(a + b) − floor(a) ≤ ceil(b)), so every
         * {@link #range} of t outputs fits in it.
         */
        @Override
        public long extent(Map<LoopDim, Integer> tileExtents) {
            return extentOf(tileExtents.getOrDefault(out, 1));
        }

        /** {@link #extent} for a tile of {@code t} output indices. */
        public long extentOf(long t) {
            return Math.floorDiv((t - 1) * den + num - 1, num) + 1 + haloBefore + haloAfter;
        }

        /** {@code [base(lo) − haloBefore, base(hi − 1) + haloAfter + 1)} clipped to {@code [0, size)}. */
        @Override
        public Range range(Map<LoopDim, Range> loops, int size) {
            Range o = loops.get(out);
            if (o.extent() == 0) {
                return new Range(0, 0, size);
            }
            long lo = base(o.lo()) - haloBefore;
            long hi = base(o.hi() - 1) + haloAfter + 1;
            long clippedLo = Math.max(0, Math.min(size, lo));
            long clippedHi = Math.max(clippedLo, Math.min(size, hi));
            return new Range((int) clippedLo, (int) clippedHi, size);
        }
    }

    /** Axis read whole whatever the loops (operands of opaque operators). */
    record Whole(int size) implements AxisExpr {
        public Whole {
            if (size < 1) {
                throw new IllegalArgumentException("size " + size);
            }
        }

        @Override
        public long extent(Map<LoopDim, Integer> tileExtents) {
            return size;
        }

        @Override
        public Range range(Map<LoopDim, Range> loops, int size) {
            return Range.full(size);
        }
    }

    /** Half-open index range {@code [lo, hi)} of a dimension whose full bound is {@code bound}. */
    record Range(int lo, int hi, int bound) {
        public Range {
            if (lo < 0 || hi < lo || hi > bound) {
                throw new IllegalArgumentException("bad range [" + lo + ", " + hi + ") of " + bound);
            }
        }

        public Range(int lo, int hi) {
            this(lo, hi, hi);
        }

        public static Range full(int bound) {
            return new Range(0, bound, bound);
        }

        public int extent() {
            return hi - lo;
        }
    }
}

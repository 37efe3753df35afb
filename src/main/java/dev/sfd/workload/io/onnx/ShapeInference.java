package dev.sfd.workload.io.onnx;

import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Output shapes of ONNX operators, from their attributes and input shapes (ONNX operator semantics,
 * onnx/docs/Operators.md): pure functions shared by the node families and the opaque fallback.
 */
final class ShapeInference {
    private ShapeInference() {
    }

    static long product(List<Integer> dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims.get(i);
        }
        return n;
    }

    static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new Unmappable("axis (" + axis + ") is out of range for rank " + rank);
        }
        return (int) a;
    }

    static int clampAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    static int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new Unmappable(what + " (" + v + ") is out of range");
        }
        return (int) v;
    }

    static List<Integer> broadcast(List<List<Integer>> shapes) {
        int rank = 0;
        for (List<Integer> s : shapes) {
            rank = Math.max(rank, s.size());
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int size = 1;
            for (List<Integer> s : shapes) {
                int j = i - (rank - s.size());
                if (j < 0) {
                    continue;
                }
                int d = s.get(j);
                if (d != 1 && size != 1 && d != size) {
                    throw new Unmappable("shapes " + shapes + " do not broadcast");
                }
                if (d != 1) {
                    size = d;
                }
            }
            out.add(size);
        }
        return out;
    }

    static String join(List<Integer> s) {
        List<String> out = new ArrayList<>();
        for (int d : s) {
            out.add(String.valueOf(d));
        }
        return String.join(", ", out);
    }

    /** Strides, dilations, pads (auto_pad resolved) and output size of a conv or pool window. */
    record Window(int sH, int sW, int dH, int dW, int pt, int pl, int pb, int pr, int outH, int outW) {
    }

    static Window window(Attributes a, Act x, int kH, int kW) {
        return window(a, x, kH, kW, false);
    }

    static Window window(Attributes a, Act x, int kH, int kW, boolean ceil) {
        List<Integer> s = a.intList("strides", 2, 1);
        List<Integer> d = a.intList("dilations", 2, 1);
        List<Integer> pads = a.intList("pads", 4, 0);
        if (s.size() != 2 || d.size() != 2 || pads.size() != 4) {
            throw new Unmappable("strides " + s + ", dilations " + d + " or pads " + pads + " are not 2-D");
        }
        for (int v : s) {
            if (v < 1) {
                throw new Unmappable("strides " + s + " must be >= 1");
            }
        }
        int h = x.shape().get(2);
        int w = x.shape().get(3);
        String autoPad = a.s("auto_pad", "NOTSET");
        int[] p = {pads.get(0), pads.get(1), pads.get(2), pads.get(3)};
        switch (autoPad) {
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] v = same(h, kH, s.get(0), d.get(0), autoPad.equals("SAME_LOWER"));
                int[] hz = same(w, kW, s.get(1), d.get(1), autoPad.equals("SAME_LOWER"));
                p = new int[] {v[0], hz[0], v[1], hz[1]};
            }
            case "VALID" -> p = new int[4];
            case "NOTSET", "" -> {
            }
            default -> throw new Unmappable("auto_pad has value '" + autoPad + "'; valid: NOTSET, SAME_UPPER, "
                    + "SAME_LOWER, VALID");
        }
        int spanH = (kH - 1) * d.get(0) + 1;
        int spanW = (kW - 1) * d.get(1) + 1;
        int outH = outSize(h + p[0] + p[2], spanH, s.get(0), ceil, h + p[0]);
        int outW = outSize(w + p[1] + p[3], spanW, s.get(1), ceil, w + p[1]);
        if (outH < 1 || outW < 1) {
            throw new Unmappable("kernel " + kH + "x" + kW + " is larger than the padded input " + x.shape());
        }
        if (ceil) {
            // The builder uses floor division: extend the end padding so that it yields the ceil size.
            p[2] += Math.max(0, (outH - 1) * s.get(0) + spanH - (h + p[0] + p[2]));
            p[3] += Math.max(0, (outW - 1) * s.get(1) + spanW - (w + p[1] + p[3]));
        }
        return new Window(s.get(0), s.get(1), d.get(0), d.get(1), p[0], p[1], p[2], p[3], outH, outW);
    }

    static int outSize(int padded, int span, int stride, boolean ceil, int lastStartLimit) {
        if (padded < span) {
            return 0;
        }
        int out = ceil ? (padded - span + stride - 1) / stride + 1 : (padded - span) / stride + 1;
        if (ceil && (out - 1) * stride >= lastStartLimit) {
            out--; // the last window may not start in the end padding (as in PyTorch and the ONNX reference)
        }
        return out;
    }

    /** ONNX auto_pad SAME_*: output = ceil(in / stride); the odd pixel goes to the end (UPPER) or start (LOWER). */
    static int[] same(int in, int k, int s, int d, boolean lower) {
        int out = (in + s - 1) / s;
        int total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - in);
        int small = total / 2;
        return lower ? new int[] {total - small, small} : new int[] {small, total - small};
    }

    /**
     * ONNX Slice: per listed axis, negative starts and ends count from the end, then are clamped to the axis
     * ({@code [0, dim]} for a positive step, {@code [0, dim − 1]} and {@code [−1, dim − 1]} for a negative one);
     * the output has {@code ceil((end − start) / step)} indices. Unlisted axes are kept whole.
     */
    static OpParams.Slice slice(List<Integer> in, List<Long> starts, List<Long> ends, Optional<List<Long>> axes,
                                Optional<List<Long>> steps) {
        if (ends.size() != starts.size() || axes.isPresent() && axes.get().size() != starts.size()
                || steps.isPresent() && steps.get().size() != starts.size()) {
            throw new Unmappable("starts " + starts + ", ends " + ends + ", axes " + axes.orElse(List.of())
                    + " and steps " + steps.orElse(List.of()) + " differ in length");
        }
        List<Integer> first = new ArrayList<>();
        List<Integer> step = new ArrayList<>();
        List<Integer> size = new ArrayList<>(in);
        for (int i = 0; i < in.size(); i++) {
            first.add(0);
            step.add(1);
        }
        for (int i = 0; i < starts.size(); i++) {
            int ax = axis(axes.isPresent() ? axes.get().get(i) : i, in.size());
            long st = steps.isPresent() ? steps.get().get(i) : 1;
            if (st == 0) {
                throw new Unmappable("step 0 on axis " + ax);
            }
            long dim = in.get(ax);
            long s = starts.get(i);
            long e = ends.get(i);
            s = s < 0 ? s + dim : s;
            e = e < 0 ? e + dim : e;
            long count;
            if (st > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                count = e > s ? (e - s + st - 1) / st : 0;
            } else {
                s = Math.max(0, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                count = s > e ? (s - e + (-st) - 1) / (-st) : 0;
            }
            if (count == 0) {
                throw new Unmappable("the slice of axis " + ax + " of " + in + " is empty (start " + starts.get(i)
                        + ", end " + ends.get(i) + ", step " + st + ")");
            }
            first.set(ax, (int) s);
            step.set(ax, toInt(st, "step"));
            size.set(ax, (int) count);
        }
        return new OpParams.Slice(first, step, size);
    }
}

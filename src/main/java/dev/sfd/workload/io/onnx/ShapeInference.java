package dev.sfd.workload.io.onnx;

import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /** Values of the constant inputs of the node being inferred, when known. */
    interface ConstValues {
        /** The values of input {@code input}, when it is a constant whose values are known. */
        Optional<double[]> values(int input);

        /** The values as integers (shapes, axes, pads). */
        default Optional<List<Long>> of(int input) {
            return values(input).map(v -> {
                List<Long> out = new ArrayList<>();
                for (double d : v) {
                    out.add((long) d);
                }
                return out;
            });
        }
    }

    /** Operator types whose first output has the shape of their first input. */
    static final Set<String> SAME_SHAPE = Set.of("Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Gelu", "Tanh",
            "Erf", "Exp", "Sqrt", "Neg", "Abs", "Reciprocal", "LeakyRelu", "Elu", "Selu", "Celu", "Softplus",
            "Softsign", "Log", "Floor", "Ceil", "Round", "Sign", "Clip", "Identity", "Cast", "CastLike", "Dropout",
            "Not", "IsNaN", "IsInf", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
            "Atanh", "ThresholdedRelu", "Shrink", "Mish", "Softmax", "LogSoftmax", "Hardmax", "LRN",
            "LayerNormalization", "BatchNormalization", "InstanceNormalization", "MeanVarianceNormalization",
            "CumSum", "Trilu", "Bernoulli", "ScatterElements", "ScatterND", "Scatter", "ReverseSequence");

    /** Operator types whose output is the numpy broadcast of their inputs. */
    static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean",
            "And", "Or", "Xor", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Mod", "BitShift",
            "PRelu", "Where");

    /**
     * The output shapes of a default-domain ONNX node from its input shapes ({@code null} for an absent input) and
     * the values of its constant integer inputs (ONNX operator semantics, onnx/docs/Operators.md); empty for an
     * operator type it does not know or an input it needs but does not have. Only outputs it can size are listed
     * (a trailing optional output may be missing); {@code outputs} is the node's output count (Split's parts).
     */
    static Optional<List<List<Integer>>> infer(String op, Attributes a, long opset, List<List<Integer>> in,
                                               ConstValues consts, int outputs) {
        if (in.isEmpty() || in.get(0) == null) {
            return Optional.empty();
        }
        List<Integer> x = in.get(0);
        int r = x.size();
        try {
            if (SAME_SHAPE.contains(op)) {
                List<List<Integer>> out = new ArrayList<>();
                out.add(x);
                if (op.equals("LayerNormalization")) {
                    int ax = axis(a.i("axis", -1), r);
                    List<Integer> stat = new ArrayList<>(x.subList(0, ax));
                    while (stat.size() < r) {
                        stat.add(1);
                    }
                    out.add(stat);
                    out.add(stat);
                } else if (op.equals("BatchNormalization") && r >= 2) {
                    out.add(List.of(x.get(1)));
                    out.add(List.of(x.get(1)));
                } else if (op.equals("Dropout")) {
                    out.add(x);
                }
                return Optional.of(out);
            }
            if (BROADCAST.contains(op)) {
                List<List<Integer>> shapes = new ArrayList<>();
                for (List<Integer> s : in) {
                    if (s != null) {
                        shapes.add(s);
                    }
                }
                return Optional.of(List.of(broadcast(shapes)));
            }
            switch (op) {
                case "MatMul" -> {
                    return in.size() < 2 || in.get(1) == null ? Optional.empty()
                            : Optional.of(List.of(matmul(x, in.get(1))));
                }
                case "Gemm" -> {
                    List<Integer> b = in.get(1);
                    int m = a.i("transA", 0) != 0 ? x.get(1) : x.get(0);
                    int nn = a.i("transB", 0) != 0 ? b.get(0) : b.get(1);
                    return Optional.of(List.of(List.of(m, nn)));
                }
                case "Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool" -> {
                    return Optional.of(List.of(windowed(op, a, x, in.size() > 1 ? in.get(1) : null)));
                }
                case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> {
                    List<Integer> out = new ArrayList<>(x.subList(0, Math.min(2, r)));
                    while (out.size() < r) {
                        out.add(1);
                    }
                    return Optional.of(List.of(out));
                }
                case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                     "ReduceSumSquare", "ReduceLogSumExp", "ReduceLogSum", "ArgMax", "ArgMin" -> {
                    boolean arg = op.startsWith("Arg");
                    Optional<List<Long>> axes = arg ? Optional.of(List.of(a.i("axis", 0)))
                            : opset >= 18 || op.equals("ReduceSum") && opset >= 13 ? consts.of(1) : a.ints("axes");
                    if (!arg && in.size() > 1 && in.get(1) != null && axes.isEmpty()) {
                        return Optional.empty(); // axes computed at run time
                    }
                    List<Integer> red = new ArrayList<>();
                    if (axes.isEmpty() || axes.get().isEmpty()) {
                        if (a.i("noop_with_empty_axes", 0) != 0) {
                            return Optional.of(List.of(x));
                        }
                        for (int i = 0; i < r; i++) {
                            red.add(i);
                        }
                    } else {
                        for (long v : axes.get()) {
                            red.add(axis(v, r));
                        }
                    }
                    boolean keep = a.i("keepdims", 1) != 0;
                    List<Integer> out = new ArrayList<>();
                    for (int i = 0; i < r; i++) {
                        if (!red.contains(i)) {
                            out.add(x.get(i));
                        } else if (keep) {
                            out.add(1);
                        }
                    }
                    return Optional.of(List.of(out));
                }
                case "Transpose" -> {
                    Optional<List<Long>> perm = a.ints("perm").filter(v -> !v.isEmpty());
                    List<Integer> out = new ArrayList<>();
                    for (int i = 0; i < r; i++) {
                        out.add(x.get(perm.isPresent() ? axis(perm.get().get(i), r) : r - 1 - i));
                    }
                    return Optional.of(List.of(out));
                }
                case "Reshape" -> {
                    Optional<List<Long>> target = opset < 5 ? a.ints("shape") : consts.of(1);
                    return target.map(t -> List.of(reshape(x, t, a.i("allowzero", 0) != 0)));
                }
                case "Flatten" -> {
                    int ax = (int) a.i("axis", 1);
                    ax = ax < 0 ? ax + r : ax;
                    return Optional.of(List.of(List.of(toInt(product(x, 0, ax), "size"),
                            toInt(product(x, ax, r), "size"))));
                }
                case "Squeeze", "Unsqueeze" -> {
                    if (opset >= 13 && unknown(in, 1, consts)) {
                        return Optional.empty();
                    }
                    Optional<List<Long>> axes = opset >= 13 ? consts.of(1) : a.ints("axes");
                    List<Integer> out = new ArrayList<>(x);
                    if (op.equals("Squeeze")) {
                        List<Integer> remove = new ArrayList<>();
                        for (int i = 0; i < r; i++) {
                            boolean listed = x.get(i) == 1;
                            if (axes.isPresent() && !axes.get().isEmpty()) {
                                listed = false;
                                for (long v : axes.get()) {
                                    listed |= axis(v, r) == i;
                                }
                            }
                            if (listed) {
                                remove.add(i);
                            }
                        }
                        for (int k = remove.size() - 1; k >= 0; k--) {
                            out.remove((int) remove.get(k));
                        }
                    } else {
                        if (axes.isEmpty()) {
                            return Optional.empty();
                        }
                        List<Integer> insert = new ArrayList<>();
                        for (long v : axes.get()) {
                            insert.add(axis(v, r + axes.get().size()));
                        }
                        insert.sort(null);
                        for (int i : insert) {
                            out.add(i, 1);
                        }
                    }
                    return Optional.of(List.of(out));
                }
                case "Concat" -> {
                    int ax = axis(a.i("axis", 0), r);
                    List<Integer> out = new ArrayList<>(x);
                    int sum = 0;
                    for (List<Integer> s : in) {
                        if (s != null && !(s.size() == 1 && s.get(0) == 0)) {
                            sum += s.get(ax);
                        }
                    }
                    out.set(ax, sum);
                    return Optional.of(List.of(out));
                }
                case "Split" -> {
                    int ax = axis(a.i("axis", 0), r);
                    if (opset >= 13 && unknown(in, 1, consts)) {
                        return Optional.empty();
                    }
                    Optional<List<Long>> sizes = opset >= 13 ? consts.of(1) : a.ints("split");
                    int parts = (int) a.i("num_outputs", outputs);
                    if (sizes.isEmpty() || sizes.get().isEmpty()) {
                        int each = (x.get(ax) + parts - 1) / parts;
                        List<Long> sz = new ArrayList<>();
                        for (int i = 0; i < parts; i++) {
                            sz.add((long) Math.min(each, x.get(ax) - each * i));
                        }
                        sizes = Optional.of(sz);
                    }
                    List<List<Integer>> outs = new ArrayList<>();
                    for (long v : sizes.get()) {
                        List<Integer> o = new ArrayList<>(x);
                        o.set(ax, toInt(v, "split"));
                        outs.add(o);
                    }
                    return Optional.of(outs);
                }
                case "Slice" -> {
                    if (opset < 10) {
                        return Optional.of(List.of(slice(x, a.ints("starts").orElseThrow(), a.ints("ends")
                                .orElseThrow(), a.ints("axes"), Optional.empty()).sizes()));
                    }
                    Optional<List<Long>> starts = consts.of(1);
                    Optional<List<Long>> ends = consts.of(2);
                    if (starts.isEmpty() || ends.isEmpty() || in.size() > 3 && in.get(3) != null
                            && consts.of(3).isEmpty() || in.size() > 4 && in.get(4) != null && consts.of(4).isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(List.of(slice(x, starts.get(), ends.get(), consts.of(3), consts.of(4))
                            .sizes()));
                }
                case "Pad" -> {
                    Optional<List<Long>> pads = opset < 11 ? a.ints("pads") : consts.of(1);
                    Optional<List<Long>> axes = consts.of(3);
                    if (pads.isEmpty() || unknown(in, 3, consts)) {
                        return Optional.empty();
                    }
                    int count = axes.map(List::size).orElse(r);
                    List<Integer> out = new ArrayList<>(x);
                    for (int i = 0; i < count; i++) {
                        int ax = axes.isPresent() ? axis(axes.get().get(i), r) : i;
                        out.set(ax, toInt(out.get(ax) + pads.get().get(i) + pads.get().get(i + count), "size"));
                    }
                    return Optional.of(List.of(out));
                }
                case "Expand" -> {
                    return consts.of(1).map(sh -> List.of(broadcast(List.of(x, ints(sh)))));
                }
                case "Tile" -> {
                    return consts.of(1).map(rep -> {
                        List<Integer> out = new ArrayList<>();
                        for (int i = 0; i < r; i++) {
                            out.add(toInt(x.get(i) * rep.get(i), "size"));
                        }
                        return List.of(out);
                    });
                }
                case "Gather" -> {
                    int ax = axis(a.i("axis", 0), r);
                    List<Integer> out = new ArrayList<>(x.subList(0, ax));
                    out.addAll(in.get(1));
                    out.addAll(x.subList(ax + 1, r));
                    return Optional.of(List.of(out));
                }
                case "GatherElements" -> {
                    return Optional.of(List.of(in.get(1)));
                }
                case "DepthToSpace", "SpaceToDepth" -> {
                    int b = (int) a.i("blocksize", 1);
                    boolean d2s = op.equals("DepthToSpace");
                    return Optional.of(List.of(List.of(x.get(0), d2s ? x.get(1) / (b * b) : x.get(1) * b * b,
                            d2s ? x.get(2) * b : x.get(2) / b, d2s ? x.get(3) * b : x.get(3) / b)));
                }
                case "Resize", "Upsample" -> {
                    return resize(op, opset, a, x, consts, in);
                }
                default -> {
                    return Optional.empty();
                }
            }
        } catch (Unmappable | IndexOutOfBoundsException | IllegalArgumentException | ArithmeticException
                 | java.util.NoSuchElementException e) {
            return Optional.empty();
        }
    }

    /** Input {@code i} is given but its values are not known (a graph input, or computed at run time). */
    private static boolean unknown(List<List<Integer>> in, int i, ConstValues consts) {
        return i < in.size() && in.get(i) != null && consts.values(i).isEmpty();
    }

    private static List<Integer> ints(List<Long> v) {
        List<Integer> out = new ArrayList<>();
        for (long x : v) {
            out.add(toInt(x, "size"));
        }
        return out;
    }

    /** numpy matmul: 1-D operands are promoted and the added axis dropped; the leading axes broadcast. */
    static List<Integer> matmul(List<Integer> a, List<Integer> b) {
        List<Integer> x = a.size() == 1 ? List.of(1, a.get(0)) : a;
        List<Integer> y = b.size() == 1 ? List.of(b.get(0), 1) : b;
        if (!x.get(x.size() - 1).equals(y.get(y.size() - 2))) {
            throw new Unmappable("A " + a + " and B " + b + " have different inner sizes");
        }
        List<Integer> lead = broadcast(List.of(x.subList(0, x.size() - 2), y.subList(0, y.size() - 2)));
        List<Integer> out = new ArrayList<>(lead);
        if (a.size() > 1) {
            out.add(x.get(x.size() - 2));
        }
        if (b.size() > 1) {
            out.add(y.get(y.size() - 1));
        }
        return out;
    }

    /** A Reshape target resolved against the input: 0 copies (unless allowzero), one -1 is inferred. */
    static List<Integer> reshape(List<Integer> x, List<Long> target, boolean allowZero) {
        List<Integer> out = new ArrayList<>();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.size(); i++) {
            long d = target.get(i);
            if (d == 0 && !allowZero) {
                d = x.get(i);
            } else if (d == -1) {
                infer = i;
                out.add(-1);
                continue;
            }
            known *= d;
            out.add(toInt(d, "shape"));
        }
        if (infer >= 0) {
            out.set(infer, toInt(product(x, 0, x.size()) / known, "shape"));
        }
        return out;
    }

    /** Output of an N-D convolution, transposed convolution or pooling: batch, channels, then each window axis. */
    static List<Integer> windowed(String op, Attributes a, List<Integer> x, List<Integer> w) {
        int spatial = x.size() - 2;
        boolean conv = op.startsWith("Conv");
        List<Integer> kernel = conv ? w.subList(2, w.size()) : a.intList("kernel_shape", spatial, 1);
        if (kernel.size() != spatial && a.has("kernel_shape")) {
            kernel = a.intList("kernel_shape", spatial, 1);
        }
        List<Integer> s = a.intList("strides", spatial, 1);
        List<Integer> d = a.intList("dilations", spatial, 1);
        List<Integer> pads = a.intList("pads", 2 * spatial, 0);
        String autoPad = a.s("auto_pad", "NOTSET");
        boolean ceil = a.i("ceil_mode", 0) != 0;
        List<Integer> out = new ArrayList<>();
        out.add(x.get(0));
        if (op.equals("ConvTranspose")) {
            out.add(w.get(1) * (int) a.i("group", 1));
            Optional<List<Long>> outputShape = a.ints("output_shape").filter(v -> !v.isEmpty());
            List<Integer> outPad = a.intList("output_padding", spatial, 0);
            for (int i = 0; i < spatial; i++) {
                int in = x.get(2 + i);
                if (outputShape.isPresent()) {
                    List<Long> os = outputShape.get();
                    out.add(toInt(os.get(os.size() - spatial + i), "output_shape"));
                } else if (autoPad.startsWith("SAME")) {
                    out.add(in * s.get(i));
                } else {
                    int p = autoPad.equals("VALID") ? 0 : pads.get(i) + pads.get(i + spatial);
                    out.add(s.get(i) * (in - 1) + outPad.get(i) + (kernel.get(i) - 1) * d.get(i) + 1 - p);
                }
            }
            return out;
        }
        out.add(conv ? w.get(0) : x.get(1));
        for (int i = 0; i < spatial; i++) {
            int in = x.get(2 + i);
            int span = (kernel.get(i) - 1) * d.get(i) + 1;
            int size = switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> (in + s.get(i) - 1) / s.get(i);
                case "VALID" -> outSize(in, span, s.get(i), ceil, in);
                default -> outSize(in + pads.get(i) + pads.get(i + spatial), span, s.get(i), ceil, in + pads.get(i));
            };
            out.add(size);
        }
        return out;
    }

    private static Optional<List<List<Integer>>> resize(String op, long opset, Attributes a, List<Integer> x,
                                                        ConstValues consts, List<List<Integer>> in) {
        int r = x.size();
        Optional<List<Long>> axes = a.ints("axes").filter(v -> !v.isEmpty());
        if (op.equals("Resize") && opset >= 11 && in.size() > 3 && in.get(3) != null) {
            Optional<List<Long>> sizes = consts.of(3);
            if (sizes.isEmpty()) {
                return Optional.empty();
            }
            List<Integer> out = new ArrayList<>(x);
            for (int i = 0; i < sizes.get().size(); i++) {
                out.set(axes.isPresent() ? axis(axes.get().get(i), r) : i, toInt(sizes.get().get(i), "size"));
            }
            return Optional.of(List.of(out));
        }
        Optional<double[]> scales = op.equals("Upsample") && opset < 9
                ? a.floats("scales").map(f -> f.stream().mapToDouble(Double::doubleValue).toArray())
                : consts.values(op.equals("Resize") && opset >= 11 ? 2 : 1);
        if (scales.isEmpty() || scales.get().length == 0) {
            return Optional.empty();
        }
        List<Integer> out = new ArrayList<>(x);
        for (int i = 0; i < scales.get().length; i++) {
            int ax = axes.isPresent() ? axis(axes.get().get(i), r) : i;
            out.set(ax, (int) Math.floor(x.get(ax) * scales.get()[i]));
        }
        return Optional.of(List.of(out));
    }
}

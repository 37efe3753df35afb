package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.sfd.workload.io.onnx.ShapeInference.axis;
import static dev.sfd.workload.io.onnx.ShapeInference.broadcast;
import static dev.sfd.workload.io.onnx.ShapeInference.product;
import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Layout operators (Concat, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Split, Slice, DepthToSpace,
 * SpaceToDepth) and the data-movement operators Pad, Expand, Tile, Gather and GatherElements.
 */
final class LayoutNodes extends NodeFamily {
    private final OpaqueNodes opaque;

    LayoutNodes(ValueTable table, OpaqueNodes opaque) {
        super(table);
        this.opaque = opaque;
    }

    void concat(OnnxMl.NodeProto n, Attributes a, String name) {
        if (!a.has("axis")) {
            throw new Unmappable("attribute 'axis' is missing");
        }
        List<String> tensors = new ArrayList<>();
        List<List<Integer>> shapes = new ArrayList<>();
        Const constant = null;
        int consts = 0;
        Act first = null;
        for (String in : n.getInputList()) {
            Value v = values.get(in);
            if (v instanceof Act x) {
                tensors.add(x.tensor());
                shapes.add(x.shape());
                first = first == null ? x : first;
            } else if (v instanceof Const c) {
                if (c.tensor().elements() > 0) {
                    constant = c;
                    consts++;
                    shapes.add(c.dims());
                }
            }
        }
        int rank = shapes.get(0).size();
        int ax = axis(a.i("axis", 0), rank);
        List<Integer> out = new ArrayList<>(shapes.get(0));
        int sum = 0;
        for (List<Integer> s : shapes) {
            if (s.size() != rank) {
                throw new Unmappable("inputs " + shapes + " have different ranks");
            }
            for (int i = 0; i < rank; i++) {
                if (i != ax && !s.get(i).equals(out.get(i))) {
                    throw new Unmappable("inputs " + shapes + " differ outside axis " + ax);
                }
            }
            sum += s.get(ax);
        }
        out.set(ax, sum);
        if (consts == 0) {
            if (tensors.size() == 1) {
                alias(n.getOutput(0), first);
                return;
            }
            emit(spec(name, OpKind.CONCAT, tensors, n.getOutput(0), new OpParams.Concat(ax), null, out));
        } else if (consts == 1) {
            // Each activation part is a window of size 1 at its offset along the axis; the constant is a weight.
            List<List<OpParams.Opaque.Access>> reads = new ArrayList<>();
            int offset = 0;
            for (String in : n.getInputList()) {
                Value v = values.get(in);
                if (v instanceof Act x) {
                    List<OpParams.Opaque.Access> acc = follow(0, rank);
                    acc.set(ax, new OpParams.Opaque.Access.Window(ax, 1, 1, 1, offset));
                    reads.add(acc);
                    offset += x.shape().get(ax);
                } else if (v instanceof Const c && c.tensor().elements() > 0) {
                    offset += c.dims().get(ax);
                }
            }
            emit(spec(name, OpKind.OPAQUE, tensors, n.getOutput(0), new OpParams.Opaque("concat", out, 0,
                    constant.dims(), reads), constant.name(), out));
            approximated.add(new OnnxImport.Approximation(name, "Concat", "opaque data-movement op with constant '"
                    + constant.name() + "' " + constant.dims() + " as a weight, tiled like its output ("
                    + OpaqueNodes.describe(reads) + ")"));
        } else {
            throw new Unmappable("it concatenates " + consts + " constants with activations; SFD supports one");
        }
        define(n.getOutput(0), out);
    }

    /** A zero-compute reshape of {@code x} to {@code out} (an alias when the shape does not change). */
    void reshapeTo(OnnxMl.NodeProto n, String name, Act x, List<Integer> out) {
        if (product(out, 0, out.size()) != x.elements()) {
            throw new Unmappable("shape " + out + " cannot hold the " + x.elements() + " elements of " + x.shape());
        }
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        emit(spec(name, OpKind.RESHAPE, List.of(x.tensor()), n.getOutput(0), new OpParams.Reshape(out), null, out));
        define(n.getOutput(0), out);
    }

    void reshape(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Long> target = opset < 5 ? a.ints("shape").orElse(List.of())
                : longsInput(n, 1, "shape").orElseThrow(() -> new Unmappable("the shape input is missing"));
        boolean allowZero = a.i("allowzero", 0) != 0;
        List<Integer> out = new ArrayList<>();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.size(); i++) {
            long d = target.get(i);
            if (d == 0 && !allowZero) {
                if (i >= x.rank()) {
                    throw new Unmappable("shape " + target + " copies axis " + i + " of " + x.shape());
                }
                d = x.shape().get(i);
            } else if (d == -1) {
                if (infer >= 0) {
                    throw new Unmappable("shape " + target + " has more than one -1");
                }
                infer = i;
                out.add(-1);
                continue;
            } else if (d < 0) {
                throw new Unmappable("shape " + target + " has a negative size");
            } else if (i == 0 && d == table.modelBatch && table.batch != table.modelBatch
                    && x.shape().get(0) == table.batch) {
                d = table.batch; // a batch size written into the model: follow the batch chosen for the import
            }
            known *= d;
            out.add(toInt(d, "shape"));
        }
        if (infer >= 0) {
            if (known == 0 || x.elements() % known != 0) {
                throw new Unmappable("shape " + target + " cannot hold the " + x.elements() + " elements of "
                        + x.shape());
            }
            out.set(infer, toInt(x.elements() / known, "shape"));
        }
        reshapeTo(n, name, x, out);
    }

    void flatten(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int ax = (int) a.i("axis", 1);
        ax = ax < 0 ? ax + x.rank() : ax;
        if (ax < 0 || ax > x.rank()) {
            throw new Unmappable("axis (" + a.i("axis", 1) + ") is out of range for rank " + x.rank());
        }
        reshapeTo(n, name, x, List.of(toInt(product(x.shape(), 0, ax), "size"),
                toInt(product(x.shape(), ax, x.rank()), "size")));
    }

    void squeeze(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Optional<List<Long>> axes = opset >= 13 ? longsInput(n, 1, "axes") : a.ints("axes");
        List<Integer> out = new ArrayList<>(x.shape());
        if (n.getOpType().equals("Squeeze")) {
            List<Integer> remove = new ArrayList<>();
            if (axes.isEmpty() || axes.get().isEmpty()) {
                for (int i = 0; i < x.rank(); i++) {
                    if (x.shape().get(i) == 1) {
                        remove.add(i);
                    }
                }
            } else {
                for (long v : axes.get()) {
                    int ax = axis(v, x.rank());
                    if (x.shape().get(ax) != 1) {
                        throw new Unmappable("axis " + ax + " of " + x.shape() + " has size " + x.shape().get(ax)
                                + ", not 1");
                    }
                    remove.add(ax);
                }
            }
            remove.sort(null);
            for (int k = remove.size() - 1; k >= 0; k--) {
                out.remove((int) remove.get(k));
            }
        } else {
            List<Long> ax = axes.orElseThrow(() -> new Unmappable("the axes are missing"));
            int rank = x.rank() + ax.size();
            List<Integer> insert = new ArrayList<>();
            for (long v : ax) {
                insert.add(axis(v, rank));
            }
            insert.sort(null);
            for (int i : insert) {
                out.add(i, 1);
            }
        }
        reshapeTo(n, name, x, out);
    }

    void transpose(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Integer> perm = new ArrayList<>();
        Optional<List<Long>> p = a.ints("perm").filter(v -> !v.isEmpty());
        for (int i = 0; i < x.rank(); i++) {
            perm.add(p.isPresent() ? toInt(p.get().get(i), "perm") : x.rank() - 1 - i);
        }
        if (p.isPresent() && p.get().size() != x.rank()) {
            throw new Unmappable("perm " + p.get() + " does not match rank " + x.rank());
        }
        List<Integer> out = new ArrayList<>();
        for (int i : perm) {
            out.add(x.shape().get(axis(i, x.rank())));
        }
        boolean identity = true;
        for (int i = 0; i < perm.size(); i++) {
            identity &= perm.get(i) == i;
        }
        if (identity) {
            alias(n.getOutput(0), x);
            return;
        }
        if (keepsOrder(perm, x.shape())) {
            // Only size-1 axes move: the data order does not change, so it is a reshape.
            reshapeTo(n, name, x, out);
            return;
        }
        emit(spec(name, OpKind.TRANSPOSE, List.of(x.tensor()), n.getOutput(0), new OpParams.Transpose(perm), null,
                out));
        define(n.getOutput(0), out);
    }

    /** True when the axes of size above 1 keep their relative order under {@code perm}. */
    static boolean keepsOrder(List<Integer> perm, List<Integer> shape) {
        int last = -1;
        for (int p : perm) {
            if (shape.get(p) > 1) {
                if (p < last) {
                    return false;
                }
                last = p;
            }
        }
        return true;
    }

    void split(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int ax = axis(a.i("axis", 0), x.rank());
        int parts = n.getOutputCount();
        List<Long> sizes = opset >= 13 ? longsInput(n, 1, "split").orElse(List.of())
                : a.ints("split").orElse(List.of());
        List<Integer> sz = new ArrayList<>();
        int dim = x.shape().get(ax);
        if (sizes.isEmpty()) {
            int each = (dim + parts - 1) / parts; // equal parts, the last one smaller (opset 18 num_outputs)
            for (int i = 0; i < parts; i++) {
                sz.add(Math.min(each, dim - each * i));
            }
        } else {
            for (long v : sizes) {
                sz.add(toInt(v, "split"));
            }
        }
        if (sz.size() != parts || sz.stream().mapToInt(Integer::intValue).sum() != dim) {
            throw new Unmappable("split sizes " + sz + " do not cut axis " + ax + " of " + x.shape() + " into "
                    + parts + " parts");
        }
        if (parts == 1) {
            alias(n.getOutput(0), x);
            return;
        }
        if (sz.contains(0)) {
            throw new Unmappable("split sizes " + sz + " contain an empty part");
        }
        List<List<Integer>> shapes = new ArrayList<>();
        for (int s : sz) {
            List<Integer> o = new ArrayList<>(x.shape());
            o.set(ax, s);
            shapes.add(o);
        }
        emit(new OperatorSpec(name, OpKind.SPLIT, List.of(x.tensor()), n.getOutputList(), new OpParams.Split(ax, sz),
                false, null, shapes));
        for (int i = 0; i < parts; i++) {
            define(n.getOutput(i), shapes.get(i));
        }
    }

    void slice(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        OpParams.Slice sl = sliceOf(n, a, x.shape());
        if (sl.sizes().equals(x.shape()) && sl.steps().stream().allMatch(st -> st == 1)) {
            alias(n.getOutput(0), x);
            return;
        }
        emit(spec(name, OpKind.SLICE, List.of(x.tensor()), n.getOutput(0), sl, null, sl.sizes()));
        define(n.getOutput(0), sl.sizes());
    }

    /** The resolved box of a Slice node on an input of shape {@code in} (starts, ends, axes, steps). */
    OpParams.Slice sliceOf(OnnxMl.NodeProto n, Attributes a, List<Integer> in) {
        List<Long> starts;
        List<Long> ends;
        Optional<List<Long>> axes;
        Optional<List<Long>> steps;
        if (opset < 10) {
            starts = a.ints("starts").orElseThrow(() -> new Unmappable("starts are missing"));
            ends = a.ints("ends").orElseThrow(() -> new Unmappable("ends are missing"));
            axes = a.ints("axes");
            steps = Optional.empty();
        } else {
            starts = longsInput(n, 1, "starts").orElseThrow(() -> new Unmappable("starts are missing"));
            ends = longsInput(n, 2, "ends").orElseThrow(() -> new Unmappable("ends are missing"));
            axes = longsInput(n, 3, "axes");
            steps = longsInput(n, 4, "steps");
        }
        return ShapeInference.slice(in, starts, ends, axes, steps);
    }

    void pad(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Long> pads = opset < 11 ? a.ints("pads").orElseThrow(() -> new Unmappable("pads are missing"))
                : longsInput(n, 1, "pads").orElseThrow(() -> new Unmappable("pads are missing"));
        Optional<List<Long>> axes = longsInput(n, 3, "axes");
        int r = x.rank();
        int count = axes.map(List::size).orElse(r);
        if (pads.size() != 2 * count) {
            throw new Unmappable("pads " + pads + " do not have 2 entries per padded axis");
        }
        List<Integer> out = new ArrayList<>(x.shape());
        for (int i = 0; i < count; i++) {
            int ax = axes.isPresent() ? axis(axes.get().get(i), r) : i;
            out.set(ax, toInt(out.get(ax) + pads.get(i) + pads.get(i + count), "padded size"));
        }
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        for (int d : out) {
            if (d < 1) {
                throw new Unmappable("padding " + pads + " leaves an empty tensor");
            }
        }
        // Output index o of a padded axis reads input index o - before (mode constant). Modes edge, reflect and
        // wrap read mirrored or clamped indices near the borders: a window of 2m + 1 around o - before (m = twice
        // the larger padding of the axis) holds them; 'wrap' reads the far side and is read whole.
        String mode = a.s("mode", "constant");
        List<OpParams.Opaque.Access> acc = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            acc.add(new OpParams.Opaque.Access.Follow(i));
        }
        for (int i = 0; i < count; i++) {
            int ax = axes.isPresent() ? axis(axes.get().get(i), r) : i;
            int before = toInt(pads.get(i), "pad");
            int after = toInt(pads.get(i + count), "pad");
            if (before == 0 && after == 0) {
                continue;
            }
            int m = mode.equals("constant") ? 0 : 2 * Math.max(Math.abs(before), Math.abs(after));
            acc.set(ax, mode.equals("wrap") ? new OpParams.Opaque.Access.Whole()
                    : new OpParams.Opaque.Access.Window(ax, 2 * m + 1, 1, 1, before + m));
        }
        long windows = acc.stream().filter(OpParams.Opaque.Access.Window.class::isInstance).count();
        opaque.opaque(n, name, List.of(x.tensor()), out, "pad", 1, null, windows <= 3 ? List.of(acc) : List.of());
    }

    void expandOrTile(OnnxMl.NodeProto n, String name) {
        Act x = act(n, 0);
        List<Long> arg = longsInput(n, 1, n.getOpType().equals("Tile") ? "repeats" : "shape")
                .orElseThrow(() -> new Unmappable("its second input is missing"));
        List<Integer> out;
        if (n.getOpType().equals("Tile")) {
            if (arg.size() != x.rank()) {
                throw new Unmappable("repeats " + arg + " do not match rank " + x.rank());
            }
            out = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) {
                out.add(toInt(x.shape().get(i) * arg.get(i), "size"));
            }
        } else {
            List<Integer> shape = new ArrayList<>();
            for (long v : arg) {
                shape.add(toInt(v, "shape"));
            }
            out = broadcast(List.of(x.shape(), shape));
        }
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        List<List<OpParams.Opaque.Access>> reads;
        if (n.getOpType().equals("Tile")) {
            // A repeated axis is read whole (a tile of the output may wrap around the input); the others follow.
            List<OpParams.Opaque.Access> acc = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) {
                acc.add(out.get(i).equals(x.shape().get(i)) ? new OpParams.Opaque.Access.Follow(i)
                        : new OpParams.Opaque.Access.Whole());
            }
            reads = List.of(acc);
        } else {
            reads = OpaqueNodes.broadcastReads(List.of(x.shape()), out).orElse(List.of());
        }
        opaque.opaque(n, name, List.of(x.tensor()), out, n.getOpType().toLowerCase(), 1, null, reads);
    }

    void gather(OnnxMl.NodeProto n, Attributes a, String name) {
        Value data = values.get(n.getInput(0));
        Value idx = values.get(n.getInput(1));
        List<Integer> dataDims = dimsOf(n.getInput(0));
        List<Integer> idxDims = dimsOf(n.getInput(1));
        int ax = axis(a.i("axis", 0), dataDims.size());
        List<Integer> out = new ArrayList<>(dataDims.subList(0, ax));
        out.addAll(idxDims);
        out.addAll(dataDims.subList(ax + 1, dataDims.size()));
        if (data instanceof Const table && idx instanceof Act ids) {
            if (ax == 0 && table.dims().size() == 2 && ids.rank() == 2) {
                emit(spec(name, OpKind.EMBEDDING, List.of(ids.tensor()), n.getOutput(0),
                        new OpParams.Embedding(table.dims().get(0), table.dims().get(1)), table.name(), out));
                define(n.getOutput(0), out);
                return;
            }
            opaque.opaque(n, name, List.of(ids.tensor()), out, "gather", 1, table,
                    List.of(follow(ax, ids.rank())));
            return;
        }
        Act x = (Act) data;
        if (out.isEmpty()) {
            throw new Unmappable("it produces a scalar");
        }
        List<String> ins = idx instanceof Act i ? List.of(x.tensor(), i.tensor()) : List.of(x.tensor());
        if (product(out, 0, out.size()) == x.elements() && idx instanceof Const) {
            reshapeTo(n, name, x, out); // picking the single index of a size-1 axis
            return;
        }
        // Data axes before the gathered one follow the output, the gathered axis is read whole (any index may
        // be picked), the axes after it follow the output past the index axes; the indices follow their axes.
        List<OpParams.Opaque.Access> dataReads = new ArrayList<>();
        int idxRank = idxDims.size();
        for (int i = 0; i < x.rank(); i++) {
            dataReads.add(i < ax ? new OpParams.Opaque.Access.Follow(i) : i == ax ? new OpParams.Opaque.Access.Whole()
                    : new OpParams.Opaque.Access.Follow(i + idxRank - 1));
        }
        List<List<OpParams.Opaque.Access>> reads = idx instanceof Act ? List.of(dataReads, follow(ax, idxRank))
                : List.of(dataReads);
        opaque.opaque(n, name, ins, out, "gather", 1, null, reads);
    }

    /** Axes {@code 0 .. count − 1} of an input following output axes {@code from .. from + count − 1}. */
    private static List<OpParams.Opaque.Access> follow(int from, int count) {
        List<OpParams.Opaque.Access> acc = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            acc.add(new OpParams.Opaque.Access.Follow(from + j));
        }
        return acc;
    }

    /**
     * GatherElements: the output has the indices' shape; an opaque op whose indices follow the output and whose
     * data is read whole along the gathered axis (and along any axis where the indices are smaller).
     */
    void gatherElements(OnnxMl.NodeProto n, Attributes a, String name) {
        Act data = act(n, 0);
        List<Integer> idx = dimsOf(n.getInput(1));
        int r = data.rank();
        int ax = axis(a.i("axis", 0), r);
        if (idx.size() != r) {
            throw new Unmappable("indices " + idx + " and data " + data.shape() + " differ in rank");
        }
        List<OpParams.Opaque.Access> dataReads = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            dataReads.add(i != ax && data.shape().get(i).equals(idx.get(i)) ? new OpParams.Opaque.Access.Follow(i)
                    : new OpParams.Opaque.Access.Whole());
        }
        List<String> ins = new ArrayList<>(List.of(data.tensor()));
        List<List<OpParams.Opaque.Access>> reads = new ArrayList<>(List.of(dataReads));
        if (values.get(n.getInput(1)) instanceof Act i) {
            ins.add(i.tensor());
            reads.add(follow(0, r));
        }
        opaque.opaque(n, name, ins, idx, "gatherelements", 1, null, reads);
    }

    /**
     * DepthToSpace and SpaceToDepth are views: a rank-6 reshape, a transpose and a reshape back (the ONNX definition,
     * onnx/docs/Operators.md): DepthToSpace DCR {@code [N, b, b, C/b², H, W]} with perm {@code [0, 3, 4, 1, 5, 2]},
     * CRD {@code [N, C/b², b, b, H, W]} with {@code [0, 1, 4, 2, 5, 3]}; SpaceToDepth {@code [N, C, H/b, b, W/b, b]}
     * with {@code [0, 3, 5, 1, 2, 4]}.
     */
    void depthToSpace(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int b = toInt(a.i("blocksize", 0), "blocksize");
        if (x.rank() != 4 || b < 1) {
            throw new Unmappable("input " + x.shape() + " with blocksize " + b + "; it takes [N, C, H, W]");
        }
        int c = x.shape().get(1);
        int h = x.shape().get(2);
        int w = x.shape().get(3);
        int nb = x.shape().get(0);
        List<Integer> split;
        List<Integer> perm;
        List<Integer> out;
        if (n.getOpType().equals("DepthToSpace")) {
            if (c % (b * b) != 0) {
                throw new Unmappable("channels " + c + " are not a multiple of blocksize² " + b * b);
            }
            boolean crd = a.s("mode", "DCR").equals("CRD");
            split = crd ? List.of(nb, c / (b * b), b, b, h, w) : List.of(nb, b, b, c / (b * b), h, w);
            perm = crd ? List.of(0, 1, 4, 2, 5, 3) : List.of(0, 3, 4, 1, 5, 2);
            out = List.of(nb, c / (b * b), h * b, w * b);
        } else {
            if (h % b != 0 || w % b != 0) {
                throw new Unmappable("rows " + h + " and columns " + w + " are not multiples of blocksize " + b);
            }
            split = List.of(nb, c, h / b, b, w / b, b);
            perm = List.of(0, 3, 5, 1, 2, 4);
            out = List.of(nb, c * b * b, h / b, w / b);
        }
        List<Integer> moved = new ArrayList<>();
        for (int p : perm) {
            moved.add(split.get(p));
        }
        String s1 = n.getOutput(0) + "/split";
        String s2 = n.getOutput(0) + "/moved";
        emit(spec(name + "/split", OpKind.RESHAPE, List.of(x.tensor()), s1, new OpParams.Reshape(split), null, split));
        define(s1, split);
        emit(spec(name, OpKind.TRANSPOSE, List.of(s1), s2, new OpParams.Transpose(perm), null, moved));
        define(s2, moved);
        emit(spec(name + "/merge", OpKind.RESHAPE, List.of(s2), n.getOutput(0), new OpParams.Reshape(out), null, out));
        define(n.getOutput(0), out);
    }
}

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
import static dev.sfd.workload.io.onnx.ShapeInference.keepsBatch;
import static dev.sfd.workload.io.onnx.ShapeInference.product;
import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Layout operators (Concat, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Split) and the data-movement operators Slice, Pad, Expand, Tile and Gather.
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
        keepsBatch(first, out, "Concat of");
        if (consts == 0) {
            if (tensors.size() == 1) {
                alias(n.getOutput(0), first);
                return;
            }
            emit(spec(name, OpKind.CONCAT, tensors, n.getOutput(0), new OpParams.Concat(ax), null, out));
        } else if (consts == 1) {
            emit(spec(name, OpKind.OPAQUE, tensors, n.getOutput(0), new OpParams.Opaque("concat", out, 0,
                    constant.dims()), constant.name(), out));
            approximated.add(new OnnxImport.Approximation(name, "Concat", "opaque data-movement op with constant '"
                    + constant.name() + "' " + constant.dims() + " as a weight"));
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
        keepsBatch(x, out, "it reshapes");
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
            } else if (i == 0 && d == table.modelBatch && table.batch != table.modelBatch && x.shape().get(0) == table.batch) {
                d = table.batch; // a table.batch size written into the model: follow the table.batch chosen for the import
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
        if (perm.get(0) != 0) {
            if (x.shape().get(0) == 1 && out.get(0) == 1) {
                // Moving a size-1 table.batch axis changes no data order: a reshape.
                reshapeTo(n, name, x, out);
                return;
            }
            throw new Unmappable("perm " + perm + " moves the table.batch axis 0; SFD keeps the table.batch as axis 0");
        }
        emit(spec(name, OpKind.TRANSPOSE, List.of(x.tensor()), n.getOutput(0), new OpParams.Transpose(perm), null,
                out));
        define(n.getOutput(0), out);
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
        if (ax == 0) {
            throw new Unmappable("it splits the table.batch axis 0");
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
        List<Integer> out = sliceShape(n, a, x.shape());
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        keepsBatch(x, out, "it slices");
        opaque.opaque(n, name, List.of(x.tensor()), out, "slice", 1);
    }

    List<Integer> sliceShape(OnnxMl.NodeProto n, Attributes a, List<Integer> in) {
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
        List<Integer> out = new ArrayList<>(in);
        for (int i = 0; i < starts.size(); i++) {
            int ax = axis(axes.isPresent() ? axes.get().get(i) : i, in.size());
            long step = steps.isPresent() ? steps.get().get(i) : 1;
            if (step == 0) {
                throw new Unmappable("step 0 on axis " + ax);
            }
            long dim = in.get(ax);
            long s = starts.get(i);
            long e = ends.get(i);
            s = s < 0 ? s + dim : s;
            e = e < 0 ? e + dim : e;
            long size;
            if (step > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                size = e > s ? (e - s + step - 1) / step : 0;
            } else {
                s = Math.max(0, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                size = s > e ? (s - e + (-step) - 1) / (-step) : 0;
            }
            out.set(ax, (int) size);
        }
        if (out.contains(0)) {
            throw new Unmappable("the slice of " + in + " is empty (" + out + ")");
        }
        return out;
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
        keepsBatch(x, out, "it pads");
        for (int d : out) {
            if (d < 1) {
                throw new Unmappable("padding " + pads + " leaves an empty tensor");
            }
        }
        opaque.opaque(n, name, List.of(x.tensor()), out, "pad", 1);
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
        keepsBatch(x, out, n.getOpType() + " of");
        opaque.opaque(n, name, List.of(x.tensor()), out, n.getOpType().toLowerCase(), 1);
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
            keepsBatch(ids, out, "Gather of");
            opaque.opaque(n, name, List.of(ids.tensor()), out, "gather", 1, table);
            return;
        }
        Act x = (Act) data;
        if (ax == 0) {
            throw new Unmappable("it gathers along the table.batch axis 0");
        }
        if (out.isEmpty()) {
            throw new Unmappable("it produces a scalar");
        }
        List<String> ins = idx instanceof Act i ? List.of(x.tensor(), i.tensor()) : List.of(x.tensor());
        if (product(out, 0, out.size()) == x.elements() && idx instanceof Const) {
            reshapeTo(n, name, x, out); // picking the single index of a size-1 axis
            return;
        }
        keepsBatch(x, out, "Gather of");
        opaque.opaque(n, name, ins, out, "gather", 1);
    }
}

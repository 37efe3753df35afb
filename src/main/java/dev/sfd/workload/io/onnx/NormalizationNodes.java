package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;

import static dev.sfd.workload.io.onnx.ShapeInference.axis;
import static dev.sfd.workload.io.onnx.ShapeInference.product;

/**
 * BatchNormalization, LayerNormalization, Softmax and the reductions.
 */
final class NormalizationNodes extends NodeFamily {
    private static final Logger LOGGER = LogManager.getLogger(OnnxGraphTranslator.class);
    private final PatternFusers fusers;
    private final OpaqueNodes opaque;

    NormalizationNodes(ValueTable table, PatternFusers fusers, OpaqueNodes opaque) {
        super(table);
        this.fusers = fusers;
        this.opaque = opaque;
    }

    void batchNorm(OnnxMl.NodeProto n, String name) {
        Act x = act(n, 0);
        Const scale = weightInput(n, 1, "scale");
        for (int i = 2; i < 5; i++) {
            weightInput(n, i, "statistics");
        }
        if (x.rank() < 2) {
            throw new Unmappable("input " + x.shape() + " has no channel axis");
        }
        boolean training = false;
        for (int k = 1; k < n.getOutputCount(); k++) {
            training |= used(n.getOutput(k));
        }
        if (!training && fusers.foldBatchNorm(n, name, x)) {
            return;
        }
        emit(spec(name, OpKind.BATCHNORM, List.of(x.tensor()), n.getOutput(0), new OpParams.BatchNorm(),
                scale.name(), x.shape()));
        define(n.getOutput(0), x.shape());
        // Training mode: the running mean and variance [C] are reductions over every axis but the channels.
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (i != 1) {
                all.add(i);
            }
        }
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (used(n.getOutput(k))) {
                statistics(n, k, name, x, all, List.of(x.shape().get(1)), "training-mode statistics");
            }
        }
    }

    /**
     * A statistics output (a mean or variance over {@code axes}) as an opaque reduction of {@code x}: the reduced
     * axes read whole, the others following the output ({@code out}, keepdims or not).
     */
    private void statistics(OnnxMl.NodeProto n, int k, String name, Act x, List<Integer> axes, List<Integer> out,
                            String what) {
        boolean keep = out.size() == x.rank();
        long perOut = Math.max(1, x.elements() / Math.max(1, product(out, 0, out.size())));
        opaque.opaque(n, k, name + "#" + k, List.of(x.tensor()), out, n.getOpType().toLowerCase() + "_" + what
                .replace(' ', '_').replace("-", ""), (int) Math.min(Integer.MAX_VALUE, perOut), null,
                List.of(reductionReads(x.rank(), axes, keep, out.size())));
    }

    void layerNorm(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const scale = weightInput(n, 1, "scale");
        int ax = axis(a.i("axis", -1), x.rank());
        // Mean and InvStdDev outputs, when used: reductions over the normalised axes (kept as size 1).
        List<Integer> normalised = new ArrayList<>();
        List<Integer> stat = new ArrayList<>(x.shape());
        for (int i = ax; i < x.rank(); i++) {
            normalised.add(i);
            stat.set(i, 1);
        }
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (used(n.getOutput(k))) {
                statistics(n, k, name, x, normalised, stat, "statistics");
            }
        }
        emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), n.getOutput(0), new OpParams.LayerNorm(ax, true),
                scale.name(), x.shape()));
        define(n.getOutput(0), x.shape());
    }

    void softmax(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int r = x.rank();
        int ax = axis(a.i("axis", opset >= 13 ? -1 : 1), r);
        if (!n.getOpType().equals("Softmax")) {
            approximated.add(new OnnxImport.Approximation(name, n.getOpType(), "softmax (same vector work)"));
        }
        if (opset >= 13 || ax == r - 1) {
            emit(spec(name, OpKind.SOFTMAX, List.of(x.tensor()), n.getOutput(0), new OpParams.Softmax(ax), null,
                    x.shape()));
            define(n.getOutput(0), x.shape());
            return;
        }
        // Before opset 13, softmax normalises the flattened axes [axis, rank): flatten, softmax, unflatten.
        List<Integer> flat = new ArrayList<>(x.shape().subList(0, ax));
        flat.add((int) product(x.shape(), ax, r));
        String f = n.getOutput(0) + "/flat";
        String s = n.getOutput(0) + "/softmax";
        emit(spec(name + "/flatten", OpKind.RESHAPE, List.of(x.tensor()), f, new OpParams.Reshape(flat), null, flat));
        emit(spec(name, OpKind.SOFTMAX, List.of(f), s, new OpParams.Softmax(flat.size() - 1), null, flat));
        emit(spec(name + "/unflatten", OpKind.RESHAPE, List.of(s), n.getOutput(0), new OpParams.Reshape(x.shape()),
                null, x.shape()));
        define(n.getOutput(0), x.shape());
    }

    void reduce(OnnxMl.NodeProto n, Attributes a, String name, int index) {
        Act x = act(n, 0);
        List<Integer> axes = n.getOpType().startsWith("Arg") ? List.of(axis(a.i("axis", 0), x.rank()))
                : reduceAxes(n, a, x.rank());
        if (n.getOpType().equals("ReduceMean") && fusers.layerNormPattern(n, index, x, axes, name)) {
            return;
        }
        boolean keep = a.i("keepdims", 1) != 0;
        if (axes.isEmpty()) {
            alias(n.getOutput(0), x);
            return;
        }
        List<Integer> kept = new ArrayList<>();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (axes.contains(i)) {
                kept.add(1);
            } else {
                kept.add(x.shape().get(i));
                out.add(x.shape().get(i));
            }
        }
        if (!keep && out.isEmpty()) {
            out.add(1);
        }
        List<Integer> result = keep ? kept : out;
        String op = n.getOpType();
        if (x.rank() == 4 && axes.equals(List.of(2, 3)) && (op.equals("ReduceMean") || op.equals("ReduceMax"))) {
            String type = op.equals("ReduceMax") ? "max" : "avg";
            String pooled = keep ? n.getOutput(0) : n.getOutput(0) + "/pooled";
            emit(spec(name, OpKind.POOL, List.of(x.tensor()), pooled,
                    new OpParams.Pool(type, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true), null, kept));
            if (!keep) {
                emit(spec(name + "/squeeze", OpKind.RESHAPE, List.of(pooled), n.getOutput(0),
                        new OpParams.Reshape(result), null, result));
            }
            define(n.getOutput(0), result);
            return;
        }
        long perOut = Math.max(1, x.elements() / Math.max(1, product(result, 0, result.size())));
        opaque.opaque(n, name, List.of(x.tensor()), result, op.toLowerCase(), (int) Math.min(Integer.MAX_VALUE,
                perOut), null, List.of(reductionReads(x.rank(), axes, keep, result.size())));
    }

    /**
     * The reads of a reduction: reduced axes whole, kept axes following their output axis (the same index with
     * keepdims, the next output axis without).
     */
    static List<OpParams.Opaque.Access> reductionReads(int rank, List<Integer> axes, boolean keep, int outRank) {
        List<OpParams.Opaque.Access> acc = new ArrayList<>();
        int o = 0;
        for (int i = 0; i < rank; i++) {
            if (axes.contains(i)) {
                acc.add(new OpParams.Opaque.Access.Whole());
                o += keep ? 1 : 0;
            } else {
                acc.add(o < outRank ? new OpParams.Opaque.Access.Follow(o) : new OpParams.Opaque.Access.Whole());
                o++;
            }
        }
        return acc;
    }

    /**
     * Operators that keep their input's shape and work along some axes: InstanceNormalization (a layer norm over
     * the spatial axes, then a per-channel scale and shift), MeanVarianceNormalization (a layer norm when its axes
     * are the trailing ones), LRN (a window across the channels), Hardmax (as softmax), CumSum (its axis read
     * whole) and Trilu (elementwise). Listed in approximated().
     */
    void alongAxes(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int r = x.rank();
        String op = n.getOpType();
        switch (op) {
            case "Hardmax" -> softmax(n, a, name);
            case "InstanceNormalization" -> {
                Const scale = weightInput(n, 1, "scale");
                weightInput(n, 2, "bias");
                if (r < 3) {
                    throw new Unmappable("input " + x.shape() + " has no spatial axis");
                }
                String mid = n.getOutput(0) + "/normalised";
                emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), mid, new OpParams.LayerNorm(2, false), null,
                        x.shape()));
                define(mid, x.shape());
                emit(spec(name + "/affine", OpKind.BATCHNORM, List.of(mid), n.getOutput(0), new OpParams.BatchNorm(),
                        scale.name(), x.shape()));
                define(n.getOutput(0), x.shape());
                approximated.add(new OnnxImport.Approximation(name, op, "layernorm over axes 2.. (each channel of "
                        + "each sample) then a per-channel scale and shift (batchnorm)"));
            }
            case "MeanVarianceNormalization" -> {
                List<Integer> axes = new ArrayList<>();
                for (long v : a.ints("axes").orElse(List.of(0L, 2L, 3L))) {
                    axes.add(axis(v, r));
                }
                axes.sort(null);
                boolean suffix = !axes.isEmpty() && axes.get(axes.size() - 1) == r - 1
                        && axes.size() == r - axes.get(0);
                if (suffix) {
                    emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), n.getOutput(0),
                            new OpParams.LayerNorm(axes.get(0), false), null, x.shape()));
                    define(n.getOutput(0), x.shape());
                    approximated.add(new OnnxImport.Approximation(name, op, "layernorm over axes " + axes
                            + " without scale and shift"));
                } else {
                    opaque.opaque(n, name, List.of(x.tensor()), x.shape(), "mvn", 8, null,
                            List.of(reductionReads(r, axes, true, r)));
                }
            }
            case "LRN" -> {
                int size = (int) a.i("size", 1);
                if (r < 2 || size < 1) {
                    throw new Unmappable("input " + x.shape() + " and size " + size + "; LRN needs a channel axis");
                }
                // Channel c sums the squares of channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2).
                List<OpParams.Opaque.Access> acc = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    acc.add(i == 1 ? new OpParams.Opaque.Access.Window(1, size, 1, 1, (size - 1) / 2)
                            : new OpParams.Opaque.Access.Follow(i));
                }
                opaque.opaque(n, name, List.of(x.tensor()), x.shape(), "lrn", size + 4, null, List.of(acc));
            }
            case "CumSum" -> {
                List<Long> ax = longsInput(n, 1, "axis").orElseThrow(() -> new Unmappable("the axis is missing"));
                int along = axis(ax.get(0), r);
                opaque.opaque(n, name, List.of(x.tensor()), x.shape(), "cumsum", 1, null,
                        List.of(reductionReads(r, List.of(along), true, r)));
            }
            default -> { // Trilu: keeps or zeroes each element
                List<OpParams.Opaque.Access> acc = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    acc.add(new OpParams.Opaque.Access.Follow(i));
                }
                opaque.opaque(n, name, List.of(x.tensor()), x.shape(), op.toLowerCase(), 1, null, List.of(acc));
            }
        }
    }
}

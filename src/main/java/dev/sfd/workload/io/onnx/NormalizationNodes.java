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
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (used(n.getOutput(k))) {
                throw new Unmappable("training-mode output '" + n.getOutput(k) + "' is used");
            }
        }
        String producer = producerSpec.get(x.tensor());
        if (producer != null && specs.get(producer).params() instanceof OpParams.Conv conv
                && singleConsumer(n.getInput(0)) && !specs.get(producer).name().endsWith("/col2im")) {
            OperatorSpec s = specs.get(producer);
            specs.put(producer, new OperatorSpec(s.name(), s.kind(), s.inputs(), s.outputs(),
                    new OpParams.Conv(conv.outChannels(), conv.kernelH(), conv.kernelW(), conv.strideH(),
                            conv.strideW(), conv.padTop(), conv.padLeft(), conv.padBottom(), conv.padRight(),
                            conv.dilationH(), conv.dilationW(), conv.groups(), true),
                    s.samePadding(), s.weightName(), s.declaredShapes()));
            alias(n.getOutput(0), x);
            folded.add(new OnnxImport.Folding(name, "BatchNormalization", producer));
            LOGGER.debug("Folded batch norm ({}) into conv ({})", name, producer);
            return;
        }
        emit(spec(name, OpKind.BATCHNORM, List.of(x.tensor()), n.getOutput(0), new OpParams.BatchNorm(),
                scale.name(), x.shape()));
        define(n.getOutput(0), x.shape());
    }

    void layerNorm(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const scale = weightInput(n, 1, "scale");
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (used(n.getOutput(k))) {
                throw new Unmappable("its statistics output '" + n.getOutput(k) + "' is used");
            }
        }
        int ax = axis(a.i("axis", -1), x.rank());
        emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), n.getOutput(0), new OpParams.LayerNorm(ax, true),
                scale.name(), x.shape()));
        define(n.getOutput(0), x.shape());
    }

    void softmax(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int r = x.rank();
        int ax = axis(a.i("axis", opset >= 13 ? -1 : 1), r);
        if (n.getOpType().equals("LogSoftmax")) {
            approximated.add(new OnnxImport.Approximation(name, "LogSoftmax", "softmax (same vector work)"));
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
        List<Integer> axes = reduceAxes(n, a, x.rank());
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
}

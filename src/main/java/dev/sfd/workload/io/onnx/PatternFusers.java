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
import java.util.Optional;

/**
 * Patterns fused into one SFD operator: a bias Add into the conv or linear layer before it, a BatchNormalization
 * into the conv before it, the decomposed hard-swish and the decomposed layer norm.
 */
final class PatternFusers extends NodeFamily {
    private static final Logger LOGGER = LogManager.getLogger(OnnxGraphTranslator.class);

    PatternFusers(ValueTable table) {
        super(table);
    }

    /**
     * Add(conv or linear output, constant) where the constant is one value per output channel and the producer
     * has no other consumer: the constant is that operator's bias.
     */
    boolean foldBias(OnnxMl.NodeProto n, String name, String inName, Act x, Const c, List<Integer> out) {
        String producer = producerSpec.get(x.tensor());
        if (producer == null || !out.equals(x.shape()) || !singleConsumer(inName)) {
            return false;
        }
        OperatorSpec s = specs.get(producer);
        List<Integer> dims = c.dims();
        int channelAxis;
        int channels;
        if (s.params() instanceof OpParams.Conv conv) {
            channelAxis = 1;
            channels = conv.outChannels();
        } else if (s.params() instanceof OpParams.Matmul m && m.hasWeight()) {
            channelAxis = x.rank() - 1;
            channels = m.features();
        } else {
            return false;
        }
        if (c.tensor().elements() != channels || dims.size() > x.rank()) {
            return false;
        }
        int offset = x.rank() - dims.size();
        for (int j = 0; j < dims.size(); j++) {
            if (dims.get(j) != 1 && j + offset != channelAxis) {
                return false;
            }
        }
        OpParams p = s.params() instanceof OpParams.Conv conv
                ? new OpParams.Conv(conv.outChannels(), conv.kernelH(), conv.kernelW(), conv.strideH(),
                conv.strideW(), conv.padTop(), conv.padLeft(), conv.padBottom(), conv.padRight(), conv.dilationH(),
                conv.dilationW(), conv.groups(), true)
                : new OpParams.Matmul(((OpParams.Matmul) s.params()).features(), false, true);
        specs.put(producer, new OperatorSpec(s.name(), s.kind(), s.inputs(), s.outputs(), p, s.samePadding(),
                s.weightName(), s.declaredShapes()));
        alias(n.getOutput(0), x);
        folded.add(new OnnxImport.Folding(name, n.getOpType(), producer + " (bias)"));
        return true;
    }

    /**
     * Recognises hard-swish written out as {@code Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)} (Paddle and older
     * PyTorch exports; Mul may take its operands in either order, and the Div may be a Mul by 1/6), with every
     * intermediate read only inside the pattern: one {@code hardswish} instead of four vector ops.
     */
    boolean hardSwishPattern(OnnxMl.NodeProto add, String name, String xName, Act x, Const three) {
        if (constValue(three.name()) != 3.0) {
            return false;
        }
        Optional<OnnxMl.NodeProto> clip = only(add.getOutput(0), "Clip").filter(c -> {
            double lo = c.getInputCount() > 1 ? constValue(c.getInput(1)) : new Attributes(c).f("min", Double.NaN);
            double hi = c.getInputCount() > 2 ? constValue(c.getInput(2)) : new Attributes(c).f("max", Double.NaN);
            return lo == 0 && hi == 6;
        });
        Optional<OnnxMl.NodeProto> mul = clip.flatMap(c -> only(c.getOutput(0), "Mul")).filter(m ->
                m.getInputCount() == 2 && (m.getInput(0).equals(xName) || m.getInput(1).equals(xName)));
        Optional<OnnxMl.NodeProto> div = mul.flatMap(m -> onlyConsumer(m.getOutput(0)).map(graph::getNode))
                .filter(d -> d.getInputCount() == 2 && d.getInput(0).equals(mul.get().getOutput(0))
                        && (d.getOpType().equals("Div") && constValue(d.getInput(1)) == 6.0
                        || d.getOpType().equals("Mul") && Math.abs(constValue(d.getInput(1)) - 1.0 / 6) < 1e-6));
        if (div.isEmpty()) {
            return false;
        }
        List<OnnxMl.NodeProto> nodes = List.of(clip.get(), mul.get(), div.get());
        for (OnnxMl.NodeProto nd : nodes) {
            absorbed.add(indexOf(nd));
            folded.add(new OnnxImport.Folding(displayName(nd, indexOf(nd)), nd.getOpType(), name + " (hardswish)"));
        }
        String out = div.get().getOutput(0);
        emit(spec(name, OpKind.ELEMENTWISE, List.of(x.tensor()), out, new OpParams.Elementwise("hardswish"), null,
                x.shape()));
        define(out, x.shape());
        LOGGER.debug("Fused decomposed hard-swish ({}) ending in ({})", name, out);
        return true;
    }

    boolean isConstOperand(OnnxMl.NodeProto nd, String other) {
        for (String in : nd.getInputList()) {
            if (!in.equals(other) && !(values.get(in) instanceof Const)) {
                return false;
            }
        }
        return nd.getInputCount() == 2;
    }

    /**
     * Recognises the decomposed layer norm exported by PyTorch before opset 17:
     * {@code m = ReduceMean(x); d = Sub(x, m); v = ReduceMean(Pow(d, 2) | Mul(d, d)); y = Div(d, Sqrt(Add(v,
     * eps)))}, optionally followed by {@code Mul(y, gamma)} and {@code Add(., beta)}, with every intermediate
     * read only inside the pattern. The axes must be a suffix of x's axes, batch excluded.
     */
    boolean layerNormPattern(OnnxMl.NodeProto mean, int index, Act x, List<Integer> axes, String name) {
        String xName = mean.getInput(0);
        if (axes.isEmpty() || axes.get(0) == 0 || axes.get(axes.size() - 1) != x.rank() - 1
                || axes.size() != x.rank() - axes.get(0) || new Attributes(mean).i("keepdims", 1) == 0) {
            return false;
        }
        List<Integer> nodes = new ArrayList<>();
        Optional<OnnxMl.NodeProto> sub = only(mean.getOutput(0), "Sub")
                .filter(s -> s.getInput(0).equals(xName) && s.getInput(1).equals(mean.getOutput(0)));
        if (sub.isEmpty()) {
            return false;
        }
        String d = sub.get().getOutput(0);
        List<Integer> dUsers = consumers.getOrDefault(d, List.of()).stream().distinct().toList();
        if (graphOutputs.contains(d) || dUsers.size() != 2) {
            return false;
        }
        OnnxMl.NodeProto square = null;
        OnnxMl.NodeProto div = null;
        for (int u : dUsers) {
            OnnxMl.NodeProto nd = graph.getNode(u);
            boolean isPow = nd.getOpType().equals("Pow") && nd.getInput(0).equals(d) && constValue(nd.getInputList()
                    .size() > 1 ? nd.getInput(1) : "") == 2.0;
            boolean isMul = nd.getOpType().equals("Mul") && nd.getInput(0).equals(d) && nd.getInput(1).equals(d);
            if (isPow || isMul) {
                square = nd;
            } else if (nd.getOpType().equals("Div") && nd.getInput(0).equals(d)) {
                div = nd;
            }
        }
        if (square == null || div == null) {
            return false;
        }
        Optional<OnnxMl.NodeProto> var = only(square.getOutput(0), "ReduceMean");
        if (var.isEmpty() || !reduceAxes(var.get(), new Attributes(var.get()), x.rank()).equals(axes)) {
            return false;
        }
        Optional<OnnxMl.NodeProto> addEps = only(var.get().getOutput(0), "Add")
                .filter(nd -> isConstOperand(nd, var.get().getOutput(0)));
        Optional<OnnxMl.NodeProto> sqrt = addEps.flatMap(nd -> only(nd.getOutput(0), "Sqrt"));
        if (sqrt.isEmpty() || !div.getInput(1).equals(sqrt.get().getOutput(0))
                || onlyConsumer(sqrt.get().getOutput(0)).isEmpty()) {
            return false;
        }
        String normalised = div.getOutput(0);
        String out = normalised;
        String gamma = null;
        Optional<OnnxMl.NodeProto> mul = only(out, "Mul").filter(nd -> isConstOperand(nd, normalised));
        List<OnnxMl.NodeProto> tail = new ArrayList<>();
        if (mul.isPresent()) {
            gamma = constName(mul.get(), normalised);
            tail.add(mul.get());
            out = mul.get().getOutput(0);
            Optional<OnnxMl.NodeProto> add = only(out, "Add").filter(nd -> isConstOperand(nd, mul.get().getOutput(0)));
            if (add.isPresent()) {
                tail.add(add.get());
                out = add.get().getOutput(0);
            }
        }
        for (OnnxMl.NodeProto nd : List.of(sub.get(), square, var.get(), addEps.get(), sqrt.get(), div)) {
            nodes.add(indexOf(nd));
        }
        for (OnnxMl.NodeProto nd : tail) {
            nodes.add(indexOf(nd));
        }
        absorbed.addAll(nodes);
        boolean affine = gamma != null;
        emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), out, new OpParams.LayerNorm(axes.get(0), affine),
                gamma, x.shape()));
        define(out, x.shape());
        List<String> names = new ArrayList<>();
        for (int i : nodes) {
            names.add(displayName(graph.getNode(i), i));
            folded.add(new OnnxImport.Folding(displayName(graph.getNode(i), i), graph.getNode(i).getOpType(), name
                    + " (layernorm)"));
        }
        LOGGER.debug("Fused decomposed layer norm ({}) with nodes ({}) at axis ({})", name, names, axes.get(0));
        return true;
    }

    static String constName(OnnxMl.NodeProto nd, String other) {
        return nd.getInput(0).equals(other) ? nd.getInput(1) : nd.getInput(0);
    }

    /**
     * A BatchNormalization right after a convolution whose output nothing else reads: folded into that conv (its
     * scale into the weights, its shift into a bias). False when the pattern does not apply.
     */
    boolean foldBatchNorm(OnnxMl.NodeProto n, String name, Act x) {
        String producer = producerSpec.get(x.tensor());
        if (producer == null || !(specs.get(producer).params() instanceof OpParams.Conv conv)
                || !singleConsumer(n.getInput(0)) || specs.get(producer).name().endsWith("/col2im")) {
            return false;
        }
        OperatorSpec s = specs.get(producer);
        specs.put(producer, new OperatorSpec(s.name(), s.kind(), s.inputs(), s.outputs(),
                new OpParams.Conv(conv.outChannels(), conv.kernelH(), conv.kernelW(), conv.strideH(),
                        conv.strideW(), conv.padTop(), conv.padLeft(), conv.padBottom(), conv.padRight(),
                        conv.dilationH(), conv.dilationW(), conv.groups(), true),
                s.samePadding(), s.weightName(), s.declaredShapes()));
        alias(n.getOutput(0), x);
        folded.add(new OnnxImport.Folding(name, "BatchNormalization", producer));
        LOGGER.debug("Folded batch norm ({}) into conv ({})", name, producer);
        return true;
    }
}

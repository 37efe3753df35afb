package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.sfd.workload.io.onnx.ShapeInference.broadcast;
import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Unary and binary elementwise operators (Add, Mul, Relu, Clip, ...).
 */
final class ElementwiseNodes extends NodeFamily {
    private final PatternFusers fusers;

    private static final Map<String, String> BINARY = Map.of("Add", "add", "Sub", "sub", "Mul", "mul", "Div", "div",
            "Max", "max", "Min", "min", "Sum", "add", "Mean", "add", "Pow", "pow");

    private final OpaqueNodes opaque;

    ElementwiseNodes(ValueTable table, PatternFusers fusers, OpaqueNodes opaque) {
        super(table);
        this.fusers = fusers;
        this.opaque = opaque;
    }

    void binary(OnnxMl.NodeProto n, String name) {
        String op = n.getOpType();
        String fn = BINARY.get(op);
        List<Act> acts = new ArrayList<>();
        List<Const> consts = new ArrayList<>();
        List<String> actNames = new ArrayList<>();
        for (String in : n.getInputList()) {
            Value v = values.get(in);
            if (v instanceof Act a) {
                acts.add(a);
                actNames.add(in);
            } else if (v instanceof Const c) {
                consts.add(c);
            }
        }
        if (consts.isEmpty()) {
            if (acts.size() == 1) {
                alias(n.getOutput(0), acts.get(0));
                return;
            }
            if (op.equals("Pow")) {
                fn = "mul";
                approximated.add(new OnnxImport.Approximation(name, op, "binary elementwise 'mul' (Pow of two "
                        + "activations: 1 op per element)"));
            }
            List<List<Integer>> shapes = new ArrayList<>();
            List<String> tensors = new ArrayList<>();
            for (Act a : acts) {
                shapes.add(a.shape());
                tensors.add(a.tensor());
            }
            List<Integer> out = broadcast(shapes);
            emit(spec(name, OpKind.ELEMENTWISE, tensors, n.getOutput(0), new OpParams.Elementwise(fn), null, out));
            define(n.getOutput(0), out);
            if (op.equals("Mean")) {
                approximated.add(new OnnxImport.Approximation(name, op, "elementwise 'add' (the division by the "
                        + "input count is not counted)"));
            }
            return;
        }
        if (acts.size() != 1 || consts.size() != 1) {
            throw new Unmappable("mixes " + acts.size() + " activations and " + consts.size() + " constants; SFD "
                    + "imports one activation with one constant, or activations only");
        }
        Act x = acts.get(0);
        Const c = consts.get(0);
        List<Integer> out = broadcast(List.of(x.shape(), c.dims()));
        if (op.equals("Add") && fusers.foldBias(n, name, actNames.get(0), x, c, out)) {
            return;
        }
        if (op.equals("Add") && out.equals(x.shape()) && fusers.hardSwishPattern(n, name, actNames.get(0), x, c)) {
            return;
        }
        OpParams.Elementwise p;
        if (c.tensor().elements() == 1) {
            p = new OpParams.Elementwise(switch (op) {
                case "Add", "Sub", "Sum", "Mean" -> "shift";
                case "Mul", "Div" -> "scale";
                case "Pow" -> "pow";
                default -> "clip";
            });
        } else if (op.equals("Pow")) {
            nary(n, name); // a tensor exponent: no SFD function
            return;
        } else {
            p = new OpParams.Elementwise(fn, c.dims());
        }
        emit(spec(name, OpKind.ELEMENTWISE, List.of(x.tensor()), n.getOutput(0), p, p.hasWeight() ? c.name() : null,
                out));
        define(n.getOutput(0), out);
    }

    void unary(OnnxMl.NodeProto n, String name, String fn) {
        Act x = act(n, 0);
        emit(spec(name, OpKind.ELEMENTWISE, List.of(x.tensor()), n.getOutput(0), new OpParams.Elementwise(fn), null,
                x.shape()));
        define(n.getOutput(0), x.shape());
    }

    /**
     * An elementwise operator of two or more inputs that SFD has no function for (comparisons, logic, Mod,
     * BitShift, PRelu, Where, Pow of a tensor exponent): an opaque vector op of the broadcast shape that reads each
     * activation input by region (numpy broadcasting); constant inputs are one weight read whole.
     */
    void nary(OnnxMl.NodeProto n, String name) {
        List<String> tensors = new ArrayList<>();
        List<List<Integer>> shapes = new ArrayList<>();
        List<List<Integer>> all = new ArrayList<>();
        Const weight = null;
        long constElements = 0;
        for (String in : n.getInputList()) {
            Value v = in.isEmpty() ? null : values.get(in);
            if (v instanceof Act x) {
                if (!tensors.contains(x.tensor())) {
                    tensors.add(x.tensor());
                    shapes.add(x.shape());
                }
                all.add(x.shape());
            } else if (v instanceof Const c) {
                all.add(c.dims());
                if (c.tensor().elements() > 1) {
                    constElements += c.tensor().elements();
                    weight = weight == null ? c : new Const(c.name(), new ConstTensor(List.of(
                            toInt(constElements, "elements")), null));
                }
            }
        }
        if (tensors.isEmpty()) {
            throw new Unmappable("it has no activation input");
        }
        List<Integer> out = broadcast(all);
        List<List<OpParams.Opaque.Access>> reads = OpaqueNodes.broadcastReads(shapes, out)
                .orElseThrow(() -> new Unmappable("inputs " + all + " do not broadcast"));
        opaque.opaque(n, name, tensors, out, n.getOpType().toLowerCase(), 1, weight, reads);
    }

    /** A unary function SFD has no name for: the {@code opaque} elementwise function, 1 op per element. */
    void otherUnary(OnnxMl.NodeProto n, String name) {
        unary(n, name, "opaque");
        approximated.add(new OnnxImport.Approximation(name, n.getOpType(), "elementwise 'opaque' (1 op per element)"));
    }

    void clip(OnnxMl.NodeProto n, Attributes a, String name) {
        double min;
        double max;
        if (opset < 11) {
            min = a.f("min", Double.NEGATIVE_INFINITY);
            max = a.f("max", Double.POSITIVE_INFINITY);
        } else {
            min = scalar(n, 1).orElse(Double.NEGATIVE_INFINITY);
            max = scalar(n, 2).orElse(Double.POSITIVE_INFINITY);
        }
        String fn = min == 0 && max == 6 ? "relu6" : (min == 0 && max == Double.POSITIVE_INFINITY ? "relu" : "clip");
        unary(n, name, fn);
    }

    Optional<Double> scalar(OnnxMl.NodeProto n, int i) {
        Optional<String> in = input(n, i);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        if (values.get(in.get()) instanceof Const c && c.tensor().known() && c.tensor().values().length == 1) {
            return Optional.of(c.tensor().values()[0]);
        }
        return Optional.of(Double.NaN); // a bound computed at run time: plain 'clip'
    }
}

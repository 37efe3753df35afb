package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Opaque vector operators: nodes SFD approximates as a vector op of the right output shape, and (with
 * unsupported=vector) the nodes it cannot map at all. Where the shapes show how an input follows the output
 * (elementwise with broadcasting, a window, an offset), the op reads its inputs by region and tiles like an
 * elementwise op; otherwise it reads them whole.
 */
final class OpaqueNodes extends NodeFamily {

    OpaqueNodes(ValueTable table) {
        super(table);
    }

    void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops) {
        opaque(n, name, inputs, out, fn, ops, null, List.of());
    }

    void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops,
                Const weight) {
        opaque(n, name, inputs, out, fn, ops, weight, List.of());
    }

    /**
     * Emits an opaque op of output shape {@code out} with {@code ops} vector ops per output element; {@code reads}
     * says per input how its axes follow the output (empty: the inputs are read whole). Listed in approximated().
     */
    void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops,
                Const weight, List<List<OpParams.Opaque.Access>> reads) {
        OpParams.Opaque p = new OpParams.Opaque(fn, out, ops, weight == null ? List.of() : weight.dims(), reads);
        emit(spec(name, OpKind.OPAQUE, inputs, n.getOutput(0), p, weight == null ? null : weight.name(), out));
        define(n.getOutput(0), out);
        approximated.add(new OnnxImport.Approximation(name, n.getOpType(), "opaque vector op '" + fn + "' " + out
                + (p.tiled() ? " tiled like its output (" + describe(reads) + ")" : " reading its inputs whole")
                + " (" + ops + " op(s) per output element)"));
    }

    /** A short text of the reads: per input, per axis {@code o2} (follows output axis 2), {@code 1}, {@code *}. */
    static String describe(List<List<OpParams.Opaque.Access>> reads) {
        List<String> parts = new ArrayList<>();
        for (List<OpParams.Opaque.Access> in : reads) {
            List<String> axes = new ArrayList<>();
            for (OpParams.Opaque.Access x : in) {
                if (x instanceof OpParams.Opaque.Access.Follow f) {
                    axes.add("o" + f.outAxis());
                } else if (x instanceof OpParams.Opaque.Access.Window w) {
                    axes.add("o" + w.outAxis() + (w.size() > 1 ? " window " + w.size() : "")
                            + (w.padBefore() != 0 ? " shifted " + (-w.padBefore()) : ""));
                } else {
                    axes.add(x instanceof OpParams.Opaque.Access.Broadcast ? "1" : "*");
                }
            }
            parts.add(in.isEmpty() ? "whole" : "[" + String.join(", ", axes) + "]");
        }
        return "reads " + String.join(", ", parts);
    }

    /**
     * Per input, how numpy broadcasting maps its axes to the output's (right-aligned: an axis of the output's size
     * follows it, a size-1 axis under a larger one is broadcast); empty when some input does not broadcast to
     * {@code out}.
     */
    static Optional<List<List<OpParams.Opaque.Access>>> broadcastReads(List<List<Integer>> inputs,
                                                                       List<Integer> out) {
        List<List<OpParams.Opaque.Access>> reads = new ArrayList<>();
        for (List<Integer> in : inputs) {
            if (in.size() > out.size()) {
                return Optional.empty();
            }
            int offset = out.size() - in.size();
            List<OpParams.Opaque.Access> acc = new ArrayList<>();
            for (int j = 0; j < in.size(); j++) {
                int d = in.get(j);
                int o = out.get(j + offset);
                if (d == o) {
                    acc.add(new OpParams.Opaque.Access.Follow(j + offset));
                } else if (d == 1) {
                    acc.add(new OpParams.Opaque.Access.Broadcast());
                } else {
                    return Optional.empty();
                }
            }
            reads.add(acc);
        }
        return Optional.of(reads);
    }

    boolean opaqueFallback(OnnxMl.NodeProto n, String name, String reason) {
        List<String> ins = new ArrayList<>();
        long weightElements = 0;
        for (String in : n.getInputList()) {
            Value v = values.get(in);
            if (v instanceof Act a && !ins.contains(a.tensor())) {
                ins.add(a.tensor());
            } else if (v instanceof Const c && c.tensor().elements() > 1) {
                weightElements += c.tensor().elements();
            }
        }
        List<List<Integer>> shapes = new ArrayList<>();
        for (String out : n.getOutputList()) {
            if (out.isEmpty() || !used(out)) {
                shapes.add(null);
                continue;
            }
            List<Integer> s = table.declaredShapes.get(out);
            if (s == null || s.isEmpty() || s.size() > 4) {
                table.problems.add("node '" + n.getName() + "' (" + ValueTable.nodeType(n) + "): " + reason + "; as a vector op it "
                        + "needs a static shape of rank 1 to 4 for output '" + out + "', but the model declares "
                        + (s == null ? "none" : s)
                        + "\n  Maybe run ONNX shape inference on the model first (onnx.shape_inference.infer_shapes).");
                table.failed.addAll(n.getOutputList());
                return true;
            }
            List<Integer> fixed = new ArrayList<>(s);
            if (fixed.get(0) < 1) {
                fixed.set(0, table.batch);
            }
            if (fixed.contains(-1)) {
                table.problems.add("node '" + n.getName() + "' (" + ValueTable.nodeType(n) + "): " + reason + "; output '" + out
                        + "' has dynamic dimensions " + s + " in the model, so the vector op cannot be sized");
                table.failed.addAll(n.getOutputList());
                return true;
            }
            shapes.add(fixed);
        }
        for (int k = 0; k < n.getOutputCount(); k++) {
            if (shapes.get(k) == null) {
                continue;
            }
            String opName = k == 0 ? name : name + "#" + k;
            List<Integer> w = k == 0 && weightElements > 0 ? List.of(toInt(weightElements, "weights")) : List.of();
            emit(spec(opName, OpKind.OPAQUE, ins, n.getOutput(k), new OpParams.Opaque(n.getOpType().toLowerCase(),
                    shapes.get(k), 1, w), null, shapes.get(k)));
            define(n.getOutput(k), shapes.get(k));
        }
        approximated.add(new OnnxImport.Approximation(name, ValueTable.nodeType(n), "opaque vector op per output " + shapes
                + " (1 op per output element" + (weightElements > 0 ? ", " + weightElements + " constant elements "
                + "as one weight" : "") + "), because: " + reason));
        return true;
    }
}

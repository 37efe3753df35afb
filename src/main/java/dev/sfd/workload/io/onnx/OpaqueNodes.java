package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.NetworkBuilder;
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
        opaque(n, 0, name, inputs, out, fn, ops, weight, reads);
    }

    /** As {@link #opaque(OnnxMl.NodeProto, String, List, List, String, int, Const, List)} for output {@code k}. */
    void opaque(OnnxMl.NodeProto n, int k, String name, List<String> inputs, List<Integer> out, String fn, int ops,
                Const weight, List<List<OpParams.Opaque.Access>> reads) {
        OpParams.Opaque p = new OpParams.Opaque(fn, out, ops, weight == null ? List.of() : weight.dims(), reads);
        emit(spec(name, OpKind.OPAQUE, inputs, n.getOutput(k), p, weight == null ? null : weight.name(), out));
        define(n.getOutput(k), out);
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

    /**
     * With unsupported=vector: a node SFD cannot map becomes an opaque vector op per used output, of the shape
     * {@link ShapeInference#infer} gives (for operator types SFD knows) or else the model's value_info. When the
     * shapes show the op is elementwise (each activation input broadcasts to the output), it reads its inputs by
     * region; otherwise whole. Non-scalar constant inputs are counted as one weight tensor.
     */
    boolean opaqueFallback(OnnxMl.NodeProto n, String name, String reason) {
        List<String> ins = new ArrayList<>();
        List<List<Integer>> inShapes = new ArrayList<>();
        long weightElements = 0;
        for (String in : n.getInputList()) {
            Value v = values.get(in);
            if (v instanceof Act a && !ins.contains(a.tensor())) {
                ins.add(a.tensor());
                inShapes.add(a.shape());
            } else if (v instanceof Const c && c.tensor().elements() > 1) {
                weightElements += c.tensor().elements();
            }
        }
        Optional<List<List<Integer>>> inferred = table.inferShapes(n);
        List<List<Integer>> shapes = new ArrayList<>();
        for (int k = 0; k < n.getOutputCount(); k++) {
            String out = n.getOutput(k);
            if (out.isEmpty() || !used(out)) {
                shapes.add(null);
                continue;
            }
            List<Integer> s = inferred.isPresent() && k < inferred.get().size() ? inferred.get().get(k)
                    : table.declaredShapes.get(out);
            if (s != null && s.isEmpty() && inferred.isPresent()) {
                s = List.of(1); // a scalar: SFD holds it as [1]
            }
            String what = "node '" + displayName(n, indexOf(n)) + "' (" + ValueTable.nodeType(n) + "): " + reason;
            if (s == null || s.isEmpty() || s.size() > NetworkBuilder.MAX_COMPUTE_RANK) {
                table.problems.add(what + "; as a vector op it needs a static shape of rank 1 to "
                        + NetworkBuilder.MAX_COMPUTE_RANK + " for output '" + out + "', but SFD cannot infer it and "
                        + "the model declares " + (s == null ? "none" : s)
                        + "\n  Maybe run ONNX shape inference on the model first (onnx.shape_inference.infer_shapes).");
                table.failed.addAll(n.getOutputList());
                return true;
            }
            if (s.get(0) < 1) {
                s = new ArrayList<>(s);
                s.set(0, table.batch); // a dynamic axis 0 in value_info: the batch, as for the graph inputs
            }
            if (s.contains(-1)) {
                table.problems.add(what + "; output '" + out + "' has dynamic dimensions " + s + " in the model, "
                        + "so the vector op cannot be sized\n  Maybe run ONNX shape inference on the model with "
                        + "static input shapes first.");
                table.failed.addAll(n.getOutputList());
                return true;
            }
            shapes.add(s);
        }
        List<String> kinds = new ArrayList<>();
        for (int k = 0; k < n.getOutputCount(); k++) {
            if (shapes.get(k) == null) {
                continue;
            }
            String opName = k == 0 ? name : name + "#" + k;
            List<Integer> w = k == 0 && weightElements > 0 ? List.of(toInt(weightElements, "weights")) : List.of();
            List<List<OpParams.Opaque.Access>> reads = broadcastReads(inShapes, shapes.get(k)).orElse(List.of());
            kinds.add(reads.isEmpty() ? "reading its inputs whole" : "tiled like its output, elementwise");
            emit(spec(opName, OpKind.OPAQUE, ins, n.getOutput(k), new OpParams.Opaque(n.getOpType().toLowerCase(),
                    shapes.get(k), 1, w, reads), null, shapes.get(k)));
            define(n.getOutput(k), shapes.get(k));
        }
        approximated.add(new OnnxImport.Approximation(name, ValueTable.nodeType(n), "opaque vector op per output "
                + shapes + " " + String.join(", ", kinds) + " (1 op per output element"
                + (weightElements > 0 ? ", " + weightElements + " constant elements as one weight" : "")
                + "; shapes " + (inferred.isPresent() ? "inferred" : "from value_info") + "), because: " + reason));
        return true;
    }
}

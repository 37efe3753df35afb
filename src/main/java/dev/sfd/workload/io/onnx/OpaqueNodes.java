package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.List;

import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Opaque vector operators: nodes SFD approximates as a vector op of the right output shape, and (with unsupported=vector) the nodes it cannot map at all.
 */
final class OpaqueNodes extends NodeFamily {

    OpaqueNodes(ValueTable table) {
        super(table);
    }

    void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops) {
        opaque(n, name, inputs, out, fn, ops, null);
    }

    void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops,
                        Const weight) {
        emit(spec(name, OpKind.OPAQUE, inputs, n.getOutput(0), new OpParams.Opaque(fn, out, ops,
                weight == null ? List.of() : weight.dims()), weight == null ? null : weight.name(), out));
        define(n.getOutput(0), out);
        approximated.add(new OnnxImport.Approximation(name, n.getOpType(), "opaque vector op '" + fn + "' " + out
                + " reading its inputs whole (" + ops + " op(s) per output element)"));
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

package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.sfd.workload.io.onnx.ShapeInference.axis;

/**
 * Base of the node families (convolution, matmul, elementwise, normalisation, layout, resize, opaque): the
 * value table they read and write, under the names the handlers use.
 */
abstract class NodeFamily {
    final ValueTable table;
    final OnnxMl.GraphProto graph;
    final long opset;
    final Map<String, Value> values;
    final LinkedHashMap<String, OperatorSpec> specs;
    final Map<String, String> producerSpec;
    final Map<String, List<Integer>> consumers;
    final Set<String> graphOutputs;
    final Set<Integer> absorbed;
    final List<OnnxImport.Folding> folded;
    final List<OnnxImport.Approximation> approximated;

    NodeFamily(ValueTable table) {
        this.table = table;
        this.graph = table.graph;
        this.opset = table.opset;
        this.values = table.values;
        this.specs = table.specs;
        this.producerSpec = table.producerSpec;
        this.consumers = table.consumers;
        this.graphOutputs = table.graphOutputs;
        this.absorbed = table.absorbed;
        this.folded = table.folded;
        this.approximated = table.approximated;
    }

    Act act(OnnxMl.NodeProto n, int i) {
        return table.act(n, i);
    }

    Optional<String> input(OnnxMl.NodeProto n, int i) {
        return table.input(n, i);
    }

    Optional<Const> constInput(OnnxMl.NodeProto n, int i) {
        return table.constInput(n, i);
    }

    Const weightInput(OnnxMl.NodeProto n, int i, String what) {
        return table.weightInput(n, i, what);
    }

    Optional<List<Long>> longsInput(OnnxMl.NodeProto n, int i, String what) {
        return table.longsInput(n, i, what);
    }

    Optional<List<Double>> doublesInput(OnnxMl.NodeProto n, int i, String what) {
        return table.doublesInput(n, i, what);
    }

    List<Integer> dimsOf(String value) {
        return table.dimsOf(value);
    }

    boolean used(String value) {
        return table.used(value);
    }

    boolean singleConsumer(String value) {
        return table.singleConsumer(value);
    }

    Optional<Integer> onlyConsumer(String value) {
        return table.onlyConsumer(value);
    }

    Optional<OnnxMl.NodeProto> only(String value, String opType) {
        return table.only(value, opType);
    }

    void alias(String output, Act a) {
        table.alias(output, a);
    }

    Act define(String output, List<Integer> shape) {
        return table.define(output, shape);
    }

    void emit(OperatorSpec spec) {
        table.emit(spec);
    }

    static OperatorSpec spec(String name, OpKind kind, List<String> inputs, String output, OpParams p,
                             String weightName, List<Integer> shape) {
        return ValueTable.spec(name, kind, inputs, output, p, weightName, shape);
    }

    double constValue(String value) {
        return table.constValue(value);
    }

    int indexOf(OnnxMl.NodeProto nd) {
        return table.indexOf(nd);
    }

    static String displayName(OnnxMl.NodeProto n, int index) {
        return ValueTable.displayName(n, index);
    }

    /** The axes a Reduce* node reduces (attribute, or input from opset 18 and ReduceSum 13), sorted. */
    List<Integer> reduceAxes(OnnxMl.NodeProto n, Attributes a, int rank) {
        Optional<List<Long>> axes = opset >= 18 || (n.getOpType().equals("ReduceSum") && opset >= 13)
                ? longsInput(n, 1, "axes") : a.ints("axes");
        List<Integer> out = new ArrayList<>();
        if (axes.isEmpty() || axes.get().isEmpty()) {
            if (a.i("noop_with_empty_axes", 0) != 0) {
                return out;
            }
            for (int i = 0; i < rank; i++) {
                out.add(i);
            }
            return out;
        }
        for (long v : axes.get()) {
            int ax = axis(v, rank);
            if (!out.contains(ax)) {
                out.add(ax);
            }
        }
        out.sort(null);
        return out;
    }
}

package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.sfd.workload.io.onnx.ShapeInference.product;

/**
 * The value table of one import: every ONNX value is either an activation (an SFD tensor with a static shape) or
 * a constant (initializer, Constant node, or folded shape arithmetic). It also holds what the import has produced
 * so far (operator specs, folded and approximated nodes, problems) and the graph facts the node families ask
 * about (who reads a value, which values are graph outputs, the shapes the model declares).
 */
final class ValueTable {
    private static final Logger LOGGER = LogManager.getLogger(OnnxGraphTranslator.class);

    /** A value of the graph. */
    sealed interface Value permits Act, Const {
    }

    /** An activation: SFD tensor {@code tensor} with a static shape. */
    record Act(String tensor, List<Integer> shape) implements Value {
        int rank() {
            return shape.size();
        }

        long elements() {
            return product(shape, 0, shape.size());
        }
    }

    /** A constant named {@code name} (the weight name when it becomes a weight). */
    record Const(String name, ConstTensor tensor) implements Value {
        List<Integer> dims() {
            return tensor.dims();
        }
    }

    final String source;
    final OnnxMl.GraphProto graph;
    final long opset;
    final boolean unsupportedAsVector;

    final Map<String, Value> values = new HashMap<>();
    final Set<String> failed = new HashSet<>();
    final LinkedHashMap<String, OperatorSpec> specs = new LinkedHashMap<>();
    /** SFD activation tensor -> name of the spec producing it. */
    final Map<String, String> producerSpec = new HashMap<>();
    /** ONNX value -> indices of the nodes reading it. */
    final Map<String, List<Integer>> consumers = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();
    final Map<String, List<Integer>> declaredShapes = new HashMap<>();
    final Set<Integer> absorbed = new HashSet<>();
    final Set<String> opNames = new HashSet<>();
    final List<String> problems = new ArrayList<>();
    final List<OnnxImport.Folding> folded = new ArrayList<>();
    final List<OnnxImport.Approximation> approximated = new ArrayList<>();
    int batch = 1;
    int modelBatch = 1;
    /** Whether the inputs have the shapes the model declares, so that its value_info must agree with inference. */
    boolean crossCheck = true;
    /** Values whose inferred shape was compared with a static shape in the model's value_info or outputs. */
    int checkedShapes;
    /** Disagreements between inferred and declared shapes, one line each. */
    final List<String> conflicts = new ArrayList<>();

    ValueTable(String source, OnnxMl.GraphProto graph, long opset, boolean unsupportedAsVector) {
        this.source = source;
        this.graph = graph;
        this.opset = opset;
        this.unsupportedAsVector = unsupportedAsVector;
    }

    Act act(OnnxMl.NodeProto n, int i) {
        String in = input(n, i).orElseThrow(() -> new Unmappable("input " + i + " is missing"));
        Value v = values.get(in);
        if (v instanceof Act a) {
            return a;
        }
        throw new Unmappable("input '" + in + "' is a constant; SFD expects an activation there");
    }

    Optional<String> input(OnnxMl.NodeProto n, int i) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? Optional.of(n.getInput(i)) : Optional.empty();
    }

    Optional<Const> constInput(OnnxMl.NodeProto n, int i) {
        return input(n, i).map(values::get).filter(Const.class::isInstance).map(Const.class::cast);
    }

    Const weightInput(OnnxMl.NodeProto n, int i, String what) {
        String in = input(n, i).orElseThrow(() -> new Unmappable("the " + what + " input is missing"));
        if (values.get(in) instanceof Const c) {
            return c;
        }
        throw new Unmappable("the " + what + " '" + in + "' is computed at run time; SFD imports constant "
                + what + "s (initializers or Constant nodes) only");
    }

    /** Values of a small constant input (shape, axes, pads...), or empty when the input is absent. */
    Optional<List<Long>> longsInput(OnnxMl.NodeProto n, int i, String what) {
        Optional<String> in = input(n, i);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        if (!(values.get(in.get()) instanceof Const c)) {
            throw new Unmappable("its " + what + " '" + in.get() + "' is computed at run time from activations; "
                    + "SFD needs it constant\n  Maybe give every input a static shape (--input-shape) so that "
                    + "shape arithmetic folds.");
        }
        return Optional.of(c.tensor().longs().orElseThrow(() -> new Unmappable("its " + what + " '" + in.get()
                + "' has no values SFD can read (" + (isGraphInput(in.get()) ? "a graph input, known only at run "
                + "time" : "external data") + ")")));
    }

    Optional<List<Double>> doublesInput(OnnxMl.NodeProto n, int i, String what) {
        Optional<String> in = input(n, i);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        if (!(values.get(in.get()) instanceof Const c) || !c.tensor().known()) {
            throw new Unmappable("its " + what + " '" + in.get() + "' is not a constant with values SFD can read"
                    + (isGraphInput(in.get()) ? " (a graph input, known only at run time)" : ""));
        }
        List<Double> out = new ArrayList<>();
        for (double v : c.tensor().values()) {
            out.add(v);
        }
        return Optional.of(out);
    }

    boolean isGraphInput(String value) {
        return graph.getInputList().stream().anyMatch(v -> v.getName().equals(value));
    }

    List<Integer> dimsOf(String value) {
        Value v = values.get(value);
        return v instanceof Act a ? a.shape() : ((Const) v).dims();
    }

    boolean used(String value) {
        return consumers.containsKey(value) || graphOutputs.contains(value);
    }

    /** Only one node reads {@code value} (once or more) and it is not a graph output. */
    boolean singleConsumer(String value) {
        List<Integer> c = consumers.getOrDefault(value, List.of());
        return !graphOutputs.contains(value) && !c.isEmpty() && c.stream().distinct().count() == 1;
    }

    /** The single node reading {@code value}, if exactly one node does (possibly several times). */
    Optional<Integer> onlyConsumer(String value) {
        if (graphOutputs.contains(value)) {
            return Optional.empty();
        }
        List<Integer> c = consumers.getOrDefault(value, List.of());
        return c.isEmpty() || c.stream().distinct().count() != 1 ? Optional.empty() : Optional.of(c.get(0));
    }

    Optional<OnnxMl.NodeProto> only(String value, String opType) {
        return onlyConsumer(value).map(graph::getNode).filter(nd -> nd.getOpType().equals(opType));
    }

    void alias(String output, Act a) {
        values.put(output, a);
        LOGGER.debug("Value ({}) is an alias of ({})", output, a.tensor());
    }

    Act define(String output, List<Integer> shape) {
        crossCheck(output, shape);
        Act a = new Act(output, List.copyOf(shape));
        values.put(output, a);
        return a;
    }

    void emit(OperatorSpec spec) {
        specs.put(spec.name(), spec);
        for (String o : spec.outputs()) {
            producerSpec.put(o, spec.name());
        }
        LOGGER.debug("Operator ({}) {} {} -> {} {}", spec.name(), spec.kind().id(), spec.inputs(), spec.outputs(),
                spec.declaredShapes());
    }

    static OperatorSpec spec(String name, OpKind kind, List<String> inputs, String output, OpParams p,
                                     String weightName, List<Integer> shape) {
        return new OperatorSpec(name, kind, inputs, List.of(output), p, false, weightName, List.of(shape));
    }

    double constValue(String value) {
        if (values.get(value) instanceof Const c && c.tensor().known() && c.tensor().values().length == 1) {
            return c.tensor().values()[0];
        }
        return Double.NaN;
    }

    int indexOf(OnnxMl.NodeProto nd) {
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i) == nd) {
                return i;
            }
        }
        throw new IllegalStateException("node not in graph");
    }

    static String displayName(OnnxMl.NodeProto n, int index) {
        return n.getName().isEmpty() ? n.getOpType() + "#" + index : n.getName();
    }

    static String nodeType(OnnxMl.NodeProto n) {
        String d = n.getDomain();
        return d.isEmpty() || d.equals("ai.onnx") ? n.getOpType() : d + "." + n.getOpType();
    }

    /**
     * The output shapes of a default-domain node by {@link ShapeInference#infer}, from the shapes of its inputs
     * in this table and the values of its constant inputs; empty for other domains or when it cannot tell.
     */
    Optional<List<List<Integer>>> inferShapes(OnnxMl.NodeProto n) {
        String d = n.getDomain();
        if (!d.isEmpty() && !d.equals("ai.onnx")) {
            return Optional.empty();
        }
        List<List<Integer>> in = new ArrayList<>();
        for (String name : n.getInputList()) {
            Value v = name.isEmpty() ? null : values.get(name);
            in.add(v instanceof Act a ? a.shape() : v instanceof Const c ? c.dims() : null);
        }
        return ShapeInference.infer(n.getOpType(), new Attributes(n), opset, in, i -> {
            if (i >= n.getInputCount() || !(values.get(n.getInput(i)) instanceof Const c) || !c.tensor().known()) {
                return Optional.empty();
            }
            return Optional.of(c.tensor().values());
        }, n.getOutputCount());
    }

    /**
     * Compares an inferred shape with the one the model declares for the value (value_info or graph outputs), on
     * the dims the model gives statically; a disagreement is recorded (and logged), never an error: inference is
     * what the import uses.
     */
    void crossCheck(String value, List<Integer> inferred) {
        List<Integer> declared = declaredShapes.get(value);
        if (!crossCheck || declared == null) {
            return;
        }
        checkedShapes++;
        if (declared.isEmpty()) {
            declared = List.of(1); // SFD holds a scalar as [1]
        }
        boolean agree = declared.size() == inferred.size();
        for (int i = 0; agree && i < declared.size(); i++) {
            agree = declared.get(i) < 1 || declared.get(i).equals(inferred.get(i));
        }
        if (!agree) {
            String line = "value '" + value + "': inferred " + inferred + ", the model declares "
                    + declaredShapes.get(value);
            conflicts.add(line);
            LOGGER.warn("({}) {}", source, line);
        }
    }
}

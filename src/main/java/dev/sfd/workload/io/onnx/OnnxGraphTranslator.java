package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.NetworkBuilder;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.Resampling;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps an ONNX graph to SFD operator specs and builds the {@link Network}. Nodes are visited in the graph's
 * order (ONNX requires it to be topological). Every value is either an activation (an SFD tensor with a
 * static shape) or a constant (initializer, Constant node, or folded shape arithmetic). Shapes are inferred
 * here, node by node, and passed to {@link NetworkBuilder} as declared shapes, so that the builder
 * re-checks every one of them. docs/onnx-import.md lists the mapping.
 */
public final class OnnxGraphTranslator {
    private static final Logger LOGGER = LogManager.getLogger();

    /** Operator types of the default domain that the importer maps (see docs/onnx-import.md). */
    public static final Set<String> SUPPORTED = Set.of(
            "Conv", "ConvTranspose", "Gemm", "MatMul",
            "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Mean",
            "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Gelu", "Tanh", "Erf", "Exp", "Sqrt", "Neg", "Abs",
            "Reciprocal", "LeakyRelu", "Elu", "Selu", "Softplus", "Softsign", "Log", "Floor", "Ceil", "Round", "Sign",
            "BatchNormalization", "LayerNormalization",
            "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
            "Softmax", "LogSoftmax",
            "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
            "ReduceSumSquare", "ReduceLogSumExp",
            "Concat", "Reshape", "Flatten", "Transpose", "Split", "Slice", "Squeeze", "Unsqueeze",
            "Resize", "Upsample", "Pad", "Expand", "Tile", "Gather",
            "Constant", "ConstantOfShape", "Identity", "Dropout", "Cast", "Shape", "Size");

    private static final Map<String, String> UNARY = Map.ofEntries(
            Map.entry("Relu", "relu"), Map.entry("Sigmoid", "sigmoid"), Map.entry("HardSigmoid", "hardsigmoid"),
            Map.entry("HardSwish", "hardswish"), Map.entry("Gelu", "gelu"), Map.entry("Tanh", "tanh"),
            Map.entry("Erf", "erf"), Map.entry("Exp", "exp"), Map.entry("Sqrt", "sqrt"), Map.entry("Neg", "neg"),
            Map.entry("Abs", "abs"), Map.entry("Reciprocal", "reciprocal"));

    /** Cheap elementwise functions with no SFD name: imported as the {@code opaque} unary function. */
    private static final Set<String> OTHER_UNARY = Set.of("LeakyRelu", "Elu", "Selu", "Softplus", "Softsign",
            "Log", "Floor", "Ceil", "Round", "Sign");

    private static final Map<String, String> BINARY = Map.of("Add", "add", "Sub", "sub", "Mul", "mul", "Div", "div",
            "Max", "max", "Min", "min", "Sum", "add", "Mean", "add", "Pow", "pow");

    /** A value of the graph. */
    private sealed interface Value permits Act, Const {
    }

    /** An activation: SFD tensor {@code tensor} with a static shape (batch = axis 0). */
    private record Act(String tensor, List<Integer> shape) implements Value {
        int rank() {
            return shape.size();
        }

        long elements() {
            return product(shape, 0, shape.size());
        }
    }

    /** A constant named {@code name} (the weight name when it becomes a weight). */
    private record Const(String name, ConstTensor tensor) implements Value {
        List<Integer> dims() {
            return tensor.dims();
        }
    }

    /** A supported operator type in a configuration SFD cannot represent; the message says why. */
    private static final class Unmappable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unmappable(String message) {
            super(message, null, false, false);
        }
    }

    private final String source;
    private final OnnxMl.ModelProto model;
    private final OnnxMl.GraphProto graph;
    private final Integer batchOption;
    private final Map<String, List<Integer>> inputShapes;
    private final boolean unsupportedAsVector;
    private final long opset;

    private final Map<String, Value> values = new HashMap<>();
    private final Set<String> failed = new HashSet<>();
    private final LinkedHashMap<String, OperatorSpec> specs = new LinkedHashMap<>();
    /** SFD activation tensor -> name of the spec producing it. */
    private final Map<String, String> producerSpec = new HashMap<>();
    /** ONNX value -> indices of the nodes reading it. */
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Map<String, List<Integer>> declaredShapes = new HashMap<>();
    private final Set<Integer> absorbed = new HashSet<>();
    private final Set<String> opNames = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final List<OnnxImport.Folding> folded = new ArrayList<>();
    private final List<OnnxImport.Approximation> approximated = new ArrayList<>();
    private int batch = 1;
    private int modelBatch = 1;

    private OnnxGraphTranslator(String source, OnnxMl.ModelProto model, Integer batch,
                                Map<String, List<Integer>> inputShapes, boolean unsupportedAsVector) {
        this.source = source;
        this.model = model;
        this.graph = model.getGraph();
        this.batchOption = batch;
        this.inputShapes = Map.copyOf(inputShapes);
        this.unsupportedAsVector = unsupportedAsVector;
        long v = 0;
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                v = o.getVersion();
            }
        }
        this.opset = v == 0 ? 1 : v;
    }

    /**
     * Translates a parsed model.
     *
     * @param source file name used in messages
     * @param batch batch size replacing axis 0 of every input, or null to keep the model's (1 when dynamic)
     * @param inputShapes full shapes of inputs, by name (for dynamic dims)
     * @param unsupportedAsVector import unsupported operators as opaque vector ops instead of failing
     */
    public static OnnxImport translate(String source, OnnxMl.ModelProto model, Integer batch,
                                       Map<String, List<Integer>> inputShapes, boolean unsupportedAsVector) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(inputShapes, "inputShapes");
        return new OnnxGraphTranslator(source, model, batch, inputShapes, unsupportedAsVector).run();
    }

    private OnnxImport run() {
        if (!unsupportedAsVector) {
            rejectUnsupported();
        }
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            values.put(t.getName(), new Const(t.getName(), decode(t)));
        }
        for (OnnxMl.ValueInfoProto v : graph.getValueInfoList()) {
            declaredShape(v).ifPresent(s -> declaredShapes.put(v.getName(), s));
        }
        for (OnnxMl.ValueInfoProto v : graph.getOutputList()) {
            graphOutputs.add(v.getName());
            declaredShape(v).ifPresent(s -> declaredShapes.putIfAbsent(v.getName(), s));
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            for (String in : graph.getNode(i).getInputList()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        // Constant nodes have no inputs: evaluate them first, so that patterns can read constants that the
        // exporter placed after the first node of the pattern.
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Constant") && supported(n) && n.getInputCount() == 0) {
                visit(i);
                absorbed.add(i);
            }
        }
        NetworkBuilder builder = new NetworkBuilder(source);
        builder.name(stem(source));
        builder.description("imported from ONNX" + (graph.getName().isBlank() ? "" : " graph '" + graph.getName() + "'")
                + " (" + (model.getProducerName().isEmpty() ? "unknown producer"
                : model.getProducerName() + " " + model.getProducerVersion()) + ", opset " + opset + ")");
        resolveInputs(builder);
        builder.batch(batch);
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (!absorbed.contains(i)) {
                visit(i);
            }
        }
        for (OperatorSpec s : specs.values()) {
            builder.operator(s);
        }
        Set<String> outs = new HashSet<>();
        for (OnnxMl.ValueInfoProto o : graph.getOutputList()) {
            Value v = values.get(o.getName());
            if (v instanceof Act a && outs.add(a.tensor())) {
                builder.output(a.tensor());
            } else if (v instanceof Const) {
                LOGGER.debug("Graph output ({}) is a constant; it is not an output of the SFD network", o.getName());
            }
        }
        for (String p : problems) {
            builder.problem(p);
        }
        Network network = builder.build();
        LOGGER.debug("Imported ({}) ONNX nodes as ({}) operators; folded ({}), approximated ({})",
                graph.getNodeCount(), network.operators().size(), folded.size(), approximated.size());
        return new OnnxImport(network, folded, approximated);
    }

    // ---------------------------------------------------------------- model-level checks

    private static String nodeType(OnnxMl.NodeProto n) {
        String d = n.getDomain();
        return d.isEmpty() || d.equals("ai.onnx") ? n.getOpType() : d + "." + n.getOpType();
    }

    private static boolean supported(OnnxMl.NodeProto n) {
        String d = n.getDomain();
        return (d.isEmpty() || d.equals("ai.onnx")) && SUPPORTED.contains(n.getOpType());
    }

    private void rejectUnsupported() {
        Map<String, List<String>> bad = new TreeMap<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            if (!supported(n)) {
                bad.computeIfAbsent(nodeType(n), k -> new ArrayList<>()).add(displayName(n, i));
            }
        }
        if (bad.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : bad.entrySet()) {
            List<String> names = e.getValue();
            int n = names.size();
            List<String> shown = names.subList(0, Math.min(3, n));
            lines.add("unsupported operator " + e.getKey() + " (" + n + (n == 1 ? " node" : " nodes") + ": '"
                    + String.join("', '", shown) + "'" + (n > 3 ? ", ..." : "") + ")");
        }
        int last = lines.size() - 1;
        lines.set(last, lines.get(last) + "\n  Maybe import with unsupported=vector (--unsupported vector) to "
                + "approximate them as opaque vector ops sized from the model's value_info.");
        throw new InvalidInputException(source, lines);
    }

    private static String displayName(OnnxMl.NodeProto n, int index) {
        return n.getName().isEmpty() ? n.getOpType() + "#" + index : n.getName();
    }

    private static String stem(String source) {
        String f = source.replace('\\', '/');
        f = f.substring(f.lastIndexOf('/') + 1);
        return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
    }

    /** Shape of a value info with -1 for dynamic dims; empty when it has no shape. */
    private static Optional<List<Integer>> declaredShape(OnnxMl.ValueInfoProto v) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return Optional.empty();
        }
        List<Integer> dims = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            dims.add(d.hasDimValue() && d.getDimValue() > 0 && d.getDimValue() <= Integer.MAX_VALUE
                    ? (int) d.getDimValue() : -1);
        }
        return Optional.of(dims);
    }

    private void resolveInputs(NetworkBuilder builder) {
        Set<String> init = new HashSet<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            init.add(t.getName());
        }
        List<String> errors = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        for (OnnxMl.ValueInfoProto in : graph.getInputList()) {
            if (init.contains(in.getName())) {
                continue;
            }
            names.add(in.getName());
            if (!in.getType().hasTensorType()) {
                errors.add("input '" + in.getName() + "' is not a tensor; SFD imports tensor inputs only");
                continue;
            }
            List<Integer> given = inputShapes.get(in.getName());
            Optional<List<Integer>> declared = declaredShape(in);
            List<Integer> shape;
            if (given != null) {
                if (declared.isPresent() && declared.get().size() != given.size()) {
                    errors.add("option --input-shape gives input '" + in.getName() + "' shape " + given
                            + " of rank " + given.size() + ", but the model declares rank " + declared.get().size()
                            + " " + dimsText(in));
                    continue;
                }
                shape = new ArrayList<>(given);
            } else if (declared.isEmpty()) {
                errors.add("input '" + in.getName() + "' has no declared shape"
                        + "\n  Maybe give it with --input-shape " + in.getName() + "=1x3x224x224 (your shape).");
                continue;
            } else {
                shape = new ArrayList<>(declared.get());
            }
            if (!shape.isEmpty() && shape.get(0) < 1) {
                shape.set(0, batchOption != null ? batchOption : 1);
            }
            List<Integer> dynamic = new ArrayList<>();
            for (int i = 1; i < shape.size(); i++) {
                if (shape.get(i) < 1) {
                    dynamic.add(i);
                }
            }
            if (!dynamic.isEmpty()) {
                List<String> example = new ArrayList<>();
                for (int d : shape) {
                    example.add(d < 1 ? "?" : String.valueOf(d));
                }
                errors.add("input '" + in.getName() + "' has dynamic dimensions at axes " + dynamic + " "
                        + dimsText(in) + "; SFD needs static shapes"
                        + "\n  Maybe give them with --input-shape " + in.getName() + "=" + String.join("x", example)
                        + " (replace each ? by a size).");
                continue;
            }
            shapes.put(in.getName(), shape);
        }
        for (String k : inputShapes.keySet()) {
            if (!names.contains(k)) {
                errors.add("option --input-shape names '" + k + "', which is not an input of the model; inputs are "
                        + names);
            }
        }
        if (names.isEmpty()) {
            errors.add("the graph has no input (every graph input is an initializer)");
        }
        Set<String> parameters = new HashSet<>();
        if (errors.isEmpty()) {
            for (String k : shapes.keySet()) {
                if (readInWeightSlot(k) || shapes.get(k).isEmpty()) {
                    parameters.add(k);
                }
            }
            Optional<String> firstAct = shapes.keySet().stream().filter(k -> !parameters.contains(k)).findFirst();
            if (firstAct.isEmpty()) {
                errors.add("the graph has no activation input: inputs " + names + " are all read as weights or "
                        + "are scalars");
            } else {
                int first0 = shapes.get(firstAct.get()).get(0);
                for (String k : shapes.keySet()) {
                    if (!parameters.contains(k) && shapes.get(k).get(0) != first0 && batchOption == null) {
                        parameters.add(k); // its axis 0 is not the batch: a parameter fed at run time
                    }
                }
            }
        }
        for (String k : parameters) {
            List<Integer> dims = shapes.remove(k);
            values.put(k, new Const(k, new ConstTensor(dims, null)));
            approximated.add(new OnnxImport.Approximation(k, "graph input", "constant weight tensor " + dims
                    + " (read as a weight, or its axis 0 is not the batch)"));
            LOGGER.debug("Graph input ({}) {} is imported as a constant weight tensor", k, dims);
        }
        if (errors.isEmpty()) {
            Map.Entry<String, List<Integer>> first = shapes.entrySet().iterator().next();
            List<Integer> firstDeclared = declaredShape(graph.getInputList().stream()
                    .filter(v -> v.getName().equals(first.getKey())).findFirst().orElseThrow()).orElse(List.of());
            modelBatch = !firstDeclared.isEmpty() && firstDeclared.get(0) > 0 ? firstDeclared.get(0)
                    : first.getValue().get(0);
            batch = batchOption != null ? batchOption : first.getValue().get(0);
            for (Map.Entry<String, List<Integer>> e : shapes.entrySet()) {
                List<Integer> s = e.getValue();
                if (batchOption == null && s.get(0) != batch) {
                    errors.add("input '" + e.getKey() + "' has size " + s.get(0) + " on axis 0 but input '"
                            + first.getKey() + "' has " + batch + "; SFD treats axis 0 of every input as the batch");
                }
                s.set(0, batch);
            }
        }
        if (batchOption != null && batchOption < 1) {
            errors.add("option --batch has value (" + batchOption + "); batch must be >= 1");
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(source, errors);
        }
        for (Map.Entry<String, List<Integer>> e : shapes.entrySet()) {
            builder.input(e.getKey(), e.getValue());
            values.put(e.getKey(), new Act(e.getKey(), List.copyOf(e.getValue())));
            LOGGER.debug("Input ({}) has shape ({})", e.getKey(), e.getValue());
        }
    }

    /** Weight positions: inputs of these operator types at these indices are parameters, not activations. */
    private static final Map<String, Set<Integer>> WEIGHT_SLOTS = Map.of(
            "Conv", Set.of(1, 2), "ConvTranspose", Set.of(1, 2), "Gemm", Set.of(1, 2),
            "BatchNormalization", Set.of(1, 2, 3, 4), "LayerNormalization", Set.of(1, 2));

    /** A graph input that some node reads in a weight position (tests feed weights as inputs). */
    private boolean readInWeightSlot(String value) {
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            Set<Integer> slots = WEIGHT_SLOTS.getOrDefault(n.getOpType(), Set.of());
            for (int k = 0; k < n.getInputCount(); k++) {
                if (slots.contains(k) && n.getInput(k).equals(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String dimsText(OnnxMl.ValueInfoProto v) {
        List<String> out = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            out.add(d.hasDimValue() ? String.valueOf(d.getDimValue())
                    : d.hasDimParam() ? "'" + d.getDimParam() + "'" : "?");
        }
        return "[" + String.join(", ", out) + "]";
    }

    // ---------------------------------------------------------------- node dispatch

    private String uniqueOpName(OnnxMl.NodeProto n, int index) {
        String base = n.getName().isEmpty() ? n.getOpType().toLowerCase() + "_" + index : n.getName();
        String name = base;
        for (int k = 2; !opNames.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private void visit(int index) {
        OnnxMl.NodeProto node = graph.getNode(index);
        String type = nodeType(node);
        for (String in : node.getInputList()) {
            if (in.isEmpty() || values.containsKey(in)) {
                continue;
            }
            if (!failed.contains(in)) {
                problems.add("node '" + displayName(node, index) + "' (" + type + ") reads '" + in
                        + "', which is neither a graph input, an initializer nor the output of an earlier node");
            }
            failed.addAll(node.getOutputList());
            return;
        }
        String name = uniqueOpName(node, index);
        try {
            if (!supported(node)) {
                throw new Unmappable("unsupported operator " + type);
            }
            boolean allConst = node.getInputCount() > 0;
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && !(values.get(in) instanceof Const)) {
                    allConst = false;
                }
            }
            if (allConst && !node.getOpType().equals("Shape") && !node.getOpType().equals("Size")) {
                foldConstant(node, index);
                return;
            }
            translate(node, index, name);
        } catch (Unmappable u) {
            if (unsupportedAsVector && opaqueFallback(node, name, u.getMessage())) {
                return;
            }
            problems.add("node '" + displayName(node, index) + "' (" + type + "): " + u.getMessage());
            failed.addAll(node.getOutputList());
        } catch (ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException e) {
            LOGGER.debug("Node ({}) could not be imported", displayName(node, index), e);
            problems.add("node '" + displayName(node, index) + "' (" + type + ") has attributes or inputs SFD cannot "
                    + "interpret (" + e.getMessage() + "); is the model valid?");
            failed.addAll(node.getOutputList());
        }
    }

    private void translate(OnnxMl.NodeProto n, int index, String name) {
        String op = n.getOpType();
        Attributes a = new Attributes(n);
        switch (op) {
            case "Conv" -> conv(n, a, name);
            case "ConvTranspose" -> convTranspose(n, a, name);
            case "Gemm" -> gemm(n, a, name);
            case "MatMul" -> matmul(n, name);
            case "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Mean" -> binary(n, name);
            case "Clip" -> clip(n, a, name);
            case "BatchNormalization" -> batchNorm(n, name);
            case "LayerNormalization" -> layerNorm(n, a, name);
            case "MaxPool", "AveragePool", "LpPool" -> pool(n, a, name);
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n, name);
            case "Softmax", "LogSoftmax" -> softmax(n, a, name);
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                 "ReduceSumSquare", "ReduceLogSumExp" -> reduce(n, a, name, index);
            case "Concat" -> concat(n, a, name);
            case "Reshape" -> reshape(n, a, name);
            case "Flatten" -> flatten(n, a, name);
            case "Squeeze", "Unsqueeze" -> squeeze(n, a, name);
            case "Transpose" -> transpose(n, a, name);
            case "Split" -> split(n, a, name);
            case "Slice" -> slice(n, a, name);
            case "Resize", "Upsample" -> resize(n, a, name);
            case "Pad" -> pad(n, a, name);
            case "Expand", "Tile" -> expandOrTile(n, name);
            case "Gather" -> gather(n, a, name);
            case "Identity", "Cast" -> alias(n.getOutput(0), act(n, 0));
            case "Dropout" -> {
                if (n.getOutputCount() > 1 && used(n.getOutput(1))) {
                    throw new Unmappable("its mask output '" + n.getOutput(1) + "' is used; SFD imports inference "
                            + "graphs where Dropout is the identity");
                }
                alias(n.getOutput(0), act(n, 0));
            }
            case "Constant" -> values.put(n.getOutput(0), new Const(n.getOutput(0), constantNode(n, a)));
            case "Shape" -> {
                List<Integer> dims = dimsOf(n.getInput(0));
                int r = dims.size();
                int start = clampAxis((int) a.i("start", 0), r);
                int end = a.has("end") ? clampAxis((int) a.i("end", r), r) : r;
                List<Long> v = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    v.add((long) dims.get(i));
                }
                values.put(n.getOutput(0), new Const(n.getOutput(0), ConstTensor.vector(v)));
            }
            case "Size" -> values.put(n.getOutput(0), new Const(n.getOutput(0),
                    ConstTensor.of(List.of(), product(dimsOf(n.getInput(0)), 0, dimsOf(n.getInput(0)).size()))));
            case "ConstantOfShape" -> throw new Unmappable("its shape input is computed at run time");
            default -> {
                if (UNARY.containsKey(op)) {
                    unary(n, name, UNARY.get(op));
                } else if (OTHER_UNARY.contains(op)) {
                    unary(n, name, "opaque");
                    approximated.add(new OnnxImport.Approximation(name, op, "elementwise 'opaque' (1 op per element)"));
                } else {
                    throw new Unmappable("unsupported operator " + op);
                }
            }
        }
    }

    // ---------------------------------------------------------------- value helpers

    private Act act(OnnxMl.NodeProto n, int i) {
        String in = input(n, i).orElseThrow(() -> new Unmappable("input " + i + " is missing"));
        Value v = values.get(in);
        if (v instanceof Act a) {
            return a;
        }
        throw new Unmappable("input '" + in + "' is a constant; SFD expects an activation there");
    }

    private Optional<String> input(OnnxMl.NodeProto n, int i) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? Optional.of(n.getInput(i)) : Optional.empty();
    }

    private Optional<Const> constInput(OnnxMl.NodeProto n, int i) {
        return input(n, i).map(values::get).filter(Const.class::isInstance).map(Const.class::cast);
    }

    private Const weightInput(OnnxMl.NodeProto n, int i, String what) {
        String in = input(n, i).orElseThrow(() -> new Unmappable("the " + what + " input is missing"));
        if (values.get(in) instanceof Const c) {
            return c;
        }
        throw new Unmappable("the " + what + " '" + in + "' is computed at run time; SFD imports constant "
                + what + "s (initializers or Constant nodes) only");
    }

    /** Values of a small constant input (shape, axes, pads...), or empty when the input is absent. */
    private Optional<List<Long>> longsInput(OnnxMl.NodeProto n, int i, String what) {
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

    private Optional<List<Double>> doublesInput(OnnxMl.NodeProto n, int i, String what) {
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

    private boolean isGraphInput(String value) {
        return graph.getInputList().stream().anyMatch(v -> v.getName().equals(value));
    }

    private List<Integer> dimsOf(String value) {
        Value v = values.get(value);
        return v instanceof Act a ? a.shape() : ((Const) v).dims();
    }

    private boolean used(String value) {
        return consumers.containsKey(value) || graphOutputs.contains(value);
    }

    /** Only one node reads {@code value} (once or more) and it is not a graph output. */
    private boolean singleConsumer(String value) {
        List<Integer> c = consumers.getOrDefault(value, List.of());
        return !graphOutputs.contains(value) && !c.isEmpty() && c.stream().distinct().count() == 1;
    }

    private void alias(String output, Act a) {
        values.put(output, a);
        LOGGER.debug("Value ({}) is an alias of ({})", output, a.tensor());
    }

    private Act define(String output, List<Integer> shape) {
        Act a = new Act(output, List.copyOf(shape));
        values.put(output, a);
        return a;
    }

    private void emit(OperatorSpec spec) {
        specs.put(spec.name(), spec);
        for (String o : spec.outputs()) {
            producerSpec.put(o, spec.name());
        }
        LOGGER.debug("Operator ({}) {} {} -> {} {}", spec.name(), spec.kind().id(), spec.inputs(), spec.outputs(),
                spec.declaredShapes());
    }

    private static OperatorSpec spec(String name, OpKind kind, List<String> inputs, String output, OpParams p,
                                     String weightName, List<Integer> shape) {
        return new OperatorSpec(name, kind, inputs, List.of(output), p, false, weightName, List.of(shape));
    }

    private static long product(List<Integer> dims, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            n *= dims.get(i);
        }
        return n;
    }

    private static int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new Unmappable("axis (" + axis + ") is out of range for rank " + rank);
        }
        return (int) a;
    }

    private static int clampAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    private static int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new Unmappable(what + " (" + v + ") is out of range");
        }
        return (int) v;
    }

    private static List<Integer> broadcast(List<List<Integer>> shapes) {
        int rank = 0;
        for (List<Integer> s : shapes) {
            rank = Math.max(rank, s.size());
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int size = 1;
            for (List<Integer> s : shapes) {
                int j = i - (rank - s.size());
                if (j < 0) {
                    continue;
                }
                int d = s.get(j);
                if (d != 1 && size != 1 && d != size) {
                    throw new Unmappable("shapes " + shapes + " do not broadcast");
                }
                if (d != 1) {
                    size = d;
                }
            }
            out.add(size);
        }
        return out;
    }

    private void keepsBatch(Act in, List<Integer> out, String what) {
        if (out.isEmpty() || out.get(0) != in.shape().get(0)) {
            throw new Unmappable(what + " [" + join(in.shape()) + "] to " + out + " changes axis 0; SFD keeps the "
                    + "batch as axis 0 of every activation");
        }
    }

    private static String join(List<Integer> s) {
        List<String> out = new ArrayList<>();
        for (int d : s) {
            out.add(String.valueOf(d));
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- compute operators

    private void conv(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const w = weightInput(n, 1, "weight");
        if (x.rank() != 4 || w.dims().size() != 4) {
            throw new Unmappable("input '" + x.tensor() + "' has shape " + x.shape() + " and weight " + w.dims()
                    + "; only 2-D convolution on [N, C, H, W] is supported");
        }
        int groups = (int) a.i("group", 1);
        int outC = w.dims().get(0);
        int kH = w.dims().get(2);
        int kW = w.dims().get(3);
        if ((long) w.dims().get(1) * groups != x.shape().get(1)) {
            throw new Unmappable("weight " + w.dims() + " with group " + groups + " does not fit input channels "
                    + x.shape().get(1));
        }
        Window win = window(a, x, kH, kW);
        List<Integer> out = List.of(x.shape().get(0), outC, win.outH, win.outW);
        boolean bias = input(n, 2).isPresent();
        if (bias) {
            weightInput(n, 2, "bias");
        }
        OpParams.Conv p = new OpParams.Conv(outC, kH, kW, win.sH, win.sW, win.pt, win.pl, win.pb, win.pr, win.dH,
                win.dW, groups, bias);
        emit(spec(name, OpKind.CONV, List.of(x.tensor()), n.getOutput(0), p, w.name(), out));
        define(n.getOutput(0), out);
    }

    /** Strides, dilations, pads (auto_pad resolved) and output size of a conv or pool window. */
    private record Window(int sH, int sW, int dH, int dW, int pt, int pl, int pb, int pr, int outH, int outW) {
    }

    private static Window window(Attributes a, Act x, int kH, int kW) {
        return window(a, x, kH, kW, false);
    }

    private static Window window(Attributes a, Act x, int kH, int kW, boolean ceil) {
        List<Integer> s = a.intList("strides", 2, 1);
        List<Integer> d = a.intList("dilations", 2, 1);
        List<Integer> pads = a.intList("pads", 4, 0);
        if (s.size() != 2 || d.size() != 2 || pads.size() != 4) {
            throw new Unmappable("strides " + s + ", dilations " + d + " or pads " + pads + " are not 2-D");
        }
        for (int v : s) {
            if (v < 1) {
                throw new Unmappable("strides " + s + " must be >= 1");
            }
        }
        int h = x.shape().get(2);
        int w = x.shape().get(3);
        String autoPad = a.s("auto_pad", "NOTSET");
        int[] p = {pads.get(0), pads.get(1), pads.get(2), pads.get(3)};
        switch (autoPad) {
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] v = same(h, kH, s.get(0), d.get(0), autoPad.equals("SAME_LOWER"));
                int[] hz = same(w, kW, s.get(1), d.get(1), autoPad.equals("SAME_LOWER"));
                p = new int[] {v[0], hz[0], v[1], hz[1]};
            }
            case "VALID" -> p = new int[4];
            case "NOTSET", "" -> {
            }
            default -> throw new Unmappable("auto_pad has value '" + autoPad + "'; valid: NOTSET, SAME_UPPER, "
                    + "SAME_LOWER, VALID");
        }
        int spanH = (kH - 1) * d.get(0) + 1;
        int spanW = (kW - 1) * d.get(1) + 1;
        int outH = outSize(h + p[0] + p[2], spanH, s.get(0), ceil, h + p[0]);
        int outW = outSize(w + p[1] + p[3], spanW, s.get(1), ceil, w + p[1]);
        if (outH < 1 || outW < 1) {
            throw new Unmappable("kernel " + kH + "x" + kW + " is larger than the padded input " + x.shape());
        }
        if (ceil) {
            // The builder uses floor division: extend the end padding so that it yields the ceil size.
            p[2] += Math.max(0, (outH - 1) * s.get(0) + spanH - (h + p[0] + p[2]));
            p[3] += Math.max(0, (outW - 1) * s.get(1) + spanW - (w + p[1] + p[3]));
        }
        return new Window(s.get(0), s.get(1), d.get(0), d.get(1), p[0], p[1], p[2], p[3], outH, outW);
    }

    private static int outSize(int padded, int span, int stride, boolean ceil, int lastStartLimit) {
        if (padded < span) {
            return 0;
        }
        int out = ceil ? (padded - span + stride - 1) / stride + 1 : (padded - span) / stride + 1;
        if (ceil && (out - 1) * stride >= lastStartLimit) {
            out--; // the last window may not start in the end padding (as in PyTorch and the ONNX reference)
        }
        return out;
    }

    /** ONNX auto_pad SAME_*: output = ceil(in / stride); the odd pixel goes to the end (UPPER) or start (LOWER). */
    private static int[] same(int in, int k, int s, int d, boolean lower) {
        int out = (in + s - 1) / s;
        int total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - in);
        int small = total / 2;
        return lower ? new int[] {total - small, small} : new int[] {small, total - small};
    }

    /**
     * ConvTranspose [N, C, H, W] -> [N, M, Ho, Wo] with weight [C, M/g, kh, kw] becomes a stride-1 conv on the
     * input with M output channels and the same kernel (same MACs: N·H·W·C·(M/g)·kh·kw, same weight count)
     * followed by a zero-op 'col2im' resample to the real output shape: output row r reads the rows i of the
     * intermediate with {@code i·stride + tap − padTop = r} for a tap within the kernel span.
     */
    private void convTranspose(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const w = weightInput(n, 1, "weight");
        if (x.rank() != 4 || w.dims().size() != 4) {
            throw new Unmappable("input " + x.shape() + " and weight " + w.dims()
                    + "; only 2-D transposed convolution on [N, C, H, W] is supported");
        }
        int groups = (int) a.i("group", 1);
        int c = x.shape().get(1);
        if (w.dims().get(0) != c || c % groups != 0) {
            throw new Unmappable("weight " + w.dims() + " does not fit input channels " + c + " with group " + groups);
        }
        int m = w.dims().get(1) * groups;
        int kH = w.dims().get(2);
        int kW = w.dims().get(3);
        List<Integer> s = a.intList("strides", 2, 1);
        List<Integer> d = a.intList("dilations", 2, 1);
        List<Integer> pads = a.intList("pads", 4, 0);
        List<Integer> outPad = a.intList("output_padding", 2, 0);
        int h = x.shape().get(2);
        int wd = x.shape().get(3);
        int outH;
        int outW;
        Optional<List<Long>> outputShape = a.ints("output_shape").filter(v -> !v.isEmpty());
        String autoPad = a.s("auto_pad", "NOTSET");
        if (outputShape.isPresent()) {
            List<Long> os = outputShape.get();
            outH = toInt(os.get(os.size() - 2), "output_shape");
            outW = toInt(os.get(os.size() - 1), "output_shape");
        } else if (autoPad.startsWith("SAME")) {
            outH = h * s.get(0);
            outW = wd * s.get(1);
        } else {
            int[] p = autoPad.equals("VALID") ? new int[4]
                    : new int[] {pads.get(0), pads.get(1), pads.get(2), pads.get(3)};
            outH = s.get(0) * (h - 1) + outPad.get(0) + (kH - 1) * d.get(0) + 1 - p[0] - p[2];
            outW = s.get(1) * (wd - 1) + outPad.get(1) + (kW - 1) * d.get(1) + 1 - p[1] - p[3];
        }
        if (outH < 1 || outW < 1) {
            throw new Unmappable("output would be " + outH + "x" + outW);
        }
        boolean bias = input(n, 2).isPresent();
        int[] v = same(h, kH, 1, d.get(0), false);
        int[] hz = same(wd, kW, 1, d.get(1), false);
        OpParams.Conv p = new OpParams.Conv(m, kH, kW, 1, 1, v[0], hz[0], v[1], hz[1], d.get(0), d.get(1), groups,
                bias);
        String mid = n.getOutput(0) + "/conv";
        List<Integer> midShape = List.of(x.shape().get(0), m, h, wd);
        emit(spec(name, OpKind.CONV, List.of(x.tensor()), mid, p, w.name(), midShape));
        List<Integer> out = List.of(x.shape().get(0), m, outH, outW);
        int spanH = (kH - 1) * d.get(0) + 1;
        int spanW = (kW - 1) * d.get(1) + 1;
        int padTop;
        int padLeft;
        if (outputShape.isPresent() || autoPad.startsWith("SAME")) {
            int totalH = s.get(0) * (h - 1) + outPad.get(0) + spanH - outH;
            int totalW = s.get(1) * (wd - 1) + outPad.get(1) + spanW - outW;
            boolean lower = autoPad.equals("SAME_LOWER");
            padTop = lower ? totalH - totalH / 2 : totalH / 2;
            padLeft = lower ? totalW - totalW / 2 : totalW / 2;
        } else {
            padTop = autoPad.equals("VALID") ? 0 : pads.get(0);
            padLeft = autoPad.equals("VALID") ? 0 : pads.get(1);
        }
        if (padTop >= 0 && padLeft >= 0) {
            emit(spec(name + "/col2im", OpKind.RESAMPLE, List.of(mid), n.getOutput(0), new OpParams.Resample("col2im",
                    "asymmetric", "floor", List.of(OpParams.Resample.Scale.of(s.get(0), 1),
                    OpParams.Resample.Scale.of(s.get(1), 1)), out, List.of(spanH, spanW), List.of(padTop, padLeft)),
                    null, out));
        } else {
            emit(spec(name + "/col2im", OpKind.OPAQUE, List.of(mid), n.getOutput(0),
                    new OpParams.Opaque("col2im", out, 0, List.of()), null, out));
        }
        define(n.getOutput(0), out);
        approximated.add(new OnnxImport.Approximation(name, "ConvTranspose", "stride-1 conv " + kH + "x" + kW
                + " on the input with " + m + " output channels (same MACs and weights) + "
                + (padTop >= 0 && padLeft >= 0 ? "'col2im' resample (output row r reads input rows r/"
                + s.get(0) + " within the kernel)" : "opaque 'col2im' reading it whole (negative padding)") + " to "
                + out));
    }

    private void gemm(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const b = weightInput(n, 1, "weight");
        if (a.i("transA", 0) != 0) {
            throw new Unmappable("transA = 1 is not supported (the batch must stay axis 0 of A)");
        }
        if (x.rank() != 2 || b.dims().size() != 2) {
            throw new Unmappable("A " + x.shape() + " and B " + b.dims() + " must both be matrices");
        }
        boolean transB = a.i("transB", 0) != 0;
        int k = transB ? b.dims().get(1) : b.dims().get(0);
        int features = transB ? b.dims().get(0) : b.dims().get(1);
        if (k != x.shape().get(1)) {
            throw new Unmappable("A " + x.shape() + " and B " + b.dims() + (transB ? " (transB)" : "")
                    + " have different inner sizes");
        }
        boolean bias = input(n, 2).isPresent();
        if (bias) {
            weightInput(n, 2, "bias");
        }
        List<Integer> out = List.of(x.shape().get(0), features);
        emit(spec(name, OpKind.MATMUL, List.of(x.tensor()), n.getOutput(0),
                new OpParams.Matmul(features, false, bias), b.name(), out));
        define(n.getOutput(0), out);
    }

    private void matmul(OnnxMl.NodeProto n, String name) {
        Value va = values.get(n.getInput(0));
        Value vb = values.get(n.getInput(1));
        if (!(va instanceof Act x)) {
            throw new Unmappable("A '" + n.getInput(0) + "' is a constant; SFD imports a constant B (linear layer) "
                    + "or two activations");
        }
        if (vb instanceof Const b) {
            if (b.dims().size() != 2 || x.rank() < 2 || x.rank() > 4) {
                throw new Unmappable("A " + x.shape() + " times constant B " + b.dims() + "; a linear layer needs "
                        + "A of rank 2 to 4 and B of rank 2");
            }
            if (!b.dims().get(0).equals(x.shape().get(x.rank() - 1))) {
                throw new Unmappable("A " + x.shape() + " and B " + b.dims() + " have different inner sizes");
            }
            List<Integer> out = new ArrayList<>(x.shape());
            out.set(out.size() - 1, b.dims().get(1));
            emit(spec(name, OpKind.MATMUL, List.of(x.tensor()), n.getOutput(0),
                    new OpParams.Matmul(b.dims().get(1), false, false), b.name(), out));
            define(n.getOutput(0), out);
            return;
        }
        Act y = (Act) vb;
        int r = x.rank();
        if (r < 3 || r > 4 || y.rank() != r || !x.shape().subList(0, r - 2).equals(y.shape().subList(0, r - 2))) {
            throw new Unmappable("A " + x.shape() + " and B " + y.shape() + " are both activations; SFD multiplies "
                    + "two activations of rank 3 or 4 with equal leading (batch) dims");
        }
        if (!x.shape().get(r - 1).equals(y.shape().get(r - 2))) {
            throw new Unmappable("A " + x.shape() + " and B " + y.shape() + " have different inner sizes");
        }
        List<Integer> out = new ArrayList<>(x.shape());
        out.set(r - 1, y.shape().get(r - 1));
        String b = y.tensor();
        boolean transposeB = false;
        String t = producerSpec.get(y.tensor());
        if (t != null && specs.get(t).params() instanceof OpParams.Transpose tp && swapsLastTwo(tp.perm())
                && y.tensor().equals(n.getInput(1)) && singleConsumer(n.getInput(1))) {
            // A Transpose of the last two axes read only by this MatMul (K^T in attention): fold it into B.
            b = specs.get(t).inputs().get(0);
            transposeB = true;
            specs.remove(t);
            producerSpec.remove(y.tensor());
            folded.add(new OnnxImport.Folding(t, "Transpose", name + " (transposeB)"));
        }
        emit(spec(name, OpKind.MATMUL, List.of(x.tensor(), b), n.getOutput(0),
                new OpParams.Matmul(0, transposeB, false), null, out));
        define(n.getOutput(0), out);
    }

    private static boolean swapsLastTwo(List<Integer> perm) {
        int r = perm.size();
        for (int i = 0; i < r - 2; i++) {
            if (perm.get(i) != i) {
                return false;
            }
        }
        return r >= 3 && perm.get(r - 2) == r - 1 && perm.get(r - 1) == r - 2;
    }

    private void binary(OnnxMl.NodeProto n, String name) {
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
            keepsBatch(acts.get(0), out, op + " of");
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
        keepsBatch(x, out, op + " of");
        if (op.equals("Add") && foldBias(n, name, actNames.get(0), x, c, out)) {
            return;
        }
        if (op.equals("Add") && out.equals(x.shape()) && hardSwishPattern(n, name, actNames.get(0), x, c)) {
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
            throw new Unmappable("the exponent is a tensor " + c.dims() + "; only a scalar exponent is supported");
        } else {
            p = new OpParams.Elementwise(fn, c.dims());
        }
        emit(spec(name, OpKind.ELEMENTWISE, List.of(x.tensor()), n.getOutput(0), p, p.hasWeight() ? c.name() : null,
                out));
        define(n.getOutput(0), out);
    }

    /**
     * Add(conv or linear output, constant) where the constant is one value per output channel and the producer
     * has no other consumer: the constant is that operator's bias.
     */
    private boolean foldBias(OnnxMl.NodeProto n, String name, String inName, Act x, Const c, List<Integer> out) {
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
    private boolean hardSwishPattern(OnnxMl.NodeProto add, String name, String xName, Act x, Const three) {
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

    private void unary(OnnxMl.NodeProto n, String name, String fn) {
        Act x = act(n, 0);
        emit(spec(name, OpKind.ELEMENTWISE, List.of(x.tensor()), n.getOutput(0), new OpParams.Elementwise(fn), null,
                x.shape()));
        define(n.getOutput(0), x.shape());
    }

    private void clip(OnnxMl.NodeProto n, Attributes a, String name) {
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

    private Optional<Double> scalar(OnnxMl.NodeProto n, int i) {
        Optional<String> in = input(n, i);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        if (values.get(in.get()) instanceof Const c && c.tensor().known() && c.tensor().values().length == 1) {
            return Optional.of(c.tensor().values()[0]);
        }
        return Optional.of(Double.NaN); // a bound computed at run time: plain 'clip'
    }

    private void batchNorm(OnnxMl.NodeProto n, String name) {
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

    private void layerNorm(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        Const scale = weightInput(n, 1, "scale");
        for (int k = 1; k < n.getOutputCount(); k++) {
            if (used(n.getOutput(k))) {
                throw new Unmappable("its statistics output '" + n.getOutput(k) + "' is used");
            }
        }
        int ax = axis(a.i("axis", -1), x.rank());
        if (ax == 0) {
            throw new Unmappable("it normalises over the batch axis 0");
        }
        emit(spec(name, OpKind.LAYERNORM, List.of(x.tensor()), n.getOutput(0), new OpParams.LayerNorm(ax, true),
                scale.name(), x.shape()));
        define(n.getOutput(0), x.shape());
    }

    private void pool(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        if (x.rank() != 4) {
            throw new Unmappable("input " + x.shape() + "; only 2-D pooling on [N, C, H, W] is supported");
        }
        if (n.getOutputCount() > 1 && used(n.getOutput(1))) {
            throw new Unmappable("its indices output '" + n.getOutput(1) + "' is used");
        }
        List<Integer> k = a.intList("kernel_shape", 0, 0);
        if (k.size() != 2) {
            throw new Unmappable("kernel_shape " + k + " is not 2-D");
        }
        Window win = window(a, x, k.get(0), k.get(1), a.i("ceil_mode", 0) != 0);
        String type = n.getOpType().equals("MaxPool") ? "max" : "avg";
        if (n.getOpType().equals("LpPool")) {
            approximated.add(new OnnxImport.Approximation(name, "LpPool", "average pooling of the same window"));
        }
        List<Integer> out = List.of(x.shape().get(0), x.shape().get(1), win.outH, win.outW);
        emit(spec(name, OpKind.POOL, List.of(x.tensor()), n.getOutput(0), new OpParams.Pool(type, k.get(0), k.get(1),
                win.sH, win.sW, win.pt, win.pl, win.pb, win.pr, win.dH, win.dW, false), null, out));
        define(n.getOutput(0), out);
    }

    private void globalPool(OnnxMl.NodeProto n, String name) {
        Act x = act(n, 0);
        if (x.rank() != 4) {
            throw new Unmappable("input " + x.shape() + "; only global pooling of [N, C, H, W] is supported");
        }
        String type = n.getOpType().equals("GlobalMaxPool") ? "max" : "avg";
        List<Integer> out = List.of(x.shape().get(0), x.shape().get(1), 1, 1);
        emit(spec(name, OpKind.POOL, List.of(x.tensor()), n.getOutput(0),
                new OpParams.Pool(type, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true), null, out));
        define(n.getOutput(0), out);
    }

    private void softmax(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int r = x.rank();
        int ax = axis(a.i("axis", opset >= 13 ? -1 : 1), r);
        if (ax == 0) {
            throw new Unmappable("it normalises along the batch axis 0");
        }
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

    // ---------------------------------------------------------------- reductions and layer norm pattern

    private List<Integer> reduceAxes(OnnxMl.NodeProto n, Attributes a, int rank) {
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

    private void reduce(OnnxMl.NodeProto n, Attributes a, String name, int index) {
        Act x = act(n, 0);
        List<Integer> axes = reduceAxes(n, a, x.rank());
        if (n.getOpType().equals("ReduceMean") && layerNormPattern(n, index, x, axes, name)) {
            return;
        }
        boolean keep = a.i("keepdims", 1) != 0;
        if (axes.isEmpty()) {
            alias(n.getOutput(0), x);
            return;
        }
        if (axes.contains(0)) {
            throw new Unmappable("it reduces the batch axis 0 (axes " + axes + ")");
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
        emit(spec(name, OpKind.OPAQUE, List.of(x.tensor()), n.getOutput(0),
                new OpParams.Opaque(op.toLowerCase(), result, (int) Math.min(Integer.MAX_VALUE, perOut), List.of()),
                null, result));
        define(n.getOutput(0), result);
        approximated.add(new OnnxImport.Approximation(name, op, "opaque vector op " + result + " reading the input "
                + "whole (" + perOut + " ops per output element)"));
    }

    /** The single node reading {@code value}, if exactly one node does (possibly several times). */
    private Optional<Integer> onlyConsumer(String value) {
        if (graphOutputs.contains(value)) {
            return Optional.empty();
        }
        List<Integer> c = consumers.getOrDefault(value, List.of());
        return c.isEmpty() || c.stream().distinct().count() != 1 ? Optional.empty() : Optional.of(c.get(0));
    }

    private Optional<OnnxMl.NodeProto> only(String value, String opType) {
        return onlyConsumer(value).map(graph::getNode).filter(nd -> nd.getOpType().equals(opType));
    }

    private boolean isConstOperand(OnnxMl.NodeProto nd, String other) {
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
    private boolean layerNormPattern(OnnxMl.NodeProto mean, int index, Act x, List<Integer> axes, String name) {
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

    private int indexOf(OnnxMl.NodeProto nd) {
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i) == nd) {
                return i;
            }
        }
        throw new IllegalStateException("node not in graph");
    }

    private double constValue(String value) {
        if (values.get(value) instanceof Const c && c.tensor().known() && c.tensor().values().length == 1) {
            return c.tensor().values()[0];
        }
        return Double.NaN;
    }

    private static String constName(OnnxMl.NodeProto nd, String other) {
        return nd.getInput(0).equals(other) ? nd.getInput(1) : nd.getInput(0);
    }

    // ---------------------------------------------------------------- layout operators

    private void concat(OnnxMl.NodeProto n, Attributes a, String name) {
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
    private void reshapeTo(OnnxMl.NodeProto n, String name, Act x, List<Integer> out) {
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

    private void reshape(OnnxMl.NodeProto n, Attributes a, String name) {
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
            } else if (i == 0 && d == modelBatch && batch != modelBatch && x.shape().get(0) == batch) {
                d = batch; // a batch size written into the model: follow the batch chosen for the import
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

    private void flatten(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        int ax = (int) a.i("axis", 1);
        ax = ax < 0 ? ax + x.rank() : ax;
        if (ax < 0 || ax > x.rank()) {
            throw new Unmappable("axis (" + a.i("axis", 1) + ") is out of range for rank " + x.rank());
        }
        reshapeTo(n, name, x, List.of(toInt(product(x.shape(), 0, ax), "size"),
                toInt(product(x.shape(), ax, x.rank()), "size")));
    }

    private void squeeze(OnnxMl.NodeProto n, Attributes a, String name) {
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

    private void transpose(OnnxMl.NodeProto n, Attributes a, String name) {
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
                // Moving a size-1 batch axis changes no data order: a reshape.
                reshapeTo(n, name, x, out);
                return;
            }
            throw new Unmappable("perm " + perm + " moves the batch axis 0; SFD keeps the batch as axis 0");
        }
        emit(spec(name, OpKind.TRANSPOSE, List.of(x.tensor()), n.getOutput(0), new OpParams.Transpose(perm), null,
                out));
        define(n.getOutput(0), out);
    }

    private void split(OnnxMl.NodeProto n, Attributes a, String name) {
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
            throw new Unmappable("it splits the batch axis 0");
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

    private void slice(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Integer> out = sliceShape(n, a, x.shape());
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        keepsBatch(x, out, "it slices");
        opaque(n, name, List.of(x.tensor()), out, "slice", 1);
    }

    private List<Integer> sliceShape(OnnxMl.NodeProto n, Attributes a, List<Integer> in) {
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

    private void resize(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Double> scales = null;
        List<Long> sizes = null;
        if (n.getOpType().equals("Upsample") && opset < 9) {
            scales = a.floats("scales").orElseThrow(() -> new Unmappable("scales are missing"));
        } else if (n.getOpType().equals("Upsample") || opset < 11) {
            scales = doublesInput(n, 1, "scales").orElseThrow(() -> new Unmappable("scales are missing"));
        } else {
            Optional<List<Double>> sc = doublesInput(n, 2, "scales").filter(v -> !v.isEmpty());
            Optional<List<Long>> sz = longsInput(n, 3, "sizes").filter(v -> !v.isEmpty());
            scales = sc.orElse(null);
            sizes = sz.orElse(null);
        }
        List<Integer> out = new ArrayList<>(x.shape());
        Optional<List<Long>> axes = a.ints("axes").filter(v -> !v.isEmpty());
        int count = sizes != null ? sizes.size() : scales == null ? 0 : scales.size();
        if (count == 0) {
            throw new Unmappable("neither scales nor sizes are given");
        }
        if (axes.isEmpty() && count != x.rank()) {
            throw new Unmappable("it gives " + count + " scales or sizes for a rank-" + x.rank() + " input");
        }
        for (int i = 0; i < count; i++) {
            int ax = axes.isPresent() ? axis(axes.get().get(i), x.rank()) : i;
            out.set(ax, sizes != null ? toInt(sizes.get(i), "size")
                    : (int) Math.floor(x.shape().get(ax) * scales.get(i)));
        }
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        keepsBatch(x, out, "it resizes");
        int resized = 0;
        for (int i = 0; i < out.size(); i++) {
            resized += out.get(i).equals(x.shape().get(i)) ? 0 : 1;
        }
        String mode = a.s("mode", "nearest");
        Optional<String> unmapped = resampleLimitation(n, a, x, out, mode);
        if (unmapped.isEmpty()) {
            boolean modern = n.getOpType().equals("Resize") && opset >= 11;
            String coordinates = modern ? a.s("coordinate_transformation_mode", "half_pixel") : "asymmetric";
            String nearestMode = modern ? a.s("nearest_mode", "round_prefer_floor") : "floor";
            List<OpParams.Resample.Scale> sc = new ArrayList<>();
            for (int ax = 2; ax < 4; ax++) {
                int in = x.shape().get(ax);
                sc.add(sizes != null ? OpParams.Resample.Scale.of(out.get(ax), in)
                        : rational(scaleOf(scales, axes, ax, x.rank()), out.get(ax), in));
            }
            OpParams.Resample p = new OpParams.Resample(mode.equals("bilinear") ? "linear" : mode, coordinates,
                    nearestMode, sc, out, List.of(), List.of());
            emit(spec(name, OpKind.RESAMPLE, List.of(x.tensor()), n.getOutput(0), p, null, out));
            define(n.getOutput(0), out);
            return;
        }
        int ops = mode.equals("linear") || mode.equals("bilinear") ? 1 << resized
                : mode.equals("cubic") ? 1 << (2 * resized) : 1;
        LOGGER.debug("Resize ({}) is read whole: {}", name, unmapped.get());
        opaque(n, name, List.of(x.tensor()), out, "resize", ops);
    }

    /** Why a Resize / Upsample cannot be a {@link OpKind#RESAMPLE}; empty when it can. */
    private Optional<String> resampleLimitation(OnnxMl.NodeProto n, Attributes a, Act x, List<Integer> out,
                                                String mode) {
        if (x.rank() != 4 || !out.get(1).equals(x.shape().get(1))) {
            return Optional.of("it resizes " + x.shape() + " to " + out + "; only rows and columns of [N, C, H, W]"
                    + " have a resample region");
        }
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")) {
            return Optional.of("mode '" + mode + "' (only nearest and linear have a resample region)");
        }
        if (n.getOpType().equals("Resize") && opset >= 11) {
            String coordinates = a.s("coordinate_transformation_mode", "half_pixel");
            if (!Resampling.COORDINATES.contains(coordinates)) {
                return Optional.of("coordinate_transformation_mode '" + coordinates + "'");
            }
            String nearestMode = a.s("nearest_mode", "round_prefer_floor");
            if (!Resampling.NEAREST_MODES.contains(nearestMode)) {
                return Optional.of("nearest_mode '" + nearestMode + "'");
            }
            boolean shrinks = out.get(2) < x.shape().get(2) || out.get(3) < x.shape().get(3);
            if (a.i("antialias", 0) != 0 && shrinks && !mode.equals("nearest")) {
                return Optional.of("antialiased downsampling (its filter is wider than two taps)");
            }
        }
        return Optional.empty();
    }

    /** The scale given for axis {@code ax}, or NaN when none is given for it. */
    private static double scaleOf(List<Double> scales, Optional<List<Long>> axes, int ax, int rank) {
        for (int i = 0; i < scales.size(); i++) {
            if ((axes.isPresent() ? axis(axes.get().get(i), rank) : i) == ax) {
                return scales.get(i);
            }
        }
        return Double.NaN;
    }

    /** A float scale as a fraction ({@link OpParams.Resample.Scale#approximate}), else output over input size. */
    static OpParams.Resample.Scale rational(double scale, int out, int in) {
        return OpParams.Resample.Scale.approximate(scale).orElse(OpParams.Resample.Scale.of(out, in));
    }

    private void pad(OnnxMl.NodeProto n, Attributes a, String name) {
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
        opaque(n, name, List.of(x.tensor()), out, "pad", 1);
    }

    private void expandOrTile(OnnxMl.NodeProto n, String name) {
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
        opaque(n, name, List.of(x.tensor()), out, n.getOpType().toLowerCase(), 1);
    }

    private void gather(OnnxMl.NodeProto n, Attributes a, String name) {
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
            opaque(n, name, List.of(ids.tensor()), out, "gather", 1, table);
            return;
        }
        Act x = (Act) data;
        if (ax == 0) {
            throw new Unmappable("it gathers along the batch axis 0");
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
        opaque(n, name, ins, out, "gather", 1);
    }

    private void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops) {
        opaque(n, name, inputs, out, fn, ops, null);
    }

    private void opaque(OnnxMl.NodeProto n, String name, List<String> inputs, List<Integer> out, String fn, int ops,
                        Const weight) {
        emit(spec(name, OpKind.OPAQUE, inputs, n.getOutput(0), new OpParams.Opaque(fn, out, ops,
                weight == null ? List.of() : weight.dims()), weight == null ? null : weight.name(), out));
        define(n.getOutput(0), out);
        approximated.add(new OnnxImport.Approximation(name, n.getOpType(), "opaque vector op '" + fn + "' " + out
                + " reading its inputs whole (" + ops + " op(s) per output element)"));
    }

    // ---------------------------------------------------------------- unsupported nodes as vector ops

    private boolean opaqueFallback(OnnxMl.NodeProto n, String name, String reason) {
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
            List<Integer> s = declaredShapes.get(out);
            if (s == null || s.isEmpty() || s.size() > 4) {
                problems.add("node '" + n.getName() + "' (" + nodeType(n) + "): " + reason + "; as a vector op it "
                        + "needs a static shape of rank 1 to 4 for output '" + out + "', but the model declares "
                        + (s == null ? "none" : s)
                        + "\n  Maybe run ONNX shape inference on the model first (onnx.shape_inference.infer_shapes).");
                failed.addAll(n.getOutputList());
                return true;
            }
            List<Integer> fixed = new ArrayList<>(s);
            if (fixed.get(0) < 1) {
                fixed.set(0, batch);
            }
            if (fixed.contains(-1)) {
                problems.add("node '" + n.getName() + "' (" + nodeType(n) + "): " + reason + "; output '" + out
                        + "' has dynamic dimensions " + s + " in the model, so the vector op cannot be sized");
                failed.addAll(n.getOutputList());
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
        approximated.add(new OnnxImport.Approximation(name, nodeType(n), "opaque vector op per output " + shapes
                + " (1 op per output element" + (weightElements > 0 ? ", " + weightElements + " constant elements "
                + "as one weight" : "") + "), because: " + reason));
        return true;
    }

    // ---------------------------------------------------------------- constants

    private ConstTensor decode(OnnxMl.TensorProto t) {
        try {
            return TensorDecoder.decode(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source, "initializer '" + t.getName() + "' is malformed (" + e.getMessage()
                    + ")");
        }
    }

    private ConstTensor constantNode(OnnxMl.NodeProto n, Attributes a) {
        Optional<OnnxMl.TensorProto> t = a.tensor("value");
        if (t.isPresent()) {
            return decode(t.get());
        }
        if (a.has("value_float")) {
            return ConstTensor.of(List.of(), a.f("value_float", 0));
        }
        if (a.has("value_int")) {
            return ConstTensor.of(List.of(), a.i("value_int", 0));
        }
        if (a.has("value_ints")) {
            return ConstTensor.vector(a.ints("value_ints").orElseThrow());
        }
        if (a.has("value_floats")) {
            List<Double> f = a.floats("value_floats").orElseThrow();
            double[] v = new double[f.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.get(i);
            }
            return new ConstTensor(List.of(v.length), v);
        }
        throw new Unmappable("it has no value SFD can read (sparse or string constants are not supported)");
    }

    /** Evaluates a node whose inputs are all constants (shape arithmetic, weight preprocessing). */
    private void foldConstant(OnnxMl.NodeProto n, int index) {
        ConstTensor r = ConstantFolder.fold(n, new Attributes(n), opset, in -> ((Const) values.get(in)).tensor())
                .orElseThrow(() -> new Unmappable("all its inputs are constants, but SFD cannot fold a constant "
                        + n.getOpType()));
        values.put(n.getOutput(0), new Const(n.getOutput(0), r));
        LOGGER.debug("Folded constant node ({}) {} to ({})", displayName(n, index), n.getOpType(), r);
    }
}

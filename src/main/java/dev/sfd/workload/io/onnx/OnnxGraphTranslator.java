package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.NetworkBuilder;
import dev.sfd.workload.OperatorSpec;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.sfd.workload.io.onnx.ShapeInference.clampAxis;
import static dev.sfd.workload.io.onnx.ShapeInference.product;

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
            "Resize", "Upsample", "Pad", "Expand", "Tile", "Gather", "GatherElements", "DepthToSpace", "SpaceToDepth",
            "Constant", "ConstantOfShape", "Identity", "Dropout", "Cast", "CastLike", "Shape", "Size",
            // elementwise functions without an SFD name (see OTHER_UNARY and NARY)
            "Celu", "ThresholdedRelu", "Shrink", "Mish", "Not", "IsNaN", "IsInf", "Sin", "Cos", "Tan", "Asin", "Acos",
            "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
            "And", "Or", "Xor", "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Mod", "BitShift",
            "PRelu", "Where",
            // normalisations, windows and scans over one axis
            "InstanceNormalization", "MeanVarianceNormalization", "LRN", "Hardmax", "CumSum", "Trilu",
            "ReduceLogSum", "ArgMax", "ArgMin");

    private static final Map<String, String> UNARY = Map.ofEntries(
            Map.entry("Relu", "relu"), Map.entry("Sigmoid", "sigmoid"), Map.entry("HardSigmoid", "hardsigmoid"),
            Map.entry("HardSwish", "hardswish"), Map.entry("Gelu", "gelu"), Map.entry("Tanh", "tanh"),
            Map.entry("Erf", "erf"), Map.entry("Exp", "exp"), Map.entry("Sqrt", "sqrt"), Map.entry("Neg", "neg"),
            Map.entry("Abs", "abs"), Map.entry("Reciprocal", "reciprocal"));

    /** Cheap elementwise functions with no SFD name: imported as the {@code opaque} unary function. */
    private static final Set<String> OTHER_UNARY = Set.of("LeakyRelu", "Elu", "Selu", "Softplus", "Softsign",
            "Log", "Floor", "Ceil", "Round", "Sign", "Celu", "ThresholdedRelu", "Shrink", "Mish", "Not", "IsNaN",
            "IsInf", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh");

    /** Elementwise operators of two or more inputs without an SFD function: opaque ops tiled by broadcasting. */
    private static final Set<String> NARY = Set.of("And", "Or", "Xor", "Equal", "Greater", "Less", "GreaterOrEqual",
            "LessOrEqual", "Mod", "BitShift", "PRelu", "Where");

    private final OnnxMl.ModelProto model;
    private final OnnxMl.GraphProto graph;
    private final String source;
    private final boolean unsupportedAsVector;
    private final long opset;
    private final ValueTable table;
    private final GraphInputs inputs;
    private final ConvNodes conv;
    private final MatmulNodes matmul;
    private final ElementwiseNodes elementwise;
    private final NormalizationNodes normalization;
    private final LayoutNodes layout;
    private final ResizeNodes resize;
    private final OpaqueNodes opaque;

    private OnnxGraphTranslator(String source, OnnxMl.ModelProto model, Integer batch,
                                Map<String, List<Integer>> inputShapes, boolean unsupportedAsVector) {
        this.source = source;
        this.model = model;
        this.graph = model.getGraph();
        this.unsupportedAsVector = unsupportedAsVector;
        long v = 0;
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                v = o.getVersion();
            }
        }
        this.opset = v == 0 ? 1 : v;
        this.table = new ValueTable(source, graph, opset, unsupportedAsVector);
        this.inputs = new GraphInputs(table, batch, Map.copyOf(inputShapes));
        PatternFusers fusers = new PatternFusers(table);
        this.opaque = new OpaqueNodes(table);
        this.conv = new ConvNodes(table);
        this.matmul = new MatmulNodes(table);
        this.elementwise = new ElementwiseNodes(table, fusers, opaque);
        this.normalization = new NormalizationNodes(table, fusers, opaque);
        this.layout = new LayoutNodes(table, opaque);
        this.resize = new ResizeNodes(table, opaque);
    }

    /**
     * Translates a parsed model.
     *
     * @param source file name used in messages
     * @param batch batch size replacing axis 0 of the inputs whose axis 0 is the batch (see {@link GraphInputs}), or
     *              null to keep the model's (1 when dynamic)
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
            table.values.put(t.getName(), new Const(t.getName(), decode(t)));
        }
        for (OnnxMl.ValueInfoProto v : graph.getValueInfoList()) {
            declaredShape(v).ifPresent(s -> table.declaredShapes.put(v.getName(), s));
        }
        for (OnnxMl.ValueInfoProto v : graph.getOutputList()) {
            table.graphOutputs.add(v.getName());
            declaredShape(v).ifPresent(s -> table.declaredShapes.putIfAbsent(v.getName(), s));
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            for (String in : graph.getNode(i).getInputList()) {
                if (!in.isEmpty()) {
                    table.consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
                }
            }
        }
        // Constant nodes have no inputs: evaluate them first, so that patterns can read constants that the
        // exporter placed after the first node of the pattern.
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            if (n.getOpType().equals("Constant") && supported(n) && n.getInputCount() == 0) {
                visit(i);
                table.absorbed.add(i);
            }
        }
        NetworkBuilder builder = new NetworkBuilder(source);
        builder.name(stem(source));
        builder.description("imported from ONNX" + (graph.getName().isBlank() ? "" : " graph '" + graph.getName() + "'")
                + " (" + (model.getProducerName().isEmpty() ? "unknown producer"
                : model.getProducerName() + " " + model.getProducerVersion()) + ", opset " + opset + ")");
        inputs.resolve(builder);
        builder.axisZeroIsBatch(false).batch(table.batch);
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (!table.absorbed.contains(i)) {
                visit(i);
            }
        }
        for (OperatorSpec s : table.specs.values()) {
            builder.operator(s);
        }
        Set<String> outs = new HashSet<>();
        for (OnnxMl.ValueInfoProto o : graph.getOutputList()) {
            Value v = table.values.get(o.getName());
            if (v instanceof Act a && outs.add(a.tensor())) {
                builder.output(a.tensor());
            } else if (v instanceof Const) {
                LOGGER.debug("Graph output ({}) is a constant; it is not an output of the SFD network", o.getName());
            }
        }
        for (String p : table.problems) {
            builder.problem(p);
        }
        Network network = builder.build();
        LOGGER.debug("Imported ({}) ONNX nodes as ({}) operators; folded ({}), approximated ({})",
                graph.getNodeCount(), network.operators().size(), table.folded.size(), table.approximated.size());
        return new OnnxImport(network, table.folded, table.approximated, table.checkedShapes, table.conflicts);
    }

    static boolean supported(OnnxMl.NodeProto n) {
        String d = n.getDomain();
        return (d.isEmpty() || d.equals("ai.onnx")) && SUPPORTED.contains(n.getOpType());
    }

    private void rejectUnsupported() {
        Map<String, List<String>> bad = new TreeMap<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto n = graph.getNode(i);
            if (!supported(n)) {
                bad.computeIfAbsent(ValueTable.nodeType(n), k -> new ArrayList<>()).add(ValueTable.displayName(n, i));
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

    static String stem(String source) {
        String f = source.replace('\\', '/');
        f = f.substring(f.lastIndexOf('/') + 1);
        return f.endsWith(".onnx") ? f.substring(0, f.length() - 5) : f;
    }

    /** Shape of a value info with -1 for dynamic dims; empty when it has no shape. */
    static Optional<List<Integer>> declaredShape(OnnxMl.ValueInfoProto v) {
        return declaredShape(v, false);
    }

    /** As {@link #declaredShape(OnnxMl.ValueInfoProto)}; with {@code keepZero} a size-0 dim stays 0. */
    static Optional<List<Integer>> declaredShape(OnnxMl.ValueInfoProto v, boolean keepZero) {
        if (!v.hasType() || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return Optional.empty();
        }
        List<Integer> dims = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            dims.add(d.hasDimValue() && d.getDimValue() > 0 && d.getDimValue() <= Integer.MAX_VALUE
                    ? (int) d.getDimValue() : keepZero && d.hasDimValue() && d.getDimValue() == 0 ? 0 : -1);
        }
        return Optional.of(dims);
    }

    private String uniqueOpName(OnnxMl.NodeProto n, int index) {
        String base = n.getName().isEmpty() ? n.getOpType().toLowerCase() + "_" + index : n.getName();
        String name = base;
        for (int k = 2; !table.opNames.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    private void visit(int index) {
        OnnxMl.NodeProto node = graph.getNode(index);
        String type = ValueTable.nodeType(node);
        for (String in : node.getInputList()) {
            if (in.isEmpty() || table.values.containsKey(in)) {
                continue;
            }
            if (!table.failed.contains(in)) {
                table.problems.add("node '" + ValueTable.displayName(node, index) + "' (" + type + ") reads '" + in
                        + "', which is neither a graph input, an initializer nor the output of an earlier node");
            }
            table.failed.addAll(node.getOutputList());
            return;
        }
        String name = uniqueOpName(node, index);
        try {
            if (!supported(node)) {
                throw new Unmappable("unsupported operator " + type);
            }
            boolean allConst = node.getInputCount() > 0;
            for (String in : node.getInputList()) {
                if (!in.isEmpty() && !(table.values.get(in) instanceof Const)) {
                    allConst = false;
                }
            }
            if (allConst && !node.getOpType().equals("Shape") && !node.getOpType().equals("Size")) {
                foldConstant(node, index);
                return;
            }
            dispatch(node, index, name);
        } catch (Unmappable u) {
            if (unsupportedAsVector && opaque.opaqueFallback(node, name, u.getMessage())) {
                return;
            }
            table.problems.add("node '" + ValueTable.displayName(node, index) + "' (" + type + "): " + u.getMessage());
            table.failed.addAll(node.getOutputList());
        } catch (ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException e) {
            LOGGER.debug("Node ({}) could not be imported", ValueTable.displayName(node, index), e);
            table.problems.add("node '" + ValueTable.displayName(node, index) + "' (" + type + ") has attributes or "
                    + "inputs SFD cannot interpret (" + e.getMessage() + "); is the model valid?");
            table.failed.addAll(node.getOutputList());
        }
    }

    private void dispatch(OnnxMl.NodeProto n, int index, String name) {
        String op = n.getOpType();
        Attributes a = new Attributes(n);
        switch (op) {
            case "Conv" -> conv.conv(n, a, name);
            case "ConvTranspose" -> conv.convTranspose(n, a, name);
            case "Gemm" -> matmul.gemm(n, a, name);
            case "MatMul" -> matmul.matmul(n, name);
            case "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Sum", "Mean" -> elementwise.binary(n, name);
            case "Clip" -> elementwise.clip(n, a, name);
            case "BatchNormalization" -> normalization.batchNorm(n, name);
            case "LayerNormalization" -> normalization.layerNorm(n, a, name);
            case "MaxPool", "AveragePool", "LpPool" -> conv.pool(n, a, name);
            case "GlobalAveragePool", "GlobalMaxPool" -> conv.globalPool(n, name);
            case "Softmax", "LogSoftmax" -> normalization.softmax(n, a, name);
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                 "ReduceSumSquare", "ReduceLogSumExp" -> normalization.reduce(n, a, name, index);
            case "Concat" -> layout.concat(n, a, name);
            case "Reshape" -> layout.reshape(n, a, name);
            case "Flatten" -> layout.flatten(n, a, name);
            case "Squeeze", "Unsqueeze" -> layout.squeeze(n, a, name);
            case "Transpose" -> layout.transpose(n, a, name);
            case "Split" -> layout.split(n, a, name);
            case "Slice" -> layout.slice(n, a, name);
            case "Resize", "Upsample" -> resize.resize(n, a, name);
            case "Pad" -> layout.pad(n, a, name);
            case "Expand", "Tile" -> layout.expandOrTile(n, name);
            case "Gather" -> layout.gather(n, a, name);
            case "Identity", "Cast", "CastLike" -> table.alias(n.getOutput(0), table.act(n, 0));
            case "InstanceNormalization", "MeanVarianceNormalization", "LRN", "Hardmax", "CumSum", "Trilu" ->
                    normalization.alongAxes(n, a, name);
            case "ArgMax", "ArgMin", "ReduceLogSum" -> normalization.reduce(n, a, name, index);
            case "GatherElements" -> layout.gatherElements(n, a, name);
            case "DepthToSpace", "SpaceToDepth" -> layout.depthToSpace(n, a, name);
            case "Dropout" -> {
                Act x = table.act(n, 0);
                table.alias(n.getOutput(0), x);
                if (n.getOutputCount() > 1 && table.used(n.getOutput(1))) {
                    // The mask (training graphs): an elementwise op over the input's shape.
                    opaque.opaque(n, 1, name + "#1", List.of(x.tensor()), x.shape(), "dropout_mask", 1, null,
                            OpaqueNodes.broadcastReads(List.of(x.shape()), x.shape()).orElseThrow());
                }
            }
            case "Constant" -> table.values.put(n.getOutput(0), new Const(n.getOutput(0), constantNode(n, a)));
            case "Shape" -> {
                List<Integer> dims = table.dimsOf(n.getInput(0));
                int r = dims.size();
                int start = clampAxis((int) a.i("start", 0), r);
                int end = a.has("end") ? clampAxis((int) a.i("end", r), r) : r;
                List<Long> v = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    v.add((long) dims.get(i));
                }
                table.values.put(n.getOutput(0), new Const(n.getOutput(0), ConstTensor.vector(v)));
            }
            case "Size" -> table.values.put(n.getOutput(0), new Const(n.getOutput(0),
                    ConstTensor.of(List.of(), product(table.dimsOf(n.getInput(0)), 0,
                            table.dimsOf(n.getInput(0)).size()))));
            case "ConstantOfShape" -> throw new Unmappable("its shape input is computed at run time");
            default -> {
                if (UNARY.containsKey(op)) {
                    elementwise.unary(n, name, UNARY.get(op));
                } else if (OTHER_UNARY.contains(op)) {
                    elementwise.otherUnary(n, name);
                } else if (NARY.contains(op)) {
                    elementwise.nary(n, name);
                } else {
                    throw new Unmappable("unsupported operator " + op);
                }
            }
        }
    }

    ConstTensor decode(OnnxMl.TensorProto t) {
        try {
            return TensorDecoder.decode(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source, "initializer '" + t.getName() + "' is malformed (" + e.getMessage()
                    + ")");
        }
    }

    ConstTensor constantNode(OnnxMl.NodeProto n, Attributes a) {
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
    void foldConstant(OnnxMl.NodeProto n, int index) {
        ConstTensor r = ConstantFolder.fold(n, new Attributes(n), opset, in -> ((Const) table.values.get(in)).tensor())
                .orElseThrow(() -> new Unmappable("all its inputs are constants, but SFD cannot fold a constant "
                        + n.getOpType()));
        table.values.put(n.getOutput(0), new Const(n.getOutput(0), r));
        LOGGER.debug("Folded constant node ({}) {} to ({})", ValueTable.displayName(n, index), n.getOpType(), r);
    }
}

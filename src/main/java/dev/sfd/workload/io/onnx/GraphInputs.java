package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.NetworkBuilder;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import dev.sfd.workload.io.onnx.ValueTable.Const;
import dev.sfd.workload.io.onnx.ValueTable.Value;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The graph inputs of a model as SFD network inputs: their shapes (declared, or given with --input-shape), the
 * batch, and which inputs are really parameters fed at run time (imported as constant weight tensors). Axis 0 is
 * not assumed to be a batch: the batch only matters for --batch, which replaces axis 0 of the inputs whose axis 0
 * is the model's batch (the size of axis 0 of the first activation input, or a dynamic axis 0).
 */
final class GraphInputs {
    private static final Logger LOGGER = LogManager.getLogger(OnnxGraphTranslator.class);

    private final ValueTable table;
    private final OnnxMl.GraphProto graph;
    private final Integer batchOption;
    private final Map<String, List<Integer>> inputShapes;
    private final Map<String, Value> values;
    private final List<OnnxImport.Approximation> approximated;

    GraphInputs(ValueTable table, Integer batchOption, Map<String, List<Integer>> inputShapes) {
        this.table = table;
        this.graph = table.graph;
        this.batchOption = batchOption;
        this.inputShapes = inputShapes;
        this.values = table.values;
        this.approximated = table.approximated;
    }

    /** Weight positions: inputs of these operator types at these indices are parameters, not activations. */
    static final Map<String, Set<Integer>> WEIGHT_SLOTS = Map.of(
            "Conv", Set.of(1, 2), "ConvTranspose", Set.of(1, 2), "Gemm", Set.of(1, 2),
            "BatchNormalization", Set.of(1, 2, 3, 4), "LayerNormalization", Set.of(1, 2));

    /** Declares the inputs on the builder and in the value table; all problems are reported together. */
    void resolve(NetworkBuilder builder) {
        Set<String> init = new HashSet<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            init.add(t.getName());
        }
        List<String> errors = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, List<Integer>> shapes = new LinkedHashMap<>();
        Set<String> dynamicBatch = new HashSet<>();
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
            Optional<List<Integer>> declared = OnnxGraphTranslator.declaredShape(in);
            List<Integer> exact = OnnxGraphTranslator.declaredShape(in, true).orElse(List.of());
            if (exact.contains(0)) {
                if (exact.size() == 1 && !inputShapes.containsKey(in.getName())) {
                    // An empty list (axes, sizes): it has no elements, so its one possible value is known.
                    values.put(in.getName(), new Const(in.getName(), new ConstTensor(List.of(0), new double[0])));
                    continue;
                }
                errors.add("input '" + in.getName() + "' has shape " + dimsText(in) + " with a size-0 dimension; "
                        + "SFD imports non-empty tensors only");
                continue;
            }
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
            if (!shape.isEmpty() && (declared.isEmpty() || declared.get().isEmpty() || declared.get().get(0) < 1)) {
                dynamicBatch.add(in.getName());
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
            if (shapes.keySet().stream().allMatch(parameters::contains)) {
                errors.add("the graph has no activation input: inputs " + names + " are all read as weights or "
                        + "are scalars");
            }
        }
        for (String k : parameters) {
            List<Integer> dims = shapes.remove(k);
            values.put(k, new Const(k, new ConstTensor(dims, null)));
            approximated.add(new OnnxImport.Approximation(k, "graph input", "constant weight tensor " + dims
                    + " (read as a weight or a scalar)"));
            LOGGER.debug("Graph input ({}) {} is imported as a constant weight tensor", k, dims);
        }
        if (errors.isEmpty()) {
            // The model's batch: axis 0 of the first activation input as the model declares it (the size given
            // when it is dynamic). --batch replaces axis 0 of the inputs that share it (or declare it dynamic);
            // inputs whose axis 0 is something else keep their shapes.
            Map.Entry<String, List<Integer>> first = shapes.entrySet().iterator().next();
            table.modelBatch = declaredAxisZero(first.getKey()).orElse(first.getValue().get(0));
            table.batch = batchOption != null ? batchOption : first.getValue().get(0);
            for (Map.Entry<String, List<Integer>> e : shapes.entrySet()) {
                boolean batched = dynamicBatch.contains(e.getKey())
                        || declaredAxisZero(e.getKey()).orElse(-1) == table.modelBatch;
                if (batchOption != null && batched) {
                    e.getValue().set(0, batchOption);
                }
            }
        }
        if (batchOption != null && batchOption < 1) {
            errors.add("option --batch has value (" + batchOption + "); batch must be >= 1");
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(table.source, errors);
        }
        for (Map.Entry<String, List<Integer>> e : shapes.entrySet()) {
            builder.input(e.getKey(), e.getValue());
            values.put(e.getKey(), new Act(e.getKey(), List.copyOf(e.getValue())));
            List<Integer> declared = graph.getInputList().stream().filter(v -> v.getName().equals(e.getKey()))
                    .findFirst().flatMap(OnnxGraphTranslator::declaredShape).orElse(List.of());
            for (int i = 0; i < declared.size(); i++) {
                if (declared.get(i) > 0 && !declared.get(i).equals(e.getValue().get(i))) {
                    table.crossCheck = false; // shapes other than the export's: value_info no longer applies
                }
            }
            LOGGER.debug("Input ({}) has shape ({})", e.getKey(), e.getValue());
        }
    }

    /** Axis 0 of a graph input as the model declares it, when static. */
    private Optional<Integer> declaredAxisZero(String input) {
        return graph.getInputList().stream().filter(v -> v.getName().equals(input)).findFirst()
                .flatMap(OnnxGraphTranslator::declaredShape).filter(d -> !d.isEmpty() && d.get(0) > 0)
                .map(d -> d.get(0));
    }

    /** A graph input that some node reads in a weight position (tests feed weights as inputs). */
    boolean readInWeightSlot(String value) {
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

    static String dimsText(OnnxMl.ValueInfoProto v) {
        List<String> out = new ArrayList<>();
        for (OnnxMl.TensorShapeProto.Dimension d : v.getType().getTensorType().getShape().getDimList()) {
            out.add(d.hasDimValue() ? String.valueOf(d.getDimValue())
                    : d.hasDimParam() ? "'" + d.getDimParam() + "'" : "?");
        }
        return "[" + String.join(", ", out) + "]";
    }
}

package dev.sfd.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An operator as written by the user (YAML, JSON) or an importer, before validation and shape inference.
 *
 * @param name operator name
 * @param kind operator kind
 * @param inputs input tensor names
 * @param outputs output tensor names (empty: one output named after the operator)
 * @param params attributes; a reshape may still contain 0 (copy) and -1 (infer)
 * @param samePadding conv/pool: compute "same" padding from the input size (params' pads are ignored)
 * @param weightName name of the weight tensor (null: {@code <name>.weight}); equal names share one tensor
 * @param declaredShapes output shapes stated by the user, checked against inference (may be empty)
 */
public record OperatorSpec(String name, OpKind kind, List<String> inputs, List<String> outputs, OpParams params,
                           boolean samePadding, String weightName, List<List<Integer>> declaredShapes) {
    public OperatorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        inputs = List.copyOf(inputs);
        outputs = outputs.isEmpty() ? List.of(name) : List.copyOf(outputs);
        Objects.requireNonNull(params, "params");
        List<List<Integer>> shapes = new ArrayList<>();
        for (List<Integer> s : declaredShapes) {
            shapes.add(s == null ? null : List.copyOf(s));
        }
        declaredShapes = java.util.Collections.unmodifiableList(shapes);
    }

    public static OperatorSpec of(String name, OpKind kind, List<String> inputs, OpParams params) {
        return new OperatorSpec(name, kind, inputs, List.of(), params, false, null, List.of());
    }
}

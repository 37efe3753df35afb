package dev.sfd.workload.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sfd.common.Fields;
import dev.sfd.common.InputFiles;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.NetworkBuilder;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.OperatorSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a network in the {@code sfd-network/1} format (YAML or JSON, docs/network-format.md) and validates
 * it through {@link NetworkBuilder}: every problem names the file, the operator, the field and the value.
 */
public final class NetworkReader {
    public static final String FORMAT = "sfd-network/1";

    private static final Set<String> COMMON = Set.of("name", "op", "inputs", "output", "outputs", "outputShape",
            "outputShapes");
    private static final List<String> OPS;

    static {
        List<String> ops = new ArrayList<>(List.of("conv", "matmul", "maxpool", "avgpool", "globalavgpool",
                "globalmaxpool", "softmax", "layernorm", "batchnorm", "embedding", "reshape", "transpose", "concat",
                "split", "resize"));
        ops.addAll(OpParams.Elementwise.BINARY);
        ops.addAll(OpParams.Elementwise.UNARY);
        OPS = List.copyOf(ops);
    }

    private NetworkReader() {
    }

    /** Reads a file; {@code batch} overrides the file's batch when present. */
    public static Network read(Path file, Integer batch) {
        byte[] bytes = InputFiles.read(file, InputFiles.MAX_TEXT_BYTES, "network file");
        return build(file.toString(), InputFiles.parse(file.toString(), bytes, InputFiles.Syntax.of(file.toString())),
                batch);
    }

    public static Network read(Path file) {
        return read(file, null);
    }

    public static Network parse(String source, String text, Integer batch) {
        return build(source, InputFiles.parse(source, text, InputFiles.Syntax.of(source)), batch);
    }

    private static Network build(String source, JsonNode root, Integer batch) {
        if (root == null || !root.isObject()) {
            boolean empty = root == null || root.isMissingNode() || root.isNull();
            throw new InvalidInputException(source, "must contain a network (a map with 'name', 'inputs' and "
                    + "'operators'); found " + (empty ? "nothing (the file is empty)"
                    : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        List<String> problems = new ArrayList<>();
        Fields top = new Fields(root, "network", problems);
        top.rejectUnknown(Set.of("format", "name", "description", "source", "batch", "inputs", "outputs", "operators"));
        String format = top.string("format", FORMAT, false);
        if (!FORMAT.equals(format)) {
            top.problem("format", "has value (" + format + "); this version reads " + FORMAT);
        }
        NetworkBuilder b = new NetworkBuilder(source);
        b.name(top.string("name", null, true));
        b.description(top.string("source", "", false));
        int fileBatch = top.integer("batch", 1, false);
        b.batch(batch != null ? batch : fileBatch);
        JsonNode inputs = root.get("inputs");
        if (inputs == null || !inputs.isArray()) {
            problems.add("network field 'inputs' is missing or not a list; give e.g. [{name: image, shape: [1, 3, 224, 224]}]");
        } else {
            for (JsonNode in : inputs) {
                Fields f = new Fields(in, "input '" + in.path("name").asText("?") + "'", problems);
                if (!in.isObject()) {
                    problems.add("network field 'inputs' has entry (" + in + "); each input is {name, shape}");
                    continue;
                }
                f.rejectUnknown(Set.of("name", "shape", "type"));
                String name = f.string("name", null, true);
                List<Integer> shape = f.intList("shape", true);
                String type = f.string("type", "activation", false);
                if (!type.equals("activation") && !type.equals("tokens")) {
                    f.problem("type", "has value (" + type + "); expected 'activation' or 'tokens'");
                }
                if (name != null && shape != null) {
                    b.input(name, shape);
                }
            }
        }
        for (String out : top.stringList("outputs", false)) {
            b.output(out);
        }
        JsonNode ops = root.get("operators");
        if (ops == null || !ops.isArray()) {
            problems.add("network field 'operators' is missing or not a list");
        } else if (ops.isEmpty()) {
            problems.add("field 'operators' is empty; a network needs at least one operator");
        } else {
            for (JsonNode op : ops) {
                if (!op.isObject()) {
                    problems.add("network field 'operators' has entry (" + op + "); each operator is a map with "
                            + "'name', 'op' and 'inputs'");
                    continue;
                }
                OperatorSpec spec = operator(op, problems);
                if (spec != null) {
                    b.operator(spec);
                }
            }
        }
        for (String p : problems) {
            b.problem(p);
        }
        return b.build();
    }

    private static OperatorSpec operator(JsonNode node, List<String> problems) {
        String name = node.path("name").asText("");
        Fields f = new Fields(node, "operator '" + (name.isEmpty() ? "?" : name) + "'", problems);
        if (name.isEmpty()) {
            problems.add("an operator has no 'name' (" + node + "); every operator needs a unique name");
            return null;
        }
        String op = f.string("op", null, true);
        if (op == null) {
            return null;
        }
        if (!OPS.contains(op)) {
            String guess = Fields.closest(op, OPS);
            f.problem("op", "has value (" + op + "), an unknown operator kind; known kinds are " + new TreeSet<>(OPS)
                    + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
            return null;
        }
        List<String> inputs = f.stringList("inputs", true);
        List<String> outputs = new ArrayList<>();
        if (f.has("output")) {
            outputs.add(f.string("output", name, false));
        }
        outputs.addAll(f.stringList("outputs", false));
        List<List<Integer>> declared = new ArrayList<>();
        if (f.has("outputShape")) {
            declared.add(f.intList("outputShape", false));
        }
        JsonNode shapes = node.get("outputShapes");
        if (shapes != null && shapes.isArray()) {
            for (int i = 0; i < shapes.size(); i++) {
                declared.add(new Fields(shapes, f.where(), problems).intList(String.valueOf(i), false));
            }
        }
        Set<String> known = new HashSet<>(COMMON);
        boolean same = false;
        String weight = null;
        OpKind kind;
        OpParams params;
        switch (op) {
            case "conv" -> {
                known.addAll(Set.of("channels", "kernel", "stride", "padding", "dilation", "groups", "bias", "weight"));
                int[] k = pair(f, "kernel", null);
                int[] s = pair(f, "stride", new int[] {1, 1});
                int[] d = pair(f, "dilation", new int[] {1, 1});
                int[] pad = padding(f);
                same = pad == null;
                if (pad == null) {
                    pad = new int[4];
                }
                kind = OpKind.CONV;
                params = new OpParams.Conv(f.integer("channels", 1, true), k[0], k[1], s[0], s[1], pad[0], pad[1],
                        pad[2], pad[3], d[0], d[1], f.integer("groups", 1, false), f.bool("bias", false));
                weight = f.string("weight", null, false);
            }
            case "matmul" -> {
                known.addAll(Set.of("features", "transposeB", "bias", "weight"));
                kind = OpKind.MATMUL;
                int features = f.integer("features", 0, false);
                if (f.has("features") && features < 1) {
                    f.problem("features", "has value (" + features + "); features must be >= 1");
                    features = 1;
                }
                if (features > 0 && inputs.size() != 1) {
                    f.problem("features", "is given with " + inputs.size() + " inputs; a linear layer (features) takes "
                            + "one input, an activation matmul two inputs and no features");
                }
                if (features == 0 && inputs.size() == 1) {
                    problems.add(f.where() + " is a matmul with one input and no 'features'"
                            + "\n  Maybe add 'features: N' for a linear layer, or a second input.");
                }
                params = new OpParams.Matmul(features, f.bool("transposeB", false), f.bool("bias", false));
                weight = f.string("weight", null, false);
            }
            case "maxpool", "avgpool" -> {
                known.addAll(Set.of("kernel", "stride", "padding", "dilation"));
                int[] k = pair(f, "kernel", null);
                int[] s = pair(f, "stride", k);
                int[] d = pair(f, "dilation", new int[] {1, 1});
                int[] pad = padding(f);
                same = pad == null;
                if (pad == null) {
                    pad = new int[4];
                }
                kind = OpKind.POOL;
                params = new OpParams.Pool(op.substring(0, 3), k[0], k[1], s[0], s[1], pad[0], pad[1], pad[2], pad[3],
                        d[0], d[1], false);
            }
            case "globalavgpool", "globalmaxpool" -> {
                kind = OpKind.POOL;
                params = new OpParams.Pool(op.substring(6, 9), 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true);
            }
            case "softmax" -> {
                known.add("axis");
                kind = OpKind.SOFTMAX;
                params = new OpParams.Softmax(f.integer("axis", -1, false));
            }
            case "layernorm" -> {
                known.addAll(Set.of("axis", "affine", "weight"));
                kind = OpKind.LAYERNORM;
                params = new OpParams.LayerNorm(f.integer("axis", -1, false), f.bool("affine", true));
                weight = f.string("weight", null, false);
            }
            case "batchnorm" -> {
                known.add("weight");
                kind = OpKind.BATCHNORM;
                params = new OpParams.BatchNorm();
                weight = f.string("weight", null, false);
            }
            case "embedding" -> {
                known.addAll(Set.of("vocabulary", "features", "weight"));
                kind = OpKind.EMBEDDING;
                params = new OpParams.Embedding(f.integer("vocabulary", 1, true), f.integer("features", 1, true));
                weight = f.string("weight", null, false);
            }
            case "reshape" -> {
                known.add("shape");
                kind = OpKind.RESHAPE;
                List<Integer> shape = f.intList("shape", true);
                params = new OpParams.Reshape(shape == null ? List.of(0) : shape);
            }
            case "transpose" -> {
                known.add("perm");
                kind = OpKind.TRANSPOSE;
                List<Integer> perm = f.intList("perm", true);
                params = new OpParams.Transpose(perm == null ? List.of() : perm);
            }
            case "concat" -> {
                known.add("axis");
                kind = OpKind.CONCAT;
                params = new OpParams.Concat(f.integer("axis", 1, true));
            }
            case "split" -> {
                known.addAll(Set.of("axis", "sizes"));
                kind = OpKind.SPLIT;
                List<Integer> sizes = f.intList("sizes", true);
                params = new OpParams.Split(f.integer("axis", 1, true), sizes == null ? List.of() : sizes);
                if (outputs.isEmpty()) {
                    f.problem("outputs", "is missing; a split names one output tensor per part");
                }
            }
            case "resize" -> {
                known.addAll(Set.of("scale", "mode", "coordinates", "nearestMode"));
                kind = OpKind.RESAMPLE;
                params = OpParams.Resample.sampling(f.string("mode", "nearest", false),
                        f.string("coordinates", "half_pixel", false), f.string("nearestMode", "round_prefer_floor", false),
                        scales(f).get(0), scales(f).get(1));
            }
            default -> {
                kind = OpKind.ELEMENTWISE;
                params = new OpParams.Elementwise(op);
            }
        }
        f.rejectUnknown(known);
        return new OperatorSpec(name, kind, inputs, outputs, params, same, weight, declared);
    }

    /**
     * A resize's {@code scale}: one scale or [rows, columns], each a whole number, a decimal (matched by a
     * fraction) or a fraction string such as {@code "3/2"}.
     */
    private static List<OpParams.Resample.Scale> scales(Fields f) {
        JsonNode v = f.node().get("scale");
        List<OpParams.Resample.Scale> out = new ArrayList<>();
        if (v == null) {
            f.string("scale", null, true);
            return List.of(new OpParams.Resample.Scale(1, 1), new OpParams.Resample.Scale(1, 1));
        }
        List<JsonNode> items = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(items::add);
        } else {
            items.add(v);
        }
        for (JsonNode item : items) {
            OpParams.Resample.Scale sc = scale(item);
            if (sc == null) {
                f.problem("scale", "has value (" + v + "); expected a positive number, a fraction such as \"3/2\", "
                        + "or [rows, columns]");
                return List.of(new OpParams.Resample.Scale(1, 1), new OpParams.Resample.Scale(1, 1));
            }
            out.add(sc);
        }
        if (out.size() == 1) {
            out.add(out.get(0));
        }
        if (out.size() != 2) {
            f.problem("scale", "has value " + v + "; expected one scale or [rows, columns]");
            return List.of(new OpParams.Resample.Scale(1, 1), new OpParams.Resample.Scale(1, 1));
        }
        return out;
    }

    private static OpParams.Resample.Scale scale(JsonNode item) {
        if (item.isIntegralNumber() && item.asLong() >= 1 && item.asLong() <= Integer.MAX_VALUE) {
            return new OpParams.Resample.Scale((int) item.asLong(), 1);
        }
        if (item.isNumber()) {
            return OpParams.Resample.Scale.approximate(item.asDouble()).orElse(null);
        }
        if (item.isTextual()) {
            String[] parts = item.asText().trim().split("/");
            try {
                int num = Integer.parseInt(parts[0].trim());
                int den = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : parts.length == 1 ? 1 : 0;
                return num >= 1 && den >= 1 ? OpParams.Resample.Scale.of(num, den) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** An int or [h, w]; null fallback means required. */
    private static int[] pair(Fields f, String field, int[] fallback) {
        List<Integer> v = f.intList(field, fallback == null);
        if (v == null) {
            return fallback == null ? new int[] {1, 1} : fallback;
        }
        if (v.size() == 1) {
            return new int[] {v.get(0), v.get(0)};
        }
        if (v.size() == 2) {
            return new int[] {v.get(0), v.get(1)};
        }
        f.problem(field, "has value " + v + "; expected one number or [h, w]");
        return new int[] {1, 1};
    }

    /** Padding as [top, left, bottom, right]; null means "same". */
    private static int[] padding(Fields f) {
        JsonNode v = f.node().get("padding");
        if (v != null && v.isTextual()) {
            if (v.asText().equals("same")) {
                return null;
            }
            if (v.asText().equals("valid")) {
                return new int[4];
            }
            f.problem("padding", "has value (" + v.asText() + "); expected a number, [h, w], [top, left, bottom, right], "
                    + "'same' or 'valid'");
            return new int[4];
        }
        List<Integer> p = f.intList("padding", false);
        if (p == null) {
            return new int[4];
        }
        return switch (p.size()) {
            case 1 -> new int[] {p.get(0), p.get(0), p.get(0), p.get(0)};
            case 2 -> new int[] {p.get(0), p.get(1), p.get(0), p.get(1)};
            case 4 -> new int[] {p.get(0), p.get(1), p.get(2), p.get(3)};
            default -> {
                f.problem("padding", "has value " + p + "; expected one number, [h, w] or [top, left, bottom, right]");
                yield new int[4];
            }
        };
    }
}

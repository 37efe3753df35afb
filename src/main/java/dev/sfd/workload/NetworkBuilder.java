package dev.sfd.workload;

import dev.sfd.common.Fields;
import dev.sfd.common.InvalidInputException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.sfd.workload.LoopDim.C;
import static dev.sfd.workload.LoopDim.G;
import static dev.sfd.workload.LoopDim.K;
import static dev.sfd.workload.LoopDim.N;
import static dev.sfd.workload.LoopDim.P;
import static dev.sfd.workload.LoopDim.Q;
import static dev.sfd.workload.LoopDim.R;
import static dev.sfd.workload.LoopDim.S;

/**
 * Validates operator specs, sorts them topologically, infers every tensor's shape, creates weight tensors and
 * derives each compute operator's {@link LoopNest}. All problems found are reported together in one
 * {@link InvalidInputException} naming the source, the operator, the field and the value.
 */
public final class NetworkBuilder {
    /** Highest tensor rank a compute operator takes or produces (layout operators take any rank). */
    public static final int MAX_COMPUTE_RANK = 5;

    private final String source;
    private String name;
    private String description = "";
    private int batch = 1;
    private boolean axisZeroIsBatch = true;
    private final Map<String, List<Integer>> inputs = new LinkedHashMap<>();
    private final List<String> declaredOutputs = new ArrayList<>();
    private final List<OperatorSpec> specs = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** @param source the file (or other origin) named in error messages */
    public NetworkBuilder(String source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    public NetworkBuilder name(String networkName) {
        this.name = networkName;
        return this;
    }

    public NetworkBuilder description(String text) {
        this.description = text == null ? "" : text;
        return this;
    }

    /** Batch size: replaces dimension 0 of every network input. */
    public NetworkBuilder batch(int n) {
        this.batch = n;
        return this;
    }

    /**
     * Whether axis 0 of every activation is the batch (true, the network file format's convention): then
     * {@link #batch} replaces axis 0 of every input, and reshapes, transposes, concatenations, splits and layer
     * norms must keep axis 0 where it is. An importer of graphs whose axis 0 is a token or head axis passes false:
     * inputs keep the shapes given ({@link #batch} is only recorded) and axis 0 is an axis like any other.
     */
    public NetworkBuilder axisZeroIsBatch(boolean value) {
        this.axisZeroIsBatch = value;
        return this;
    }

    public NetworkBuilder input(String tensorName, List<Integer> shape) {
        if (inputs.containsKey(tensorName)) {
            problems.add("input '" + tensorName + "' is declared twice; input names must be unique");
        }
        inputs.put(tensorName, List.copyOf(shape));
        return this;
    }

    public NetworkBuilder output(String tensorName) {
        declaredOutputs.add(tensorName);
        return this;
    }

    public NetworkBuilder operator(OperatorSpec spec) {
        specs.add(Objects.requireNonNull(spec, "spec"));
        return this;
    }

    /** Records a problem found by a reader before building (so that all problems are reported together). */
    public NetworkBuilder problem(String message) {
        problems.add(message);
        return this;
    }

    public Network build() {
        if (name == null || name.isBlank()) {
            problems.add("field 'name' is missing; every network needs a name");
        }
        if (batch < 1) {
            problems.add("field 'batch' has value (" + batch + "); batch must be >= 1");
        } else if (batch > Limits.MAX_BATCH) {
            problems.add("field 'batch' has value (" + batch + "); SFD models batches of at most " + Limits.MAX_BATCH);
        }
        if (specs.size() > Limits.MAX_OPERATORS) {
            problems.add("field 'operators' has " + specs.size() + " operators; SFD models networks of at most "
                    + Limits.MAX_OPERATORS);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : inputs.entrySet()) {
            List<Integer> shape = new ArrayList<>(e.getValue());
            if (shape.isEmpty()) {
                problems.add("input '" + e.getKey() + "' has an empty shape; give at least the batch dimension");
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < shape.size(); i++) {
                if (shape.get(i) == null || shape.get(i) < 1) {
                    problems.add("input '" + e.getKey() + "' has dimension " + i + " = (" + shape.get(i)
                            + "); dimensions must be >= 1");
                    ok = false;
                } else if (shape.get(i) > Limits.MAX_DIM && i > 0) {
                    problems.add("input '" + e.getKey() + "' has dimension " + i + " = (" + shape.get(i)
                            + "); SFD models dimensions of at most " + Limits.MAX_DIM);
                    ok = false;
                }
            }
            if (ok) {
                if (axisZeroIsBatch) {
                    shape.set(0, Math.min(Limits.MAX_BATCH, Math.max(1, batch)));
                }
                ok = withinElements("input '" + e.getKey() + "'", shape);
            }
            if (ok) {
                tensors.put(e.getKey(), new Tensor(e.getKey(), shape, TensorRole.INPUT));
            }
        }
        if (inputs.isEmpty()) {
            problems.add("field 'inputs' is empty; a network needs at least one input");
        }
        // Declared inputs count as known names even when their shape is bad: their consumers are skipped
        // below instead of being reported as reading an unknown tensor.
        List<OperatorSpec> order = sortTopologically(inputs.keySet());
        List<Operator> operators = new ArrayList<>();
        Map<String, LoopNest> nests = new HashMap<>();
        Set<String> failed = new HashSet<>();
        Set<String> built = new HashSet<>();
        for (OperatorSpec spec : order) {
            if (!built.add(spec.name())) {
                continue; // a second operator of the same name: already reported
            }
            boolean inputsKnown = true;
            for (String in : spec.inputs()) {
                if (!tensors.containsKey(in) || failed.contains(in)) {
                    inputsKnown = false;
                }
            }
            if (!inputsKnown) {
                failed.addAll(spec.outputs());
                continue;
            }
            int before = problems.size();
            Operator op = null;
            if (paramsWithinLimits(spec)) {
                try {
                    op = addOperator(spec, tensors, nests);
                    if (op != null && problems.size() == before) {
                        checkSizes(op, tensors, nests);
                    }
                } catch (ArithmeticException e) {
                    problems.add("operator '" + spec.name() + "' is too large to model: its sizes overflow 64-bit "
                            + "arithmetic (" + e.getMessage() + ")");
                }
            }
            if (op == null || problems.size() > before) {
                failed.addAll(spec.outputs());
            } else {
                operators.add(op);
            }
        }
        List<String> outputs = resolveOutputs(operators, tensors);
        if (!problems.isEmpty()) {
            // One mistake can be found twice (e.g. stride 0 in both directions): report it once.
            throw new InvalidInputException(source, List.copyOf(new LinkedHashSet<>(problems)));
        }
        return new Network(name, description, batch, tensors, operators, List.copyOf(inputs.keySet()), outputs,
                nests);
    }

    // ---------------------------------------------------------------- limits

    /** Whether {@code shape} has at most {@link Limits#MAX_TENSOR_ELEMENTS} elements (a problem naming it if not). */
    private boolean withinElements(String what, List<Integer> shape) {
        long n = Limits.product(shape);
        if (n < 0 || n > Limits.MAX_TENSOR_ELEMENTS) {
            problems.add(what + " has shape " + shape + " with " + (n < 0 ? "more than 2^63" : String.valueOf(n))
                    + " elements; SFD models tensors of at most " + Limits.MAX_TENSOR_ELEMENTS + " elements"
                    + "\n  Maybe the batch or a dimension is larger than intended.");
            return false;
        }
        return true;
    }

    /**
     * Every whole-number parameter of the operator (kernel, stride, padding, dilation, groups, channels, features,
     * vocabulary, reshape and split sizes, scales) is at most {@link Limits#MAX_DIM} in magnitude.
     */
    private boolean paramsWithinLimits(OperatorSpec s) {
        boolean ok = true;
        OpParams params = s.params();
        for (java.lang.reflect.RecordComponent c : params.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(params);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            List<?> values = v instanceof List<?> l ? l : List.of(v == null ? "" : v);
            for (Object x : values) {
                long n = x instanceof Integer i ? i : x instanceof OpParams.Resample.Scale sc
                        ? Math.max(sc.num(), sc.den()) : 0;
                if (Math.abs(n) > Limits.MAX_DIM) {
                    problems.add(at(s, fieldOf(c.getName())) + " has value (" + x + "); SFD models sizes, kernels, strides, "
                            + "paddings, channels, features and scales of at most " + Limits.MAX_DIM);
                    ok = false;
                    break;
                }
            }
        }
        return ok;
    }

    /** The file's field for a parameter (the records split {@code kernel} into kernelH and kernelW, and so on). */
    private static String fieldOf(String component) {
        if (component.startsWith("pad")) {
            return "padding";
        }
        for (String f : List.of("kernel", "stride", "dilation")) {
            if (component.equals(f + "H") || component.equals(f + "W")) {
                return f;
            }
        }
        return switch (component) {
            case "outChannels" -> "channels";
            case "scales" -> "scale";
            default -> component;
        };
    }

    /** Output and weight tensors within {@link Limits#MAX_DIM} and {@link Limits#MAX_TENSOR_ELEMENTS}; work within
     *  {@link Limits#MAX_OPERATOR_OPS}. */
    private void checkSizes(Operator op, Map<String, Tensor> tensors, Map<String, LoopNest> nests) {
        List<String> created = new ArrayList<>(op.outputs());
        created.addAll(op.weights());
        for (String name : created) {
            Tensor t = tensors.get(name);
            if (t == null) {
                continue;
            }
            for (int d : t.shape()) {
                if (d > Limits.MAX_DIM) {
                    problems.add("operator '" + op.name() + "' " + (t.isWeight() ? "weight" : "output") + " '" + name
                            + "' has shape " + t.shape() + "; SFD models dimensions of at most " + Limits.MAX_DIM);
                    return;
                }
            }
            if (!withinElements("operator '" + op.name() + "' " + (t.isWeight() ? "weight" : "output") + " '" + name
                    + "'", t.shape())) {
                return;
            }
        }
        LoopNest nest = nests.get(op.name());
        if (nest != null) {
            long points = Limits.product(nest.bounds().values());
            long work = points < 0 ? -1 : points > Long.MAX_VALUE / Math.max(1, nest.opsPerPoint()) ? -1
                    : points * Math.max(1, nest.opsPerPoint());
            if (work < 0 || work > Limits.MAX_OPERATOR_OPS) {
                problems.add("operator '" + op.name() + "' has " + (work < 0 ? "more than 2^63" : String.valueOf(work))
                        + (nest.unit() == OpKind.ComputeUnit.PE_ARRAY ? " MACs" : " operations")
                        + "; SFD models operators of at most " + Limits.MAX_OPERATOR_OPS
                        + "\n  Maybe the batch or a dimension is larger than intended.");
            }
        }
    }

    // ---------------------------------------------------------------- structure

    private List<OperatorSpec> sortTopologically(Set<String> inputNames) {
        Map<String, OperatorSpec> producer = new HashMap<>();
        Set<String> opNames = new HashSet<>();
        for (OperatorSpec s : specs) {
            if (!opNames.add(s.name())) {
                problems.add("operator '" + s.name() + "' is defined twice; operator names must be unique");
            }
            for (String out : s.outputs()) {
                if (inputNames.contains(out)) {
                    problems.add("operator '" + s.name() + "' output '" + out
                            + "' has the name of a network input; tensor names must be unique");
                } else if (producer.containsKey(out)) {
                    problems.add("operator '" + s.name() + "' output '" + out + "' is already produced by operator '"
                            + producer.get(out).name() + "'; tensor names must be unique");
                } else {
                    producer.put(out, s);
                }
            }
        }
        Map<OperatorSpec, Integer> pending = new HashMap<>();
        Map<String, List<OperatorSpec>> waiting = new HashMap<>();
        Deque<OperatorSpec> ready = new ArrayDeque<>();
        for (OperatorSpec s : specs) {
            int unresolved = 0;
            for (String in : s.inputs()) {
                if (inputNames.contains(in)) {
                    continue;
                }
                if (!producer.containsKey(in)) {
                    problems.add("operator '" + s.name() + "' field 'inputs' names tensor '" + in
                            + "', which no operator produces and is not a network input" + hint(in, producer.keySet(),
                            inputNames));
                    continue;
                }
                unresolved++;
                waiting.computeIfAbsent(in, k -> new ArrayList<>()).add(s);
            }
            pending.put(s, unresolved);
            if (unresolved == 0) {
                ready.add(s);
            }
        }
        List<OperatorSpec> order = new ArrayList<>();
        Set<OperatorSpec> done = new HashSet<>();
        while (!ready.isEmpty()) {
            OperatorSpec s = ready.poll();
            if (!done.add(s)) {
                continue;
            }
            order.add(s);
            for (String out : s.outputs()) {
                if (producer.get(out) != s) {
                    continue;
                }
                for (OperatorSpec c : waiting.getOrDefault(out, List.of())) {
                    int left = pending.merge(c, -1, Integer::sum);
                    if (left == 0) {
                        ready.add(c);
                    }
                }
            }
        }
        List<String> cyclic = new ArrayList<>();
        for (OperatorSpec s : specs) {
            if (!done.contains(s) && pending.getOrDefault(s, 0) > 0 && dependsOnCycle(s, producer, inputNames)) {
                cyclic.add(s.name());
            }
        }
        if (!cyclic.isEmpty()) {
            problems.add("operators " + cyclic + " form a cycle; a network must be a DAG"
                    + "\n  Maybe an operator lists its own output (or a later tensor) in 'inputs'.");
        }
        return order;
    }

    private static boolean dependsOnCycle(OperatorSpec s, Map<String, OperatorSpec> producer, Set<String> inputs) {
        // s is on a cycle if following producers from s comes back to s.
        Deque<OperatorSpec> stack = new ArrayDeque<>();
        Set<OperatorSpec> seen = new HashSet<>();
        stack.push(s);
        while (!stack.isEmpty()) {
            OperatorSpec cur = stack.pop();
            for (String in : cur.inputs()) {
                OperatorSpec p = producer.get(in);
                if (p == null || inputs.contains(in)) {
                    continue;
                }
                if (p == s) {
                    return true;
                }
                if (seen.add(p)) {
                    stack.push(p);
                }
            }
        }
        return false;
    }

    private static String hint(String missing, Set<String> produced, Set<String> inputs) {
        List<String> names = new ArrayList<>(produced);
        names.addAll(inputs);
        String best = Fields.closest(missing, names);
        return best == null ? "" : "\n  Maybe you meant '" + best + "'.";
    }

    private List<String> resolveOutputs(List<Operator> operators, Map<String, Tensor> tensors) {
        if (!declaredOutputs.isEmpty()) {
            for (String o : declaredOutputs) {
                if (!tensors.containsKey(o) && problems.isEmpty()) {
                    problems.add("field 'outputs' names tensor '" + o + "', which no operator produces");
                }
            }
            return List.copyOf(declaredOutputs);
        }
        Set<String> consumed = new HashSet<>();
        for (Operator op : operators) {
            consumed.addAll(op.inputs());
        }
        List<String> outs = new ArrayList<>();
        for (Operator op : operators) {
            for (String o : op.outputs()) {
                if (!consumed.contains(o)) {
                    outs.add(o);
                }
            }
        }
        if (outs.isEmpty() && problems.isEmpty() && !operators.isEmpty()) {
            problems.add("the network has no output: every tensor is consumed");
        }
        return outs;
    }

    // ---------------------------------------------------------------- operators

    private String at(OperatorSpec s, String field) {
        return "operator '" + s.name() + "' field '" + field + "'";
    }

    private Operator addOperator(OperatorSpec s, Map<String, Tensor> tensors, Map<String, LoopNest> nests) {
        List<Tensor> in = new ArrayList<>();
        for (String name : s.inputs()) {
            in.add(tensors.get(name));
        }
        int arityMin = switch (s.kind()) {
            case ELEMENTWISE -> ((OpParams.Elementwise) s.params()).binary() ? 2 : 1;
            case MATMUL -> ((OpParams.Matmul) s.params()).hasWeight() ? 1 : 2;
            case CONCAT -> 1;
            case OPAQUE -> 0;
            default -> 1;
        };
        int arityMax = switch (s.kind()) {
            case ELEMENTWISE -> ((OpParams.Elementwise) s.params()).binary() ? Integer.MAX_VALUE : 1;
            case MATMUL -> arityMin;
            case CONCAT, OPAQUE -> Integer.MAX_VALUE;
            default -> 1;
        };
        if (in.size() < arityMin || in.size() > arityMax) {
            problems.add(at(s, "inputs") + " has " + in.size() + " tensor(s) " + s.inputs() + "; " + s.kind().id()
                    + (s.params() instanceof OpParams.Elementwise e ? " '" + e.function() + "'" : "")
                    + " takes " + (arityMin == arityMax ? String.valueOf(arityMin)
                    : arityMin + (arityMax == Integer.MAX_VALUE ? " or more" : " to " + arityMax)));
            return null;
        }
        if (!s.kind().isLayout()) {
            for (Tensor t : in) {
                if (t.rank() > MAX_COMPUTE_RANK) {
                    problems.add(at(s, "inputs") + " tensor '" + t.name() + "' has rank " + t.rank() + " " + t.shape()
                            + "; compute operators support rank up to " + MAX_COMPUTE_RANK);
                    return null;
                }
            }
        }
        if (s.kind() != OpKind.SPLIT && s.outputs().size() != 1) {
            problems.add(at(s, "outputs") + " lists " + s.outputs().size() + " tensors; only split has several");
            return null;
        }
        OpParams params = s.params();
        List<List<Integer>> outShapes;
        List<String> weights = new ArrayList<>();
        LoopNest nest = null;
        switch (s.kind()) {
            case CONV -> {
                OpParams.Conv c = resolveConvPadding(s, (OpParams.Conv) params, in.get(0));
                if (c == null) {
                    return null;
                }
                params = c;
                List<Integer> out = convShape(s, c, in.get(0));
                if (out == null) {
                    return null;
                }
                outShapes = List.of(out);
                String w = weight(s, tensors, weights, "", List.of(c.outChannels(), in.get(0).dim(1) / c.groups(),
                        c.kernelH(), c.kernelW()));
                String b = c.bias() ? weight(s, tensors, weights, ".bias", List.of(c.outChannels())) : null;
                nest = convNest(s, c, in.get(0), out, w, b);
            }
            case MATMUL -> {
                OpParams.Matmul m = (OpParams.Matmul) params;
                if (m.hasWeight()) {
                    Tensor a = in.get(0);
                    if (a.rank() < 2 || a.rank() > MAX_COMPUTE_RANK) {
                        problems.add(at(s, "inputs") + " tensor '" + a.name() + "' has rank " + a.rank() + " "
                                + a.shape() + "; a linear layer takes rank 2 to " + MAX_COMPUTE_RANK);
                        return null;
                    }
                    List<Integer> out = new ArrayList<>(a.shape());
                    out.set(out.size() - 1, m.features());
                    outShapes = List.of(out);
                    int d = a.dim(a.rank() - 1);
                    String w = weight(s, tensors, weights, "", List.of(d, m.features()));
                    String b = m.bias() ? weight(s, tensors, weights, ".bias", List.of(m.features())) : null;
                    // A weight shared with an embedding table (tied LM head) is stored [features, D]: index it so.
                    boolean transposed = tensors.get(w).shape().equals(List.of(m.features(), d))
                            && !tensors.get(w).shape().equals(List.of(d, m.features()));
                    nest = linearNest(s, a, out, w, b, transposed);
                } else {
                    List<Integer> out = batchedMatmulShape(s, m, in.get(0), in.get(1));
                    if (out == null) {
                        return null;
                    }
                    outShapes = List.of(out);
                    nest = batchedMatmulNest(s, m, in.get(0), in.get(1), out);
                }
            }
            case ELEMENTWISE -> {
                OpParams.Elementwise e = (OpParams.Elementwise) params;
                List<Tensor> operands = new ArrayList<>(in);
                String w = null;
                if (e.hasWeight()) {
                    w = weight(s, tensors, weights, "", e.weightShape());
                    operands.add(new Tensor(w, e.weightShape(), TensorRole.WEIGHT));
                }
                List<Integer> out = broadcastShape(s, operands);
                if (out == null) {
                    return null;
                }
                if (out.size() > MAX_COMPUTE_RANK) {
                    problems.add("operator '" + s.name() + "' produces a rank-" + out.size() + " tensor " + out
                            + "; compute operators support rank up to " + MAX_COMPUTE_RANK);
                    return null;
                }
                outShapes = List.of(out);
                nest = vectorNest(s, operands, out, e.binary() ? in.size() - 1 : 1, -1, List.of());
                if (w != null) {
                    nest = withWeightRole(nest, w);
                }
            }
            case OPAQUE -> {
                OpParams.Opaque o = (OpParams.Opaque) params;
                if (o.outputShape().isEmpty() || o.opsPerElement() < 0) {
                    problems.add(at(s, "outputShape") + " has value " + o.outputShape() + " with ("
                            + o.opsPerElement() + ") ops per element; give a shape of rank 1 to " + MAX_COMPUTE_RANK
                            + " and ops >= 0");
                    return null;
                }
                outShapes = List.of(o.outputShape());
                String w = o.weightShape().isEmpty() ? null : weight(s, tensors, weights, "", o.weightShape());
                if (o.outputShape().size() <= MAX_COMPUTE_RANK && o.outputShape().stream().allMatch(d -> d >= 1)) {
                    if (!checkReads(s, o, in)) {
                        return null;
                    }
                    nest = opaqueNest(s, in, o, w);
                }
            }
            case RESAMPLE -> {
                OpParams.Resample r = resolveResample(s, (OpParams.Resample) params, in.get(0));
                if (r == null) {
                    return null;
                }
                params = r;
                outShapes = List.of(r.outputShape());
                nest = resampleNest(s, r, in.get(0));
            }
            case POOL -> {
                OpParams.Pool p = (OpParams.Pool) params;
                Tensor x = in.get(0);
                if (x.rank() != 4) {
                    problems.add(at(s, "inputs") + " tensor '" + x.name() + "' has shape " + x.shape()
                            + "; pooling takes [N, C, H, W]");
                    return null;
                }
                if (p.global()) {
                    p = new OpParams.Pool(p.type(), x.dim(2), x.dim(3), 1, 1, 0, 0, 0, 0, 1, 1, true);
                } else {
                    p = resolvePoolPadding(s, p, x);
                    if (p == null) {
                        return null;
                    }
                }
                params = p;
                OpParams.Conv asConv = new OpParams.Conv(x.dim(1), p.kernelH(), p.kernelW(), p.strideH(),
                        p.strideW(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.dilationH(),
                        p.dilationW(), x.dim(1), false);
                List<Integer> out = convShape(s, asConv, x);
                if (out == null) {
                    return null;
                }
                outShapes = List.of(out);
                nest = poolNest(s, p, x, out);
            }
            case SOFTMAX -> {
                Tensor x = in.get(0);
                int axis = ((OpParams.Softmax) params).axis();
                int a = normaliseAxis(s, "axis", axis, x.rank());
                if (a < 0) {
                    return null;
                }
                params = new OpParams.Softmax(a);
                outShapes = List.of(x.shape());
                nest = vectorNest(s, in, x.shape(), 5, a, List.of(a));
            }
            case LAYERNORM -> {
                Tensor x = in.get(0);
                OpParams.LayerNorm ln = (OpParams.LayerNorm) params;
                int a = normaliseAxis(s, "axis", ln.axis(), x.rank());
                if (a < 0 || a == 0 && axisZeroIsBatch) {
                    if (a == 0) {
                        problems.add(at(s, "axis") + " has value (" + ln.axis()
                                + "); normalising over the batch axis is not supported");
                    }
                    return null;
                }
                params = new OpParams.LayerNorm(a, ln.affine());
                outShapes = List.of(x.shape());
                List<Integer> normShape = x.shape().subList(a, x.rank());
                List<Integer> whole = new ArrayList<>();
                for (int i = a; i < x.rank(); i++) {
                    whole.add(i);
                }
                String w = null;
                String b = null;
                if (ln.affine()) {
                    w = weight(s, tensors, weights, "", normShape);
                    b = weight(s, tensors, weights, ".bias", normShape);
                }
                nest = vectorNest(s, in, x.shape(), 8, a, whole);
                nest = withWeights(nest, x.rank(), a, w, b);
            }
            case BATCHNORM -> {
                Tensor x = in.get(0);
                if (x.rank() < 2) {
                    problems.add(at(s, "inputs") + " tensor '" + x.name() + "' has shape " + x.shape()
                            + "; batchnorm needs a channel axis 1");
                    return null;
                }
                outShapes = List.of(x.shape());
                String w = weight(s, tensors, weights, "", List.of(x.dim(1)));
                String b = weight(s, tensors, weights, ".bias", List.of(x.dim(1)));
                nest = vectorNest(s, in, x.shape(), 2, -1, List.of());
                nest = withWeights(nest, x.rank(), 1, w, b, 1);
            }
            case EMBEDDING -> {
                OpParams.Embedding e = (OpParams.Embedding) params;
                Tensor ids = in.get(0);
                if (ids.rank() != 2) {
                    problems.add(at(s, "inputs") + " tensor '" + ids.name() + "' has shape " + ids.shape()
                            + "; embedding takes token ids [N, S]");
                    return null;
                }
                if (e.vocabulary() < 1 || e.features() < 1) {
                    problems.add("operator '" + s.name() + "' has vocabulary (" + e.vocabulary() + ") and features ("
                            + e.features() + "); both must be >= 1");
                    return null;
                }
                List<Integer> out = List.of(ids.dim(0), ids.dim(1), e.features());
                outShapes = List.of(out);
                String w = weight(s, tensors, weights, "", List.of(e.vocabulary(), e.features()));
                nest = embeddingNest(s, ids, out, w);
            }
            case RESHAPE -> {
                List<Integer> out = reshapeShape(s, (OpParams.Reshape) params, in.get(0));
                if (out == null) {
                    return null;
                }
                params = new OpParams.Reshape(out);
                outShapes = List.of(out);
            }
            case TRANSPOSE -> {
                List<Integer> perm = ((OpParams.Transpose) params).perm();
                Tensor x = in.get(0);
                if (!isPermutation(perm, x.rank())) {
                    problems.add(at(s, "perm") + " has value " + perm + "; it must be a permutation of 0.."
                            + (x.rank() - 1) + " for input '" + x.name() + "' of shape " + x.shape());
                    return null;
                }
                if (perm.get(0) != 0 && axisZeroIsBatch) {
                    problems.add(at(s, "perm") + " has value " + perm + "; the batch axis 0 must stay first");
                    return null;
                }
                List<Integer> out = new ArrayList<>();
                for (int p : perm) {
                    out.add(x.dim(p));
                }
                outShapes = List.of(out);
            }
            case CONCAT -> {
                OpParams.Concat c = (OpParams.Concat) params;
                List<Integer> out = concatShape(s, c, in);
                if (out == null) {
                    return null;
                }
                params = new OpParams.Concat(normaliseAxis(s, "axis", c.axis(), in.get(0).rank()));
                outShapes = List.of(out);
            }
            case SPLIT -> {
                OpParams.Split sp = (OpParams.Split) params;
                Tensor x = in.get(0);
                int a = normaliseAxis(s, "axis", sp.axis(), x.rank());
                if (a < 0) {
                    return null;
                }
                if (a == 0 && axisZeroIsBatch) {
                    problems.add(at(s, "axis") + " has value (" + sp.axis() + "); splitting the batch axis is not supported");
                    return null;
                }
                if (sp.sizes().size() != s.outputs().size()) {
                    problems.add(at(s, "sizes") + " has " + sp.sizes().size() + " entries but 'outputs' names "
                            + s.outputs().size() + " tensors; they must match");
                    return null;
                }
                int sum = 0;
                for (int size : sp.sizes()) {
                    if (size < 1) {
                        problems.add(at(s, "sizes") + " has value " + sp.sizes() + "; every size must be >= 1");
                        return null;
                    }
                    sum += size;
                }
                if (sum != x.dim(a)) {
                    problems.add(at(s, "sizes") + " has value " + sp.sizes() + " summing to " + sum + ", but axis " + a
                            + " of input '" + x.name() + "' " + x.shape() + " has size " + x.dim(a));
                    return null;
                }
                params = new OpParams.Split(a, sp.sizes());
                List<List<Integer>> shapes = new ArrayList<>();
                for (int size : sp.sizes()) {
                    List<Integer> o = new ArrayList<>(x.shape());
                    o.set(a, size);
                    shapes.add(o);
                }
                outShapes = shapes;
            }
            case SLICE -> {
                List<Integer> out = sliceShape(s, (OpParams.Slice) params, in.get(0));
                if (out == null) {
                    return null;
                }
                outShapes = List.of(out);
            }
            default -> throw new IllegalStateException("unhandled kind " + s.kind());
        }
        for (int i = 0; i < outShapes.size(); i++) {
            List<Integer> shape = outShapes.get(i);
            for (int d : shape) {
                if (d < 1) {
                    problems.add("operator '" + s.name() + "' would produce shape " + shape
                            + "; every dimension must be >= 1\n  Maybe the kernel is larger than the padded input.");
                    return null;
                }
            }
            if (shape.size() > MAX_COMPUTE_RANK && !s.kind().isLayout()) {
                problems.add("operator '" + s.name() + "' produces a rank-" + shape.size() + " tensor " + shape
                        + "; compute operators support rank up to " + MAX_COMPUTE_RANK);
                return null;
            }
            if (i < s.declaredShapes().size() && s.declaredShapes().get(i) != null
                    && !s.declaredShapes().get(i).equals(shape)) {
                problems.add(at(s, "outputShape") + " has value " + s.declaredShapes().get(i)
                        + ", but the inputs give " + shape + "; producer and consumer shapes disagree");
                return null;
            }
        }
        for (String out : s.outputs()) {
            Tensor existing = tensors.get(out);
            if (existing != null && existing.isWeight()) {
                problems.add("operator '" + s.name() + "' output '" + out + "' has the name of a weight tensor; "
                        + "tensor names must be unique\n  Maybe rename the 'weight' field of the operator that names it.");
                return null;
            }
        }
        for (int i = 0; i < s.outputs().size(); i++) {
            String out = s.outputs().get(i);
            tensors.put(out, new Tensor(out, outShapes.get(i), TensorRole.ACTIVATION));
        }
        if (nest != null) {
            nests.put(s.name(), nest);
        }
        return new Operator(s.name(), s.kind(), s.inputs(), weights, s.outputs(), params);
    }

    private String weight(OperatorSpec s, Map<String, Tensor> tensors, List<String> weights, String suffix,
                          List<Integer> shape) {
        String base = s.weightName() != null ? s.weightName() : s.name() + ".weight";
        String wName = suffix.isEmpty() ? base : (s.weightName() != null ? base + suffix : s.name() + suffix);
        Tensor existing = tensors.get(wName);
        Tensor t = new Tensor(wName, shape, TensorRole.WEIGHT);
        if (existing != null) {
            if (!existing.isWeight()) {
                problems.add("operator '" + s.name() + "' weight '" + wName + "' has the name of an activation tensor; "
                        + "tensor names must be unique");
            } else if (existing.elements() != t.elements()) {
                problems.add("operator '" + s.name() + "' field 'weight' shares '" + wName + "' of shape "
                        + existing.shape() + " but needs shape " + shape + "; shared weights must have as many elements");
            }
        } else {
            tensors.put(wName, t);
        }
        weights.add(wName);
        return wName;
    }

    private int normaliseAxis(OperatorSpec s, String field, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            problems.add(at(s, field) + " has value (" + axis + "); the input has rank " + rank
                    + ", so the axis must be in " + (-rank) + ".." + (rank - 1));
            return -1;
        }
        return a;
    }

    private static boolean isPermutation(List<Integer> perm, int rank) {
        if (perm.size() != rank) {
            return false;
        }
        boolean[] seen = new boolean[rank];
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                return false;
            }
            seen[p] = true;
        }
        return true;
    }

    // ---------------------------------------------------------------- shapes

    private OpParams.Conv resolveConvPadding(OperatorSpec s, OpParams.Conv c, Tensor x) {
        if (x.rank() != 4) {
            problems.add(at(s, "inputs") + " tensor '" + x.name() + "' has shape " + x.shape()
                    + "; convolution takes [N, C, H, W]");
            return null;
        }
        boolean ok = positive(s, "channels", c.outChannels()) & positive(s, "kernel", c.kernelH())
                & positive(s, "kernel", c.kernelW()) & positive(s, "stride", c.strideH())
                & positive(s, "stride", c.strideW()) & positive(s, "dilation", c.dilationH())
                & positive(s, "dilation", c.dilationW()) & positive(s, "groups", c.groups());
        if (c.padTop() < 0 || c.padLeft() < 0 || c.padBottom() < 0 || c.padRight() < 0) {
            problems.add(at(s, "padding") + " has value (" + c.padTop() + ", " + c.padLeft() + ", " + c.padBottom()
                    + ", " + c.padRight() + "); padding must be >= 0");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        int inC = x.dim(1);
        if (inC % c.groups() != 0 || c.outChannels() % c.groups() != 0) {
            problems.add(at(s, "groups") + " has value (" + c.groups() + "), which does not divide the input channels ("
                    + inC + ") and output channels (" + c.outChannels() + ")"
                    + (c.groups() > 1 ? "\n  Maybe this is a depthwise convolution: set groups to the input channels." : ""));
            return null;
        }
        if (!s.samePadding()) {
            return c;
        }
        int[] v = samePad(x.dim(2), c.kernelH(), c.strideH(), c.dilationH());
        int[] h = samePad(x.dim(3), c.kernelW(), c.strideW(), c.dilationW());
        return new OpParams.Conv(c.outChannels(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW(), v[0], h[0],
                v[1], h[1], c.dilationH(), c.dilationW(), c.groups(), c.bias());
    }

    private OpParams.Pool resolvePoolPadding(OperatorSpec s, OpParams.Pool p, Tensor x) {
        boolean ok = positive(s, "kernel", p.kernelH()) & positive(s, "kernel", p.kernelW())
                & positive(s, "stride", p.strideH()) & positive(s, "stride", p.strideW())
                & positive(s, "dilation", p.dilationH()) & positive(s, "dilation", p.dilationW());
        if (!ok) {
            return null;
        }
        if (!s.samePadding()) {
            return p;
        }
        int[] v = samePad(x.dim(2), p.kernelH(), p.strideH(), p.dilationH());
        int[] h = samePad(x.dim(3), p.kernelW(), p.strideW(), p.dilationW());
        return new OpParams.Pool(p.type(), p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), v[0], h[0], v[1], h[1],
                p.dilationH(), p.dilationW(), false);
    }

    /** "Same" padding (output = ceil(in / stride)); the odd extra pixel goes to the end, as in ONNX SAME_UPPER. */
    static int[] samePad(int in, int kernel, int stride, int dilation) {
        long out = ((long) in + stride - 1) / stride;
        long total = Math.max(0, (out - 1) * stride + (long) (kernel - 1) * dilation + 1 - in);
        return new int[] {Math.toIntExact(total / 2), Math.toIntExact(total - total / 2)};
    }

    private boolean positive(OperatorSpec s, String field, int value) {
        if (value < 1) {
            problems.add(at(s, field) + " has value (" + value + "); " + field + " must be >= 1");
            return false;
        }
        return true;
    }

    private List<Integer> convShape(OperatorSpec s, OpParams.Conv c, Tensor x) {
        long paddedH = (long) x.dim(2) + c.padTop() + c.padBottom();
        long paddedW = (long) x.dim(3) + c.padLeft() + c.padRight();
        long spanH = (long) c.dilationH() * (c.kernelH() - 1) + 1;
        long spanW = (long) c.dilationW() * (c.kernelW() - 1) + 1;
        int h = Math.toIntExact((paddedH - spanH) / c.strideH() + 1);
        int w = Math.toIntExact((paddedW - spanW) / c.strideW() + 1);
        if (paddedH < spanH || paddedW < spanW) {
            problems.add(at(s, "kernel") + " has value (" + c.kernelH() + "x" + c.kernelW()
                    + "), larger than the padded input " + x.shape() + " of '" + x.name() + "'");
            return null;
        }
        return List.of(x.dim(0), c.outChannels(), h, w);
    }

    private List<Integer> batchedMatmulShape(OperatorSpec s, OpParams.Matmul m, Tensor a, Tensor b) {
        int minRank = axisZeroIsBatch ? 3 : 2;
        if (a.rank() < minRank || a.rank() > MAX_COMPUTE_RANK || b.rank() != a.rank()) {
            problems.add(at(s, "inputs") + " tensors '" + a.name() + "' " + a.shape() + " and '" + b.name() + "' "
                    + b.shape() + " must both have rank " + minRank + " to " + MAX_COMPUTE_RANK
                    + (axisZeroIsBatch ? " (batch first)" : "") + " for an activation matmul");
            return null;
        }
        int r = a.rank();
        for (int i = 0; i < r - 2; i++) {
            if (!a.shape().get(i).equals(b.shape().get(i))) {
                problems.add(at(s, "inputs") + " leading dims of '" + a.name() + "' " + a.shape() + " and '" + b.name()
                        + "' " + b.shape() + " differ; shape mismatch between producer and consumer");
                return null;
            }
        }
        int kA = a.dim(r - 1);
        int kB = m.transposeB() ? b.dim(r - 1) : b.dim(r - 2);
        int n = m.transposeB() ? b.dim(r - 2) : b.dim(r - 1);
        if (kA != kB) {
            problems.add(at(s, "inputs") + " inner dims disagree: '" + a.name() + "' " + a.shape() + " has " + kA
                    + ", '" + b.name() + "' " + b.shape() + " has " + kB + (m.transposeB() ? " (transposeB)" : "")
                    + "; shape mismatch between producer and consumer"
                    + (!m.transposeB() && b.dim(r - 1) == kA ? "\n  Maybe set transposeB: true." : ""));
            return null;
        }
        List<Integer> out = new ArrayList<>(a.shape());
        out.set(r - 1, n);
        return out;
    }

    private List<Integer> broadcastShape(OperatorSpec s, List<Tensor> in) {
        int rank = 0;
        for (Tensor t : in) {
            rank = Math.max(rank, t.rank());
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int size = 1;
            for (Tensor t : in) {
                int j = i - (rank - t.rank());
                if (j < 0) {
                    continue;
                }
                int d = t.dim(j);
                if (d != 1 && size != 1 && d != size) {
                    List<String> shapes = new ArrayList<>();
                    for (Tensor u : in) {
                        shapes.add("'" + u.name() + "' " + u.shape());
                    }
                    problems.add(at(s, "inputs") + " shapes " + String.join(", ", shapes)
                            + " do not broadcast; shape mismatch between producer and consumer");
                    return null;
                }
                if (d != 1) {
                    size = d;
                }
            }
            out.add(size);
        }
        return out;
    }

    private List<Integer> reshapeShape(OperatorSpec s, OpParams.Reshape r, Tensor x) {
        List<Integer> out = new ArrayList<>();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.shape().size(); i++) {
            int d = r.shape().get(i);
            if (d == 0) {
                if (i >= x.rank()) {
                    problems.add(at(s, "shape") + " has 0 at position " + i + ", but input '" + x.name() + "' has rank "
                            + x.rank());
                    return null;
                }
                d = x.dim(i);
            } else if (d == -1) {
                if (infer >= 0) {
                    problems.add(at(s, "shape") + " has value " + r.shape() + " with more than one -1");
                    return null;
                }
                infer = i;
                out.add(-1);
                continue;
            } else if (d < 0) {
                problems.add(at(s, "shape") + " has value " + r.shape() + "; dims must be >= 1, 0 (copy) or -1 (infer)");
                return null;
            }
            known *= d;
            out.add(d);
        }
        if (infer >= 0) {
            if (known == 0 || x.elements() % known != 0) {
                problems.add(at(s, "shape") + " has value " + r.shape() + ", which cannot hold the " + x.elements()
                        + " elements of '" + x.name() + "' " + x.shape());
                return null;
            }
            out.set(infer, (int) (x.elements() / known));
            known *= out.get(infer);
        }
        if (known != x.elements()) {
            problems.add(at(s, "shape") + " has value " + r.shape() + " (" + known + " elements), but input '" + x.name()
                    + "' " + x.shape() + " has " + x.elements() + " elements\n  Maybe use 0 to copy the batch dimension.");
            return null;
        }
        if (out.isEmpty() || axisZeroIsBatch && out.get(0) != x.dim(0)) {
            problems.add(at(s, "shape") + " has value " + r.shape() + "; the batch dimension must stay first"
                    + "\n  Maybe write 0 as the first dimension to copy the batch.");
            return null;
        }
        return out;
    }

    /** The output shape of a slice: its sizes, checked against the input (every index read lies inside). */
    private List<Integer> sliceShape(OperatorSpec s, OpParams.Slice sl, Tensor x) {
        if (sl.starts().size() != x.rank() || sl.steps().size() != x.rank() || sl.sizes().size() != x.rank()) {
            problems.add(at(s, "starts") + " has " + sl.starts().size() + " starts, " + sl.steps().size()
                    + " steps and " + sl.sizes().size() + " sizes for input '" + x.name() + "' " + x.shape()
                    + "; give one of each per axis");
            return null;
        }
        for (int a = 0; a < x.rank(); a++) {
            long start = sl.starts().get(a);
            long step = sl.steps().get(a);
            long size = sl.sizes().get(a);
            long last = start + (size - 1) * step;
            if (size < 1 || step == 0 || start < 0 || start >= x.dim(a) || last < 0 || last >= x.dim(a)) {
                problems.add(at(s, "starts") + " reads indices " + start + ", " + (start + step) + ", ... ("
                        + size + " of them) of axis " + a + " of input '" + x.name() + "' " + x.shape()
                        + "; a slice must read at least one index, all inside the input");
                return null;
            }
        }
        return sl.sizes();
    }

    private List<Integer> concatShape(OperatorSpec s, OpParams.Concat c, List<Tensor> in) {
        Tensor first = in.get(0);
        int a = normaliseAxis(s, "axis", c.axis(), first.rank());
        if (a < 0) {
            return null;
        }
        if (a == 0 && axisZeroIsBatch) {
            problems.add(at(s, "axis") + " has value (" + c.axis() + "); concatenating along the batch axis is not supported");
            return null;
        }
        List<Integer> out = new ArrayList<>(first.shape());
        int sum = 0;
        for (Tensor t : in) {
            boolean same = t.rank() == first.rank();
            for (int i = 0; same && i < t.rank(); i++) {
                same = i == a || t.dim(i) == first.dim(i);
            }
            if (!same) {
                problems.add(at(s, "inputs") + " '" + t.name() + "' " + t.shape() + " and '" + first.name() + "' "
                        + first.shape() + " differ outside axis " + a + "; shape mismatch between producer and consumer");
                return null;
            }
            sum += t.dim(a);
        }
        out.set(a, sum);
        return out;
    }

    // ---------------------------------------------------------------- loop nests

    private static Map<LoopDim, Integer> bounds(Object... pairs) {
        Map<LoopDim, Integer> m = new EnumMap<>(LoopDim.class);
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((LoopDim) pairs[i], (Integer) pairs[i + 1]);
        }
        return m;
    }

    private static LoopNest convNest(OperatorSpec s, OpParams.Conv c, Tensor x, List<Integer> out, String w, String b) {
        int g = c.groups();
        Map<LoopDim, Integer> bounds = bounds(N, out.get(0), G, g, K, c.outChannels() / g, C, x.dim(1) / g,
                P, out.get(2), Q, out.get(3), R, c.kernelH(), S, c.kernelW());
        List<Operand> operands = new ArrayList<>();
        operands.add(new Operand(x.name(), Operand.Role.INPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(G, C),
                new AxisExpr.Window(P, R, c.strideH(), c.dilationH(), c.padTop()),
                new AxisExpr.Window(Q, S, c.strideW(), c.dilationW(), c.padLeft()))));
        operands.add(new Operand(w, Operand.Role.WEIGHT, List.of(AxisExpr.Dims.of(G, K), AxisExpr.Dims.of(C),
                AxisExpr.Dims.of(R), AxisExpr.Dims.of(S))));
        if (b != null) {
            operands.add(new Operand(b, Operand.Role.WEIGHT, List.of(AxisExpr.Dims.of(G, K))));
        }
        operands.add(new Operand(s.outputs().get(0), Operand.Role.OUTPUT, List.of(AxisExpr.Dims.of(N),
                AxisExpr.Dims.of(G, K), AxisExpr.Dims.of(P), AxisExpr.Dims.of(Q))));
        return new LoopNest(s.name(), OpKind.ComputeUnit.PE_ARRAY, bounds, 1, operands,
                List.of(List.of(N), List.of(G, K), List.of(P), List.of(Q)), Set.of());
    }

    private static LoopNest poolNest(OperatorSpec s, OpParams.Pool p, Tensor x, List<Integer> out) {
        Map<LoopDim, Integer> bounds = bounds(N, out.get(0), G, x.dim(1), P, out.get(2), Q, out.get(3),
                R, p.kernelH(), S, p.kernelW());
        List<Operand> operands = List.of(
                new Operand(x.name(), Operand.Role.INPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(G),
                        new AxisExpr.Window(P, R, p.strideH(), p.dilationH(), p.padTop()),
                        new AxisExpr.Window(Q, S, p.strideW(), p.dilationW(), p.padLeft()))),
                new Operand(s.outputs().get(0), Operand.Role.OUTPUT, List.of(AxisExpr.Dims.of(N),
                        AxisExpr.Dims.of(G), AxisExpr.Dims.of(P), AxisExpr.Dims.of(Q))));
        return new LoopNest(s.name(), OpKind.ComputeUnit.VECTOR, bounds, 1, operands,
                List.of(List.of(N), List.of(G), List.of(P), List.of(Q)), Set.of());
    }

    /**
     * Loop dims of the axes of a rank-r activation for vector ops: [K], [N,K], [N,P,K], [N,K,P,Q], [N,G,K,P,Q]
     * (every output axis its own loop dim, so that a tile may cut any of them).
     */
    private static List<LoopDim> positionalDims(int rank) {
        return switch (rank) {
            case 1 -> List.of(K);
            case 2 -> List.of(N, K);
            case 3 -> List.of(N, P, K);
            case 4 -> List.of(N, K, P, Q);
            case 5 -> List.of(N, G, K, P, Q);
            default -> throw new IllegalArgumentException("rank " + rank);
        };
    }

    /** Loop dims of the leading (row) axes of a matmul operand of rank r: [N], [N,P], [N,G,P], [N,G,Q,P]. */
    private static List<LoopDim> rowDims(int rank) {
        return switch (rank) {
            case 2 -> List.of(N);
            case 3 -> List.of(N, P);
            case 4 -> List.of(N, G, P);
            case 5 -> List.of(N, G, Q, P);
            default -> throw new IllegalArgumentException("rank " + rank);
        };
    }

    private static LoopNest linearNest(OperatorSpec s, Tensor a, List<Integer> out, String w, String b,
                                       boolean transposedWeight) {
        int r = a.rank();
        // [N, D], [N, P, D], [N, G, P, D] or [N, G, Q, P, D] times [D, K]
        List<LoopDim> rowDims = rowDims(r);
        Map<LoopDim, Integer> bounds = new EnumMap<>(LoopDim.class);
        for (int i = 0; i < rowDims.size(); i++) {
            bounds.put(rowDims.get(i), a.dim(i));
        }
        bounds.put(C, a.dim(r - 1));
        bounds.put(K, out.get(r - 1));
        List<AxisExpr> inAxes = new ArrayList<>();
        List<AxisExpr> outAxes = new ArrayList<>();
        List<List<LoopDim>> outputAxes = new ArrayList<>();
        for (LoopDim d : rowDims) {
            inAxes.add(AxisExpr.Dims.of(d));
            outAxes.add(AxisExpr.Dims.of(d));
            outputAxes.add(List.of(d));
        }
        inAxes.add(AxisExpr.Dims.of(C));
        outAxes.add(AxisExpr.Dims.of(K));
        outputAxes.add(List.of(K));
        List<Operand> operands = new ArrayList<>();
        operands.add(new Operand(a.name(), Operand.Role.INPUT, inAxes));
        operands.add(new Operand(w, Operand.Role.WEIGHT, transposedWeight
                ? List.of(AxisExpr.Dims.of(K), AxisExpr.Dims.of(C)) : List.of(AxisExpr.Dims.of(C), AxisExpr.Dims.of(K))));
        if (b != null) {
            operands.add(new Operand(b, Operand.Role.WEIGHT, List.of(AxisExpr.Dims.of(K))));
        }
        operands.add(new Operand(s.outputs().get(0), Operand.Role.OUTPUT, outAxes));
        return new LoopNest(s.name(), OpKind.ComputeUnit.PE_ARRAY, bounds, 1, operands, outputAxes, Set.of());
    }

    private static LoopNest batchedMatmulNest(OperatorSpec s, OpParams.Matmul m, Tensor a, Tensor b, List<Integer> out) {
        int r = a.rank();
        // [M, K] x [K, N] is [N, C] x [C, K] (rows N, as a rank-2 linear layer); higher ranks: rows P, the leading
        // axes N, then G, then Q.
        List<LoopDim> rows = rowDims(r);
        List<LoopDim> lead = rows.subList(0, r - 2);
        LoopDim row = rows.get(r - 2);
        Map<LoopDim, Integer> bounds = new EnumMap<>(LoopDim.class);
        for (int i = 0; i < lead.size(); i++) {
            bounds.put(lead.get(i), a.dim(i));
        }
        bounds.put(row, a.dim(r - 2));
        bounds.put(C, a.dim(r - 1));
        bounds.put(K, out.get(r - 1));
        List<AxisExpr> aAxes = new ArrayList<>();
        List<AxisExpr> bAxes = new ArrayList<>();
        List<AxisExpr> oAxes = new ArrayList<>();
        List<List<LoopDim>> outputAxes = new ArrayList<>();
        for (LoopDim d : lead) {
            aAxes.add(AxisExpr.Dims.of(d));
            bAxes.add(AxisExpr.Dims.of(d));
            oAxes.add(AxisExpr.Dims.of(d));
            outputAxes.add(List.of(d));
        }
        aAxes.add(AxisExpr.Dims.of(row));
        aAxes.add(AxisExpr.Dims.of(C));
        if (m.transposeB()) {
            bAxes.add(AxisExpr.Dims.of(K));
            bAxes.add(AxisExpr.Dims.of(C));
        } else {
            bAxes.add(AxisExpr.Dims.of(C));
            bAxes.add(AxisExpr.Dims.of(K));
        }
        oAxes.add(AxisExpr.Dims.of(row));
        oAxes.add(AxisExpr.Dims.of(K));
        outputAxes.add(List.of(row));
        outputAxes.add(List.of(K));
        List<Operand> operands = List.of(new Operand(a.name(), Operand.Role.INPUT, aAxes),
                new Operand(b.name(), Operand.Role.INPUT, bAxes),
                new Operand(s.outputs().get(0), Operand.Role.OUTPUT, oAxes));
        return new LoopNest(s.name(), OpKind.ComputeUnit.PE_ARRAY, bounds, 1, operands, outputAxes, Set.of());
    }

    /**
     * Vector op over the output's axes. {@code wholeAxes} are output axes a tile must cover entirely
     * (softmax / normalisation axes).
     */
    private static LoopNest vectorNest(OperatorSpec s, List<Tensor> in, List<Integer> out, int opsPerPoint,
                                       int unusedAxis, List<Integer> wholeAxes) {
        List<LoopDim> dims = positionalDims(out.size());
        Map<LoopDim, Integer> bounds = new EnumMap<>(LoopDim.class);
        List<List<LoopDim>> outputAxes = new ArrayList<>();
        List<AxisExpr> oAxes = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            bounds.put(dims.get(i), out.get(i));
            outputAxes.add(List.of(dims.get(i)));
            oAxes.add(AxisExpr.Dims.of(dims.get(i)));
        }
        List<Operand> operands = new ArrayList<>();
        for (Tensor t : in) {
            List<AxisExpr> axes = new ArrayList<>();
            int offset = out.size() - t.rank();
            for (int j = 0; j < t.rank(); j++) {
                int i = j + offset;
                axes.add(t.dim(j) == 1 && out.get(i) != 1 ? AxisExpr.Dims.of() : AxisExpr.Dims.of(dims.get(i)));
            }
            operands.add(new Operand(t.name(), Operand.Role.INPUT, axes));
        }
        operands.add(new Operand(s.outputs().get(0), Operand.Role.OUTPUT, oAxes));
        Set<LoopDim> whole = EnumSet.noneOf(LoopDim.class);
        for (int a : wholeAxes) {
            whole.add(dims.get(a));
        }
        OpKind.ComputeUnit unit = OpKind.ComputeUnit.VECTOR;
        return new LoopNest(s.name(), unit, bounds, opsPerPoint, operands, outputAxes, whole);
    }

    /** Marks the operand named {@code w} (added as an input by {@link #vectorNest}) as a weight. */
    private static LoopNest withWeightRole(LoopNest nest, String w) {
        List<Operand> operands = new ArrayList<>();
        for (Operand o : nest.operands()) {
            operands.add(o.tensor().equals(w) && o.role() == Operand.Role.INPUT
                    ? new Operand(w, Operand.Role.WEIGHT, o.axes()) : o);
        }
        return new LoopNest(nest.operator(), nest.unit(), nest.bounds(), nest.opsPerPoint(), operands,
                nest.outputAxes(), nest.wholeDims());
    }

    /**
     * Checks a resample's fields against its input [N, C, H, W] and fills in the output shape; null (with the
     * problems recorded) when they do not fit.
     */
    private OpParams.Resample resolveResample(OperatorSpec s, OpParams.Resample r, Tensor x) {
        int before = problems.size();
        if (x.rank() != 4) {
            problems.add(at(s, "inputs") + " tensor '" + x.name() + "' has shape " + x.shape()
                    + "; resize takes [N, C, H, W]");
            return null;
        }
        if (!Resampling.MODES.contains(r.mode())) {
            problems.add(at(s, "mode") + " has value (" + r.mode() + "); expected one of " + Resampling.MODES);
        }
        if (!Resampling.COORDINATES.contains(r.coordinates())) {
            problems.add(at(s, "coordinates") + " has value (" + r.coordinates() + "); expected one of "
                    + Resampling.COORDINATES);
        }
        if (!Resampling.NEAREST_MODES.contains(r.nearestMode())) {
            problems.add(at(s, "nearestMode") + " has value (" + r.nearestMode() + "); expected one of "
                    + Resampling.NEAREST_MODES);
        }
        if (r.scales().size() != 2) {
            problems.add(at(s, "scale") + " has " + r.scales().size() + " entries " + r.scales()
                    + "; give one scale or [rows, columns]");
            return null;
        }
        for (OpParams.Resample.Scale sc : r.scales()) {
            if (sc.num() < 1 || sc.den() < 1) {
                problems.add(at(s, "scale") + " has value (" + sc.num() + "/" + sc.den()
                        + "); a scale is a positive number or fraction such as 2 or 3/2");
            }
        }
        if (r.mode().equals("col2im")) {
            if (r.kernel().size() != 2 || r.padBefore().size() != 2 || r.kernel().stream().anyMatch(k -> k < 1)
                    || r.padBefore().stream().anyMatch(p -> p < 0) || r.scales().stream().anyMatch(sc -> sc.den() != 1)) {
                problems.add("operator '" + s.name() + "' is a col2im with kernel " + r.kernel() + ", padding "
                        + r.padBefore() + " and scale " + r.scales() + "; it needs kernel >= 1, padding >= 0 and "
                        + "integer scales (the strides) for rows and columns");
            }
        } else if (!r.kernel().isEmpty() || !r.padBefore().isEmpty()) {
            problems.add("operator '" + s.name() + "' gives a kernel or padding to a " + r.mode()
                    + " resize; only col2im has them");
        }
        if (problems.size() > before) {
            return null;
        }
        List<Integer> out = r.outputShape();
        if (out.isEmpty()) {
            out = List.of(x.dim(0), x.dim(1), Math.toIntExact((long) x.dim(2) * r.scales().get(0).num() / r.scales().get(0).den()),
                    Math.toIntExact((long) x.dim(3) * r.scales().get(1).num() / r.scales().get(1).den()));
        }
        if (out.size() != 4 || !out.get(0).equals(x.dim(0)) || !out.get(1).equals(x.dim(1)) || out.get(2) < 1
                || out.get(3) < 1) {
            problems.add("operator '" + s.name() + "' resizes " + x.shape() + " to " + out + " (scale " + r.scales()
                    + "); the output must keep N and C and have at least one row and column");
            return null;
        }
        return new OpParams.Resample(r.mode(), r.coordinates(), r.nearestMode(), r.scales(), out, r.kernel(),
                r.padBefore());
    }

    /**
     * Vector nest over the output [N, C, H', W'] (N, K, P, Q); the input's rows and columns follow the output's
     * scaled ({@link AxisExpr.Scaled}), its batch and channels 1:1. Ops per output element: 1 for nearest (a copy),
     * 2^k for linear over k resized axes, 0 for col2im (its arithmetic is counted in the convolution).
     */
    private static LoopNest resampleNest(OperatorSpec s, OpParams.Resample r, Tensor x) {
        List<Integer> out = r.outputShape();
        Map<LoopDim, Integer> bounds = bounds(N, out.get(0), K, out.get(1), P, out.get(2), Q, out.get(3));
        int resized = (out.get(2).equals(x.dim(2)) ? 0 : 1) + (out.get(3).equals(x.dim(3)) ? 0 : 1);
        int ops = switch (r.mode()) {
            case "linear" -> 1 << resized;
            case "col2im" -> 0;
            default -> 1;
        };
        List<Operand> operands = List.of(
                new Operand(x.name(), Operand.Role.INPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(K),
                        Resampling.axisExpr(P, r, 0, x.dim(2), out.get(2)),
                        Resampling.axisExpr(Q, r, 1, x.dim(3), out.get(3)))),
                new Operand(s.outputs().get(0), Operand.Role.OUTPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(K),
                        AxisExpr.Dims.of(P), AxisExpr.Dims.of(Q))));
        return new LoopNest(s.name(), OpKind.ComputeUnit.VECTOR, bounds, ops, operands,
                List.of(List.of(N), List.of(K), List.of(P), List.of(Q)), Set.of());
    }

    /** Filter dims of the windows of an opaque op, one per windowed output axis, in this order. */
    private static final List<LoopDim> WINDOW_DIMS = List.of(R, S, C);

    /**
     * Checks an opaque op's {@link OpParams.Opaque#reads()} against its inputs and output: one access per input
     * axis, a followed axis of the output's size and each output axis followed at most once per input, broadcasts
     * on size-1 axes, and windows on at most {@link #WINDOW_DIMS} output axes with one size per axis.
     */
    private boolean checkReads(OperatorSpec s, OpParams.Opaque o, List<Tensor> in) {
        if (o.reads().size() > in.size()) {
            problems.add(at(s, "reads") + " describes " + o.reads().size() + " inputs but the operator has "
                    + in.size());
            return false;
        }
        Map<Integer, Integer> windowSizes = new HashMap<>();
        List<Integer> out = o.outputShape();
        for (int i = 0; i < o.reads().size(); i++) {
            List<OpParams.Opaque.Access> acc = o.reads().get(i);
            Tensor t = in.get(i);
            if (acc.isEmpty()) {
                continue;
            }
            String where = at(s, "reads") + " of input '" + t.name() + "' " + t.shape();
            if (acc.size() != t.rank()) {
                problems.add(where + " has " + acc.size() + " entries; give one per axis");
                return false;
            }
            Set<Integer> used = new HashSet<>();
            for (int a = 0; a < acc.size(); a++) {
                OpParams.Opaque.Access x = acc.get(a);
                int outAxis = x instanceof OpParams.Opaque.Access.Follow f ? f.outAxis()
                        : x instanceof OpParams.Opaque.Access.Window w ? w.outAxis() : -1;
                if (x instanceof OpParams.Opaque.Access.Broadcast && t.dim(a) != 1) {
                    problems.add(where + " broadcasts axis " + a + " of size " + t.dim(a) + "; only size-1 axes "
                            + "broadcast");
                    return false;
                }
                if (outAxis < 0 && !(x instanceof OpParams.Opaque.Access.Window)) {
                    continue;
                }
                if (outAxis < 0 || outAxis >= out.size() || !used.add(outAxis)) {
                    problems.add(where + " maps axis " + a + " to output axis " + outAxis + " of " + out
                            + "; each output axis may be read by one input axis");
                    return false;
                }
                if (x instanceof OpParams.Opaque.Access.Follow && t.dim(a) != out.get(outAxis)) {
                    problems.add(where + " follows output axis " + outAxis + " of " + out + " with axis " + a
                            + " of a different size");
                    return false;
                }
                if (x instanceof OpParams.Opaque.Access.Window w) {
                    if (w.size() < 1 || w.stride() < 1 || w.dilation() < 1) {
                        problems.add(where + " has window " + w + "; size, stride and dilation must be >= 1");
                        return false;
                    }
                    Integer prev = windowSizes.putIfAbsent(outAxis, w.size());
                    if (prev != null && prev != w.size()) {
                        problems.add(where + " has a window of size " + w.size() + " on output axis " + outAxis
                                + " where another input has size " + prev + "; windows on one axis share a size");
                        return false;
                    }
                }
            }
        }
        if (windowSizes.size() > WINDOW_DIMS.size()) {
            problems.add(at(s, "reads") + " has windows on " + windowSizes.size() + " output axes; at most "
                    + WINDOW_DIMS.size() + " are supported");
            return false;
        }
        return true;
    }

    /**
     * Vector nest over the output; each input is read whole by every tile, or by region as
     * {@link OpParams.Opaque#reads()} says (each windowed output axis gets a filter dim R, S or C whose bound is
     * the window size; ops per point are the ops per output element spread over the window's taps, rounded up).
     * The weight is read whole.
     */
    private static LoopNest opaqueNest(OperatorSpec s, List<Tensor> in, OpParams.Opaque o, String w) {
        List<Integer> out = o.outputShape();
        List<LoopDim> dims = positionalDims(out.size());
        Map<Integer, LoopDim> filters = new java.util.TreeMap<>();
        Map<LoopDim, Integer> windowBounds = new EnumMap<>(LoopDim.class);
        for (List<OpParams.Opaque.Access> acc : o.reads()) {
            for (OpParams.Opaque.Access x : acc) {
                if (x instanceof OpParams.Opaque.Access.Window win && !filters.containsKey(win.outAxis())) {
                    LoopDim f = WINDOW_DIMS.get(filters.size());
                    filters.put(win.outAxis(), f);
                    windowBounds.put(f, win.size());
                }
            }
        }
        long taps = 1;
        for (int b : windowBounds.values()) {
            taps *= b;
        }
        int ops = o.opsPerElement() == 0 ? 0 : (int) Math.max(1, (o.opsPerElement() + taps - 1) / taps);
        LoopNest base = vectorNest(s, List.of(), out, ops, -1, List.of());
        Map<LoopDim, Integer> bounds = new EnumMap<>(base.bounds());
        bounds.putAll(windowBounds);
        List<Operand> operands = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            Tensor t = in.get(i);
            List<OpParams.Opaque.Access> acc = o.readsOf(i);
            if (acc.isEmpty()) {
                operands.add(new Operand(t.name(), Operand.Role.INPUT, wholeAxes(t.shape())));
                continue;
            }
            List<AxisExpr> axes = new ArrayList<>();
            for (int a = 0; a < acc.size(); a++) {
                OpParams.Opaque.Access x = acc.get(a);
                if (x instanceof OpParams.Opaque.Access.Follow f) {
                    axes.add(AxisExpr.Dims.of(dims.get(f.outAxis())));
                } else if (x instanceof OpParams.Opaque.Access.Window win) {
                    axes.add(new AxisExpr.Window(dims.get(win.outAxis()), filters.get(win.outAxis()), win.stride(),
                            win.dilation(), win.padBefore()));
                } else if (x instanceof OpParams.Opaque.Access.Broadcast) {
                    axes.add(AxisExpr.Dims.of());
                } else {
                    axes.add(new AxisExpr.Whole(t.dim(a)));
                }
            }
            operands.add(new Operand(t.name(), Operand.Role.INPUT, axes));
        }
        if (w != null) {
            operands.add(new Operand(w, Operand.Role.WEIGHT, wholeAxes(o.weightShape())));
        }
        operands.add(base.output());
        return new LoopNest(base.operator(), base.unit(), bounds, base.opsPerPoint(), operands,
                base.outputAxes(), base.wholeDims());
    }

    private static List<AxisExpr> wholeAxes(List<Integer> shape) {
        List<AxisExpr> axes = new ArrayList<>();
        for (int d : shape) {
            axes.add(new AxisExpr.Whole(d));
        }
        return axes;
    }

    private static LoopNest withWeights(LoopNest nest, int rank, int fromAxis, String w, String b) {
        return withWeights(nest, rank, fromAxis, w, b, rank - fromAxis);
    }

    /** Adds per-feature weight operands indexed by output axes [fromAxis, fromAxis + count). */
    private static LoopNest withWeights(LoopNest nest, int rank, int fromAxis, String w, String b, int count) {
        if (w == null) {
            return nest;
        }
        List<LoopDim> dims = positionalDims(rank);
        List<AxisExpr> axes = new ArrayList<>();
        for (int i = fromAxis; i < fromAxis + count; i++) {
            axes.add(AxisExpr.Dims.of(dims.get(i)));
        }
        List<Operand> operands = new ArrayList<>(nest.reads());
        operands.add(new Operand(w, Operand.Role.WEIGHT, axes));
        operands.add(new Operand(b, Operand.Role.WEIGHT, axes));
        operands.add(nest.output());
        return new LoopNest(nest.operator(), nest.unit(), nest.bounds(), nest.opsPerPoint(), operands,
                nest.outputAxes(), nest.wholeDims());
    }

    private static LoopNest embeddingNest(OperatorSpec s, Tensor ids, List<Integer> out, String w) {
        Map<LoopDim, Integer> bounds = bounds(N, out.get(0), P, out.get(1), K, out.get(2));
        List<Operand> operands = List.of(
                new Operand(ids.name(), Operand.Role.INPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(P))),
                // One table row per looked-up token: the rows read are indexed by the token position.
                new Operand(w, Operand.Role.WEIGHT, List.of(AxisExpr.Dims.of(N, P), AxisExpr.Dims.of(K))),
                new Operand(s.outputs().get(0), Operand.Role.OUTPUT, List.of(AxisExpr.Dims.of(N), AxisExpr.Dims.of(P),
                        AxisExpr.Dims.of(K))));
        return new LoopNest(s.name(), OpKind.ComputeUnit.NONE, bounds, 0, operands,
                List.of(List.of(N), List.of(P), List.of(K)), Set.of());
    }
}

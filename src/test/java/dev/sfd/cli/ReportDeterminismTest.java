package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identical runs give identical files except the {@code timings} section of report.json; a stage starved by
 * {@code --time-limit} is reported, not hidden behind the segmenter's OPTIMAL.
 */
class ReportDeterminismTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoIdenticalRunsDifferOnlyInTheTimingsSection(@TempDir Path dir) throws Exception {
        // a limit the DP stays well inside (it converges in about 30 s on 2 cores): a converged answer does not
        // depend on the machine's speed
        runTwiceAndCompare(dir, (r, report) -> {
            // converged: OPTIMAL, or FEASIBLE when joining the search's segments priced lower (docs/segmentation.md)
            JsonNode dp = report.get("solver").get("runs").get(0);
            assertFalse(dp.get("stoppedByTimeLimit").asBoolean(), dp.toString());
            assertFalse(dp.get("stoppedAtWorkBudget").asBoolean(), dp.toString());
            assertFalse(report.get("solver").get("gapDependsOnWallTime").asBoolean(), "the DP converged");
            assertEquals(0, report.get("starved").size(), report.get("starved").toString());
            assertTrue(report.has("timings"), "timings section");
            assertFalse(report.has("stageMillis"), "stage times outside the timings section");
            assertFalse(report.get("solver").get("runs").get(0).has("wallMillis"), "run times outside timings");
        }, "--time-limit", "600");
    }

    /**
     * A DP cut short by its work budget (tile events walked), not by the clock, gives the same plan and report every
     * time, says so, and is listed as starved by the budget.
     */
    @Test
    void aRunStoppedByTheWorkBudgetIsTheSameEveryTime(@TempDir Path dir) throws Exception {
        runTwiceAndCompare(dir, (r, report) -> {
            JsonNode dp = report.get("solver").get("runs").get(0);
            assertEquals("FEASIBLE", dp.get("status").asText(), "the budget stops the DP before it converges");
            assertTrue(dp.get("stoppedAtWorkBudget").asBoolean(), dp.toString());
            assertFalse(dp.get("stoppedByTimeLimit").asBoolean(), dp.toString());
            assertFalse(report.get("solver").get("gapDependsOnWallTime").asBoolean());
            assertTrue(report.get("starved").get(0).asText().startsWith("segmentation: dp stopped at its "
                    + "--dp-budget"), report.get("starved").toString());
            assertTrue(r.out().contains("at the work budget"), r.out());
        }, "--time-limit", "600", "--dp-budget", "150000");
    }

    /**
     * Runs {@code optimize resnet18 --hw edge --solver dp} with {@code options} twice, checks each run, and compares
     * plan.json byte for byte and report.json outside its {@code timings} section.
     */
    private static void runTwiceAndCompare(Path dir, RunCheck check, String... options) throws Exception {
        JsonNode[] reports = new JsonNode[2];
        byte[][] plans = new byte[2][];
        for (int i = 0; i < 2; i++) {
            Path out = dir.resolve("run" + i);
            List<String> args = new ArrayList<>(List.of("optimize", "resnet18", "--hw", "edge", "--solver", "dp"));
            args.addAll(List.of(options));
            args.addAll(List.of("--out", out.toString()));
            CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(0, r.exitCode(), r.err());
            reports[i] = JSON.readTree(out.resolve("report.json").toFile());
            plans[i] = Files.readAllBytes(out.resolve("plan.json"));
            check.check(r, reports[i]);
            ((ObjectNode) reports[i]).remove("timings");
        }
        assertArrayEquals(plans[0], plans[1], "plan.json differs between identical runs");
        assertEquals(reports[0], reports[1], "report.json differs outside 'timings'");
        assertEquals(reports[0].get("planSha256").asText(), OptimizeCommand.sha256(plans[0]), "report names its plan");
    }

    /** What one run must show. */
    private interface RunCheck {
        void check(CliRunner.Result run, JsonNode report) throws Exception;
    }

    @Test
    void aNegativeWorkBudgetIsRefused(@TempDir Path dir) throws Exception {
        CliRunner.Result r = CliRunner.run("optimize", "resnet18", "--hw", "edge", "--dp-budget", "-5", "--out",
                dir.toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("--dp-budget") && r.err().contains("-5"), r.err());
    }

    @Test
    void aStarvedSegmenterIsReported(@TempDir Path dir) throws Exception {
        CliRunner.Result r = CliRunner.run("optimize", "resnet18", "--hw", "edge", "--solver", "dp", "--time-limit",
                "1e-9", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        JsonNode dp = report.get("solver").get("runs").get(0);
        assertEquals("FEASIBLE", dp.get("status").asText(), "the priced DP stops at its limit");
        assertTrue(dp.get("stoppedByTimeLimit").asBoolean(), dp.toString());
        assertTrue(report.get("solver").get("gapDependsOnWallTime").asBoolean());
        assertTrue(report.get("starved").size() > 0, report.toString());
        assertTrue(report.get("starved").get(0).asText().startsWith("segmentation: dp stopped at the --time-limit"),
                report.get("starved").toString());
        assertTrue(r.out().contains("STARVED        segmentation: dp"), r.out());
    }
}

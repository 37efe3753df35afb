package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizeSimulateCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void optimizeWritesPlanReportAndTraceThenSimulateReplaysIt(@TempDir Path dir) throws Exception {
        Run r = run(new OptimizeCommand(), "resnet18", "--hw", "edge", "--planner", "layerwise", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("plan.json", "report.json", "trace.json")) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        for (String field : List.of("latencyCycles", "energyPj", "dramReadBytes", "dramWriteBytes", "peakBufferBytes",
                "lowerBoundCycles", "planner", "solverStatus", "segmentCount", "violations")) {
            assertTrue(report.has(field), field);
        }
        assertTrue(report.get("latencyCycles").asLong() >= report.get("lowerBoundCycles").asLong());
        assertEquals(0, report.get("violations").size());
        JsonNode trace = new ObjectMapper().readTree(dir.resolve("trace.json").toFile());
        assertTrue(trace.get("traceEvents").size() > 100);

        Run sim = run(new SimulateCommand(), dir.resolve("plan.json").toString());
        assertEquals(0, sim.code(), sim.err());
        assertTrue(sim.out().contains("violations     0"), sim.out());
    }

    @Test
    void replayingAnEdgePlanOnTinyReportsOverflowAndExitsOne(@TempDir Path dir) {
        assertEquals(0, run(new OptimizeCommand(), "resnet18", "--hw", "edge", "--out", dir.toString()).code());
        Run sim = run(new SimulateCommand(), dir.resolve("plan.json").toString(), "--hw", "tiny");
        assertEquals(1, sim.code());
        assertTrue(sim.err().contains("GLB_OVERFLOW"), sim.err());
    }

    @Test
    void badInputsExitTwoWithTheFieldNamed(@TempDir Path dir) throws Exception {
        Run unknownPlanner = run(new OptimizeCommand(), "resnet18", "--hw", "edge", "--planner", "layerwize",
                "--out", dir.toString());
        assertEquals(2, unknownPlanner.code());
        assertTrue(unknownPlanner.err().contains("Maybe you meant 'layerwise'"), unknownPlanner.err());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"sfd-plan/9\"}");
        Run badFormat = run(new SimulateCommand(), bad.toString());
        assertEquals(2, badFormat.code());
        assertTrue(badFormat.err().contains("format") && badFormat.err().contains("sfd-plan/9"), badFormat.err());

        Files.writeString(bad, "{not json");
        assertEquals(2, run(new SimulateCommand(), bad.toString()).code());
        assertEquals(2, run(new SimulateCommand(), dir.resolve("missing.json").toString()).code());
    }
}

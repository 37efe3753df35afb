package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sfd compare}, {@code sfd bench} and {@code sfd sweep} on a four-operator network. */
class CompareBenchSweepCommandTest {
    static final String NET = """
            format: sfd-network/1
            name: pair
            inputs:
              - {name: x, shape: [1, 8, 16, 16]}
            outputs: [r2]
            operators:
              - {name: c1, op: conv, inputs: [x], channels: 8, kernel: 3, padding: 1}
              - {name: r1, op: relu, inputs: [c1]}
              - {name: c2, op: conv, inputs: [r1], channels: 8, kernel: 3, padding: 1}
              - {name: r2, op: relu, inputs: [c2]}
            """;

    static Path net(Path dir) throws IOException {
        Path p = dir.resolve("pair.yaml");
        Files.writeString(p, NET);
        return p;
    }

    @Test
    void compareRunsEveryPlannerAndWritesTableCsvJsonChartsAndHtml(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("cmp");
        CliRunner.Result r = CliRunner.run("compare", net(dir).toString(), "--hw", "edge", "--mapper", "heuristic",
                "--solver", "dp", "--time-limit", "2", "--budget", "30", "--search-time-limit", "20", "--threads", "1",
                "--no-progress", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        for (String p : Comparison.ALL) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(p + " ")), p + " missing in\n" + r.out());
        }
        assertTrue(r.out().contains("SFD speedup") && r.out().contains("optimizer s"), r.out());
        JsonNode json = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertEquals("sfd-compare/1", json.get("format").asText());
        assertEquals(Comparison.ALL.size(), json.get("rows").size());
        for (JsonNode row : json.get("rows")) {
            assertEquals(0, row.get("violations").asInt(), row.toString());
            assertTrue(row.get("latencyCycles").asLong() > 0, row.toString());
            assertTrue(row.get("boundRatio").asDouble() >= 1.0, row.toString());
        }
        assertEquals(1.0, json.get("geomean").get("sfd").get("sfdSpeedup").asDouble(), 1e-9);
        List<String> csv = Files.readAllLines(out.resolve("compare.csv"));
        assertEquals(1 + Comparison.ALL.size(), csv.size());
        for (String png : List.of("compare.png", "gantt.png", "occupancy.png", "dram-per-layer.png",
                "segments.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.split("data:image/png;base64,").length - 1 >= 5 + Comparison.ALL.size() - 1, "charts inlined");
        for (String p : Comparison.ALL) {
            assertTrue(Files.isRegularFile(out.resolve("plans").resolve(p + ".json")), p);
        }
        CliRunner.Result sim = CliRunner.run("simulate", out.resolve("plans").resolve("anneal.json").toString());
        assertEquals(0, sim.exitCode(), sim.out() + sim.err());
    }

    @Test
    void badPlannerAndBadNumbersExitTwoNamingThem(@TempDir Path dir) throws IOException {
        String n = net(dir).toString();
        CliRunner.Result r = CliRunner.run("compare", n, "--hw", "edge", "--planners", "sfd,anealing", "--out",
                dir.resolve("o").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--planners"), r.err());
        assertTrue(r.err().contains("anealing") && r.err().contains("anneal"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        r = CliRunner.run("compare", n, "--hw", "edge", "--budget", "0", "--out", dir.resolve("o").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--budget") && r.err().contains("0"), r.err());
        r = CliRunner.run("sweep", n, "--hw", "edge", "--glb", "128KB..1MiB", "--dram-gbps", "8");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--glb") && r.err().contains("128KB"), r.err());
        r = CliRunner.run("sweep", n, "--hw", "edge", "--glb", "128KiB", "--dram-gbps", "16..8");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--dram-gbps"), r.err());
        r = CliRunner.run("sweep", n, "--hw", "edge", "--glb", "128KiB", "--dram-gbps", "8", "--dp-budget", "-5",
                "--out", dir.resolve("sw").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--dp-budget") && r.err().contains("-5"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        r = CliRunner.run("bench", dir.resolve("nope.yaml").toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("nope.yaml"), r.err());
    }

    @Test
    void benchRunsASuiteAndWritesGeometricMeans(@TempDir Path dir) throws IOException {
        Path suite = dir.resolve("mini.yaml");
        Files.writeString(suite, """
                format: sfd-suite/1
                name: mini
                networks: [%s]
                hardware: [edge]
                planners: [sfd, layerwise, greedy]
                mapper: heuristic
                solver: dp
                timeLimit: 2
                dpBudget: 200000
                """.formatted(net(dir)));
        Path out = dir.resolve("b");
        CliRunner.Result r = CliRunner.run("bench", suite.toString(), "--no-progress", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("## Geometric means") && md.contains("| greedy |"), md);
        JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("sfd-bench/1", json.get("format").asText());
        assertEquals(200000, json.get("dpBudget").asLong(), json.toString());
        assertTrue(md.contains("DP budget 200000 tile events"), md);
        assertEquals(3, json.get("rows").size());
        double greedy = json.get("rows").get(2).get("sfdSpeedup").asDouble();
        assertEquals(greedy, json.get("geomean").get("greedy").get("sfdSpeedup").asDouble(), 1e-9);
        for (String png : List.of("speedup.png", "bound-ratio.png", "optimizer-time.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "format: sfd-suite/1\nnetworks: [resnet18]\nhardware: [edge]\nplaners: [sfd]\n"
                + "budget: -3\ndpBudget: -1\n");
        r = CliRunner.run("bench", bad.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("planers") && r.err().contains("planners"), r.err());
        assertTrue(r.err().contains("budget") && r.err().contains("-3"), r.err());
        assertTrue(r.err().contains("dpBudget") && r.err().contains("(-1)"), r.err());
    }

    @Test
    void aRestartedSweepReusesFinishedPointsAndRecomputesBadOrForeignOnes(@TempDir Path dir) throws IOException {
        String n = net(dir).toString();
        Path out = dir.resolve("s");
        String[] args = {"sweep", n, "--hw", "edge", "--glb", "64KiB..256KiB", "--glb-points", "2", "--dram-gbps",
            "8,32", "--planners", "sfd,layerwise", "--time-limit", "2", "--no-progress", "--out", out.toString()};
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("4 points (0 done before, 4 to run"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(1 + 4 * 2, csv.size());
        for (String png : List.of("latency.png", "energy.png", "dram.png")) {
            assertNotNull(ImageIO.read(out.resolve(png).toFile()), png);
        }
        Path points = out.resolve("points");
        Path kept = points.resolve("glb-65536_dram-8.json");
        FileTime keptTime = Files.getLastModifiedTime(kept);
        // a point cut off mid-write (as by a crash of a non-atomic writer), and one made with other settings
        Path truncated = points.resolve("glb-262144_dram-8.json");
        String whole = Files.readString(truncated);
        Files.writeString(truncated, whole.substring(0, whole.length() / 2));
        Path foreign = points.resolve("glb-65536_dram-32.json");
        Files.writeString(foreign, Files.readString(foreign).replace("\\\"seed\\\":42", "\\\"seed\\\":7"));
        r = CliRunner.run(args);
        assertEquals(0, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("4 points (2 done before, 2 to run"), r.out());
        assertEquals(keptTime, Files.getLastModifiedTime(kept), "a finished point is not recomputed");
        List<String> after = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(csv.size(), after.size());
        assertEquals(csv.stream().filter(l -> l.contains("glb=64KiB,dram=8GBps")).toList(),
                after.stream().filter(l -> l.contains("glb=64KiB,dram=8GBps")).toList(),
                "the finished point's rows are read back as written");
        try (var s = Files.list(points)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }
}

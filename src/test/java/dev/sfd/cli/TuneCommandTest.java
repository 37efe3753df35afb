package dev.sfd.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TuneCommandTest {

    @Test
    void benchmarksEveryConfigIntoAnHtmlReportAndTabulatesThemWithTheDpReference(@TempDir Path dir)
            throws IOException {
        Path out = dir.resolve("tune");
        CliRunner.Result r = CliRunner.run("tune", "resnet18", "--hw", "edge",
                "--configs", "solver-configs/segmenter-timefold-fast.xml,thorough", "--time-limit", "1",
                "--out", out.toString());

        assertEquals(0, r.exitCode(), r.err() + r.out());
        List<String> rows = r.out().lines().toList();
        for (String config : List.of("fast", "thorough", "dp (reference)")) {
            assertTrue(rows.stream().anyMatch(l -> l.startsWith(config + " ") && l.contains("resnet18")
                    && l.trim().endsWith("yes")), config + " missing or illegal in\n" + r.out());
        }
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> reports = files.filter(f -> f.getFileName().toString().equals("index.html")).toList();
            assertEquals(1, reports.size(), "one HTML report under " + out);
            assertTrue(r.out().contains(reports.get(0).toString()), r.out());
            assertTrue(Files.readString(reports.get(0)).contains("thorough"));
        }
    }

    @Test
    void defaultsToEveryTimefoldSolverXmlInSolverConfigs() {
        assertEquals(List.of("solver-configs/segmenter-timefold-fast.xml",
                "solver-configs/segmenter-timefold-thorough.xml"), TuneCommand.defaultConfigs());
        assertEquals(List.of("fast", "thorough"),
                TuneCommand.defaultConfigs().stream().map(TuneCommand::configName).toList());
    }

    @Test
    void rejectsAMissingConfigFileByName(@TempDir Path dir) {
        CliRunner.Result r = CliRunner.run("tune", "resnet18", "--hw", "edge",
                "--configs", "fast,solver-configs/no-such-config.xml", "--out", dir.resolve("tune").toString());

        assertEquals(2, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains("solver-configs/no-such-config.xml"), r.err());
        assertFalse(Files.exists(dir.resolve("tune")), "nothing runs on bad input");
    }

    @Test
    void rejectsAnXmlThatIsNotASolverConfig(@TempDir Path dir) throws IOException {
        Path bogus = Files.writeString(dir.resolve("bogus.xml"), "<solver><nonsense/></solver>");
        CliRunner.Result r = CliRunner.run("tune", "resnet18", "--hw", "edge",
                "--configs", bogus.toString(), "--out", dir.resolve("tune").toString());

        assertEquals(2, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains(bogus.toString()), r.err());
    }
}

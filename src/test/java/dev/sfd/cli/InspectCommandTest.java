package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {

    @Test
    void writesResnet50TotalsMatchingPublishedFigures(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("out.json");
        CliRunner.Result r = CliRunner.run("inspect", "resnet50", "--hw", "edge", "--json", json.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        // torchvision ResNet50_Weights: 25,557,032 parameters (BN included; ours folds BN), 4.09 GMACs.
        assertEquals(25.557e6, root.get("totalParameters").asDouble(), 0.02 * 25.557e6);
        assertEquals(4.09e9, root.get("totalMacs").asDouble(), 0.02 * 4.09e9);
        assertEquals(root.get("totalParameters").asLong(), root.get("totalWeightBytes").asLong(), "8-bit weights");
        long lb = root.get("lowerBoundCycles").asLong();
        // edge: 1024 MACs per cycle, so the compute bound alone is ceil(MACs / 1024).
        assertTrue(lb >= (root.get("totalMacs").asLong() + 1023) / 1024);
        assertEquals(122, root.get("layers").size());
        assertTrue(r.out().contains("lower bound"));
    }

    @Test
    void unknownNetworkIsBadInputWithHint() {
        CliRunner.Result r = CliRunner.run("inspect", "resnet5O", "--hw", "edge");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("resnet5O"), r.err());
        assertTrue(r.err().contains("Maybe you meant 'resnet50'"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace for a user mistake: " + r.err());
    }

    @Test
    void unknownHardwareIsBadInput() {
        CliRunner.Result r = CliRunner.run("inspect", "resnet18", "--hw", "egde");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Maybe you meant 'edge'"), r.err());
    }

    @Test
    void brokenNetworkFileNamesFileOperatorFieldAndValue(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                name: bad
                inputs: [{name: x, shape: [1, 3, 8, 8]}]
                operators:
                  - {name: c1, op: conv, inputs: [x], channels: 4, kernel: 3, stride: 0}
                """);
        CliRunner.Result r = CliRunner.run("inspect", bad.toString(), "--hw", "edge");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(bad.toString()), r.err());
        assertTrue(r.err().contains("operator 'c1' field 'stride' has value (0)"), r.err());
    }

    @Test
    void missingOptionIsUsageError() {
        CliRunner.Result r = CliRunner.run("inspect", "resnet18");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--hw"), r.err());
    }

    @Test
    void batchOptionScalesWork() {
        CliRunner.Result one = CliRunner.run("inspect", "resnet18", "--hw", "edge");
        CliRunner.Result four = CliRunner.run("inspect", "resnet18", "--hw", "edge", "--batch", "4");
        assertEquals(0, four.exitCode(), four.err());
        assertTrue(one.out().contains("1,814,073,344"), one.out());
        assertTrue(four.out().contains("7,256,293,376"), four.out());
    }
}

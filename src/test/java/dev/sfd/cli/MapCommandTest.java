package dev.sfd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MapCommandTest {

    @Test
    void mapsEveryComputeLayerWithinTheBufferAndNeverBeatsTheLowerBound(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("m.json");
        CliRunner.Result r = CliRunner.run("map", "resnet18", "--hw", "edge", "--mapper", "exhaustive",
                "--json", json.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        long capacity = root.get("capacityBytes").asLong();
        assertEquals(512 * 1024, capacity);
        var net = NetworkCatalog.resolve("resnet18");
        long computeLayers = net.operators().stream().filter(op -> net.loopNest(op.name()).isPresent()).count();
        assertEquals(computeLayers, root.get("layers").size());
        for (JsonNode layer : root.get("layers")) {
            assertTrue(layer.get("front").size() >= 1, layer.get("operator").asText());
            assertTrue(layer.get("best").get("footprintBytes").asLong() <= capacity, layer.get("operator").asText());
            for (JsonNode point : layer.get("front")) {
                assertTrue(point.get("footprintBytes").asLong() <= capacity);
            }
        }
        long lowerBound = LowerBounds.of(net, HardwareCatalog.preset("edge")).latencyCycles();
        assertTrue(root.get("layerByLayer").get("latencyCycles").asLong() >= lowerBound);
    }

    @Test
    void layerThatCannotFitFailsWithExitOneNamingLayerFootprintAndCapacity(@TempDir Path dir) throws IOException {
        Path net = dir.resolve("huge.yaml");
        // A softmax keeps its whole axis on chip: 100,000 elements in and out exceed the 32 KiB of 'tiny'.
        Files.writeString(net, """
                name: huge
                inputs: [{name: x, shape: [1, 4, 100000]}]
                operators:
                  - {name: big, op: softmax, inputs: [x]}
                """);
        CliRunner.Result r = CliRunner.run("map", net.toString(), "--hw", "tiny", "--mapper", "exhaustive");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("big"), r.err());
        assertTrue(r.err().contains(String.valueOf(32 * 1024)), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void badMapperConfigFailsWithExitTwoNamingFileFieldAndValue(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("mapper.yaml");
        Files.writeString(config, "format: sfd-mapper-cpsat/1\nthreads: 0\nworker: 2\n");
        CliRunner.Result r = CliRunner.run("map", "resnet18", "--hw", "edge", "--mapper", "exhaustive",
                "--mapper-config", config.toString());
        assertEquals(2, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains(config + ": mapper settings field 'threads' has value (0); "
                + "expected a whole number in [1, 256]"), r.err());
        assertTrue(r.err().contains(config + ": mapper settings has unknown field 'worker'"), r.err());
        assertTrue(r.err().contains("Maybe you meant 'workers'"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}

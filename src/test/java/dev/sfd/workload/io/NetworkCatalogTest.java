package dev.sfd.workload.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkCatalogTest {

    @Test
    void batchOverrideScalesActivationsAndMacsButNotWeights() {
        Network one = NetworkCatalog.resolve("resnet18");
        Network four = NetworkCatalog.resolve("resnet18", 4);
        assertEquals(1, one.batch());
        assertEquals(4, four.batch());
        assertEquals(List.of(4, 3, 224, 224), four.tensor("image").shape());
        assertEquals(List.of(4, 1000), four.tensor("fc").shape());
        assertEquals(4 * one.totalMacs(), four.totalMacs());
        assertEquals(one.totalParameters(), four.totalParameters());
    }

    @Test
    void batchOverrideReachesReshapesInTransformers() {
        Network bert = NetworkCatalog.resolve("bert_base", 2);
        Network one = NetworkCatalog.resolve("bert_base");
        assertEquals(2 * one.totalMacs(), bert.totalMacs());
        for (String out : bert.outputs()) {
            assertEquals(2, bert.tensor(out).dim(0), out);
        }
    }

    @Test
    void batchOverrideAppliesToFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.json");
        Files.writeString(file, """
                {"format": "sfd-network/1", "name": "small", "batch": 2,
                 "inputs": [{"name": "x", "shape": [1, 3, 8, 8]}],
                 "operators": [{"name": "c", "op": "conv", "inputs": ["x"], "channels": 4, "kernel": 3}]}
                """);
        assertEquals(List.of(2, 4, 6, 6), NetworkCatalog.resolve(file.toString()).tensor("c").shape());
        assertEquals(List.of(5, 4, 6, 6), NetworkCatalog.resolve(file.toString(), 5).tensor("c").shape());
    }

    @Test
    void unknownNameSuggestsTheClosestZooNetwork() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NetworkCatalog.resolve("resnet5"));
        assertTrue(e.getMessage().contains("Maybe you meant 'resnet50'"), e.getMessage());
    }

    @Test
    void unknownExtensionIsRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("net.txt");
        Files.writeString(file, "name: x");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NetworkCatalog.resolve(file.toString()));
        assertTrue(e.getMessage().contains("unknown extension"), e.getMessage());
    }
}

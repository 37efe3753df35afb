package dev.sfd.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file of {@code models/hardware/} is a listed preset that loads by name and by path. */
class HardwarePresetsTest {

    private static final Path DIR = Path.of("models/hardware");

    static Stream<String> presetFiles() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))
                    .sorted().toList();
            assertFalse(names.isEmpty(), "no presets in " + DIR);
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presetFiles")
    void everyPresetFileLoadsByNameAndByPath(String file) {
        String name = file.substring(0, file.lastIndexOf('.'));
        assertTrue(HardwareCatalog.PRESETS.contains(name), file + " is not listed in HardwareCatalog.PRESETS");
        Hardware byName = HardwareCatalog.resolve(name);
        Hardware byPath = HardwareCatalog.resolve(DIR.resolve(file).toString());
        assertEquals(byName, byPath);
        assertEquals(name, byName.name());
        assertFalse(byName.source().isBlank(), file + " cites its sources");
        assertEquals(1, byName.cores());
        assertTrue(byName.peakMacsPerCycle() > 0);
        assertTrue(byName.globalBuffer().capacityBytes() > 0);
        assertTrue(byName.dram().bandwidthBytesPerCycle() > 0);
        assertTrue(byName.dram().readEnergyPjPerByte() > byName.globalBuffer().readEnergyPjPerByte(),
                file + ": DRAM costs more energy per byte than the buffer");
    }

    @Test
    void exampleOfTheFormatDocumentationReadsAsTheEdgePreset() throws IOException {
        String doc = Files.readString(Path.of("docs/hardware-format.md"));
        int start = doc.indexOf("## Example");
        start = doc.indexOf("```yaml\n", start) + "```yaml\n".length();
        String yaml = doc.substring(start, doc.indexOf("```", start));
        assertEquals(HardwareCatalog.resolve("edge"), HardwareReader.parse("edge.yaml", yaml));
    }

    @Test
    void everyListedPresetHasAFile() {
        for (String name : HardwareCatalog.PRESETS) {
            assertTrue(Files.isRegularFile(DIR.resolve(name + ".yaml")), name);
        }
    }

    @Test
    void edgePresetFigures() {
        Hardware edge = HardwareCatalog.resolve("edge");
        assertEquals(1024, edge.peakMacsPerCycle());
        assertEquals(512 * 1024, edge.globalBuffer().capacityBytes());
        assertEquals(16.0, edge.dram().bandwidthBytesPerCycle(), 1e-9, "16 GB/s at 1 GHz");
        assertEquals(1.0, edge.dataWidths().activationBytes());
        assertEquals(Hardware.Noc.NONE, edge.noc());
    }

    @Test
    void bandwidthInGbpsIsConvertedWithTheClock(@TempDir Path dir) throws IOException {
        String text = Files.readString(DIR.resolve("edge.yaml")).replace("clockGHz: 1.0", "clockGHz: 2.0");
        Path file = dir.resolve("edge2.yaml");
        Files.writeString(file, text);
        Hardware hw = HardwareCatalog.resolve(file.toString());
        assertEquals(8.0, hw.dram().bandwidthBytesPerCycle(), 1e-9, "16 GB/s at 2 GHz");
        assertEquals(1e-9 / 2, hw.seconds(1), 1e-18);
    }

    @Test
    void unknownPresetSuggestsTheClosest() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> HardwareCatalog.resolve("edgee"));
        assertTrue(e.getMessage().contains("Maybe you meant 'edge'"), e.getMessage());
    }
}

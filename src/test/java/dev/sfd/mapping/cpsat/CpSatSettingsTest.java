package dev.sfd.mapping.cpsat;

import dev.sfd.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpSatSettingsTest {
    @Test
    void shippedSettingsAreTheDefaults() {
        assertEquals(CpSatSettings.DEFAULT, CpSatSettings.read(Path.of("solver-configs/mapper-cpsat.yaml")));
    }

    @Test
    void rejectsSearchFieldsOutOfRange(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "format: sfd-mapper-cpsat/1\nlinearizationLevel: 3\nwarmStart: yes please\n"
                + "tileRelaxation: 1\n");
        String message = assertThrows(InvalidInputException.class, () -> CpSatSettings.read(f)).getMessage();
        assertTrue(message.contains("linearizationLevel is (3); it must be an integer in [0, 2]"), message);
        assertTrue(message.contains("warmStart is (\"yes please\"); it must be true or false"), message);
        assertTrue(message.contains("tileRelaxation is (1); it must be true or false"), message);
    }
}

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
    void absentFieldsTakeTheDefaults(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("small.yaml");
        Files.writeString(f, "format: sfd-mapper-cpsat/1\nworkers: 3\ntimeLimitSecondsPerSolve: 0.5\n");
        CpSatSettings d = CpSatSettings.DEFAULT;
        assertEquals(new CpSatSettings(3, d.seed(), 0.5, d.frontBudgets(), d.threads(), d.maxTileCandidates(),
                d.paddedTiles(), d.logSearch(), d.linearizationLevel(), d.warmStart(), d.tileRelaxation(),
                d.enumerationLimit()),
                CpSatSettings.read(f));
    }

    @Test
    void rejectsSearchFieldsOutOfRange(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "format: sfd-mapper-cpsat/1\nlinearizationLevel: 3\nwarmStart: yes please\n"
                + "tileRelaxation: 1\n");
        String message = assertThrows(InvalidInputException.class, () -> CpSatSettings.read(f)).getMessage();
        assertTrue(message.contains("bad.yaml: mapper settings field 'linearizationLevel' has value (3); "
                + "expected a whole number in [0, 2]"), message);
        assertTrue(message.contains("field 'warmStart' has value (\"yes please\"); expected true or false"), message);
        assertTrue(message.contains("field 'tileRelaxation' has value (1); expected true or false"), message);
    }

    @Test
    void reportsEveryProblemOfTheFileAtOnce(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "format: sfd-mapper-cpsat/2\nworkers: 2.5\nseed: -1\ntimeLimitSecondsPerSolve: 0\n"
                + "threads: many\nmaxTileCandidates: 1\nfrontBudget: 4\n");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> CpSatSettings.read(f));
        assertEquals(f.toString(), e.source());
        assertEquals(7, e.problems().size(), e.getMessage());
        String message = e.getMessage();
        assertTrue(message.contains("field 'format' has value (sfd-mapper-cpsat/2); this version reads "
                + "sfd-mapper-cpsat/1"), message);
        assertTrue(message.contains("field 'workers' has value (2.5); expected a whole number in [1, 64]"), message);
        assertTrue(message.contains("field 'seed' has value (-1); expected a whole number in [0, 2147483647]"),
                message);
        assertTrue(message.contains("field 'timeLimitSecondsPerSolve' has value (0); expected a number > 0"),
                message);
        assertTrue(message.contains("field 'threads' has value (\"many\"); expected a whole number in [1, 256]"),
                message);
        assertTrue(message.contains("field 'maxTileCandidates' has value (1); expected a whole number in [2, 64]"),
                message);
        assertTrue(message.contains("mapper settings has unknown field 'frontBudget'"), message);
        assertTrue(message.contains("Maybe you meant 'frontBudgets'"), message);
    }

    @Test
    void requiresTheFormat(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("noformat.yaml");
        Files.writeString(f, "workers: 2\n");
        String message = assertThrows(InvalidInputException.class, () -> CpSatSettings.read(f)).getMessage();
        assertTrue(message.contains("noformat.yaml: mapper settings is missing required field 'format'"), message);
    }
}

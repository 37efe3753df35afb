package dev.sfd.common;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputFilesTest {
    private static String refused(String source, String text, InputFiles.Syntax syntax) {
        return assertThrows(InvalidInputException.class, () -> InputFiles.parse(source, text, syntax)).getMessage();
    }

    @Test
    void nestingAtTheLimitIsReadAndOneMoreLevelIsRefused() {
        String ok = "[".repeat(InputFiles.MAX_DEPTH) + "]".repeat(InputFiles.MAX_DEPTH);
        assertTrue(InputFiles.parse("a.json", ok, InputFiles.Syntax.JSON).isArray());
        String deep = "[".repeat(InputFiles.MAX_DEPTH + 1) + "]".repeat(InputFiles.MAX_DEPTH + 1);
        assertTrue(refused("a.json", deep, InputFiles.Syntax.JSON).contains("nests deeper than 32"));
        assertTrue(refused("a.yaml", deep, InputFiles.Syntax.YAML).contains("nests deeper than 32"));
    }

    @Test
    void keysGivenTwiceAreRefusedWithTheKeyAndTheLine() {
        String m = refused("a.yaml", "a: 1\nb:\n  c: 1\n  c: 2\n", InputFiles.Syntax.YAML);
        assertTrue(m.contains("line 4") && m.contains("key 'c' is given twice in the mapping 'b'"), m);
        assertTrue(refused("a.json", "{\"x\": [{\"k\": 1, \"k\": 1}]}", InputFiles.Syntax.JSON)
                .contains("key 'k' is given twice in one entry of 'x'"));
        // the same key in two different mappings is fine
        assertEquals(2, InputFiles.parse("a.yaml", "a: {k: 1}\nb: {k: 2}\n", InputFiles.Syntax.YAML).size());
    }

    @Test
    void aliasesAndMergeKeysAreRefusedButAnAnchorAloneIsHarmless() {
        assertTrue(refused("a.yaml", "a: &x 1\nb: *x\n", InputFiles.Syntax.YAML).contains("YAML alias *x"));
        assertTrue(refused("a.yaml", "a: &x {k: 1}\nb: {<<: *x}\n", InputFiles.Syntax.YAML).contains("alias")
                || refused("a.yaml", "a: &x {k: 1}\nb: {<<: *x}\n", InputFiles.Syntax.YAML).contains("merge key"));
        assertEquals(1, InputFiles.parse("a.yaml", "a: &x 1\n", InputFiles.Syntax.YAML).get("a").asInt());
    }

    @Test
    void integersBeyondLongStayExactSoReadersCanRefuseThem() {
        JsonNode n = InputFiles.parse("a.yaml", "big: 99999999999999999999\nmid: 99999999999\n", InputFiles.Syntax.YAML);
        assertFalse(n.get("big").canConvertToLong());
        assertEquals(99999999999L, n.get("mid").asLong());
        List<String> problems = new ArrayList<>();
        Fields f = new Fields(n, "top", problems);
        assertEquals(7, f.integer("mid", 7, true));
        assertEquals(7, f.longValue("big", 7, true));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("99999999999") && problems.get(0).contains("2147483647"), problems.get(0));
    }

    @Test
    void numbersBeyondDoubleRangeAreRefusedWithTheirText() {
        assertTrue(refused("a.yaml", "x: 1e400\n", InputFiles.Syntax.YAML).contains("(1e400)"));
        assertTrue(refused("a.json", "{\"x\": -1e400}", InputFiles.Syntax.JSON).contains("(-1e400)"));
        assertTrue(refused("a.yaml", "x: 1e-400\n", InputFiles.Syntax.YAML).contains("too close to zero"));
        assertEquals(0.0, InputFiles.parse("a.yaml", "x: 0.0\n", InputFiles.Syntax.YAML).get("x").asDouble());
    }

    @Test
    void binaryContentIsRefusedAndUtf8OrUtf16TextIsRead() {
        byte[] nul = {'a', ':', ' ', 0, '\n'};
        assertTrue(assertThrows(InvalidInputException.class, () -> InputFiles.parse("a.yaml", nul, InputFiles.Syntax.YAML))
                .getMessage().contains("binary file"));
        assertEquals("café", InputFiles.parse("a.yaml", "n: café\n", InputFiles.Syntax.YAML).get("n").asText());
        byte[] utf16 = "n: x\n".getBytes(StandardCharsets.UTF_16);
        assertEquals("x", InputFiles.parse("a.yaml", utf16, InputFiles.Syntax.YAML).get("n").asText());
        assertNull(InputFiles.parse("a.yaml", "# only a comment\n", InputFiles.Syntax.YAML));
    }

    @Test
    void missingFilesFoldersAndOversizedFilesAreNamed(@TempDir Path dir) throws Exception {
        assertTrue(assertThrows(InvalidInputException.class, () -> InputFiles.read(dir.resolve("no.yaml"), 10, "network file"))
                .getMessage().contains("network file not found"));
        assertTrue(assertThrows(InvalidInputException.class, () -> InputFiles.read(dir, 10, "network file"))
                .getMessage().contains("is a folder"));
        Path big = Files.writeString(dir.resolve("big.yaml"), "x".repeat(11));
        assertTrue(assertThrows(InvalidInputException.class, () -> InputFiles.read(big, 10, "network file"))
                .getMessage().contains("is 11 bytes"));
    }

    @Test
    void outputFolderReplacesAllFilesAndLeavesNoTempFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        OutputFolder f = OutputFolder.prepare(out, "--out");
        f.write(Map.of("a.json", "1".getBytes(), "b.json", "2".getBytes()));
        f.write(Map.of("a.json", "3".getBytes(), "b.json", "4".getBytes()));
        try (var files = Files.list(out)) {
            assertEquals(List.of("a.json", "b.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("3", Files.readString(out.resolve("a.json")));
        assertEquals("4", Files.readString(out.resolve("b.json")));
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(InvalidInputException.class, () -> OutputFolder.prepare(file, "--out")).getMessage()
                .contains("which is a file, not a folder"));
    }
}

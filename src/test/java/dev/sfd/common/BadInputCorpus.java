package dev.sfd.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The bad-input corpus of {@code src/test/resources/bad-input/<kind>/}: every input file has a sibling
 * {@code <name>.expected} listing, one per line, substrings the error message must contain.
 */
public final class BadInputCorpus {
    public static final Path ROOT = Path.of("src/test/resources/bad-input");

    private BadInputCorpus() {
    }

    /** The input files of one folder (everything but {@code .expected}), sorted. */
    public static Stream<Path> inputs(String kind) {
        Path dir = ROOT.resolve(kind);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.sorted().toList();
            for (Path p : all) {
                String n = p.getFileName().toString();
                if (n.endsWith(".expected")) {
                    String stem = n.substring(0, n.length() - ".expected".length());
                    boolean hasInput = all.stream().anyMatch(q -> !q.equals(p)
                            && q.getFileName().toString().startsWith(stem + "."));
                    assertTrue(hasInput, p + " has no input file");
                }
            }
            List<Path> inputs = all.stream().filter(p -> !p.getFileName().toString().endsWith(".expected")).toList();
            assertFalse(inputs.isEmpty(), "no inputs in " + dir);
            return inputs.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads {@code input} with {@code loader} and checks the message against the sibling .expected file. */
    public static void assertRejected(Path input, Consumer<String> loader) {
        String name = input.getFileName().toString();
        Path expectedFile = input.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected");
        if (!Files.isRegularFile(expectedFile)) {
            fail(input + " has no sibling " + expectedFile.getFileName());
        }
        List<String> expected;
        try {
            expected = Files.readAllLines(expectedFile).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertFalse(expected.isEmpty(), expectedFile + " lists no expected substrings");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> loader.accept(input.toString()),
                input + " must be rejected");
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), input + ": message lacks [" + s + "]:\n" + e.getMessage());
        }
        assertTrue(e.getMessage().contains(name), "message names the file:\n" + e.getMessage());
    }
}

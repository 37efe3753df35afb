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
 * {@code <name>.expected} listing, one per line, substrings the error message must contain. Lines starting with
 * {@code #} are directives: {@code # exit: N} gives the command line's exit code (default 2, bad input).
 * {@code BadInputCorpusTest} runs every case through the command line; the reader tests load the network and
 * hardware cases directly.
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

    /** The sibling .expected file of an input. */
    public static Path expectedFile(Path input) {
        String name = input.getFileName().toString();
        return input.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected");
    }

    /** The substrings the message of {@code input} must contain (directive lines left out). */
    public static List<String> expected(Path input) {
        try {
            return Files.readAllLines(expectedFile(input)).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code the command line must give for {@code input} ({@code # exit: N}, default 2). */
    public static int exitCode(Path input) {
        try {
            for (String l : Files.readAllLines(expectedFile(input))) {
                if (l.startsWith("# exit:")) {
                    return Integer.parseInt(l.substring("# exit:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 2;
    }

    /** Loads {@code input} with {@code loader} and checks the message against the sibling .expected file. */
    public static void assertRejected(Path input, Consumer<String> loader) {
        String name = input.getFileName().toString();
        Path expectedFile = input.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".expected");
        if (!Files.isRegularFile(expectedFile)) {
            fail(input + " has no sibling " + expectedFile.getFileName());
        }
        List<String> expected = expected(input);
        assertFalse(expected.isEmpty(), expectedFile + " lists no expected substrings");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> loader.accept(input.toString()),
                input + " must be rejected");
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), input + ": message lacks [" + s + "]:\n" + e.getMessage());
        }
        assertTrue(e.getMessage().contains(name), "message names the file:\n" + e.getMessage());
    }
}

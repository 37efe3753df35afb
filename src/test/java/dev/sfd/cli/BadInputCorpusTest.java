package dev.sfd.cli;

import dev.sfd.common.BadInputCorpus;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of the bad-input corpus ({@code src/test/resources/bad-input/}) through the command line, as a user
 * meets it: the exit code (2 unless the case says otherwise), every expected word in the message, the file (or the
 * option) named, and no stack trace. Folders: {@code networks} ({@code sfd inspect FILE --hw tiny}),
 * {@code hardware} ({@code sfd inspect NET --hw FILE}), {@code plans} ({@code sfd simulate FILE}), {@code settings}
 * ({@code sfd map NET --hw tiny --mapper-config FILE}), {@code onnx} ({@code sfd inspect FILE --hw tiny}) and
 * {@code cli} (a {@code .args} file: the arguments one per line, {@code {corpus}} for the corpus folder and
 * {@code {tmp}} for a fresh temp folder).
 */
class BadInputCorpusTest {
    static final Path BASE = Path.of("src/test/resources/bad-input-base");
    static final List<String> FOLDERS = List.of("networks", "hardware", "plans", "settings", "onnx", "cli");

    static Stream<Arguments> corpus() {
        List<Arguments> all = new ArrayList<>();
        for (String folder : FOLDERS) {
            BadInputCorpus.inputs(folder).forEach(p -> all.add(Arguments.of(folder + "/" + p.getFileName(), p)));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyBadInputIsRefusedWithItsExitCodeAndMessage(String name, Path input, @TempDir Path tmp)
            throws IOException {
        String folder = input.getParent().getFileName().toString();
        String file = input.toString();
        String net = BASE.resolve("tinynet.yaml").toString();
        List<String> args = switch (folder) {
            case "networks", "onnx" -> List.of("inspect", file, "--hw", "tiny");
            case "hardware" -> List.of("inspect", net, "--hw", file);
            case "plans" -> List.of("simulate", file);
            case "settings" -> List.of("map", net, "--hw", "tiny", "--mapper-config", file);
            case "cli" -> Files.readAllLines(input).stream().filter(l -> !l.isBlank())
                    .map(l -> l.replace("{corpus}", BadInputCorpus.ROOT.toString()).replace("{tmp}", tmp.toString()))
                    .toList();
            default -> throw new IllegalStateException(folder);
        };
        CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
        String err = r.err();
        assertEquals(BadInputCorpus.exitCode(input), r.exitCode(), name + " " + args + ":\n" + err + r.out());
        for (String s : BadInputCorpus.expected(input)) {
            assertTrue(err.contains(s), name + ": message lacks [" + s + "]:\n" + err);
        }
        assertFalse(err.contains("\tat ") || err.contains("Exception"), name + ": stack trace or exception:\n" + err);
        if (!folder.equals("cli")) {
            assertTrue(err.contains(input.getFileName().toString()), name + ": message does not name the file:\n" + err);
        }
    }
}

package dev.sfd.hardware;

import dev.sfd.common.BadInputCorpus;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every broken hardware file of the corpus is rejected with a message naming the file, section, field, value. */
class BadHardwareInputTest {

    static Stream<Path> corpus() {
        return BadInputCorpus.inputs("hardware");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void brokenHardwareIsRejectedWithTheExpectedMessage(Path file) {
        BadInputCorpus.assertRejected(file, HardwareCatalog::resolve);
    }
}

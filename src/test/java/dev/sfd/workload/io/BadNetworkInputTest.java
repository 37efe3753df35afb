package dev.sfd.workload.io;

import dev.sfd.common.BadInputCorpus;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every broken network of the corpus is rejected with a message naming the file, element, field and value. */
class BadNetworkInputTest {

    static Stream<Path> corpus() {
        return BadInputCorpus.inputs("networks");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void brokenNetworkIsRejectedWithTheExpectedMessage(Path file) {
        BadInputCorpus.assertRejected(file, NetworkCatalog::resolve);
    }
}

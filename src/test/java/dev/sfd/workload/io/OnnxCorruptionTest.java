package dev.sfd.workload.io;

import dev.sfd.common.InvalidInputException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static dev.sfd.workload.io.OnnxModelBuilder.attr;
import static dev.sfd.workload.io.OnnxModelBuilder.attrs;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded corruption of a valid model (byte flips, truncation): the importer either imports it or throws an
 * {@link InvalidInputException} naming the file — never any other exception.
 */
class OnnxCorruptionTest {
    @TempDir
    Path dir;

    private static final byte[] MODEL = new OnnxModelBuilder().opset(13).input("x", 1, 3, 16, 16)
            .weight("w", 8, 3, 3, 3).weight("s", 8).weight("b", 8).weight("m", 8).weight("v", 8)
            .weight("fc", 8, 10).ints("shape", 0, -1)
            .node("Conv", List.of("x", "w"), List.of("c"), attrs("pads", 1, 1, 1, 1), attrs("strides", 2, 2))
            .node("BatchNormalization", List.of("c", "s", "b", "m", "v"), List.of("bn"))
            .node("Relu", "bn", "r")
            .node("MaxPool", "r", "p", attrs("kernel_shape", 2, 2), attrs("strides", 2, 2))
            .node("GlobalAveragePool", "p", "g")
            .node("Reshape", List.of("g", "shape"), List.of("f"))
            .node("MatMul", List.of("f", "fc"), List.of("y"))
            .node("Softmax", "y", "z", attr("axis", -1))
            .output("z", 1, 10).build().toByteArray();

    static IntStream seeds() {
        return IntStream.range(0, 300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void corruptModelImportsOrFailsWithInvalidInput(int seed) throws IOException {
        Random random = new Random(seed);
        byte[] bytes = MODEL.clone();
        if (seed % 3 == 0) {
            bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
        } else {
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
        }
        Path f = Files.write(dir.resolve("corrupt-" + seed + ".onnx"), bytes);
        try {
            OnnxReader.read(f, null, Map.of(), seed % 2 == 0);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("(unexpected "), e.getMessage());
        } catch (RuntimeException e) {
            fail("seed " + seed + ": " + e, e);
        }
    }
}

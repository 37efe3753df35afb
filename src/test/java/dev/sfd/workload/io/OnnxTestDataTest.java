package dev.sfd.workload.io;

import ai.onnx.proto.OnnxMl;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.onnx.OnnxGraphTranslator;
import dev.sfd.workload.io.onnx.OnnxImport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the importer over every single-operator model of the ONNX backend test data that Debian ships
 * ({@code apt-get install libonnx-testdata}: {@code /usr/share/libonnx-testdata/data/node/test_* /model.onnx},
 * each with its expected output {@code test_data_set_0/output_0.pb}). A model whose operators are all
 * supported either imports with the expected output shape (a scalar is [1]), its inferred shapes agreeing with
 * the shapes the model declares, or fails with a clear {@link InvalidInputException} naming a limitation (a shape
 * input known only at run time, rank 6, ...); a model with an unsupported operator fails with the
 * unsupported-operator message. Nothing else may be thrown.
 */
class OnnxTestDataTest {
    static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    private static final AtomicInteger IMPORTED = new AtomicInteger();
    private static final AtomicInteger LIMITED = new AtomicInteger();
    private static final AtomicInteger UNSUPPORTED = new AtomicInteger();

    static Stream<Path> models() throws IOException {
        if (!Files.isDirectory(NODE_TESTS)) {
            return Stream.of((Path) null);
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(NODE_TESTS)) {
            dirs.filter(d -> d.getFileName().toString().startsWith("test_")).sorted().forEach(d -> {
                Path m = d.resolve("model.onnx");
                if (Files.isRegularFile(m)) {
                    out.add(m);
                }
            });
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void importsOrFailsClearly(Path model) throws IOException {
        Assumptions.assumeTrue(model != null, "libonnx-testdata is not installed (apt-get install libonnx-testdata)");
        OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
        TreeSet<String> unsupported = new TreeSet<>();
        for (OnnxMl.NodeProto n : proto.getGraph().getNodeList()) {
            boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!defaultDomain || !OnnxGraphTranslator.SUPPORTED.contains(n.getOpType())) {
                unsupported.add(defaultDomain ? n.getOpType() : n.getDomain() + "." + n.getOpType());
            }
        }
        Network net;
        try {
            OnnxImport imported = OnnxReader.read(model, null, Map.of(), false);
            net = imported.network();
            assertEquals(List.of(), imported.conflicts(), "inferred shapes disagree with the model's value_info");
        } catch (InvalidInputException e) {
            String msg = e.getMessage();
            assertTrue(msg.startsWith(model.toString()), msg);
            assertFalse(msg.contains("cannot interpret") || msg.contains("(unexpected "), msg);
            if (!unsupported.isEmpty()) {
                for (String op : unsupported) {
                    assertTrue(msg.contains("unsupported operator " + op + " ("), msg);
                }
                UNSUPPORTED.incrementAndGet();
            } else {
                assertFalse(msg.contains("unsupported operator"), msg);
                LIMITED.incrementAndGet();
            }
            return;
        }
        assertTrue(unsupported.isEmpty(), "imported a model with unsupported " + unsupported);
        IMPORTED.incrementAndGet();
        Path expected = model.resolveSibling("test_data_set_0").resolve("output_0.pb");
        if (Files.isRegularFile(expected) && net.outputs().size() == proto.getGraph().getOutputCount()) {
            OnnxMl.TensorProto t = OnnxMl.TensorProto.parseFrom(Files.readAllBytes(expected));
            List<Integer> dims = new ArrayList<>();
            for (long d : t.getDimsList()) {
                dims.add((int) d);
            }
            if (dims.isEmpty()) {
                dims.add(1); // SFD holds a scalar as [1]
            }
            assertEquals(dims, net.tensor(net.outputs().get(0)).shape(), "output shape of " + model);
        }
    }

    @AfterAll
    static void summary() {
        System.out.println("libonnx-testdata node models: imported " + IMPORTED + ", rejected with a limitation "
                + LIMITED + ", rejected as unsupported " + UNSUPPORTED);
    }

    @Test
    void manyModelsImport() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(NODE_TESTS), "libonnx-testdata is not installed");
        int imported = 0;
        int total = 0;
        for (Path m : models().toList()) {
            total++;
            try {
                OnnxReader.read(m, null, Map.of(), false);
                imported++;
            } catch (InvalidInputException e) {
                // counted by importsOrFailsClearly
            } catch (RuntimeException e) {
                fail(m + ": " + e, e);
            }
        }
        System.out.println("libonnx-testdata: " + imported + " of " + total + " node models import");
        assertTrue(imported >= 580, imported + " of " + total + " node models import (591 with libonnx-testdata "
                + "1.12.0)");
    }
}

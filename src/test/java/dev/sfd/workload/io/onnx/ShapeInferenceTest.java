package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ShapeInference#infer} against the ONNX backend test models of Debian's {@code libonnx-testdata}: for every
 * single-node model of the default domain whose input shapes are declared, the inferred shape of output 0 is the
 * shape of the expected output {@code test_data_set_0/output_0.pb} (the reference implementation's result).
 */
class ShapeInferenceTest {
    private static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");

    @Test
    void inferredShapesAreThoseOfTheReferenceOutputs() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(NODE_TESTS), "skipped: libonnx-testdata is not installed "
                + "(apt-get install libonnx-testdata)");
        List<Path> dirs;
        try (Stream<Path> s = Files.list(NODE_TESTS)) {
            dirs = s.filter(d -> d.getFileName().toString().startsWith("test_")).sorted().toList();
        }
        int inferred = 0;
        List<String> wrong = new ArrayList<>();
        for (Path d : dirs) {
            Path model = d.resolve("model.onnx");
            Path expected = d.resolve("test_data_set_0").resolve("output_0.pb");
            if (!Files.isRegularFile(model) || !Files.isRegularFile(expected)) {
                continue;
            }
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
            OnnxMl.GraphProto g = m.getGraph();
            if (g.getNodeCount() != 1 || !g.getNode(0).getDomain().isEmpty()) {
                continue;
            }
            OnnxMl.NodeProto n = g.getNode(0);
            Map<String, List<Integer>> shapes = new HashMap<>();
            Map<String, double[]> constants = new HashMap<>();
            for (OnnxMl.TensorProto t : g.getInitializerList()) {
                ConstTensor c = TensorDecoder.decode(t);
                shapes.put(t.getName(), c.dims());
                if (c.known()) {
                    constants.put(t.getName(), c.values());
                }
            }
            for (OnnxMl.ValueInfoProto v : g.getInputList()) {
                Optional<List<Integer>> s = OnnxGraphTranslator.declaredShape(v, true);
                if (s.isPresent() && s.get().stream().allMatch(x -> x >= 0)) {
                    shapes.putIfAbsent(v.getName(), s.get());
                }
            }
            List<List<Integer>> in = new ArrayList<>();
            for (String name : n.getInputList()) {
                in.add(name.isEmpty() ? null : shapes.get(name));
            }
            long opset = m.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()).mapToLong(
                    OnnxMl.OperatorSetIdProto::getVersion).findFirst().orElse(1);
            Optional<List<List<Integer>>> out = ShapeInference.infer(n.getOpType(), new Attributes(n), opset, in,
                    i -> i < n.getInputCount() ? Optional.ofNullable(constants.get(n.getInput(i))) : Optional.empty(),
                    n.getOutputCount());
            if (out.isEmpty() || out.get().isEmpty()) {
                continue;
            }
            inferred++;
            List<Integer> want = new ArrayList<>();
            for (long x : OnnxMl.TensorProto.parseFrom(Files.readAllBytes(expected)).getDimsList()) {
                want.add((int) x);
            }
            if (!want.equals(out.get().get(0))) {
                wrong.add(d.getFileName() + ": inferred " + out.get().get(0) + ", expected " + want);
            }
        }
        System.out.println("ShapeInference: " + inferred + " single-node backend models inferred, " + wrong.size()
                + " wrong");
        assertEquals(List.of(), wrong);
        assertTrue(inferred >= 400, inferred + " models inferred");
    }
}

package dev.sfd.workload.io;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.onnx.OnnxImport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imports the PaddleOCR and openWakeWord models fetched by {@code models/onnx/fetch.sh} (skipped when they are not
 * there) and
 * checks parameter and MAC totals against counts taken from the ONNX file itself, written out here
 * independently of the importer.
 */
class OnnxRealModelTest {
    private static final Path CACHE = Path.of("models/onnx/cache");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ch_PP-OCRv4_det_infer.onnx, x=1x3x640x640, 1x1x640x640",
            "ch_PP-OCRv4_rec_infer.onnx, x=1x3x48x320, 1x40x6625",
            "ch_ppocr_mobile_v2.0_cls_infer.onnx, x=1x3x48x192, 1x2",
            "melspectrogram.onnx, input=1x16000, 1x1x97x32",
            "embedding_model.onnx, input_1=1x76x32x1, 1x1x1x96",
            "alexa_v0.1.onnx, onnx::Flatten_0=1x16x96, 1x1"})
    void importsWithParametersAndMacsCountedFromTheOnnxFile(String file, String inputShape, String outputShape)
            throws IOException {
        Path model = CACHE.resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(model), model + " is not fetched; run models/onnx/fetch.sh");
        OnnxImport r = OnnxReader.read(model, null, OnnxReader.parseInputShapes(List.of(inputShape)), false);
        Network net = r.network();
        assertEquals(dims(outputShape), net.tensor(net.outputs().get(0)).shape());

        Count expected = count(OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model)).getGraph(), net);
        long pe = 0;
        for (Operator op : net.operators()) {
            if ((op.kind() == OpKind.CONV || op.kind() == OpKind.MATMUL) && !op.weights().isEmpty()) {
                pe += net.tensor(op.weights().get(0)).elements();
            }
        }
        assertEquals(expected.peWeights, pe, "conv and linear weight elements");
        assertEquals(expected.parameters, net.totalParameters(), "parameters");
        assertEquals(expected.macs, net.totalMacs(), "MACs");
        assertTrue(net.totalVectorOps() > 0);
    }

    private record Count(long peWeights, long parameters, long macs) {
    }

    /**
     * The independent count. Weights are the constant tensors (initializers and Constant nodes) that the model
     * reads as weights:
     * <ul>
     *   <li>Conv / ConvTranspose / MatMul / Gemm: W and B in full;</li>
     *   <li>a non-scalar constant operand of Add/Sub/Mul/Div (per-channel scale or bias) in full — when it is the
     *       bias of the conv or linear layer before it, it becomes that layer's bias, the same element count;</li>
     *   <li>BatchNormalization: its per-channel scale and shift (2·C) when it stays an operator; when folded
     *       into the conv before it (the conv output has no other reader) only the shift survives, as the conv's
     *       bias (C; nothing when the conv already has one). Running mean and variance are folded away.</li>
     * </ul>
     * MACs: a conv does |W|·N·Ho·Wo (|W| = M·C/g·kh·kw; 1-D: |W|·N·Lo); a transposed conv |W|·N·H·W over its
     * input; a linear layer |B| per row of A; a product of two activations one MAC per output element and inner
     * index. Spatial sizes are read from the imported network's tensors, whose output shape
     * is checked above against the model's known output.
     */
    private static Count count(OnnxMl.GraphProto g, Network net) {
        Map<String, Long> consts = new HashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            consts.put(t.getName(), elements(t.getDimsList()));
        }
        Map<String, Integer> readers = new HashMap<>();
        Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("Constant")) {
                consts.put(n.getOutput(0), elements(n.getAttribute(0).getT().getDimsList()));
            }
            for (String in : n.getInputList()) {
                readers.merge(in, 1, Integer::sum);
            }
            for (String out : n.getOutputList()) {
                producer.put(out, n);
            }
        }
        long pe = 0;
        long params = 0;
        long macs = 0;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            switch (n.getOpType()) {
                case "Conv", "ConvTranspose", "MatMul", "Gemm" -> {
                    if (!consts.containsKey(n.getInput(1))) {
                        // two activations (attention): one MAC per output element and inner index
                        List<Integer> a = shape(net, producer, n.getInput(0));
                        macs += elements(shape(net, producer, n.getOutput(0))) * a.get(a.size() - 1);
                        continue;
                    }
                    long w = consts.get(n.getInput(1));
                    pe += w;
                    params += w + (n.getInputCount() > 2 ? consts.get(n.getInput(2)) : 0);
                    List<Integer> out = shape(net, producer, n.getOutput(0));
                    List<Integer> in = shape(net, producer, n.getInput(0));
                    macs += switch (n.getOpType()) {
                        case "Conv" -> w * out.get(0) * elements(out.subList(2, out.size()));
                        case "ConvTranspose" -> w * in.get(0) * elements(in.subList(2, in.size()));
                        default -> w * (elements(in) / in.get(in.size() - 1));
                    };
                }
                case "Add", "Sub", "Mul", "Div" -> {
                    for (String in : n.getInputList()) {
                        if (consts.getOrDefault(in, 1L) > 1) {
                            params += consts.get(in);
                        }
                    }
                }
                case "BatchNormalization" -> {
                    long c = consts.get(n.getInput(1));
                    OnnxMl.NodeProto p = producer.get(n.getInput(0));
                    boolean folded = p != null && p.getOpType().equals("Conv") && readers.get(n.getInput(0)) == 1;
                    params += folded ? (p.getInputCount() > 2 ? 0 : c) : 2 * c;
                }
                default -> {
                }
            }
        }
        return new Count(pe, params, macs);
    }

    /** Shape of an ONNX value; a value folded away (batch norm, bias add) has the shape of its first input. */
    private static List<Integer> shape(Network net, Map<String, OnnxMl.NodeProto> producer, String value) {
        String v = value;
        while (!net.tensors().containsKey(v)) {
            v = producer.get(v).getInput(0);
        }
        return net.tensor(v).shape();
    }

    private static long elements(List<? extends Number> dims) {
        long n = 1;
        for (Number d : dims) {
            n *= d.longValue();
        }
        return n;
    }

    private static List<Integer> dims(String text) {
        List<Integer> out = new ArrayList<>();
        for (String d : text.split("x")) {
            out.add(Integer.parseInt(d));
        }
        return out;
    }
}

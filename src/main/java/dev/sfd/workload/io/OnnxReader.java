package dev.sfd.workload.io;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.onnx.OnnxGraphTranslator;
import dev.sfd.workload.io.onnx.OnnxImport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Imports an ONNX model ({@code .onnx}) as a {@link Network}. The mapping of ONNX operators to SFD operators,
 * what is folded and what is approximated, is documented in docs/onnx-import.md. Register it with
 * {@code NetworkCatalog.registerImporter(".onnx", OnnxReader::read)}.
 */
public final class OnnxReader {
    private static final Logger LOGGER = LogManager.getLogger();

    private OnnxReader() {
    }

    /** Imports with the model's own input shapes; fails on unsupported operators. */
    public static Network read(Path file, Integer batch) {
        return read(file, batch, Map.of(), false).network();
    }

    /**
     * Imports a model.
     *
     * @param file the .onnx file
     * @param batch batch size replacing axis 0 of every input, or null for the model's (1 when dynamic)
     * @param inputShapes full shapes of inputs by name (for dynamic dims), e.g. from {@code --input-shape}
     * @param unsupportedAsVector import unsupported operators as opaque vector ops sized from the model's
     *                            value_info instead of failing
     */
    public static OnnxImport read(Path file, Integer batch, Map<String, List<Integer>> inputShapes,
                                  boolean unsupportedAsVector) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(inputShapes, "inputShapes");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException(file.toString(), "cannot read the file (" + e.getMessage() + ")");
        }
        OnnxMl.ModelProto model = parse(file.toString(), bytes);
        long start = System.nanoTime();
        OnnxImport result;
        try {
            result = OnnxGraphTranslator.translate(file.toString(), model, batch, inputShapes, unsupportedAsVector);
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // A model that parses but holds values no valid model has (a corrupt file): no stack trace for users.
            LOGGER.debug("Import of ({}) failed unexpectedly", file, e);
            throw new InvalidInputException(file.toString(), "is not a valid ONNX model or uses it in a way SFD did "
                    + "not expect (unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        LOGGER.info("Imported ({}) with ({}) operators, ({}) folded and ({}) approximated nodes in ({} ms)", file,
                result.network().operators().size(), result.folded().size(), result.approximated().size(),
                (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    /** Parses ModelProto bytes; anything that is not an ONNX model is an {@link InvalidInputException}. */
    public static OnnxMl.ModelProto parse(String source, byte[] bytes) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidInputException(source, "is not a valid ONNX model (" + e.getMessage()
                    + ")\n  Maybe the file is truncated or corrupt: download or export it again.");
        } catch (RuntimeException e) {
            throw new InvalidInputException(source, "is not a valid ONNX model (" + e + ")");
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getOutputCount() == 0) {
            throw new InvalidInputException(source, "is not a valid ONNX model (" + (model.getIrVersion() <= 0
                    ? "no ir_version" : !model.hasGraph() ? "no graph" : "the graph has no output")
                    + ")\n  Maybe the file is truncated or corrupt, or not an ONNX file.");
        }
        return model;
    }

    /**
     * Parses {@code --input-shape} values such as {@code x=1x3x224x224} (several separated by commas or given
     * as several strings).
     */
    public static Map<String, List<Integer>> parseInputShapes(List<String> specs) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (String spec : specs) {
            for (String part : spec.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.lastIndexOf('=');
                if (eq <= 0 || eq == p.length() - 1) {
                    throw new InvalidInputException("--input-shape", "has value '" + p + "'; write name=1x3x224x224");
                }
                List<Integer> dims = new ArrayList<>();
                for (String d : p.substring(eq + 1).split("x")) {
                    try {
                        int v = Integer.parseInt(d.trim());
                        if (v < 1) {
                            throw new NumberFormatException();
                        }
                        dims.add(v);
                    } catch (NumberFormatException e) {
                        throw new InvalidInputException("--input-shape", "has value '" + p + "' with dimension '" + d
                                + "'; dimensions are integers >= 1 separated by 'x', e.g. name=1x3x224x224");
                    }
                }
                out.put(p.substring(0, eq).trim(), List.copyOf(dims));
            }
        }
        return out;
    }
}

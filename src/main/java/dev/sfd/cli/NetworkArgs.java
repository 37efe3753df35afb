package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.workload.Limits;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import dev.sfd.workload.io.OnnxReader;
import dev.sfd.workload.io.onnx.OnnxImport;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The network argument and its options, shared by every command that reads a network. */
final class NetworkArgs {

    @Parameters(index = "0", paramLabel = "NETWORK",
            description = "Zoo name (e.g. resnet50), a network file (.yaml/.json) or an ONNX model (.onnx).")
    String network;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (overrides the network file).")
    Integer batch;

    @Option(names = "--input-shape", paramLabel = "NAME=DIMS",
            description = "ONNX: shape of an input with dynamic dims, e.g. x=1x3x224x224 (repeatable).")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--unsupported", paramLabel = "MODE", defaultValue = "error",
            description = "ONNX: what to do with unsupported operators: error (default) or vector (treat them as "
                    + "opaque vector-unit ops sized from their tensors).")
    String unsupported;

    /** The network and, for ONNX, what the import folded or approximated. */
    record Loaded(Network network, List<String> folded, List<String> approximated) {
    }

    Loaded load() {
        return load(network, batch, inputShapes, unsupported);
    }

    /** How a plan records this network, so that {@code simulate} can load it again ({@link #load(NetworkRef)}). */
    NetworkRef ref(Network net) {
        return isOnnx(network) ? new NetworkRef(network, net.batch(), inputShapes, unsupported)
                : new NetworkRef(network, net.batch());
    }

    /** Loads the network a plan refers to, with the import options the plan recorded. */
    static Network load(NetworkRef ref) {
        return load(ref.name(), ref.batch(), ref.inputShapes(), ref.unsupported()).network();
    }

    /** Each input named once in {@code --input-shape}, every dimension from 1 to {@link Limits#MAX_DIM}. */
    static void checkInputShapes(List<String> specs) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (String spec : specs) {
            for (String part : spec.split(",")) {
                String p = part.trim();
                int eq = p.lastIndexOf('=');
                if (eq <= 0) {
                    continue; // malformed: OnnxReader.parseInputShapes says how
                }
                String name = p.substring(0, eq).trim();
                String before = seen.put(name, p);
                if (before != null) {
                    throw new InvalidInputException("--input-shape", "gives input '" + name + "' twice ('" + before
                            + "' and '" + p + "'); give each input once");
                }
                for (String d : p.substring(eq + 1).split("x")) {
                    String digits = d.trim();
                    if (digits.matches("[0-9]+") && (digits.length() > 9 || Long.parseLong(digits) > Limits.MAX_DIM)) {
                        throw new InvalidInputException("--input-shape", "has value '" + p + "' with dimension '"
                                + digits + "'; SFD models dimensions of at most " + Limits.MAX_DIM);
                    }
                }
            }
        }
    }

    private static boolean isOnnx(String network) {
        return network.toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    private static Loaded load(String network, Integer batch, List<String> inputShapes, String unsupported) {
        if (batch != null && (batch < 1 || batch > Limits.MAX_BATCH)) {
            throw new InvalidInputException("--batch", "has value (" + batch + "); the batch must be from 1 to "
                    + Limits.MAX_BATCH);
        }
        checkInputShapes(inputShapes);
        boolean vector = switch (unsupported) {
            case "error" -> false;
            case "vector" -> true;
            default -> throw new InvalidInputException("--unsupported",
                    "has value (" + unsupported + "); expected 'error' or 'vector'");
        };
        if (isOnnx(network)) {
            OnnxImport imported = OnnxReader.read(Path.of(network), batch, OnnxReader.parseInputShapes(inputShapes),
                    vector);
            return new Loaded(imported.network(), imported.folded().stream().map(Object::toString).toList(),
                    imported.approximated().stream().map(Object::toString).toList());
        }
        if (!inputShapes.isEmpty() || vector) {
            throw new InvalidInputException(network,
                    "--input-shape and --unsupported apply to ONNX models (.onnx) only");
        }
        return new Loaded(NetworkCatalog.resolve(network, batch), List.of(), List.of());
    }
}

package dev.sfd.cli;

import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import dev.sfd.workload.io.OnnxReader;
import dev.sfd.workload.io.onnx.OnnxImport;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        boolean vector = switch (unsupported) {
            case "error" -> false;
            case "vector" -> true;
            default -> throw new dev.sfd.common.InvalidInputException("--unsupported",
                    "has value (" + unsupported + "); expected 'error' or 'vector'");
        };
        if (network.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            OnnxImport imported = OnnxReader.read(Path.of(network), batch, OnnxReader.parseInputShapes(inputShapes),
                    vector);
            return new Loaded(imported.network(), imported.folded().stream().map(Object::toString).toList(),
                    imported.approximated().stream().map(Object::toString).toList());
        }
        if (!inputShapes.isEmpty() || vector) {
            throw new dev.sfd.common.InvalidInputException(network,
                    "--input-shape and --unsupported apply to ONNX models (.onnx) only");
        }
        return new Loaded(NetworkCatalog.resolve(network, batch), List.of(), List.of());
    }
}

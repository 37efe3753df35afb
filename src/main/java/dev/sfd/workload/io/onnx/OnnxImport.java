package dev.sfd.workload.io.onnx;

import dev.sfd.workload.Network;

import java.util.List;
import java.util.Objects;

/**
 * The result of importing an ONNX model.
 *
 * @param network the validated network
 * @param folded nodes that disappeared into another operator (batch norm into conv, bias add into linear,
 *               decomposed layer norm into one layernorm), one line each
 * @param approximated nodes mapped to an operator that only approximates them
 * @param checkedShapes values whose inferred shape was compared with a static shape the model declares
 *                      (value_info or graph outputs; only when the inputs have the shapes the model declares)
 * @param conflicts those comparisons that disagreed, one line each (the import uses the inferred shape)
 */
public record OnnxImport(Network network, List<Folding> folded, List<Approximation> approximated, int checkedShapes,
                         List<String> conflicts) {
    public OnnxImport {
        Objects.requireNonNull(network, "network");
        folded = List.copyOf(folded);
        approximated = List.copyOf(approximated);
        conflicts = List.copyOf(conflicts);
    }

    public OnnxImport(Network network, List<Folding> folded, List<Approximation> approximated) {
        this(network, folded, approximated, 0, List.of());
    }

    /** Node {@code node} of type {@code opType} was folded into SFD operator {@code into}. */
    public record Folding(String node, String opType, String into) {
        @Override
        public String toString() {
            return node + " (" + opType + ") folded into " + into;
        }
    }

    /** Node {@code node} of type {@code opType} was imported as {@code treatment}. */
    public record Approximation(String node, String opType, String treatment) {
        @Override
        public String toString() {
            return node + " (" + opType + "): " + treatment;
        }
    }
}

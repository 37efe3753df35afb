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
 */
public record OnnxImport(Network network, List<Folding> folded, List<Approximation> approximated) {
    public OnnxImport {
        Objects.requireNonNull(network, "network");
        folded = List.copyOf(folded);
        approximated = List.copyOf(approximated);
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

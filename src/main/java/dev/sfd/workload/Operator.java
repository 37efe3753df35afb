package dev.sfd.workload;

import java.util.List;
import java.util.Objects;

/**
 * One operator of the network, with its tensors resolved by name.
 *
 * @param name unique operator name
 * @param kind operator kind
 * @param inputs activation (or network input) tensor names, in order
 * @param weights weight tensor names (may be shared with other operators)
 * @param outputs produced tensor names (one, except split)
 * @param params kind-specific attributes
 */
public record Operator(String name, OpKind kind, List<String> inputs, List<String> weights, List<String> outputs,
                       OpParams params) {
    public Operator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        inputs = List.copyOf(inputs);
        weights = List.copyOf(weights);
        outputs = List.copyOf(outputs);
        Objects.requireNonNull(params, "params");
    }

    /** The single output (all kinds but split have one). */
    public String output() {
        return outputs.get(0);
    }

    /** Short description such as {@code conv 3x3/2} or {@code elementwise relu}. */
    public String describe() {
        if (params instanceof OpParams.Conv c) {
            String prefix = c.groups() == 1 ? "conv " : (c.groups() == c.outChannels() ? "dwconv " : "gconv ");
            return prefix + c.kernelH() + "x" + c.kernelW() + (c.strideH() > 1 ? "/" + c.strideH() : "");
        }
        if (params instanceof OpParams.Matmul m) {
            return m.hasWeight() ? "linear" : (m.transposeB() ? "matmul A.B^T" : "matmul A.B");
        }
        if (params instanceof OpParams.Elementwise e) {
            return e.function();
        }
        if (params instanceof OpParams.Resample r) {
            return r.mode().equals("col2im") ? "col2im" : "resize " + r.mode() + " x" + r.scales().get(0)
                    + (r.scales().get(0).equals(r.scales().get(1)) ? "" : "," + r.scales().get(1));
        }
        if (params instanceof OpParams.Opaque o) {
            return o.function();
        }
        if (params instanceof OpParams.Pool p) {
            return p.global() ? "global" + p.type() + "pool"
                    : p.type() + "pool " + p.kernelH() + "x" + p.kernelW() + (p.strideH() > 1 ? "/" + p.strideH() : "");
        }
        return kind.id();
    }
}

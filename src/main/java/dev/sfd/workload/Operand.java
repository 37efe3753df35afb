package dev.sfd.workload;

import java.util.List;
import java.util.Objects;

/**
 * One tensor an operator reads or writes, with the projection of the loop nest onto its axes.
 *
 * @param tensor tensor name
 * @param role INPUT (activation read), WEIGHT (parameter read) or OUTPUT
 * @param axes one expression per axis of the tensor
 */
public record Operand(String tensor, Role role, List<AxisExpr> axes) {
    public enum Role { INPUT, WEIGHT, OUTPUT }

    public Operand {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(role, "role");
        axes = List.copyOf(axes);
    }
}

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

    /** The loop dims this operand's region depends on (a bit per {@link LoopDim#ordinal()}). */
    public int relevantMask() {
        int mask = 0;
        for (AxisExpr a : axes) {
            if (a instanceof AxisExpr.Dims d) {
                for (LoopDim dim : d.dims()) {
                    mask |= 1 << dim.ordinal();
                }
            } else if (a instanceof AxisExpr.Window w) {
                mask |= 1 << w.out().ordinal() | 1 << w.filter().ordinal();
            } else if (a instanceof AxisExpr.Scaled sc) {
                mask |= 1 << sc.out().ordinal();
            }
        }
        return mask;
    }
}

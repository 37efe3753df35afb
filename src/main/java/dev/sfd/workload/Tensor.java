package dev.sfd.workload;

import java.util.List;
import java.util.Objects;

/**
 * A tensor of the network. Activation shapes include the batch as axis 0.
 *
 * @param name unique name
 * @param shape dimensions, each >= 1
 * @param role input, weight or activation
 */
public record Tensor(String name, List<Integer> shape, TensorRole role) {
    public Tensor {
        Objects.requireNonNull(name, "name");
        shape = List.copyOf(shape);
        Objects.requireNonNull(role, "role");
    }

    /** Number of elements; {@link NetworkBuilder} keeps it within {@link Limits#MAX_TENSOR_ELEMENTS}. */
    public long elements() {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    public int rank() {
        return shape.size();
    }

    public int dim(int axis) {
        return shape.get(axis);
    }

    public boolean isWeight() {
        return role == TensorRole.WEIGHT;
    }

    /** The whole tensor as a region. */
    public Box fullBox() {
        return Box.full(shape);
    }
}

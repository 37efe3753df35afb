package dev.sfd.workload.io.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A constant tensor of the model (initializer, Constant node or folded shape arithmetic): its dims and,
 * when small enough to matter for shapes, its values.
 *
 * @param dims dimensions (empty for a scalar)
 * @param values values in row-major order, or null when not decoded (large weights, external data)
 */
record ConstTensor(List<Integer> dims, double[] values) {
    ConstTensor {
        dims = List.copyOf(dims);
    }

    static ConstTensor of(List<Integer> dims, double... values) {
        return new ConstTensor(dims, values);
    }

    static ConstTensor vector(List<Long> values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new ConstTensor(List.of(v.length), v);
    }

    long elements() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    boolean known() {
        return values != null;
    }

    /** The values as longs (shape arithmetic), or empty when unknown. */
    Optional<List<Long>> longs() {
        if (values == null) {
            return Optional.empty();
        }
        List<Long> out = new ArrayList<>();
        for (double v : values) {
            out.add((long) v);
        }
        return Optional.of(out);
    }

    @Override
    public String toString() {
        return "const" + dims;
    }
}

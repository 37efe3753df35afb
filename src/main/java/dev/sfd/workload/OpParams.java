package dev.sfd.workload;

import java.util.List;
import java.util.Objects;

/** Kind-specific operator attributes. Each record is immutable and already validated. */
public sealed interface OpParams {

    /** 2-D convolution on [N, C, H, W]; depthwise when groups == input channels. */
    record Conv(int outChannels, int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                int padBottom, int padRight, int dilationH, int dilationW, int groups, boolean bias)
            implements OpParams {
    }

    /**
     * Matrix multiply. With {@code features > 0} it is a linear layer with a weight [D, features]; otherwise
     * it multiplies two activations (transposeB: the second is [..., N, K]).
     */
    record Matmul(int features, boolean transposeB, boolean bias) implements OpParams {
        public boolean hasWeight() {
            return features > 0;
        }
    }

    /** Elementwise function: add, mul, relu, gelu, ... (see {@link Elementwise#FUNCTIONS}). */
    record Elementwise(String function) implements OpParams {
        public static final List<String> BINARY = List.of("add", "sub", "mul", "div", "max", "min");
        public static final List<String> UNARY = List.of("relu", "relu6", "sigmoid", "tanh", "gelu", "silu",
                "hardswish", "hardsigmoid", "scale", "exp", "sqrt", "identity", "clip", "neg", "abs", "erf",
                "pow", "reciprocal", "opaque");

        public Elementwise {
            Objects.requireNonNull(function, "function");
        }

        public boolean binary() {
            return BINARY.contains(function);
        }
    }

    /** Max or average pooling; {@code global} pools the whole plane. */
    record Pool(String type, int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                int padBottom, int padRight, int dilationH, int dilationW, boolean global) implements OpParams {
    }

    /** Softmax along one axis (non-negative, batch axis = 0). */
    record Softmax(int axis) implements OpParams {
    }

    /** Layer normalisation over the axes from {@code axis} to the end. */
    record LayerNorm(int axis, boolean affine) implements OpParams {
    }

    /** Inference batch norm: per-channel scale and shift. */
    record BatchNorm() implements OpParams {
    }

    /** Table lookup producing [N, S, features]. */
    record Embedding(int vocabulary, int features) implements OpParams {
    }

    /** Reshape to a fully resolved shape (batch included). */
    record Reshape(List<Integer> shape) implements OpParams {
        public Reshape {
            shape = List.copyOf(shape);
        }
    }

    /** Permutation of all axes. */
    record Transpose(List<Integer> perm) implements OpParams {
        public Transpose {
            perm = List.copyOf(perm);
        }
    }

    /** Concatenation along a non-negative axis. */
    record Concat(int axis) implements OpParams {
    }

    /** Split along a non-negative axis into parts of the given sizes. */
    record Split(int axis, List<Integer> sizes) implements OpParams {
        public Split {
            sizes = List.copyOf(sizes);
        }
    }
}

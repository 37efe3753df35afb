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

    /**
     * Elementwise function: add, mul, relu, gelu, ... (see {@link Elementwise#BINARY}, {@link Elementwise#UNARY}).
     * A binary function with a non-empty {@code weightShape} takes one activation and a constant weight tensor
     * of that shape (broadcast against it, e.g. a per-channel scale {@code [C, 1, 1]}).
     */
    record Elementwise(String function, List<Integer> weightShape) implements OpParams {
        public static final List<String> BINARY = List.of("add", "sub", "mul", "div", "max", "min");
        public static final List<String> UNARY = List.of("relu", "relu6", "sigmoid", "tanh", "gelu", "silu",
                "hardswish", "hardsigmoid", "scale", "shift", "exp", "sqrt", "identity", "clip", "neg", "abs", "erf",
                "pow", "reciprocal", "opaque");

        public Elementwise {
            Objects.requireNonNull(function, "function");
            weightShape = List.copyOf(weightShape);
        }

        public Elementwise(String function) {
            this(function, List.of());
        }

        /** Two or more activation inputs. */
        public boolean binary() {
            return BINARY.contains(function) && weightShape.isEmpty();
        }

        public boolean hasWeight() {
            return !weightShape.isEmpty();
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

    /**
     * Vector op of an explicit output shape. Each input is read whole by every tile, unless {@code reads} says per
     * input axis how it follows the output ({@link Access}): then a tile reads only the part of the input its
     * output region needs, as for an elementwise op (same shape or broadcast) or a pooling window.
     *
     * @param function what it stands for ({@code resize}, {@code pad}, {@code slice}, {@code reducemean}, an
     *                 imported operator type, ...)
     * @param outputShape the output shape, rank 1 to 5
     * @param opsPerElement vector ops per output element (0: data movement only)
     * @param weightShape shape of a constant weight operand read whole; empty: none
     * @param reads per input (in order) one {@link Access} per input axis; an empty list, or no entry for an
     *              input, reads that input whole
     */
    record Opaque(String function, List<Integer> outputShape, int opsPerElement, List<Integer> weightShape,
                  List<List<Access>> reads) implements OpParams {
        public Opaque {
            Objects.requireNonNull(function, "function");
            outputShape = List.copyOf(outputShape);
            weightShape = List.copyOf(weightShape);
            List<List<Access>> r = new java.util.ArrayList<>();
            for (List<Access> in : reads) {
                r.add(List.copyOf(in));
            }
            reads = List.copyOf(r);
        }

        /** An opaque op that reads every input whole. */
        public Opaque(String function, List<Integer> outputShape, int opsPerElement, List<Integer> weightShape) {
            this(function, outputShape, opsPerElement, weightShape, List.of());
        }

        /** The access pattern of input {@code i}; empty when it is read whole. */
        public List<Access> readsOf(int i) {
            return i < reads.size() ? reads.get(i) : List.of();
        }

        /** True when some input axis is read by region (follows the output) rather than whole. */
        public boolean tiled() {
            return reads.stream().flatMap(List::stream).anyMatch(a -> !(a instanceof Access.Whole));
        }

        /** How one axis of an input of an opaque op is indexed by the output. */
        public sealed interface Access {
            /** Input index = output index on output axis {@code outAxis} (same size). */
            record Follow(int outAxis) implements Access {
            }

            /** A size-1 axis read at index 0 for every output element. */
            record Broadcast() implements Access {
            }

            /** The whole axis for every output element (a reduced or gathered axis). */
            record Whole() implements Access {
            }

            /**
             * A sliding window along output axis {@code outAxis}: output index o reads input indices
             * {@code o·stride + t·dilation − padBefore} for taps t in {@code [0, size)} (as a pooling window; a
             * negative padBefore is an offset into the input).
             */
            record Window(int outAxis, int size, int stride, int dilation, int padBefore) implements Access {
            }
        }
    }

    /**
     * Resampling of the rows and columns of [N, C, H, W] (channels and batch 1:1): resize / upsample, or the
     * col2im step of a transposed convolution. Output row r reads the input rows around {@code floor(r/scale)}
     * ({@link AxisExpr.Scaled}); {@link Resampling} derives the halos from the sampling formula.
     *
     * @param mode {@code nearest}, {@code linear} or {@code col2im}
     * @param coordinates how an output index maps to an input coordinate (ONNX {@code coordinate_transformation_mode}):
     *                    one of {@link Resampling#COORDINATES}; ignored by col2im
     * @param nearestMode rounding of {@code nearest} (ONNX {@code nearest_mode}): one of
     *                    {@link Resampling#NEAREST_MODES}
     * @param scales row and column scale, output per input ({@code [2/1, 2/1]} doubles H and W)
     * @param outputShape [N, C, H', W'], or empty before shape inference: {@code floor(H·scale)} and so on
     * @param kernel col2im only: the kernel's span {@code (k − 1)·dilation + 1} for rows and columns; else empty
     * @param padBefore col2im only: the transposed convolution's leading padding for rows and columns; else empty
     */
    record Resample(String mode, String coordinates, String nearestMode, List<Scale> scales, List<Integer> outputShape,
                    List<Integer> kernel, List<Integer> padBefore) implements OpParams {
        public Resample {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(coordinates, "coordinates");
            Objects.requireNonNull(nearestMode, "nearestMode");
            scales = List.copyOf(scales);
            outputShape = List.copyOf(outputShape);
            kernel = List.copyOf(kernel);
            padBefore = List.copyOf(padBefore);
        }

        /** Nearest or linear sampling with both scales given. */
        public static Resample sampling(String mode, String coordinates, String nearestMode, Scale h, Scale w) {
            return new Resample(mode, coordinates, nearestMode, List.of(h, w), List.of(), List.of(), List.of());
        }

        /** A rational scale {@code num/den} (output per input), both >= 1. */
        public record Scale(int num, int den) {
            public static Scale of(int num, int den) {
                int g = gcd(Math.abs(num), Math.abs(den));
                return g == 0 ? new Scale(num, den) : new Scale(num / g, den / g);
            }

            private static int gcd(int a, int b) {
                return b == 0 ? a : gcd(b, a % b);
            }

            /**
             * A positive decimal as a fraction with a denominator up to 256 that matches it to 1e-6 (2.0 is 2/1,
             * 0.5 is 1/2, 1.5 is 3/2); empty when none does.
             */
            public static java.util.Optional<Scale> approximate(double scale) {
                if (!Double.isFinite(scale) || scale <= 0) {
                    return java.util.Optional.empty();
                }
                for (int den = 1; den <= 256; den++) {
                    long num = Math.round(scale * den);
                    if (num >= 1 && num <= Integer.MAX_VALUE && Math.abs((double) num / den - scale) <= 1e-6 * scale) {
                        return java.util.Optional.of(of((int) num, den));
                    }
                }
                return java.util.Optional.empty();
            }

            public double value() {
                return (double) num / den;
            }

            @Override
            public String toString() {
                return den == 1 ? String.valueOf(num) : num + "/" + den;
            }
        }
    }

    /**
     * A strided box of the input (ONNX Slice with its starts, ends, axes and steps resolved): output index i of axis
     * a is input index {@code starts[a] + i·steps[a]}, for i in {@code [0, sizes[a])}; every axis is listed (start 0,
     * step 1 and the input size where nothing is sliced). A view: no compute.
     */
    record Slice(List<Integer> starts, List<Integer> steps, List<Integer> sizes) implements OpParams {
        public Slice {
            starts = List.copyOf(starts);
            steps = List.copyOf(steps);
            sizes = List.copyOf(sizes);
        }

        /** Output size of axis {@code a}. */
        public int size(int a) {
            return sizes.get(a);
        }
    }

    /** Split along a non-negative axis into parts of the given sizes. */
    record Split(int axis, List<Integer> sizes) implements OpParams {
        public Split {
            sizes = List.copyOf(sizes);
        }
    }
}

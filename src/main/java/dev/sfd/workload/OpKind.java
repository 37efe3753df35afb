package dev.sfd.workload;

import java.util.Locale;

/** Operator kinds. Elementwise functions, pooling types and so on are parameters, not kinds. */
public enum OpKind {
    CONV(ComputeUnit.PE_ARRAY),
    MATMUL(ComputeUnit.PE_ARRAY),
    ELEMENTWISE(ComputeUnit.VECTOR),
    POOL(ComputeUnit.VECTOR),
    SOFTMAX(ComputeUnit.VECTOR),
    LAYERNORM(ComputeUnit.VECTOR),
    BATCHNORM(ComputeUnit.VECTOR),
    /** Table lookup: pure data movement of the looked-up rows. */
    EMBEDDING(ComputeUnit.NONE),
    RESHAPE(ComputeUnit.NONE),
    TRANSPOSE(ComputeUnit.NONE),
    CONCAT(ComputeUnit.NONE),
    SPLIT(ComputeUnit.NONE),
    /** A box of the input (per axis a start, an end and a step): a view, like the other layout operators. */
    SLICE(ComputeUnit.NONE),
    /**
     * Resampling of rows and columns (resize, upsample, col2im of a transposed convolution): a vector op whose
     * input region follows the output region scaled ({@link AxisExpr.Scaled}).
     */
    RESAMPLE(ComputeUnit.VECTOR),
    /**
     * Vector op with an explicit output shape: padding, reductions, and operators an importer could only
     * approximate. Each input is read whole, or per axis as {@link OpParams.Opaque#reads()} says (following an
     * output axis, broadcast, or through a window).
     */
    OPAQUE(ComputeUnit.VECTOR);

    /** Which unit of the accelerator executes an operator of this kind. */
    public enum ComputeUnit { PE_ARRAY, VECTOR, NONE }

    private final ComputeUnit unit;

    OpKind(ComputeUnit unit) {
        this.unit = unit;
    }

    public ComputeUnit unit() {
        return unit;
    }

    /** Zero-compute operators that only rearrange data (reshape, transpose, concat, split, slice). */
    public boolean isLayout() {
        return this == RESHAPE || this == TRANSPOSE || this == CONCAT || this == SPLIT || this == SLICE;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

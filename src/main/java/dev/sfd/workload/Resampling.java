package dev.sfd.workload;

import java.util.List;

/**
 * The index maps of {@link OpParams.Resample}: which input indices one output index reads along a resampled axis
 * (ONNX Resize semantics, onnx/docs/Operators.md), and the {@link AxisExpr.Scaled} halos that cover them.
 *
 * <p>The halos are found by brute force over every output index of the axis: {@code haloBefore} is the largest
 * {@code base(o) − first(o)} and {@code haloAfter} the largest {@code last(o) − base(o)}, with
 * {@code base(o) = floor(o·den/num)} and {@code [first(o), last(o)]} the indices read (clamped to the input). So
 * the region of any output range contains every index it reads, and exceeds the exact hull by at most the
 * variation of those differences along the axis: 0 for integer scales with {@code asymmetric} or
 * {@code half_pixel} nearest sampling, at most 1 row per side otherwise (2 for linear under an inexact scale).
 * {@code align_corners} follows the base {@code floor(o·(in − 1)/(out − 1))} instead of the scale.
 *
 * <ul>
 *   <li>{@code nearest}: the input coordinate x of the coordinate mode, rounded by the nearest mode, in exact
 *       rational arithmetic. With a scale that is no dyadic fraction (2/3; not exact in floating point) a
 *       coordinate exactly on a rounding boundary counts both ways, whatever a runtime's rounding makes of it.</li>
 *   <li>{@code linear}: floor(x) and floor(x) + 1, clamped to the input (and floor(x) − 1 for an integral x
 *       under an inexact scale).</li>
 *   <li>{@code col2im}: input rows i with {@code i·scale + t − padBefore = o} for a kernel tap t in
 *       {@code [0, kernel)} (the kernel span; dilation holes are read as a hull). The scale is the integer
 *       stride.</li>
 * </ul>
 */
public final class Resampling {
    /** Sampling modes. */
    public static final List<String> MODES = List.of("nearest", "linear", "col2im");
    /** Coordinate transformation modes (ONNX {@code coordinate_transformation_mode}). */
    public static final List<String> COORDINATES = List.of("half_pixel", "asymmetric", "align_corners",
            "pytorch_half_pixel", "tf_half_pixel_for_nn");
    /** Rounding of nearest sampling (ONNX {@code nearest_mode}). */
    public static final List<String> NEAREST_MODES = List.of("round_prefer_floor", "round_prefer_ceil", "floor",
            "ceil");

    private Resampling() {
    }

    /**
     * The input indices {@code [first, last]} (inclusive) that output index {@code o} of axis {@code axis} (0: rows,
     * 1: columns) reads, clamped to {@code [0, in)}; {@code first > last} when it reads nothing (a col2im output
     * row no kernel tap reaches). Computed in exact rational arithmetic.
     */
    public static int[] reads(OpParams.Resample p, int axis, int in, int out, int o) {
        OpParams.Resample.Scale scale = p.scales().get(axis);
        long first;
        long last;
        if (p.mode().equals("col2im")) {
            int stride = scale.num();
            int pad = p.padBefore().get(axis);
            int span = p.kernel().get(axis);
            first = Math.floorDiv((long) o + pad - (span - 1) + stride - 1, stride);
            last = Math.floorDiv((long) o + pad, stride);
            return new int[] {(int) Math.max(0, first), (int) Math.min(in - 1, last)};
        }
        long[] x = coordinate(p.coordinates(), scale, in, out, o);
        long xn = x[0];
        long xd = x[1];
        // A scale that is no dyadic fraction (2/3, 1/3) is inexact in floating point: an ONNX runtime may round a
        // coordinate that is exactly on a rounding boundary either way, so both neighbours count.
        boolean inexact = !p.coordinates().equals("align_corners") && Long.bitCount(scale.den()) != 1;
        boolean integral = Math.floorMod(xn, xd) == 0;
        boolean half = Math.floorMod(2 * xn, 2 * xd) == xd;
        long floor = Math.floorDiv(xn, xd);
        if (p.mode().equals("linear")) {
            first = inexact && integral ? floor - 1 : floor;
            last = floor + 1;
        } else {
            long r = switch (p.nearestMode()) {
                case "floor" -> floor;
                case "ceil" -> -Math.floorDiv(-xn, xd);
                case "round_prefer_ceil" -> Math.floorDiv(2 * xn + xd, 2 * xd);
                default -> -Math.floorDiv(-(2 * xn - xd), 2 * xd);
            };
            first = r;
            last = r;
            if (inexact) {
                switch (p.nearestMode()) {
                    case "floor" -> first = integral ? r - 1 : r;
                    case "ceil" -> last = integral ? r + 1 : r;
                    case "round_prefer_ceil" -> first = half ? r - 1 : r;
                    default -> last = half ? r + 1 : r;
                }
            }
        }
        return new int[] {(int) Math.max(0, Math.min(in - 1, first)), (int) Math.max(0, Math.min(in - 1, last))};
    }

    /**
     * The input coordinate of output index {@code o} under a coordinate transformation mode, as a fraction
     * {@code {numerator, denominator > 0}}.
     */
    static long[] coordinate(String coordinates, OpParams.Resample.Scale scale, int in, int out, int o) {
        long n = scale.num();
        long d = scale.den();
        return switch (coordinates) {
            case "asymmetric" -> new long[] {o * d, n};
            case "align_corners" -> out == 1 ? new long[] {0, 1} : new long[] {(long) o * (in - 1), out - 1};
            case "pytorch_half_pixel" -> out > 1 ? new long[] {(2L * o + 1) * d - n, 2 * n} : new long[] {0, 1};
            case "tf_half_pixel_for_nn" -> new long[] {(2L * o + 1) * d, 2 * n};
            default -> new long[] {(2L * o + 1) * d - n, 2 * n};
        };
    }

    /**
     * The scale whose base index {@code floor(o·den/num)} an axis follows: the params' scale, except for
     * {@code align_corners}, which maps the corners onto each other: {@code (out − 1)/(in − 1)}.
     */
    static OpParams.Resample.Scale indexScale(OpParams.Resample p, int axis, int in, int out) {
        if (p.coordinates().equals("align_corners") && !p.mode().equals("col2im") && in > 1 && out > 1) {
            return OpParams.Resample.Scale.of(out - 1, in - 1);
        }
        return p.scales().get(axis);
    }

    /**
     * The region expression of axis {@code axis} (0: rows, 1: columns) indexed by loop dim {@code out}: the
     * scale of the params and the smallest halos that cover every output index's reads.
     */
    public static AxisExpr.Scaled axisExpr(LoopDim dim, OpParams.Resample p, int axis, int in, int out) {
        OpParams.Resample.Scale scale = indexScale(p, axis, in, out);
        long before = Long.MIN_VALUE;
        long after = Long.MIN_VALUE;
        for (int o = 0; o < out; o++) {
            int[] r = reads(p, axis, in, out, o);
            if (r[0] > r[1]) {
                continue;
            }
            long base = Math.floorDiv((long) o * scale.den(), scale.num());
            before = Math.max(before, base - r[0]);
            after = Math.max(after, r[1] - base);
        }
        if (before == Long.MIN_VALUE) {
            before = 0;
            after = 0;
        }
        return new AxisExpr.Scaled(dim, scale.num(), scale.den(), (int) before, (int) after);
    }
}

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
 * variation of those differences along the axis (0 for integer scales with {@code asymmetric} or
 * {@code half_pixel} nearest sampling, at most 1 per side otherwise in practice).
 *
 * <ul>
 *   <li>{@code nearest}: the input coordinate x of the coordinate mode, rounded by the nearest mode. Coordinates
 *       within 1e-9 of a rounding boundary count both ways (floating-point ties are read conservatively).</li>
 *   <li>{@code linear}: floor(x) and floor(x) + 1, clamped to the input.</li>
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

    private static final double EPS = 1e-9;

    private Resampling() {
    }

    /**
     * The input indices {@code [first, last]} (inclusive) that output index {@code o} of axis {@code axis} (0: rows,
     * 1: columns) reads, clamped to {@code [0, in)}; {@code first > last} when it reads nothing (a col2im output
     * row no kernel tap reaches).
     */
    public static int[] reads(OpParams.Resample p, int axis, int in, int out, int o) {
        OpParams.Resample.Scale scale = p.scales().get(axis);
        long first;
        long last;
        switch (p.mode()) {
            case "col2im" -> {
                int stride = scale.num();
                int pad = p.padBefore().get(axis);
                int span = p.kernel().get(axis);
                first = Math.floorDiv((long) o + pad - (span - 1) + stride - 1, stride);
                last = Math.floorDiv((long) o + pad, stride);
            }
            case "linear" -> {
                double x = coordinate(p.coordinates(), scale, in, out, o);
                first = (long) Math.floor(x - EPS);
                last = (long) Math.floor(x + EPS) + 1;
            }
            default -> {
                double x = coordinate(p.coordinates(), scale, in, out, o);
                first = Math.min(round(p.nearestMode(), x - EPS), round(p.nearestMode(), x + EPS));
                last = Math.max(round(p.nearestMode(), x - EPS), round(p.nearestMode(), x + EPS));
            }
        }
        if (!p.mode().equals("col2im")) {
            first = Math.max(0, Math.min(in - 1, first));
            last = Math.max(0, Math.min(in - 1, last));
        } else {
            first = Math.max(0, first);
            last = Math.min(in - 1, last);
        }
        return new int[] {(int) first, (int) last};
    }

    /** The input coordinate of output index {@code o} under a coordinate transformation mode. */
    static double coordinate(String coordinates, OpParams.Resample.Scale scale, int in, int out, int o) {
        double s = scale.value();
        return switch (coordinates) {
            case "asymmetric" -> o / s;
            case "align_corners" -> out == 1 ? 0 : (double) o * (in - 1) / (out - 1);
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / s - 0.5 : 0;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / s;
            default -> (o + 0.5) / s - 0.5;
        };
    }

    private static long round(String nearestMode, double x) {
        return switch (nearestMode) {
            case "floor" -> (long) Math.floor(x);
            case "ceil" -> (long) Math.ceil(x);
            case "round_prefer_ceil" -> (long) Math.floor(x + 0.5);
            default -> (long) Math.ceil(x - 0.5);
        };
    }

    /**
     * The region expression of axis {@code axis} (0: rows, 1: columns) indexed by loop dim {@code out}: the
     * scale of the params and the smallest halos that cover every output index's reads.
     */
    public static AxisExpr.Scaled axisExpr(LoopDim dim, OpParams.Resample p, int axis, int in, int out) {
        OpParams.Resample.Scale scale = p.scales().get(axis);
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

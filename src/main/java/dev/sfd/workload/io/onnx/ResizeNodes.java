package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.Resampling;
import dev.sfd.workload.io.onnx.ValueTable.Act;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.sfd.workload.io.onnx.ShapeInference.axis;
import static dev.sfd.workload.io.onnx.ShapeInference.toInt;

/**
 * Resize and Upsample: resample operators with real regions where SFD can model the sampling.
 */
final class ResizeNodes extends NodeFamily {
    private static final Logger LOGGER = LogManager.getLogger(OnnxGraphTranslator.class);
    private final OpaqueNodes opaque;

    ResizeNodes(ValueTable table, OpaqueNodes opaque) {
        super(table);
        this.opaque = opaque;
    }

    void resize(OnnxMl.NodeProto n, Attributes a, String name) {
        Act x = act(n, 0);
        List<Double> scales = null;
        List<Long> sizes = null;
        if (n.getOpType().equals("Upsample") && opset < 9) {
            scales = a.floats("scales").orElseThrow(() -> new Unmappable("scales are missing"));
        } else if (n.getOpType().equals("Upsample") || opset < 11) {
            scales = doublesInput(n, 1, "scales").orElseThrow(() -> new Unmappable("scales are missing"));
        } else {
            Optional<List<Double>> sc = doublesInput(n, 2, "scales").filter(v -> !v.isEmpty());
            Optional<List<Long>> sz = longsInput(n, 3, "sizes").filter(v -> !v.isEmpty());
            scales = sc.orElse(null);
            sizes = sz.orElse(null);
        }
        List<Integer> out = new ArrayList<>(x.shape());
        Optional<List<Long>> axes = a.ints("axes").filter(v -> !v.isEmpty());
        int count = sizes != null ? sizes.size() : scales == null ? 0 : scales.size();
        if (count == 0) {
            throw new Unmappable("neither scales nor sizes are given");
        }
        if (axes.isEmpty() && count != x.rank()) {
            throw new Unmappable("it gives " + count + " scales or sizes for a rank-" + x.rank() + " input");
        }
        for (int i = 0; i < count; i++) {
            int ax = axes.isPresent() ? axis(axes.get().get(i), x.rank()) : i;
            out.set(ax, sizes != null ? toInt(sizes.get(i), "size")
                    : (int) Math.floor(x.shape().get(ax) * scales.get(i)));
        }
        if (out.equals(x.shape())) {
            alias(n.getOutput(0), x);
            return;
        }
        int resized = 0;
        for (int i = 0; i < out.size(); i++) {
            resized += out.get(i).equals(x.shape().get(i)) ? 0 : 1;
        }
        String mode = a.s("mode", "nearest");
        Optional<String> unmapped = resampleLimitation(n, a, x, out, mode);
        if (unmapped.isEmpty()) {
            boolean modern = n.getOpType().equals("Resize") && opset >= 11;
            String coordinates = modern ? a.s("coordinate_transformation_mode", "half_pixel") : "asymmetric";
            String nearestMode = modern ? a.s("nearest_mode", "round_prefer_floor") : "floor";
            List<OpParams.Resample.Scale> sc = new ArrayList<>();
            for (int ax = 2; ax < 4; ax++) {
                int in = x.shape().get(ax);
                sc.add(sizes != null ? OpParams.Resample.Scale.of(out.get(ax), in)
                        : rational(scaleOf(scales, axes, ax, x.rank()), out.get(ax), in));
            }
            OpParams.Resample p = new OpParams.Resample(mode.equals("bilinear") ? "linear" : mode, coordinates,
                    nearestMode, sc, out, List.of(), List.of());
            emit(spec(name, OpKind.RESAMPLE, List.of(x.tensor()), n.getOutput(0), p, null, out));
            define(n.getOutput(0), out);
            return;
        }
        int ops = mode.equals("linear") || mode.equals("bilinear") ? 1 << resized
                : mode.equals("cubic") ? 1 << (2 * resized) : 1;
        LOGGER.debug("Resize ({}) is read whole: {}", name, unmapped.get());
        opaque.opaque(n, name, List.of(x.tensor()), out, "resize", ops);
    }

    /** Why a Resize / Upsample cannot be a {@link OpKind#RESAMPLE}; empty when it can. */
    Optional<String> resampleLimitation(OnnxMl.NodeProto n, Attributes a, Act x, List<Integer> out,
                                                String mode) {
        if (x.rank() != 4 || !out.get(1).equals(x.shape().get(1))) {
            return Optional.of("it resizes " + x.shape() + " to " + out + "; only rows and columns of [N, C, H, W]"
                    + " have a resample region");
        }
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("bilinear")) {
            return Optional.of("mode '" + mode + "' (only nearest and linear have a resample region)");
        }
        if (n.getOpType().equals("Resize") && opset >= 11) {
            String coordinates = a.s("coordinate_transformation_mode", "half_pixel");
            if (!Resampling.COORDINATES.contains(coordinates)) {
                return Optional.of("coordinate_transformation_mode '" + coordinates + "'");
            }
            String nearestMode = a.s("nearest_mode", "round_prefer_floor");
            if (!Resampling.NEAREST_MODES.contains(nearestMode)) {
                return Optional.of("nearest_mode '" + nearestMode + "'");
            }
            boolean shrinks = out.get(2) < x.shape().get(2) || out.get(3) < x.shape().get(3);
            if (a.i("antialias", 0) != 0 && shrinks && !mode.equals("nearest")) {
                return Optional.of("antialiased downsampling (its filter is wider than two taps)");
            }
        }
        return Optional.empty();
    }

    /** The scale given for axis {@code ax}, or NaN when none is given for it. */
    static double scaleOf(List<Double> scales, Optional<List<Long>> axes, int ax, int rank) {
        for (int i = 0; i < scales.size(); i++) {
            if ((axes.isPresent() ? axis(axes.get().get(i), rank) : i) == ax) {
                return scales.get(i);
            }
        }
        return Double.NaN;
    }

    /** A float scale as a fraction ({@link OpParams.Resample.Scale#approximate}), else output over input size. */
    static OpParams.Resample.Scale rational(double scale, int out, int in) {
        return OpParams.Resample.Scale.approximate(scale).orElse(OpParams.Resample.Scale.of(out, in));
    }
}

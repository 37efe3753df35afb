package dev.sfd.workload;

import static dev.sfd.workload.Nets.shape;
import static dev.sfd.workload.Nets.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Region arithmetic of resampling ({@link AxisExpr.Scaled}): hand-computed regions, and for random resizes and
 * random output boxes a brute force over the input elements that nearest / linear / col2im sampling reads — the
 * region must contain them all and exceed their bounding box by no more than the halos' variation along the axis.
 */
class ResampleRegionsTest {

    private static Box box(int... loHi) {
        int rank = loHi.length / 2;
        int[] lo = new int[rank];
        int[] hi = new int[rank];
        for (int i = 0; i < rank; i++) {
            lo[i] = loHi[2 * i];
            hi[i] = loHi[2 * i + 1];
        }
        return new Box(lo, hi);
    }

    private static Box inputRegion(Network net, Box outBox) {
        return Regions.inputRegion(net, net.operator("up"), 0, 0, outBox).orElseThrow();
    }

    @Test
    void nearestTwiceReadsHalfTheRowsWithoutHalo() {
        Network net = single(List.of(1, 4, 10, 10),
                "{name: up, op: resize, inputs: [x], scale: 2, mode: nearest, coordinates: asymmetric, "
                        + "nearestMode: floor}");
        assertEquals(List.of(1, 4, 20, 20), shape(net, "up"));
        // output rows [6, 11) read input rows floor(6/2) .. floor(10/2) = [3, 6); channels 1:1
        assertEquals(box(0, 1, 1, 3, 3, 6, 0, 2), inputRegion(net, box(0, 1, 1, 3, 6, 11, 0, 4)));
        // half_pixel with round_prefer_floor (the ONNX default) samples the same rows at scale 2
        Network half = single(List.of(1, 4, 10, 10), "{name: up, op: resize, inputs: [x], scale: 2}");
        assertEquals(box(0, 1, 1, 3, 3, 6, 0, 2), inputRegion(half, box(0, 1, 1, 3, 6, 11, 0, 4)));
    }

    @Test
    void linearHalfPixelReadsOneNeighbourEachSide() {
        Network net = single(List.of(1, 2, 10, 10), "{name: up, op: resize, inputs: [x], scale: 2, mode: linear}");
        LoopNest nest = net.loopNest("up").orElseThrow();
        AxisExpr.Scaled rows = (AxisExpr.Scaled) nest.reads().get(0).axes().get(2);
        // x = (r + 0.5)/2 - 0.5: even r reads r/2 - 1 and r/2, odd r reads (r-1)/2 and (r+1)/2
        assertEquals(new AxisExpr.Scaled(LoopDim.P, 2, 1, 1, 1), rows);
        // rows [6, 10): base 3 .. 4, reads 2 .. 5; column 0 reads row -1 clamped to 0 and row 0: the documented
        // superset adds column 1
        assertEquals(box(0, 1, 0, 2, 2, 6, 0, 2), inputRegion(net, box(0, 1, 0, 2, 6, 10, 0, 1)));
        // clipped at the border: row 0 reads input row 0 (clamped), row 19 reads row 9
        assertEquals(box(0, 1, 0, 2, 0, 2, 8, 10), inputRegion(net, box(0, 1, 0, 2, 0, 2, 18, 20)));
        assertEquals(4, nest.opsPerPoint(), "bilinear: 4 ops per output element");
    }

    @Test
    void rationalScaleAndDownsampling() {
        Network up = single(List.of(1, 1, 8, 8), "{name: up, op: resize, inputs: [x], scale: \"3/2\", "
                + "coordinates: asymmetric, nearestMode: floor}");
        assertEquals(List.of(1, 1, 12, 12), shape(up, "up"));
        // output rows [4, 8) read floor(4·2/3) = 2 .. floor(7·2/3) = 4
        assertEquals(box(0, 1, 0, 1, 2, 5, 0, 8), inputRegion(up, box(0, 1, 0, 1, 4, 8, 0, 12)));
        Network down = single(List.of(1, 1, 8, 8), "{name: up, op: resize, inputs: [x], scale: 0.5, mode: linear}");
        assertEquals(List.of(1, 1, 4, 4), shape(down, "up"));
        // x = (r + 0.5)·2 - 0.5 = 2r + 0.5: rows [1, 3) read 2 .. 5
        assertEquals(box(0, 1, 0, 1, 2, 6, 0, 8), inputRegion(down, box(0, 1, 0, 1, 1, 3, 0, 4)));
    }

    @Test
    void scaledExtentBoundsEveryRangeOfThatManyOutputs() {
        AxisExpr.Scaled a = new AxisExpr.Scaled(LoopDim.P, 3, 2, 1, 1);
        for (int t = 1; t <= 12; t++) {
            long extent = a.extent(Map.of(LoopDim.P, t));
            for (int lo = 0; lo + t <= 30; lo++) {
                AxisExpr.Range r = a.range(Map.of(LoopDim.P, new AxisExpr.Range(lo, lo + t, 30)), 1000);
                assertTrue(r.extent() <= extent, "t " + t + " lo " + lo + ": " + r + " > " + extent);
            }
        }
        assertEquals(1 + 2, a.extent(Map.of(LoopDim.P, 1)));
        assertEquals(3 + 2, a.extent(Map.of(LoopDim.P, 4)), "ceil(3·2/3) + 1 rows plus the halos");
    }

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void regionContainsEveryElementSampledAndIsTightWithinTheHalo(long seed) {
        Random random = new Random(seed);
        int h = 1 + random.nextInt(12);
        int w = 1 + random.nextInt(12);
        int c = 1 + random.nextInt(3);
        OpParams.Resample p = randomParams(random);
        int outH = (int) ((long) h * p.scales().get(0).num() / p.scales().get(0).den());
        int outW = (int) ((long) w * p.scales().get(1).num() / p.scales().get(1).den());
        if (outH < 1 || outW < 1) {
            return;
        }
        Network net = new NetworkBuilder("seed " + seed).name("t").input("x", List.of(1, c, h, w))
                .operator(new OperatorSpec("up", OpKind.RESAMPLE, List.of("x"), List.of("up"), p, false, null,
                        List.of()))
                .build();
        Tensor out = net.tensor("up");
        assertEquals(List.of(1, c, outH, outW), out.shape());
        LoopNest nest = net.loopNest("up").orElseThrow();
        AxisExpr.Scaled[] axes = {(AxisExpr.Scaled) nest.reads().get(0).axes().get(2),
                (AxisExpr.Scaled) nest.reads().get(0).axes().get(3)};
        int[] in = {h, w};
        int[] outSize = {outH, outW};
        for (int trial = 0; trial < 20; trial++) {
            Box outBox = LoopNestTest.randomBox(random, out.shape());
            Optional<Box> region = Regions.inputRegion(net, net.operator("up"), 0, 0, outBox);
            // batch and channels 1:1
            Box got = region.orElseThrow(() -> new AssertionError(p + " reads nothing for " + outBox));
            for (int ax = 0; ax < 2; ax++) {
                assertEquals(outBox.lo(ax), got.lo(ax));
                assertEquals(outBox.hi(ax), got.hi(ax));
            }
            for (int k = 0; k < 2; k++) {
                AxisExpr.Scaled a = axes[k];
                int last = in[k] - 1;
                // hull of the (clamped) reads of the box; a col2im band between kernel taps reads nothing and
                // counts as its base row for tightness
                long first = Long.MAX_VALUE;
                long lastRead = Long.MIN_VALUE;
                boolean readsSomething = false;
                // smallest (base - first) and (last - base) over outputs whose reads are not clamped
                long minBefore = Long.MAX_VALUE;
                long minAfter = Long.MAX_VALUE;
                for (int o = 0; o < outSize[k]; o++) {
                    long[] r = bruteForceReads(p, k, in[k], outSize[k], o);
                    long base = a.base(o);
                    boolean hole = r[0] > r[1];
                    if (!hole && r[0] >= 0 && r[0] <= last) {
                        minBefore = Math.min(minBefore, base - r[0]);
                    }
                    if (!hole && r[1] >= 0 && r[1] <= last) {
                        minAfter = Math.min(minAfter, r[1] - base);
                    }
                    if (o >= outBox.lo(k + 2) && o < outBox.hi(k + 2)) {
                        long lo = hole ? base : Math.max(0, Math.min(last, r[0]));
                        long hi = hole ? base : Math.max(0, Math.min(last, r[1]));
                        first = Math.min(first, lo);
                        lastRead = Math.max(lastRead, hi);
                        if (!hole) {
                            readsSomething = true;
                            assertTrue(got.lo(k + 2) <= lo && got.hi(k + 2) > hi, "misses reads [" + lo + ", " + hi
                                    + "] of output " + o + ": " + p + " axis " + k + " box " + outBox + " got " + got);
                        }
                    }
                }
                if (!readsSomething) {
                    continue;
                }
                String what = p + " axis " + k + " in " + in[k] + " out " + outSize[k] + " box " + outBox + " got "
                        + got + " " + a;
                long slackBefore = minBefore == Long.MAX_VALUE ? 0 : a.haloBefore() - minBefore;
                long slackAfter = minAfter == Long.MAX_VALUE ? 0 : a.haloAfter() - minAfter;
                boolean inexact = !p.coordinates().equals("align_corners") && !p.mode().equals("col2im")
                        && Long.bitCount(p.scales().get(k).den()) != 1;
                long allowed = inexact ? 2 : 1;
                assertTrue(slackBefore <= allowed && slackAfter <= allowed, "halo varies by more than " + allowed
                        + " rows: " + what);
                assertTrue(got.lo(k + 2) >= Math.max(0, first - slackBefore), "loose at the start: " + what);
                assertTrue(got.hi(k + 2) <= Math.min(in[k], lastRead + 1 + slackAfter), "loose at the end: " + what);
            }
        }
    }

    private static OpParams.Resample randomParams(Random random) {
        int kind = random.nextInt(3);
        if (kind == 2) {
            int stride = 1 + random.nextInt(3);
            int kernel = 1 + random.nextInt(4);
            int pad = random.nextInt(kernel);
            return new OpParams.Resample("col2im", "asymmetric", "floor",
                    List.of(new OpParams.Resample.Scale(stride, 1), new OpParams.Resample.Scale(stride, 1)),
                    List.of(), List.of(kernel, kernel), List.of(pad, pad));
        }
        String mode = kind == 0 ? "nearest" : "linear";
        String coordinates = Resampling.COORDINATES.get(random.nextInt(Resampling.COORDINATES.size()));
        String nearest = Resampling.NEAREST_MODES.get(random.nextInt(Resampling.NEAREST_MODES.size()));
        List<int[]> scales = List.of(new int[] {2, 1}, new int[] {3, 1}, new int[] {4, 1}, new int[] {1, 2},
                new int[] {3, 2}, new int[] {2, 3}, new int[] {1, 1}, new int[] {8, 1});
        int[] sh = scales.get(random.nextInt(scales.size()));
        int[] sw = scales.get(random.nextInt(scales.size()));
        return OpParams.Resample.sampling(mode, coordinates, nearest, OpParams.Resample.Scale.of(sh[0], sh[1]),
                OpParams.Resample.Scale.of(sw[0], sw[1]));
    }

    /**
     * Independent brute force of ONNX Resize sampling in exact rational arithmetic: the input indices output
     * {@code o} reads, {@code [first, last]}, before clamping to the input; col2im: the rows i with
     * i·stride + tap − pad = o.
     */
    private static long[] bruteForceReads(OpParams.Resample p, int axis, int in, int out, int o) {
        OpParams.Resample.Scale s = p.scales().get(axis);
        if (p.mode().equals("col2im")) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (int i = -10; i < in + 10; i++) {
                for (int t = 0; t < p.kernel().get(axis); t++) {
                    if (i * s.num() + t - p.padBefore().get(axis) == o) {
                        first = Math.min(first, i);
                        last = Math.max(last, i);
                    }
                }
            }
            return new long[] {first, last};
        }
        // x = xn / xd exactly
        long xn;
        long xd;
        switch (p.coordinates()) {
            case "asymmetric" -> {
                xn = (long) o * s.den();
                xd = s.num();
            }
            case "align_corners" -> {
                xn = out == 1 ? 0 : (long) o * (in - 1);
                xd = out == 1 ? 1 : out - 1;
            }
            case "tf_half_pixel_for_nn" -> {
                xn = (2L * o + 1) * s.den();
                xd = 2L * s.num();
            }
            case "pytorch_half_pixel" -> {
                xn = out > 1 ? (2L * o + 1) * s.den() - s.num() : 0;
                xd = 2L * s.num();
            }
            default -> {
                xn = (2L * o + 1) * s.den() - s.num();
                xd = 2L * s.num();
            }
        }
        long first;
        long last;
        if (p.mode().equals("linear")) {
            first = Math.floorDiv(xn, xd);
            last = first + 1;
        } else {
            long r = switch (p.nearestMode()) {
                case "floor" -> Math.floorDiv(xn, xd);
                case "ceil" -> -Math.floorDiv(-xn, xd);
                case "round_prefer_ceil" -> Math.floorDiv(2 * xn + xd, 2 * xd);
                default -> -Math.floorDiv(-(2 * xn - xd), 2 * xd);
            };
            first = r;
            last = r;
        }
        return new long[] {first, last};
    }
}

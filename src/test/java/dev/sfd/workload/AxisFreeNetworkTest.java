package dev.sfd.workload;

import dev.sfd.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Networks built the way the ONNX importer builds them: {@code axisZeroIsBatch(false)}, rank-5 vector operators,
 * 2-D activation matmuls, slices, and opaque operators that read their inputs by region.
 */
class AxisFreeNetworkTest {

    private static NetworkBuilder free() {
        return new NetworkBuilder("test").name("t").axisZeroIsBatch(false);
    }

    private static OperatorSpec op(String name, OpKind kind, List<String> inputs, OpParams p) {
        return OperatorSpec.of(name, kind, inputs, p);
    }

    @Test
    void inputsKeepTheirShapesAndAxisZeroMayMove() {
        Network n = free().batch(7).input("x", List.of(6, 4, 5)).input("y", List.of(2, 3))
                .operator(op("t", OpKind.TRANSPOSE, List.of("x"), new OpParams.Transpose(List.of(2, 0, 1))))
                .operator(op("r", OpKind.RESHAPE, List.of("t"), new OpParams.Reshape(List.of(10, 12))))
                .operator(op("c", OpKind.CONCAT, List.of("r", "r"), new OpParams.Concat(0)))
                .operator(new OperatorSpec("s", OpKind.SPLIT, List.of("c"), List.of("s0", "s1"),
                        new OpParams.Split(0, List.of(5, 15)), false, null, List.of()))
                .operator(op("ln", OpKind.LAYERNORM, List.of("s1"), new OpParams.LayerNorm(0, false)))
                .operator(op("sm", OpKind.SOFTMAX, List.of("y"), new OpParams.Softmax(0)))
                .output("ln").output("sm").output("s0").build();
        assertEquals(List.of(6, 4, 5), n.tensor("x").shape(), "batch() does not replace axis 0");
        assertEquals(List.of(2, 3), n.tensor("y").shape());
        assertEquals(7, n.batch());
        assertEquals(List.of(5, 6, 4), n.tensor("t").shape());
        assertEquals(List.of(20, 12), n.tensor("c").shape());
        assertEquals(List.of(15, 12), n.tensor("s1").shape());
        assertEquals(java.util.Set.of(LoopDim.N, LoopDim.K), n.loopNest("ln").orElseThrow().wholeDims(),
                "a layer norm from axis 0 normalises everything");
    }

    @Test
    void theFileFormatStillKeepsTheBatchFirst() {
        NetworkBuilder b = new NetworkBuilder("test").name("t").input("x", List.of(6, 4, 5))
                .operator(op("t", OpKind.TRANSPOSE, List.of("x"), new OpParams.Transpose(List.of(2, 0, 1))));
        InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
        assertTrue(e.getMessage().contains("the batch axis 0 must stay first"), e.getMessage());
    }

    @Test
    void rankFiveElementwiseGivesEveryAxisItsOwnLoopDim() {
        Network n = free().input("x", List.of(3, 1, 8, 40, 15)).input("b", List.of(1, 1, 1, 40, 1))
                .operator(op("a", OpKind.ELEMENTWISE, List.of("x", "b"), new OpParams.Elementwise("add")))
                .operator(op("s", OpKind.SOFTMAX, List.of("a"), new OpParams.Softmax(-1))).build();
        LoopNest nest = n.loopNest("a").orElseThrow();
        assertEquals(List.of(List.of(LoopDim.N), List.of(LoopDim.G), List.of(LoopDim.K), List.of(LoopDim.P),
                List.of(LoopDim.Q)), nest.outputAxes());
        assertEquals(3L * 8 * 40 * 15, nest.points());
        Box band = new Box(new int[] {1, 0, 2, 10, 0}, new int[] {2, 1, 3, 20, 15});
        assertEquals(new Box(new int[] {0, 0, 0, 10, 0}, new int[] {1, 1, 1, 20, 1}),
                Regions.inputRegion(n, n.operator("a"), 1, 0, band).orElseThrow());
        assertTrue(n.loopNest("s").orElseThrow().wholeDims().contains(LoopDim.Q));
    }

    @Test
    void rankSixComputeIsRejectedWithTheLimit() {
        NetworkBuilder b = free().input("x", List.of(1, 2, 3, 4, 5, 6))
                .operator(op("r", OpKind.ELEMENTWISE, List.of("x"), new OpParams.Elementwise("relu")));
        InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
        assertTrue(e.getMessage().contains("rank up to 5"), e.getMessage());
    }

    @Test
    void twoDimensionalActivationMatmulIsTokensTimesFeatures() {
        Network n = free().input("q", List.of(40, 16)).input("k", List.of(40, 16))
                .operator(op("s", OpKind.MATMUL, List.of("q", "k"), new OpParams.Matmul(0, true, false))).build();
        LoopNest nest = n.loopNest("s").orElseThrow();
        assertEquals(List.of(40, 40), n.tensor("s").shape());
        assertEquals(40L * 40 * 16, nest.macs());
        assertEquals(Map.of(LoopDim.N, 40, LoopDim.K, 40, LoopDim.C, 16), Map.of(LoopDim.N, nest.bound(LoopDim.N),
                LoopDim.K, nest.bound(LoopDim.K), LoopDim.C, nest.bound(LoopDim.C)));
        Box rows = new Box(new int[] {8, 0}, new int[] {16, 40});
        assertEquals(new Box(new int[] {8, 0}, new int[] {16, 16}),
                Regions.inputRegion(n, n.operator("s"), 0, 0, rows).orElseThrow());
        assertEquals(new Box(new int[] {0, 0}, new int[] {40, 16}),
                Regions.inputRegion(n, n.operator("s"), 1, 0, rows).orElseThrow(), "every key for a query band");
    }

    @Test
    void rankFiveMatmulAndLinear() {
        Network n = free().input("a", List.of(2, 3, 4, 5, 6)).input("b", List.of(2, 3, 4, 6, 7))
                .operator(op("m", OpKind.MATMUL, List.of("a", "b"), new OpParams.Matmul(0, false, false)))
                .operator(op("l", OpKind.MATMUL, List.of("m"), new OpParams.Matmul(9, false, true))).build();
        assertEquals(List.of(2, 3, 4, 5, 7), n.tensor("m").shape());
        assertEquals(List.of(2, 3, 4, 5, 9), n.tensor("l").shape());
        assertEquals(2L * 3 * 4 * 5 * 7 * 6, n.loopNest("m").orElseThrow().macs());
        assertEquals(2L * 3 * 4 * 5 * 9 * 7, n.loopNest("l").orElseThrow().macs());
    }

    // ---------------------------------------------------------------- slice

    @Test
    void sliceIsAViewOfItsBox() {
        Network n = free().input("x", List.of(3, 1, 8, 40, 15))
                .operator(op("s", OpKind.SLICE, List.of("x"), new OpParams.Slice(List.of(1, 0, 0, 39, 2),
                        List.of(1, 1, 1, -1, 3), List.of(1, 1, 8, 20, 5))))
                .operator(op("r", OpKind.ELEMENTWISE, List.of("s"), new OpParams.Elementwise("relu"))).build();
        assertEquals(List.of(1, 1, 8, 20, 5), n.tensor("s").shape());
        assertTrue(n.loopNest("s").isEmpty(), "a slice is a view");
        assertTrue(OpKind.SLICE.isLayout());
        Box out = new Box(new int[] {0, 0, 2, 0, 1}, new int[] {1, 1, 3, 4, 3});
        // axis 3: outputs 0..3 read 39, 38, 37, 36; axis 4: outputs 1..2 read 5 and 8
        assertEquals(new Box(new int[] {1, 0, 2, 36, 5}, new int[] {2, 1, 3, 40, 9}),
                Regions.inputRegion(n, n.operator("s"), 0, 0, out).orElseThrow());
        assertEquals(List.of(new TensorViews.Part("x", new Box(new int[] {1, 0, 2, 36, 5},
                new int[] {2, 1, 3, 40, 9}))), TensorViews.resolve(n, "s", out));
    }

    @Test
    void sliceOutsideTheInputIsRejected() {
        NetworkBuilder b = free().input("x", List.of(4, 4))
                .operator(op("s", OpKind.SLICE, List.of("x"), new OpParams.Slice(List.of(0, 2), List.of(1, 1),
                        List.of(4, 3))));
        InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
        assertTrue(e.getMessage().contains("operator 's'") && e.getMessage().contains("axis 1"), e.getMessage());
    }

    /** The slice region holds every input index some output index of the region reads, and no more than the hull. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void sliceRegionIsTheHullOfTheIndicesRead(long seed) {
        Random rnd = new Random(seed);
        for (int trial = 0; trial < 200; trial++) {
            int size = 1 + rnd.nextInt(20);
            int step = (1 + rnd.nextInt(3)) * (rnd.nextBoolean() ? 1 : -1);
            int start = rnd.nextInt(size);
            int count = step > 0 ? (size - start + step - 1) / step : start / -step + 1;
            int outSize = 1 + rnd.nextInt(count);
            OpParams.Slice s = new OpParams.Slice(List.of(start), List.of(step), List.of(outSize));
            int lo = rnd.nextInt(outSize);
            int hi = lo + 1 + rnd.nextInt(outSize - lo);
            Box in = Regions.sliceRegion(s, new Box(new int[] {lo}, new int[] {hi}));
            int min = Integer.MAX_VALUE;
            int max = Integer.MIN_VALUE;
            for (int i = lo; i < hi; i++) {
                int idx = start + i * step;
                assertTrue(idx >= in.lo(0) && idx < in.hi(0), "index " + idx + " outside " + in);
                min = Math.min(min, idx);
                max = Math.max(max, idx);
            }
            assertEquals(new Box(new int[] {min}, new int[] {max + 1}), in);
        }
    }

    // ---------------------------------------------------------------- opaque reads

    private static OpParams.Opaque.Access follow(int axis) {
        return new OpParams.Opaque.Access.Follow(axis);
    }

    @Test
    void opaqueElementwiseReadsOnlyTheRegionOfItsOutput() {
        OpParams.Opaque where = new OpParams.Opaque("where", List.of(4, 6, 8), 1, List.of(), List.of(
                List.of(follow(0), follow(1), follow(2)),
                List.of(new OpParams.Opaque.Access.Broadcast(), follow(2)),
                List.of()));
        Network n = free().input("c", List.of(4, 6, 8)).input("x", List.of(1, 8)).input("y", List.of(2, 2))
                .operator(op("w", OpKind.OPAQUE, List.of("c", "x", "y"), where)).build();
        Box tile = new Box(new int[] {1, 2, 0}, new int[] {2, 4, 4});
        assertEquals(tile, Regions.inputRegion(n, n.operator("w"), 0, 0, tile).orElseThrow());
        assertEquals(new Box(new int[] {0, 0}, new int[] {1, 4}),
                Regions.inputRegion(n, n.operator("w"), 1, 0, tile).orElseThrow());
        assertEquals(new Box(new int[] {0, 0}, new int[] {2, 2}),
                Regions.inputRegion(n, n.operator("w"), 2, 0, tile).orElseThrow(), "no reads: whole");
        assertEquals(4L * 6 * 8, n.loopNest("w").orElseThrow().vectorOps());
    }

    @Test
    void opaqueWindowAcrossChannelsIsALocalResponseNormalisation() {
        // LRN size 5 over the channels of [1, 16, 4, 4]: channel c reads channels c-2 .. c+2.
        OpParams.Opaque lrn = new OpParams.Opaque("lrn", List.of(1, 16, 4, 4), 10, List.of(), List.of(List.of(
                follow(0), new OpParams.Opaque.Access.Window(1, 5, 1, 1, 2), follow(2), follow(3))));
        Network n = free().input("x", List.of(1, 16, 4, 4))
                .operator(op("lrn", OpKind.OPAQUE, List.of("x"), lrn)).build();
        LoopNest nest = n.loopNest("lrn").orElseThrow();
        assertEquals(5, nest.bound(LoopDim.R));
        assertEquals(2, nest.opsPerPoint(), "10 ops per output element over 5 taps");
        Box tile = new Box(new int[] {0, 0, 0, 0}, new int[] {1, 4, 4, 4});
        assertEquals(new Box(new int[] {0, 0, 0, 0}, new int[] {1, 6, 4, 4}),
                Regions.inputRegion(n, n.operator("lrn"), 0, 0, tile).orElseThrow());
        Box middle = new Box(new int[] {0, 8, 1, 0}, new int[] {1, 10, 2, 4});
        assertEquals(new Box(new int[] {0, 6, 1, 0}, new int[] {1, 12, 2, 4}),
                Regions.inputRegion(n, n.operator("lrn"), 0, 0, middle).orElseThrow());
    }

    @Test
    void opaqueReadsThatDoNotFitAreRejected() {
        List<List<OpParams.Opaque.Access>> wrongSize = List.of(List.of(follow(0), follow(0)));
        List<List<OpParams.Opaque.Access>> badBroadcast = List.of(List.of(follow(0),
                new OpParams.Opaque.Access.Broadcast()));
        List<List<OpParams.Opaque.Access>> tooFew = List.of(List.of(follow(0)));
        for (List<List<OpParams.Opaque.Access>> reads : List.of(wrongSize, badBroadcast, tooFew)) {
            NetworkBuilder b = free().input("x", List.of(4, 6)).operator(op("o", OpKind.OPAQUE, List.of("x"),
                    new OpParams.Opaque("f", List.of(4, 6), 1, List.of(), reads)));
            InvalidInputException e = assertThrows(InvalidInputException.class, b::build, reads.toString());
            assertTrue(e.getMessage().contains("operator 'o' field 'reads'"), e.getMessage());
        }
    }

    /**
     * A padding written as an opaque op with windows of size 1 and the padding as padBefore: a tile of the output
     * reads exactly the input indices {@code o − pad} that fall inside the input.
     */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void padAsAWindowReadsTheShiftedIndices(long seed) {
        Random rnd = new Random(seed);
        for (int trial = 0; trial < 50; trial++) {
            int h = 1 + rnd.nextInt(9);
            int before = rnd.nextInt(4) - 1;
            int after = rnd.nextInt(4);
            int out = h + before + after;
            if (out < 1) {
                continue;
            }
            OpParams.Opaque pad = new OpParams.Opaque("pad", List.of(2, out), 1, List.of(), List.of(List.of(
                    follow(0), new OpParams.Opaque.Access.Window(1, 1, 1, 1, before))));
            Network n = free().input("x", List.of(2, h)).operator(op("p", OpKind.OPAQUE, List.of("x"), pad)).build();
            int lo = rnd.nextInt(out);
            int hi = lo + 1 + rnd.nextInt(out - lo);
            var region = Regions.inputRegion(n, n.operator("p"), 0, 0, new Box(new int[] {0, lo}, new int[] {2, hi}));
            List<Integer> expected = new ArrayList<>();
            for (int o = lo; o < hi; o++) {
                if (o - before >= 0 && o - before < h) {
                    expected.add(o - before);
                }
            }
            if (expected.isEmpty()) {
                assertTrue(region.isEmpty(), "padding only: reads nothing, got " + region);
            } else {
                assertEquals(new Box(new int[] {0, expected.get(0)}, new int[] {2, expected.get(expected.size() - 1)
                        + 1}), region.orElseThrow());
            }
        }
    }
}

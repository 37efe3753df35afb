package dev.sfd.workload;

import static dev.sfd.workload.Nets.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoopNestTest {

    private static LoopNest nest(Network net, String op) {
        return net.loopNest(op).orElseThrow();
    }

    @Test
    void convMacsAreNKCPerGroupPQRS() {
        Network net = Nets.parse("""
                batch: 2
                inputs:
                  - {name: x, shape: [1, 32, 14, 14]}
                operators:
                  - {name: c, op: conv, inputs: [x], channels: 64, kernel: [3, 5], stride: 2, padding: 1, groups: 4}
                """);
        LoopNest n = nest(net, "c");
        // out: (14 + 2 - 3) / 2 + 1 = 7 rows, (14 + 2 - 5) / 2 + 1 = 6 cols
        assertEquals(List.of(2, 64, 7, 6), net.tensor("c").shape());
        long expected = 2L * 64 * (32 / 4) * 7 * 6 * 3 * 5;
        assertEquals(expected, n.macs());
        assertEquals(expected, net.macs(net.operator("c")));
        assertEquals(0, n.vectorOps());
        assertEquals(OpKind.ComputeUnit.PE_ARRAY, n.unit());
        assertEquals(Map.of(LoopDim.N, 2, LoopDim.G, 4, LoopDim.K, 16, LoopDim.C, 8, LoopDim.P, 7, LoopDim.Q, 6,
                LoopDim.R, 3, LoopDim.S, 5), n.bounds());
    }

    @Test
    void depthwiseConvMacsHaveOneInputChannelPerFilter() {
        Network net = single(List.of(1, 32, 8, 8),
                "{name: dw, op: conv, inputs: [x], channels: 32, kernel: 3, padding: 1, groups: 32}");
        assertEquals(32L * 8 * 8 * 9, nest(net, "dw").macs());
    }

    @Test
    void linearMacsAreRowsTimesInTimesOut() {
        Network net = single(List.of(1, 128, 768), "{name: fc, op: matmul, inputs: [x], features: 3072, bias: true}");
        assertEquals(128L * 768 * 3072, nest(net, "fc").macs());
        assertEquals(768L * 3072 + 3072, net.totalParameters());
    }

    @Test
    void batchedMatmulMacsCountEveryHead() {
        Network net = Nets.parse("""
                inputs:
                  - {name: q, shape: [1, 12, 128, 64]}
                  - {name: k, shape: [1, 12, 128, 64]}
                operators:
                  - {name: scores, op: matmul, inputs: [q, k], transposeB: true}
                  - {name: probs, op: softmax, inputs: [scores]}
                  - {name: ctx, op: matmul, inputs: [probs, k]}
                """);
        assertEquals(12L * 128 * 128 * 64, nest(net, "scores").macs());
        assertEquals(12L * 128 * 64 * 128, nest(net, "ctx").macs());
        assertEquals(2 * 12L * 128 * 128 * 64, net.totalMacs());
    }

    @Test
    void vectorOpsArePointsTimesOpsPerPoint() {
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 64, 8, 8]}
                  - {name: s, shape: [1, 64, 1, 1]}
                  - {name: t, shape: [1, 16, 32]}
                operators:
                  - {name: relu, op: relu, inputs: [x]}
                  - {name: sum3, op: add, inputs: [x, relu, s]}
                  - {name: pool, op: maxpool, inputs: [x], kernel: 2}
                  - {name: gap, op: globalavgpool, inputs: [x]}
                  - {name: sm, op: softmax, inputs: [t]}
                  - {name: ln, op: layernorm, inputs: [t]}
                """);
        long elements = 64L * 8 * 8;
        assertEquals(elements, nest(net, "relu").vectorOps());
        assertEquals(2 * elements, nest(net, "sum3").vectorOps(), "two adds per element for three inputs");
        assertEquals(64L * 4 * 4 * 2 * 2, nest(net, "pool").vectorOps(), "one op per window tap");
        assertEquals(elements, nest(net, "gap").vectorOps());
        assertEquals(5L * 16 * 32, nest(net, "sm").vectorOps());
        assertEquals(8L * 16 * 32, nest(net, "ln").vectorOps());
        for (String op : List.of("relu", "sum3", "pool", "gap", "sm", "ln")) {
            assertEquals(0, nest(net, op).macs(), op);
            assertEquals(OpKind.ComputeUnit.VECTOR, nest(net, op).unit(), op);
        }
        assertEquals(0, net.totalMacs());
    }

    @Test
    void softmaxAndLayerNormKeepTheirAxesWhole() {
        Network net = single(List.of(1, 16, 32), "{name: sm, op: softmax, inputs: [x]}",
                "{name: ln, op: layernorm, inputs: [x], axis: 1}");
        assertEquals(java.util.Set.of(LoopDim.K), nest(net, "sm").wholeDims());
        assertEquals(java.util.Set.of(LoopDim.P, LoopDim.K), nest(net, "ln").wholeDims());
    }

    @Test
    void layoutOperatorsHaveNoLoopNest() {
        Network net = single(List.of(1, 4, 6, 8), "{name: t, op: transpose, inputs: [x], perm: [0, 1, 3, 2]}",
                "{name: r, op: reshape, inputs: [t], shape: [0, -1]}");
        assertTrue(net.loopNest("t").isEmpty());
        assertTrue(net.loopNest("r").isEmpty());
        assertEquals(0, net.totalMacs() + net.totalVectorOps());
    }

    @Test
    void tileElementsFollowTheWindowHalo() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 8, kernel: 3, stride: 2, padding: 1}");
        LoopNest n = nest(net, "c");
        Map<LoopDim, Integer> tile = Map.of(LoopDim.K, 4, LoopDim.C, 8, LoopDim.P, 2, LoopDim.Q, 8, LoopDim.R, 3,
                LoopDim.S, 3);
        // input rows (2 - 1) * 2 + 3 = 5, cols (8 - 1) * 2 + 3 = 17
        assertEquals(8L * 5 * 17, n.tileElements(n.reads().get(0), tile));
        assertEquals(4L * 8 * 3 * 3, n.tileElements(n.reads().get(1), tile));
        assertEquals(4L * 2 * 8, n.tileElements(n.output(), tile));
    }

    /** loopsFor(box) yields loop ranges whose output region is exactly the box, for any box. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void loopsForRoundTripsOutputBoxes(long seed) {
        Random random = new Random(seed);
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 16, 12, 12]}
                  - {name: t, shape: [1, 10, 24]}
                  - {name: q, shape: [1, 4, 10, 8]}
                operators:
                  - {name: conv, op: conv, inputs: [x], channels: 24, kernel: 3, padding: 1}
                  - {name: dw, op: conv, inputs: [x], channels: 16, kernel: 3, padding: 1, groups: 16}
                  - {name: pool, op: maxpool, inputs: [x], kernel: 2}
                  - {name: fc, op: matmul, inputs: [t], features: 20}
                  - {name: att, op: matmul, inputs: [q, q], transposeB: true}
                  - {name: relu, op: relu, inputs: [t]}
                """);
        for (String op : List.of("conv", "dw", "pool", "fc", "att", "relu")) {
            LoopNest n = nest(net, op);
            List<Integer> shape = net.tensor(net.operator(op).output()).shape();
            for (int trial = 0; trial < 40; trial++) {
                Box box = randomBox(random, shape);
                assertEquals(box, n.region(n.output(), shape, n.loopsFor(box)), op + " " + box);
            }
            Box full = Box.full(shape);
            assertEquals(n.fullRanges(), n.loopsFor(full), op);
        }
    }

    @Test
    void loopsForWidensAPartialSpanOfGroupsToWholeGroups() {
        Network net = single(List.of(1, 32, 8, 8),
                "{name: c, op: conv, inputs: [x], channels: 64, kernel: 1, groups: 4}");
        LoopNest n = nest(net, "c");
        List<Integer> shape = net.tensor("c").shape();
        // channels [20, 24) lie inside group 1 (channels 16..31): exact
        Box inside = Box.full(shape).withAxis(1, 20, 24);
        assertEquals(inside, n.region(n.output(), shape, n.loopsFor(inside)));
        Map<LoopDim, AxisExpr.Range> loops = n.loopsFor(inside);
        assertEquals(new AxisExpr.Range(1, 2, 4), loops.get(LoopDim.G));
        assertEquals(new AxisExpr.Range(4, 8, 16), loops.get(LoopDim.K));
        // channels [8, 24) span groups 0 and 1 partially: the loops cover both groups whole (a superset)
        Box across = Box.full(shape).withAxis(1, 8, 24);
        Box produced = n.region(n.output(), shape, n.loopsFor(across));
        assertTrue(produced.contains(across));
        assertEquals(Box.full(shape).withAxis(1, 0, 32), produced);
    }

    static Box randomBox(Random random, List<Integer> shape) {
        int[] lo = new int[shape.size()];
        int[] hi = new int[shape.size()];
        for (int i = 0; i < shape.size(); i++) {
            int a = random.nextInt(shape.get(i));
            int b = random.nextInt(shape.get(i));
            lo[i] = Math.min(a, b);
            hi[i] = Math.max(a, b) + 1;
        }
        return new Box(lo, hi);
    }
}

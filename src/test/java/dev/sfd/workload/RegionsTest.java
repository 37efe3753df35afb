package dev.sfd.workload;

import static dev.sfd.workload.Nets.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Region arithmetic against hand-computed expectations. Boxes are written [lo:hi) per axis. */
class RegionsTest {

    /** Box from (lo, hi) pairs. */
    private static Box box(int... bounds) {
        int[] lo = new int[bounds.length / 2];
        int[] hi = new int[bounds.length / 2];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = bounds[2 * i];
            hi[i] = bounds[2 * i + 1];
        }
        return new Box(lo, hi);
    }

    private static Box need(Network net, String op, int input, Box outputRegion) {
        return Regions.inputRegion(net, net.operator(op), input, 0, outputRegion).orElseThrow();
    }

    // ---------------------------------------------------------------- convolution rows

    @Test
    void sameConvRowBandNeedsOneHaloRowEachSide() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, padding: same}");
        // output rows [4, 8), all channels and columns -> input rows [3, 9), all 8 input channels
        assertEquals(box(0, 1, 0, 8, 3, 9, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 4, 8, 0, 16)));
    }

    @Test
    void sameConvHaloIsClippedAtTheBorders() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, padding: 1}");
        assertEquals(box(0, 1, 0, 8, 0, 5, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 0, 4, 0, 16)));
        assertEquals(box(0, 1, 0, 8, 11, 16, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 12, 16, 0, 16)));
        // a corner tile clips rows and columns
        assertEquals(box(0, 1, 0, 8, 0, 3, 13, 16), need(net, "c", 0, box(0, 1, 0, 4, 0, 2, 14, 16)));
    }

    @Test
    void outputChannelSliceOfADenseConvNeedsAllInputChannels() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 32, kernel: 3, padding: 1}");
        assertEquals(box(0, 1, 0, 8, 3, 9, 0, 16), need(net, "c", 0, box(0, 1, 8, 16, 4, 8, 0, 16)));
    }

    @Test
    void strideTwoConvBand() {
        Network net = single(List.of(1, 4, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, stride: 2, padding: 1}");
        // output 8x8; rows [2, 4) read 2*2 - 1 = 3 .. 3*2 + 2 - 1 = 7 -> [3, 8)
        assertEquals(box(0, 1, 0, 4, 3, 8, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 2, 4, 0, 8)));
        // row 0 reads -1..1, clipped to [0, 2)
        assertEquals(box(0, 1, 0, 4, 0, 2, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 0, 1, 0, 8)));
    }

    @Test
    void dilationTwoConvBand() {
        Network net = single(List.of(1, 4, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, dilation: 2, padding: 2}");
        // rows [4, 8) read 4 - 2 = 2 .. 7 + 4 - 2 = 9 -> [2, 10)
        assertEquals(box(0, 1, 0, 4, 2, 10, 0, 16), need(net, "c", 0, box(0, 1, 0, 4, 4, 8, 0, 16)));
    }

    @Test
    void stridedPointwiseConvReadsEverySecondRowWithinItsHull() {
        Network net = single(List.of(1, 4, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 1, stride: 2}");
        // rows [1, 3) read rows 2 and 4 -> hull [2, 5)
        assertEquals(box(0, 1, 0, 4, 2, 5, 6, 7), need(net, "c", 0, box(0, 1, 0, 4, 1, 3, 3, 4)));
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void maxPoolWindowWithPadding() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: p, op: maxpool, inputs: [x], kernel: 3, stride: 2, padding: 1}");
        // output 8x8; rows [0, 2) read -1..3 -> [0, 4); channels pass through
        assertEquals(box(0, 1, 2, 5, 0, 4, 5, 12), need(net, "p", 0, box(0, 1, 2, 5, 0, 2, 3, 6)));
    }

    @Test
    void avgPoolWindowsDoNotOverlap() {
        Network net = single(List.of(1, 8, 16, 16), "{name: p, op: avgpool, inputs: [x], kernel: 2}");
        assertEquals(box(0, 1, 0, 8, 2, 6, 0, 2), need(net, "p", 0, box(0, 1, 0, 8, 1, 3, 0, 1)));
    }

    @Test
    void globalPoolNeedsTheWholePlaneOfItsChannels() {
        Network net = single(List.of(1, 64, 7, 7), "{name: gap, op: globalavgpool, inputs: [x]}");
        assertEquals(box(0, 1, 16, 32, 0, 7, 0, 7), need(net, "gap", 0, box(0, 1, 16, 32, 0, 1, 0, 1)));
    }

    // ---------------------------------------------------------------- channel slices

    @Test
    void depthwiseKSliceNeedsOnlyItsChannelSlice() {
        Network net = single(List.of(1, 32, 16, 16),
                "{name: dw, op: conv, inputs: [x], channels: 32, kernel: 3, padding: 1, groups: 32}");
        assertEquals(box(0, 1, 8, 16, 3, 9, 0, 16), need(net, "dw", 0, box(0, 1, 8, 16, 4, 8, 0, 16)));
        assertEquals(box(0, 1, 5, 6, 0, 16, 0, 16), need(net, "dw", 0, box(0, 1, 5, 6, 0, 16, 0, 16)));
    }

    @Test
    void depthwiseWithChannelMultiplierMapsTwoOutputsToOneInput() {
        Network net = single(List.of(1, 8, 8, 8),
                "{name: dw, op: conv, inputs: [x], channels: 16, kernel: 1, groups: 8}");
        // output channels 2g and 2g+1 read input channel g: outputs [4, 8) -> inputs [2, 4)
        assertEquals(box(0, 1, 2, 4, 0, 8, 0, 8), need(net, "dw", 0, box(0, 1, 4, 8, 0, 8, 0, 8)));
    }

    @Test
    void groupedConvKSliceNeedsItsGroupsInputChannels() {
        Network net = single(List.of(1, 32, 8, 8),
                "{name: g, op: conv, inputs: [x], channels: 64, kernel: 1, groups: 4}");
        // 4 groups: 16 outputs and 8 inputs each. Outputs [20, 24) are in group 1 -> inputs [8, 16).
        assertEquals(box(0, 1, 8, 16, 0, 8, 0, 8), need(net, "g", 0, box(0, 1, 20, 24, 0, 8, 0, 8)));
        // outputs [8, 24) touch groups 0 and 1 -> inputs [0, 16)
        assertEquals(box(0, 1, 0, 16, 0, 8, 0, 8), need(net, "g", 0, box(0, 1, 8, 24, 0, 8, 0, 8)));
        // outputs [48, 64) are group 3 -> inputs [24, 32)
        assertEquals(box(0, 1, 24, 32, 0, 8, 0, 8), need(net, "g", 0, box(0, 1, 48, 64, 0, 8, 0, 8)));
    }

    // ---------------------------------------------------------------- matmul and attention

    @Test
    void linearRowBandNeedsItsRowsAndTheWholeReductionAxis() {
        Network net = single(List.of(1, 128, 768), "{name: fc, op: matmul, inputs: [x], features: 3072}");
        assertEquals(box(0, 1, 32, 64, 0, 768), need(net, "fc", 0, box(0, 1, 32, 64, 0, 1024)));
    }

    @Test
    void matmulRowBandNeedsRowsOfAAndAllOfB() {
        Network net = Nets.parse("""
                inputs:
                  - {name: a, shape: [1, 64, 32]}
                  - {name: b, shape: [1, 32, 48]}
                operators:
                  - {name: mm, op: matmul, inputs: [a, b]}
                """);
        Box rows = box(0, 1, 16, 32, 0, 48);
        assertEquals(box(0, 1, 16, 32, 0, 32), need(net, "mm", 0, rows));
        assertEquals(box(0, 1, 0, 32, 0, 48), need(net, "mm", 1, rows));
        // a column band needs all of A and the matching columns of B
        Box cols = box(0, 1, 0, 64, 8, 16);
        assertEquals(box(0, 1, 0, 64, 0, 32), need(net, "mm", 0, cols));
        assertEquals(box(0, 1, 0, 32, 8, 16), need(net, "mm", 1, cols));
    }

    @Test
    void attentionQueryBandNeedsAllKeysOfItsHeads() {
        Network net = Nets.parse("""
                inputs:
                  - {name: q, shape: [1, 12, 128, 64]}
                  - {name: k, shape: [1, 12, 128, 64]}
                operators:
                  - {name: scores, op: matmul, inputs: [q, k], transposeB: true}
                """);
        Box band = box(0, 1, 0, 12, 32, 64, 0, 128);
        assertEquals(box(0, 1, 0, 12, 32, 64, 0, 64), need(net, "scores", 0, band));
        assertEquals(box(0, 1, 0, 12, 0, 128, 0, 64), need(net, "scores", 1, band));
        // one head: only that head's keys
        Box head = box(0, 1, 3, 4, 32, 64, 0, 128);
        assertEquals(box(0, 1, 3, 4, 0, 128, 0, 64), need(net, "scores", 1, head));
    }

    @Test
    void softmaxNeedsTheWholeAxis() {
        Network net = single(List.of(1, 12, 128, 128), "{name: sm, op: softmax, inputs: [x]}");
        // a partial column slice still needs whole rows to normalise
        assertEquals(box(0, 1, 2, 4, 32, 64, 0, 128), need(net, "sm", 0, box(0, 1, 2, 4, 32, 64, 0, 16)));
    }

    @Test
    void layerNormNeedsTheWholeNormalisedAxes() {
        Network net = single(List.of(1, 128, 768), "{name: ln, op: layernorm, inputs: [x]}");
        assertEquals(box(0, 1, 10, 20, 0, 768), need(net, "ln", 0, box(0, 1, 10, 20, 100, 200)));
    }

    @Test
    void broadcastInputOfAnElementwiseOpNeedsOnlyItsPart() {
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 64, 8, 8]}
                  - {name: s, shape: [1, 64, 1, 1]}
                operators:
                  - {name: m, op: mul, inputs: [x, s]}
                """);
        Box out = box(0, 1, 16, 32, 2, 4, 0, 8);
        assertEquals(out, need(net, "m", 0, out));
        assertEquals(box(0, 1, 16, 32, 0, 1, 0, 1), need(net, "m", 1, out));
    }

    // ---------------------------------------------------------------- layout

    @Test
    void transposeMapsAxesBack() {
        Network net = single(List.of(1, 128, 12, 64), "{name: t, op: transpose, inputs: [x], perm: [0, 2, 1, 3]}");
        assertEquals(box(0, 1, 32, 64, 2, 4, 0, 64), need(net, "t", 0, box(0, 1, 2, 4, 32, 64, 0, 64)));
        Network kt = single(List.of(1, 4, 6, 8), "{name: t, op: transpose, inputs: [x], perm: [0, 2, 3, 1]}");
        // output [N, 6, 8, 4]: out axis 1 = in axis 2, out axis 2 = in axis 3, out axis 3 = in axis 1
        assertEquals(box(0, 1, 1, 3, 0, 2, 4, 8), need(kt, "t", 0, box(0, 1, 0, 2, 4, 8, 1, 3)));
    }

    @Test
    void concatMapsEachPartAndSkipsPartsOutsideTheRegion() {
        Network net = Nets.parse("""
                inputs:
                  - {name: a, shape: [1, 16, 8, 8]}
                  - {name: b, shape: [1, 32, 8, 8]}
                operators:
                  - {name: cat, op: concat, inputs: [a, b], axis: 1}
                """);
        Operator cat = net.operator("cat");
        Box straddle = box(0, 1, 8, 24, 0, 4, 0, 8);
        assertEquals(box(0, 1, 8, 16, 0, 4, 0, 8), need(net, "cat", 0, straddle));
        assertEquals(box(0, 1, 0, 8, 0, 4, 0, 8), need(net, "cat", 1, straddle));
        Box onlyB = box(0, 1, 16, 48, 0, 8, 0, 8);
        assertEquals(Optional.empty(), Regions.inputRegion(net, cat, 0, 0, onlyB));
        assertEquals(box(0, 1, 0, 32, 0, 8, 0, 8), need(net, "cat", 1, onlyB));
        Box onlyA = box(0, 1, 0, 16, 0, 8, 0, 8);
        assertEquals(Optional.empty(), Regions.inputRegion(net, cat, 1, 0, onlyA));
    }

    @Test
    void splitOffsetsEachOutputIntoTheInput() {
        Network net = single(List.of(1, 64, 8, 8),
                "{name: sp, op: split, inputs: [x], axis: 1, sizes: [16, 48], outputs: [lo, hi]}");
        Operator sp = net.operator("sp");
        assertEquals(box(0, 1, 16, 24, 0, 8, 0, 8),
                Regions.inputRegion(net, sp, 0, 1, box(0, 1, 0, 8, 0, 8, 0, 8)).orElseThrow());
        assertEquals(box(0, 1, 4, 8, 2, 3, 0, 8),
                Regions.inputRegion(net, sp, 0, 0, box(0, 1, 4, 8, 2, 3, 0, 8)).orElseThrow());
    }

    @Test
    void reshapeOfWholeInnerRowsIsExact() {
        Network net = single(List.of(1, 4, 6), "{name: r, op: reshape, inputs: [x], shape: [0, 24]}");
        // flat [6, 12) is input row 1
        assertEquals(box(0, 1, 1, 2, 0, 6), need(net, "r", 0, box(0, 1, 6, 12)));
        // flat [3, 9) straddles rows 0 and 1: the hull is rows [0, 2), all columns
        assertEquals(box(0, 1, 0, 2, 0, 6), need(net, "r", 0, box(0, 1, 3, 9)));
    }

    @Test
    void reshapeToMoreAxesTakesTheFlatHull() {
        Network net = single(List.of(1, 24), "{name: r, op: reshape, inputs: [x], shape: [0, 4, 6]}");
        // output [0:1, 1:3, 2:4]: flat first = 1*6 + 2 = 8, last = 2*6 + 3 = 15 -> [8, 16)
        assertEquals(box(0, 1, 8, 16), need(net, "r", 0, box(0, 1, 1, 3, 2, 4)));
    }

    @Test
    void reshapeMapsEachMergedGroupOnItsOwn() {
        // the head split of attention: [1, 512, 768] -> [1, 512, 12, 64]; heads [0, 2) of all tokens are columns
        // [0, 128) of every row (a group partial in the heads but whole in the 64 stays exact), not the hull of rows
        Network net = single(List.of(1, 512, 768), "{name: r, op: reshape, inputs: [x], shape: [0, 512, 12, 64]}");
        assertEquals(box(0, 1, 0, 512, 0, 128), need(net, "r", 0, box(0, 1, 0, 512, 0, 2, 0, 64)));
        assertEquals(box(0, 1, 8, 16, 128, 192), need(net, "r", 0, box(0, 1, 8, 16, 2, 3, 0, 64)));
    }

    @Test
    void regionOfTheWrongRankIsRejected() {
        Network net = single(List.of(1, 4, 8, 8), "{name: r, op: relu, inputs: [x]}");
        assertThrows(IllegalArgumentException.class,
                () -> Regions.inputRegion(net, net.operator("r"), 0, 0, box(0, 1, 0, 4)));
    }

    @Test
    void fullOutputNeedsAtMostTheFullInput() {
        Network net = single(List.of(1, 8, 16, 16),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, padding: 1}");
        Box full = net.tensor("c").fullBox();
        assertTrue(net.tensor("x").fullBox().contains(need(net, "c", 0, full)));
        assertEquals(net.tensor("x").fullBox(), need(net, "c", 0, full));
    }

    @Test
    void embeddingTableRegionNeverLeavesASmallTable() {
        Network net = Nets.parse("""
                inputs:
                  - {name: types, shape: [1, 512], type: tokens}
                operators:
                  - {name: tte, op: embedding, inputs: [types], vocabulary: 2, features: 8}
                """);
        LoopNest nest = net.loopNest("tte").orElseThrow();
        Operand table = nest.reads().get(1);
        // Positions 64..127 read at most the table's 2 rows, all 8 features.
        Box out = new Box(new int[] {0, 64, 0}, new int[] {1, 128, 8});
        Box region = nest.region(table, net.tensor("tte.weight").shape(), nest.loopsFor(out));
        assertEquals(new Box(new int[] {0, 0}, new int[] {2, 8}), region);
    }
}

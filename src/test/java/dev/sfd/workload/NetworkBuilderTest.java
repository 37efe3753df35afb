package dev.sfd.workload;

import static dev.sfd.workload.Nets.shape;
import static dev.sfd.workload.Nets.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.common.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape inference, weight creation and topological order, through the reader as users write networks. */
class NetworkBuilderTest {

    // ---------------------------------------------------------------- convolution

    @Test
    void convWithStrideAndPaddingGivesFloorOutputSize() {
        Network net = single(List.of(1, 3, 224, 224),
                "{name: c, op: conv, inputs: [x], channels: 64, kernel: 7, stride: 2, padding: 3}");
        assertEquals(List.of(1, 64, 112, 112), shape(net, "c"));
        assertEquals(List.of(64, 3, 7, 7), shape(net, "c.weight"));
        assertFalse(net.tensors().containsKey("c.bias"));
    }

    @Test
    void convWithRectangularKernelAndAsymmetricPadding() {
        Network net = single(List.of(1, 4, 10, 12),
                "{name: c, op: conv, inputs: [x], channels: 8, kernel: [3, 5], stride: [1, 2], padding: [1, 0, 2, 1]}");
        // H: (10 + 1 + 2 - 3) / 1 + 1 = 11; W: (12 + 0 + 1 - 5) / 2 + 1 = 5
        assertEquals(List.of(1, 8, 11, 5), shape(net, "c"));
        assertEquals(List.of(8, 4, 3, 5), shape(net, "c.weight"));
    }

    @Test
    void convWithDilationShrinksByEffectiveKernel() {
        Network net = single(List.of(1, 4, 32, 32),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, dilation: 2}");
        // effective kernel 2 * (3 - 1) + 1 = 5
        assertEquals(List.of(1, 4, 28, 28), shape(net, "c"));
        Network padded = single(List.of(1, 4, 32, 32),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, dilation: 2, padding: 2}");
        assertEquals(List.of(1, 4, 32, 32), shape(padded, "c"));
    }

    @Test
    void groupedConvWeightHasInputChannelsPerGroup() {
        Network net = single(List.of(1, 32, 8, 8),
                "{name: c, op: conv, inputs: [x], channels: 64, kernel: 3, padding: 1, groups: 4, bias: true}");
        assertEquals(List.of(1, 64, 8, 8), shape(net, "c"));
        assertEquals(List.of(64, 8, 3, 3), shape(net, "c.weight"));
        assertEquals(List.of(64), shape(net, "c.bias"));
        assertEquals(List.of("c.weight", "c.bias"), net.operator("c").weights());
    }

    @Test
    void depthwiseConvHasOneInputChannelPerFilter() {
        Network net = single(List.of(1, 32, 16, 16),
                "{name: dw, op: conv, inputs: [x], channels: 32, kernel: 3, stride: 2, padding: 1, groups: 32}");
        assertEquals(List.of(1, 32, 8, 8), shape(net, "dw"));
        assertEquals(List.of(32, 1, 3, 3), shape(net, "dw.weight"));
        assertEquals("dwconv 3x3/2", net.operator("dw").describe());
    }

    @Test
    void samePaddingKeepsSizeAtStrideOne() {
        Network net = single(List.of(1, 3, 15, 15),
                "{name: c, op: conv, inputs: [x], channels: 8, kernel: 3, padding: same}");
        assertEquals(List.of(1, 8, 15, 15), shape(net, "c"));
        OpParams.Conv c = (OpParams.Conv) net.operator("c").params();
        assertEquals(List.of(1, 1, 1, 1), List.of(c.padTop(), c.padLeft(), c.padBottom(), c.padRight()));
    }

    @Test
    void samePaddingAtStrideTwoPutsTheOddPixelAtTheEnd() {
        Network net = single(List.of(1, 3, 16, 15),
                "{name: c, op: conv, inputs: [x], channels: 8, kernel: 3, stride: 2, padding: same}");
        // ceil(16 / 2) = 8 rows: total pad (8 - 1) * 2 + 3 - 16 = 1 -> top 0, bottom 1;
        // ceil(15 / 2) = 8 cols: total pad 14 + 3 - 15 = 2 -> left 1, right 1.
        assertEquals(List.of(1, 8, 8, 8), shape(net, "c"));
        OpParams.Conv c = (OpParams.Conv) net.operator("c").params();
        assertEquals(List.of(0, 1, 1, 1), List.of(c.padTop(), c.padLeft(), c.padBottom(), c.padRight()));
    }

    @Test
    void samePaddingWithDilation() {
        Network net = single(List.of(1, 3, 20, 20),
                "{name: c, op: conv, inputs: [x], channels: 8, kernel: 3, dilation: 3, padding: same}");
        assertEquals(List.of(1, 8, 20, 20), shape(net, "c"));
        OpParams.Conv c = (OpParams.Conv) net.operator("c").params();
        assertEquals(3, c.padTop());
        assertEquals(3, c.padBottom());
    }

    // ---------------------------------------------------------------- matmul

    @Test
    void linearOnRankTwo() {
        Network net = single(List.of(1, 768), "{name: fc, op: matmul, inputs: [x], features: 10, bias: true}");
        assertEquals(List.of(1, 10), shape(net, "fc"));
        assertEquals(List.of(768, 10), shape(net, "fc.weight"));
        assertEquals(List.of(10), shape(net, "fc.bias"));
        assertEquals(768L * 10 + 10, net.totalParameters());
    }

    @Test
    void linearOnRankThreeAppliesToTheLastAxis() {
        Network net = single(List.of(1, 128, 768), "{name: fc, op: matmul, inputs: [x], features: 3072}");
        assertEquals(List.of(1, 128, 3072), shape(net, "fc"));
        assertEquals(List.of(768, 3072), shape(net, "fc.weight"));
    }

    @Test
    void linearOnRankFourAppliesToTheLastAxis() {
        Network net = single(List.of(1, 12, 128, 64), "{name: fc, op: matmul, inputs: [x], features: 32}");
        assertEquals(List.of(1, 12, 128, 32), shape(net, "fc"));
        assertEquals(List.of(64, 32), shape(net, "fc.weight"));
    }

    @Test
    void batchedMatmulMultipliesTheLastTwoAxes() {
        Network net = Nets.parse("""
                inputs:
                  - {name: a, shape: [1, 12, 128, 64]}
                  - {name: b, shape: [1, 12, 64, 32]}
                operators:
                  - {name: mm, op: matmul, inputs: [a, b]}
                """);
        assertEquals(List.of(1, 12, 128, 32), shape(net, "mm"));
        assertTrue(net.operator("mm").weights().isEmpty());
        assertEquals(0, net.totalParameters());
    }

    @Test
    void batchedMatmulWithTransposeBIsAttentionScores() {
        Network net = Nets.parse("""
                inputs:
                  - {name: q, shape: [1, 12, 128, 64]}
                  - {name: k, shape: [1, 12, 100, 64]}
                operators:
                  - {name: scores, op: matmul, inputs: [q, k], transposeB: true}
                """);
        assertEquals(List.of(1, 12, 128, 100), shape(net, "scores"));
        assertEquals("matmul A.B^T", net.operator("scores").describe());
    }

    @Test
    void batchedMatmulOnRankThree() {
        Network net = Nets.parse("""
                inputs:
                  - {name: a, shape: [1, 128, 64]}
                  - {name: b, shape: [1, 64, 16]}
                operators:
                  - {name: mm, op: matmul, inputs: [a, b]}
                """);
        assertEquals(List.of(1, 128, 16), shape(net, "mm"));
    }

    // ---------------------------------------------------------------- elementwise

    @Test
    void elementwiseBroadcastsLikeNumpy() {
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 64, 8, 8]}
                  - {name: s, shape: [1, 64, 1, 1]}
                  - {name: t, shape: [1, 1, 768]}
                  - {name: u, shape: [1, 128, 768]}
                operators:
                  - {name: scaled, op: mul, inputs: [x, s]}
                  - {name: biased, op: add, inputs: [u, t]}
                  - {name: act, op: gelu, inputs: [biased]}
                """);
        assertEquals(List.of(1, 64, 8, 8), shape(net, "scaled"));
        assertEquals(List.of(1, 128, 768), shape(net, "biased"));
        assertEquals(List.of(1, 128, 768), shape(net, "act"));
    }

    @Test
    void elementwiseBroadcastsAcrossRanks() {
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 4, 6]}
                  - {name: y, shape: [1]}
                operators:
                  - {name: sum, op: add, inputs: [x, y, x]}
                """);
        assertEquals(List.of(1, 4, 6), shape(net, "sum"));
    }

    // ---------------------------------------------------------------- pooling, softmax, norms

    @Test
    void maxPoolWithStrideAndPadding() {
        Network net = single(List.of(1, 64, 112, 112),
                "{name: p, op: maxpool, inputs: [x], kernel: 3, stride: 2, padding: 1}");
        assertEquals(List.of(1, 64, 56, 56), shape(net, "p"));
        assertTrue(net.operator("p").weights().isEmpty());
    }

    @Test
    void avgPoolStrideDefaultsToKernel() {
        Network net = single(List.of(1, 8, 9, 8), "{name: p, op: avgpool, inputs: [x], kernel: 2}");
        assertEquals(List.of(1, 8, 4, 4), shape(net, "p"));
        OpParams.Pool p = (OpParams.Pool) net.operator("p").params();
        assertEquals("avg", p.type());
        assertEquals(2, p.strideH());
    }

    @Test
    void globalPoolingReducesThePlaneToOnePixel() {
        Network net = single(List.of(1, 2048, 7, 7),
                "{name: gap, op: globalavgpool, inputs: [x]}",
                "{name: gmp, op: globalmaxpool, inputs: [x]}");
        assertEquals(List.of(1, 2048, 1, 1), shape(net, "gap"));
        assertEquals(List.of(1, 2048, 1, 1), shape(net, "gmp"));
        OpParams.Pool p = (OpParams.Pool) net.operator("gap").params();
        assertTrue(p.global());
        assertEquals(7, p.kernelH());
        assertEquals(7, p.kernelW());
        assertEquals("max", ((OpParams.Pool) net.operator("gmp").params()).type());
    }

    @Test
    void softmaxKeepsShapeAndNormalisesNegativeAxis() {
        Network net = single(List.of(1, 12, 128, 128), "{name: sm, op: softmax, inputs: [x]}",
                "{name: sm1, op: softmax, inputs: [x], axis: 1}");
        assertEquals(List.of(1, 12, 128, 128), shape(net, "sm"));
        assertEquals(3, ((OpParams.Softmax) net.operator("sm").params()).axis());
        assertEquals(1, ((OpParams.Softmax) net.operator("sm1").params()).axis());
    }

    @Test
    void layerNormCreatesGammaAndBetaOverTheNormalisedAxes() {
        Network net = single(List.of(1, 128, 768), "{name: ln, op: layernorm, inputs: [x]}",
                "{name: ln2, op: layernorm, inputs: [x], axis: 1}",
                "{name: ln3, op: layernorm, inputs: [x], affine: false}");
        assertEquals(List.of(1, 128, 768), shape(net, "ln"));
        assertEquals(2, ((OpParams.LayerNorm) net.operator("ln").params()).axis());
        assertEquals(List.of(768), shape(net, "ln.weight"));
        assertEquals(List.of(768), shape(net, "ln.bias"));
        assertEquals(List.of(128, 768), shape(net, "ln2.weight"));
        assertTrue(net.operator("ln3").weights().isEmpty());
        assertEquals(2 * 768 + 2 * 128 * 768, net.totalParameters());
    }

    @Test
    void batchNormHasPerChannelScaleAndShift() {
        Network net = single(List.of(1, 32, 8, 8), "{name: bn, op: batchnorm, inputs: [x]}");
        assertEquals(List.of(1, 32, 8, 8), shape(net, "bn"));
        assertEquals(64, net.totalParameters());
    }

    // ---------------------------------------------------------------- embedding and layout

    @Test
    void embeddingLooksUpTokenRows() {
        Network net = Nets.parse("""
                inputs:
                  - {name: tokens, shape: [1, 128], type: tokens}
                operators:
                  - {name: emb, op: embedding, inputs: [tokens], vocabulary: 30522, features: 768}
                """);
        assertEquals(List.of(1, 128, 768), shape(net, "emb"));
        assertEquals(List.of(30522, 768), shape(net, "emb.weight"));
        // only the looked-up rows are read
        assertEquals(128L * 768, net.weightElementsRead(net.operator("emb")));
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() {
        Network net = Nets.parse("""
                batch: 2
                inputs:
                  - {name: x, shape: [1, 64, 1, 1]}
                  - {name: y, shape: [1, 128, 768]}
                operators:
                  - {name: flat, op: reshape, inputs: [x], shape: [0, -1]}
                  - {name: heads, op: reshape, inputs: [y], shape: [0, 0, 12, -1]}
                  - {name: back, op: reshape, inputs: [heads], shape: [0, 128, 768]}
                """);
        assertEquals(List.of(2, 64), shape(net, "flat"));
        assertEquals(List.of(2, 128, 12, 64), shape(net, "heads"));
        assertEquals(List.of(2, 128, 768), shape(net, "back"));
        assertEquals(List.of(2, 128, 12, 64), ((OpParams.Reshape) net.operator("heads").params()).shape());
        assertTrue(net.loopNest("flat").isEmpty());
    }

    @Test
    void transposePermutesAxes() {
        Network net = single(List.of(1, 128, 12, 64), "{name: t, op: transpose, inputs: [x], perm: [0, 2, 1, 3]}",
                "{name: kt, op: transpose, inputs: [x], perm: [0, 2, 3, 1]}");
        assertEquals(List.of(1, 12, 128, 64), shape(net, "t"));
        assertEquals(List.of(1, 12, 64, 128), shape(net, "kt"));
    }

    @Test
    void concatSumsTheAxis() {
        Network net = Nets.parse("""
                inputs:
                  - {name: a, shape: [1, 16, 8, 8]}
                  - {name: b, shape: [1, 32, 8, 8]}
                operators:
                  - {name: cat, op: concat, inputs: [a, b, a], axis: 1}
                  - {name: cat2, op: concat, inputs: [a, a], axis: -1}
                """);
        assertEquals(List.of(1, 64, 8, 8), shape(net, "cat"));
        assertEquals(List.of(1, 16, 8, 16), shape(net, "cat2"));
        assertEquals(3, ((OpParams.Concat) net.operator("cat2").params()).axis());
    }

    @Test
    void splitProducesOneTensorPerPart() {
        Network net = single(List.of(1, 64, 8, 8),
                "{name: sp, op: split, inputs: [x], axis: 1, sizes: [16, 48], outputs: [lo, hi]}",
                "{name: r, op: relu, inputs: [hi]}");
        assertEquals(List.of(1, 16, 8, 8), shape(net, "lo"));
        assertEquals(List.of(1, 48, 8, 8), shape(net, "hi"));
        assertEquals(List.of("lo", "hi"), net.operator("sp").outputs());
        assertEquals("sp", net.producer("hi").orElseThrow().name());
        assertEquals(List.of("lo", "r"), net.outputs());
    }

    @Test
    void declaredOutputShapeIsCheckedAgainstInference() {
        Network ok = single(List.of(1, 3, 8, 8),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, outputShape: [1, 4, 6, 6]}");
        assertEquals(List.of(1, 4, 6, 6), shape(ok, "c"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> single(List.of(1, 3, 8, 8),
                "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3, outputShape: [1, 4, 8, 8]}"));
        assertTrue(e.getMessage().contains("[1, 4, 6, 6]"), e.getMessage());
    }

    // ---------------------------------------------------------------- weights, order, batch

    @Test
    void sharedWeightIsOneTensorCountedOnce() {
        Network net = single(List.of(1, 16, 64),
                "{name: fc1, op: matmul, inputs: [x], features: 64, weight: tied}",
                "{name: fc2, op: matmul, inputs: [fc1], features: 64, weight: tied}");
        assertEquals(List.of("tied"), net.operator("fc1").weights());
        assertEquals(List.of("tied"), net.operator("fc2").weights());
        assertEquals(64L * 64, net.totalParameters());
        assertTrue(net.tensor("tied").isWeight());
    }

    @Test
    void tiedEmbeddingAndHeadShareTheTableAsInGpt2() {
        Network net = Nets.parse("""
                inputs:
                  - {name: tokens, shape: [1, 8], type: tokens}
                operators:
                  - {name: wte, op: embedding, inputs: [tokens], vocabulary: 100, features: 16, weight: table}
                  - {name: head, op: matmul, inputs: [wte], features: 100, weight: table}
                """);
        assertEquals(100L * 16, net.totalParameters());
        assertEquals(List.of(1, 8, 100), shape(net, "head"));
        // The head indexes the [vocabulary, features] table transposed, so weight regions stay inside it.
        LoopNest nest = net.loopNest("head").orElseThrow();
        Operand weight = nest.reads().get(1);
        assertEquals(Operand.Role.WEIGHT, weight.role());
        assertEquals(net.tensor("table").fullBox(), nest.region(weight, net.tensor("table").shape(), nest.fullRanges()));
    }

    @Test
    void operatorsAreSortedTopologically() {
        Network net = single(List.of(1, 8, 8, 8),
                "{name: add, op: add, inputs: [b, a]}",
                "{name: b, op: relu, inputs: [a]}",
                "{name: out, op: relu, inputs: [add]}",
                "{name: a, op: conv, inputs: [x], channels: 8, kernel: 1}");
        List<String> order = net.operators().stream().map(Operator::name).toList();
        assertEquals(List.of("a", "b", "add", "out"), order);
        for (Operator op : net.operators()) {
            for (Operator pred : net.predecessors(op)) {
                assertTrue(net.topoIndex(pred.name()) < net.topoIndex(op.name()), pred.name() + " before " + op.name());
            }
        }
        assertEquals(List.of("out"), net.outputs());
        assertEquals(List.of("b", "add"), net.consumers("a").stream().map(Operator::name).toList());
    }

    @Test
    void tensorRolesDistinguishInputsWeightsAndActivations() {
        Network net = single(List.of(1, 3, 8, 8), "{name: c, op: conv, inputs: [x], channels: 4, kernel: 3}");
        assertEquals(TensorRole.INPUT, net.tensor("x").role());
        assertEquals(TensorRole.WEIGHT, net.tensor("c.weight").role());
        assertEquals(TensorRole.ACTIVATION, net.tensor("c").role());
        assertTrue(net.producer("x").isEmpty());
    }

    @Test
    void fileBatchSetsAxisZeroOfEveryInput() {
        Network net = Nets.parse("""
                batch: 3
                inputs:
                  - {name: x, shape: [1, 3, 8, 8]}
                operators:
                  - {name: c, op: conv, inputs: [x], channels: 4, kernel: 3}
                """);
        assertEquals(3, net.batch());
        assertEquals(List.of(3, 3, 8, 8), shape(net, "x"));
        assertEquals(List.of(3, 4, 6, 6), shape(net, "c"));
        assertEquals(List.of(4, 3, 3, 3), shape(net, "c.weight"));
    }
}

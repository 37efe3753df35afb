package dev.sfd.workload.io;

import dev.sfd.common.InvalidInputException;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Regions;
import dev.sfd.workload.io.onnx.OnnxImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.sfd.workload.io.OnnxModelBuilder.attr;
import static dev.sfd.workload.io.OnnxModelBuilder.attrF;
import static dev.sfd.workload.io.OnnxModelBuilder.attrS;
import static dev.sfd.workload.io.OnnxModelBuilder.attrT;
import static dev.sfd.workload.io.OnnxModelBuilder.attrs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxReaderTest {
    @TempDir
    Path dir;

    private OnnxImport read(OnnxModelBuilder m) {
        return OnnxReader.read(m.write(dir, "m.onnx"), null, Map.of(), false);
    }

    private static List<Integer> shape(Network n, String tensor) {
        return n.tensor(tensor).shape();
    }

    private static Operator only(Network n, OpKind kind) {
        List<Operator> ops = n.operators().stream().filter(o -> o.kind() == kind).toList();
        assertEquals(1, ops.size(), "operators of kind " + kind + ": " + n.operators());
        return ops.get(0);
    }

    // ---------------------------------------------------------------- compute operators

    @Test
    void convInfersShapeFromStridesPadsDilationsAndGroups() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 8, 32, 30).weight("w", 16, 4, 3, 3).weight("b", 16)
                .node("Conv", List.of("x", "w", "b"), List.of("y"), attr("group", 2), attrs("strides", 2, 2),
                        attrs("pads", 1, 1, 1, 1), attrs("dilations", 2, 1))
                .output("y"));
        Network n = r.network();
        assertEquals(List.of(1, 16, 15, 15), shape(n, "y"));
        OpParams.Conv c = (OpParams.Conv) only(n, OpKind.CONV).params();
        assertEquals(2, c.groups());
        assertTrue(c.bias());
        assertEquals(16 * 4 * 9 + 16, n.totalParameters());
        assertEquals(1L * 16 * 15 * 15 * 4 * 9, n.totalMacs());
    }

    @Test
    void convAutoPadSameUpperKeepsCeilOfInputOverStride() {
        Network n = read(new OnnxModelBuilder().input("x", 1, 3, 17, 17).weight("w", 8, 3, 3, 3)
                .node("Conv", List.of("x", "w"), List.of("y"), attrS("auto_pad", "SAME_UPPER"), attrs("strides", 2, 2))
                .output("y")).network();
        assertEquals(List.of(1, 8, 9, 9), shape(n, "y"));
    }

    @Test
    void depthwiseConvWithConstantNodeWeights() {
        Network n = read(new OnnxModelBuilder().input("x", 1, 4, 8, 8)
                .node("Constant", List.of(), List.of("w"), attrT("value",
                        OnnxModelBuilder.floats("w", new int[] {4, 1, 3, 3}, new float[36])))
                .node("Conv", List.of("x", "w"), List.of("y"), attr("group", 4), attrs("pads", 1, 1, 1, 1))
                .output("y")).network();
        assertEquals(List.of(1, 4, 8, 8), shape(n, "y"));
        assertEquals(36, n.totalParameters());
        assertEquals("dwconv 3x3", only(n, OpKind.CONV).describe());
    }

    @Test
    void batchNormIsFoldedIntoTheConvBeforeIt() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 3, 8, 8).weight("w", 6, 3, 3, 3)
                .weight("s", 6).weight("bb", 6).weight("mean", 6).weight("var", 6)
                .node("Conv", List.of("x", "w"), List.of("c"), attrs("pads", 1, 1, 1, 1))
                .node("BatchNormalization", List.of("c", "s", "bb", "mean", "var"), List.of("y"))
                .node("Relu", "y", "z").output("z"));
        Network n = r.network();
        assertEquals(2, n.operators().size());
        assertTrue(((OpParams.Conv) only(n, OpKind.CONV).params()).bias());
        assertEquals(6 * 27 + 6, n.totalParameters());
        assertEquals(1, r.folded().size());
        assertEquals("BatchNormalization", r.folded().get(0).opType());
    }

    @Test
    void batchNormStaysWhenTheConvOutputHasAnotherConsumer() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 3, 8, 8).weight("w", 3, 3, 1, 1)
                .weight("s", 3).weight("bb", 3).weight("mean", 3).weight("var", 3)
                .node("Conv", List.of("x", "w"), List.of("c"))
                .node("BatchNormalization", List.of("c", "s", "bb", "mean", "var"), List.of("y"))
                .node("Add", List.of("c", "y"), List.of("z")).output("z"));
        Network n = r.network();
        only(n, OpKind.BATCHNORM);
        assertEquals(9 + 2 * 3, n.totalParameters());
        assertTrue(r.folded().isEmpty());
    }

    @Test
    void gemmAndMatmulWithInitializerAreLinearLayers() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 2, 64).weight("w1", 32, 64).weight("b1", 32)
                .weight("w2", 32, 10).weight("b2", 10)
                .node("Gemm", List.of("x", "w1", "b1"), List.of("h"), attr("transB", 1))
                .node("MatMul", List.of("h", "w2"), List.of("m"))
                .node("Add", List.of("m", "b2"), List.of("y")).output("y"));
        Network n = r.network();
        assertEquals(List.of(2, 10), shape(n, "m"));
        assertEquals(2, n.operators().size(), "the bias Add is folded into the MatMul");
        assertEquals(64 * 32 + 32 + 32 * 10 + 10, n.totalParameters());
        assertEquals(2L * 64 * 32 + 2L * 32 * 10, n.totalMacs());
        assertEquals(List.of("m"), n.outputs());
        assertEquals("Add", r.folded().get(0).opType());
    }

    @Test
    void batchedMatmulOfTwoActivations() {
        Network n = read(new OnnxModelBuilder().input("q", 1, 4, 16, 8).input("k", 1, 4, 8, 16)
                .node("MatMul", List.of("q", "k"), List.of("s")).output("s")).network();
        Operator mm = only(n, OpKind.MATMUL);
        assertFalse(((OpParams.Matmul) mm.params()).hasWeight());
        assertEquals(List.of(1, 4, 16, 16), shape(n, "s"));
        assertEquals(0, n.totalParameters());
        assertEquals(4L * 16 * 16 * 8, n.totalMacs());
    }

    @Test
    void transposeOfKeysIsFoldedIntoTheAttentionMatmul() {
        OnnxImport r = read(new OnnxModelBuilder().input("q", 1, 4, 16, 8).input("k", 1, 4, 16, 8)
                .node("Transpose", "k", "kt", attrs("perm", 0, 1, 3, 2))
                .node("MatMul", List.of("q", "kt"), List.of("s")).output("s"));
        Network n = r.network();
        assertEquals(1, n.operators().size());
        OpParams.Matmul m = (OpParams.Matmul) only(n, OpKind.MATMUL).params();
        assertTrue(m.transposeB());
        assertEquals(List.of("q", "k"), n.operators().get(0).inputs());
        assertEquals(List.of(1, 4, 16, 16), shape(n, "s"));
        assertEquals(4L * 16 * 16 * 8, n.totalMacs());
    }

    @Test
    void constantOperandsBecomeUnaryOpsAndCountOnlyWhenPerChannel() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 8, 4, 4)
                .floatsInit("three", new int[] {}, 3f).weight("gamma", 8, 1, 1)
                .node("Add", List.of("x", "three"), List.of("a"))
                .node("Mul", List.of("a", "gamma"), List.of("b"))
                .node("Div", List.of("b", "three"), List.of("c")).output("c"));
        Network n = r.network();
        List<String> fns = n.operators().stream().map(Operator::describe).toList();
        assertEquals(List.of("shift", "mul", "scale"), fns);
        assertEquals(8, n.totalParameters(), "only the per-channel gamma is a weight");
        Operator mul = n.operator("mul1");
        assertEquals(List.of("gamma"), mul.weights());
        assertEquals(List.of(1, 8, 4, 4), shape(n, "c"));
    }

    @Test
    void activationsMapToElementwiseFunctions() {
        Network n = read(new OnnxModelBuilder().opset(11).input("x", 1, 16)
                .node("Relu", "x", "a").node("Clip", List.of("a", "lo", "hi"), List.of("b"))
                .node("Sigmoid", "b", "c").node("HardSigmoid", "c", "d").node("HardSwish", "d", "e")
                .node("Tanh", "e", "f").node("LeakyRelu", "f", "g")
                .floatsInit("lo", new int[] {}, 0f).floatsInit("hi", new int[] {}, 6f).output("g")).network();
        List<String> fns = n.operators().stream().map(Operator::describe).toList();
        assertEquals(List.of("relu", "relu6", "sigmoid", "hardsigmoid", "hardswish", "tanh", "opaque"), fns);
        assertEquals(7 * 16, n.totalVectorOps());
    }

    @Test
    void geluOfOpset20() {
        Network n = read(new OnnxModelBuilder().opset(20).input("x", 1, 16).node("Gelu", "x", "y").output("y"))
                .network();
        assertEquals("gelu", n.operators().get(0).describe());
    }

    @Test
    void decomposedHardSwishIsFusedIntoOneOperator() {
        OnnxImport r = read(new OnnxModelBuilder().opset(11).input("x", 1, 8, 4, 4)
                .floatsInit("three", new int[] {1}, 3f).floatsInit("zero", new int[] {}, 0f)
                .floatsInit("six", new int[] {}, 6f)
                .node("Add", List.of("x", "three"), List.of("a"))
                .node("Clip", List.of("a", "zero", "six"), List.of("c"))
                .node("Mul", List.of("x", "c"), List.of("m"))
                .node("Div", List.of("m", "six"), List.of("y"))
                .node("Add", List.of("x", "y"), List.of("z")).output("z"));
        Network n = r.network();
        assertEquals(List.of("hardswish", "add"), n.operators().stream().map(Operator::describe).toList());
        assertEquals(3, r.folded().size());
        assertEquals(2L * 8 * 4 * 4, n.totalVectorOps());
    }

    @Test
    void poolsWithCeilModeAndGlobalAverage() {
        Network n = read(new OnnxModelBuilder().input("x", 1, 8, 7, 7)
                .node("MaxPool", "x", "p", attrs("kernel_shape", 2, 2), attrs("strides", 2, 2), attr("ceil_mode", 1))
                .node("AveragePool", "p", "q", attrs("kernel_shape", 3, 3), attrs("pads", 1, 1, 1, 1))
                .node("GlobalAveragePool", "q", "g").output("g")).network();
        assertEquals(List.of(1, 8, 4, 4), shape(n, "p"));
        assertEquals(List.of(1, 8, 4, 4), shape(n, "q"));
        assertEquals(List.of(1, 8, 1, 1), shape(n, "g"));
    }

    @Test
    void softmaxBeforeOpset13FlattensTheTrailingAxes() {
        Network n = read(new OnnxModelBuilder().opset(11).input("x", 2, 3, 5)
                .node("Softmax", "x", "y", attr("axis", 1)).output("y")).network();
        assertEquals(List.of("reshape", "softmax", "reshape"), n.operators().stream().map(o -> o.kind().id()).toList());
        assertEquals(List.of(2, 15), n.operators().get(1).params() instanceof OpParams.Softmax s
                ? shape(n, n.operators().get(1).output()) : List.of());
        assertEquals(List.of(2, 3, 5), shape(n, "y"));
    }

    @Test
    void layerNormalizationOperator() {
        Network n = read(new OnnxModelBuilder().input("x", 1, 10, 32).weight("g", 32).weight("b", 32)
                .node("LayerNormalization", List.of("x", "g", "b"), List.of("y")).output("y")).network();
        assertEquals(2, ((OpParams.LayerNorm) only(n, OpKind.LAYERNORM).params()).axis());
        assertEquals(64, n.totalParameters());
    }

    @Test
    void decomposedLayerNormIsFusedIntoOneOperator() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 1, 10, 32).weight("gamma", 32)
                .weight("beta", 32).floatsInit("two", new int[] {}, 2f).floatsInit("eps", new int[] {}, 1e-5f)
                .node("ReduceMean", "x", "m", attrs("axes", -1))
                .node("Sub", List.of("x", "m"), List.of("d"))
                .node("Pow", List.of("d", "two"), List.of("p"))
                .node("ReduceMean", "p", "v", attrs("axes", -1))
                .node("Add", List.of("v", "eps"), List.of("ve"))
                .node("Sqrt", "ve", "s")
                .node("Div", List.of("d", "s"), List.of("nrm"))
                .node("Mul", List.of("nrm", "gamma"), List.of("g"))
                .node("Add", List.of("g", "beta"), List.of("y"))
                .node("Relu", "y", "z").output("z"));
        Network n = r.network();
        assertEquals(List.of("layernorm", "elementwise"), n.operators().stream().map(o -> o.kind().id()).toList());
        OpParams.LayerNorm ln = (OpParams.LayerNorm) n.operators().get(0).params();
        assertEquals(2, ln.axis());
        assertTrue(ln.affine());
        assertEquals(64, n.totalParameters());
        assertEquals(8, r.folded().size());
        assertEquals(List.of(1, 10, 32), shape(n, "y"));
    }

    @Test
    void reduceMeanOutsideThePatternIsGlobalPoolOrOpaque() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 1, 8, 4, 4)
                .node("ReduceMean", "x", "g", attrs("axes", 2, 3), attr("keepdims", 0))
                .node("ReduceSum", List.of("g", "ax"), List.of("s"), attr("keepdims", 1))
                .ints("ax", 1).output("s"));
        Network n = r.network();
        assertEquals(List.of(1, 8), shape(n, "g"));
        assertEquals(List.of(1, 1), shape(n, "s"));
        assertEquals(OpKind.POOL, n.operators().get(0).kind());
        Operator sum = only(n, OpKind.OPAQUE);
        assertEquals(8, n.vectorOps(sum));
        assertEquals(1, r.approximated().size());
    }

    // ---------------------------------------------------------------- layout and shape subgraphs

    @Test
    void reshapeTargetComputedByShapeGatherConcatIsFolded() {
        Network n = read(new OnnxModelBuilder().opset(13).input("x", 2, 8, 2, 2)
                .ints("zero", 0).ints("minus1", -1)
                .node("Shape", "x", "shp")
                .node("Gather", List.of("shp", "zero"), List.of("n0"), attr("axis", 0))
                .node("Concat", List.of("n0", "minus1"), List.of("target"), attr("axis", 0))
                .node("Reshape", List.of("x", "target"), List.of("y")).output("y")).network();
        assertEquals(List.of(2, 32), shape(n, "y"));
        assertEquals(List.of(OpKind.RESHAPE), n.operators().stream().map(Operator::kind).toList());
    }

    @Test
    void layoutOperatorsKeepShapesAndCostNothing() {
        Network n = read(new OnnxModelBuilder().opset(13).input("x", 1, 6, 4, 4)
                .ints("sizes", 2, 4).ints("ax0", 0).ints("ax1", 1)
                .node("Split", List.of("x", "sizes"), List.of("a", "b"), attr("axis", 1))
                .node("Transpose", "b", "t", attrs("perm", 0, 2, 3, 1))
                .node("Flatten", "t", "f", attr("axis", 1))
                .node("Unsqueeze", List.of("f", "ax1"), List.of("u"))
                .node("Squeeze", List.of("u", "ax1"), List.of("s"))
                .node("Identity", "a", "ia")
                .node("Concat", List.of("ia", "ia"), List.of("c"), attr("axis", 1))
                .output("s").output("c")).network();
        assertEquals(List.of(1, 2, 4, 4), shape(n, "a"));
        assertEquals(List.of(1, 4, 4, 4), shape(n, "t"));
        assertEquals(List.of(1, 64), shape(n, "s"));
        assertEquals(List.of(1, 4, 4, 4), shape(n, "c"));
        assertEquals(0, n.totalMacs() + n.totalVectorOps());
        assertEquals(List.of("s", "c"), n.outputs());
    }

    @Test
    void sliceIsAViewPadATiledOpaqueOpAndResizeAResampleOfTheRightShape() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 1, 4, 8, 8)
                .ints("st", 2).ints("en", 6).ints("ax", 2)
                .floatsInit("scales", new int[] {4}, 1f, 1f, 2f, 2f)
                .ints("pads", 0, 0, 1, 2, 0, 0, 1, 2)
                .node("Slice", List.of("x", "st", "en", "ax"), List.of("s"))
                .node("Resize", List.of("s", "", "scales"), List.of("rz"), attrS("mode", "nearest"))
                .node("Pad", List.of("rz", "pads"), List.of("p")).output("p"));
        Network n = r.network();
        assertEquals(List.of(1, 4, 4, 8), shape(n, "s"));
        assertEquals(List.of(1, 4, 8, 16), shape(n, "rz"));
        assertEquals(List.of(1, 4, 10, 20), shape(n, "p"));
        assertEquals(List.of("pad2"), r.approximated().stream().map(OnnxImport.Approximation::node).toList(),
                "pad is approximated; slice (a view) and resize are not");
        assertEquals(OpKind.SLICE, n.operator("slice0").kind());
        // Rows 2..5 of x: output rows [1, 3) of the slice read input rows [3, 5).
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 0, 3, 0}, new int[] {1, 4, 5, 8}), Regions.inputRegion(n,
                n.operator("slice0"), 0, 0, new dev.sfd.workload.Box(new int[] {0, 0, 1, 0}, new int[] {1, 4, 3, 8}))
                .orElseThrow());
        Operator resize = n.operator("resize1");
        assertEquals(OpKind.RESAMPLE, resize.kind());
        assertEquals("resize nearest x2", resize.describe());
        // half_pixel, round_prefer_floor at scale 2: output rows [2, 6) read input rows [1, 3), columns 1:1 halved
        var region = Regions.inputRegion(n, resize, 0, 0, new dev.sfd.workload.Box(new int[] {0, 1, 2, 4},
                new int[] {1, 3, 6, 10}));
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 1, 1, 2}, new int[] {1, 3, 3, 5}), region.orElseThrow());
        // A pad reads the input rows and columns its output tile shifts back to (pads 1 row and 2 columns before):
        // the corner tile [0, 2) x [0, 2) of channel 0 reads row 0 and nothing of the padded columns.
        var padRegion = Regions.inputRegion(n, n.operator("pad2"), 0, 0, dev.sfd.workload.Box.full(List.of(1, 1, 2, 2)));
        assertTrue(padRegion.isEmpty(), "columns 0 and 1 are padding: " + padRegion);
        padRegion = Regions.inputRegion(n, n.operator("pad2"), 0, 0, new dev.sfd.workload.Box(new int[] {0, 1, 0, 0},
                new int[] {1, 2, 3, 5}));
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 1, 0, 0}, new int[] {1, 2, 2, 3}), padRegion.orElseThrow());
    }

    @Test
    void resizeBySizesLinearAlignCornersFollowsTheCornerRatio() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 1, 2, 5, 5)
                .ints("sizes", 1, 2, 9, 9)
                .node("Resize", List.of("x", "", "", "sizes"), List.of("y"), attrS("mode", "linear"),
                        attrS("coordinate_transformation_mode", "align_corners"))
                .output("y"));
        Network n = r.network();
        assertEquals(List.of(1, 2, 9, 9), shape(n, "y"));
        Operator op = n.operator("resize0");
        // x = r·(5 − 1)/(9 − 1) = r/2: rows [3, 6) read floor(1.5) .. floor(2.5) + 1 = [1, 4)
        var region = Regions.inputRegion(n, op, 0, 0, new dev.sfd.workload.Box(new int[] {0, 0, 3, 0},
                new int[] {1, 2, 6, 9}));
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 0, 1, 0}, new int[] {1, 2, 4, 5}), region.orElseThrow());
        assertEquals(4L * 9 * 9 * 2, n.totalVectorOps(), "bilinear: 4 ops per output element");
    }

    @Test
    void upsampleOpset9IsANearestResampleWithFloorAsymmetricSampling() {
        OnnxImport r = read(new OnnxModelBuilder().opset(9).input("x", 1, 3, 4, 6)
                .floatsInit("scales", new int[] {4}, 1f, 1f, 3f, 2f)
                .node("Upsample", List.of("x", "scales"), List.of("y")).output("y"));
        Network n = r.network();
        assertEquals(List.of(1, 3, 12, 12), shape(n, "y"));
        Operator op = n.operator("upsample0");
        assertEquals(OpKind.RESAMPLE, op.kind());
        // rows [5, 7) read floor(5/3) .. floor(6/3) = [1, 3); columns [0, 1) read column 0
        var region = Regions.inputRegion(n, op, 0, 0, new dev.sfd.workload.Box(new int[] {0, 0, 5, 0},
                new int[] {1, 3, 7, 1}));
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 0, 1, 0}, new int[] {1, 3, 3, 1}), region.orElseThrow());
    }

    @Test
    void cubicResizeStaysOpaque() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 1, 2, 4, 4)
                .floatsInit("scales", new int[] {4}, 1f, 1f, 2f, 2f)
                .node("Resize", List.of("x", "", "scales"), List.of("y"), attrS("mode", "cubic")).output("y"));
        assertEquals(OpKind.OPAQUE, r.network().operator("resize0").kind());
    }

    @Test
    void convTransposeCol2imReadsTheRowsItsKernelReaches() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 8, 5, 5).weight("w", 8, 4, 3, 3)
                .node("ConvTranspose", List.of("x", "w"), List.of("y"), attrs("strides", 2, 2), attrs("pads", 1, 1, 1, 1))
                .output("y"));
        Network n = r.network();
        // 2·(5 − 1) + 3 − 2 = 9
        assertEquals(List.of(1, 4, 9, 9), shape(n, "y"));
        Operator col2im = n.operator("convtranspose0/col2im");
        assertEquals(OpKind.RESAMPLE, col2im.kind());
        // output row o gets input rows i with 2i + t − 1 = o, t in [0, 3): rows [4, 6) read i in [2, 3]
        var region = Regions.inputRegion(n, col2im, 0, 0, new dev.sfd.workload.Box(new int[] {0, 0, 4, 0},
                new int[] {1, 4, 6, 9}));
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 0, 2, 0}, new int[] {1, 4, 4, 5}), region.orElseThrow());
    }

    @Test
    void convTransposeIsAConvWithTheSameMacsAndWeights() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 8, 5, 5).weight("w", 8, 4, 2, 2).weight("b", 4)
                .node("ConvTranspose", List.of("x", "w", "b"), List.of("y"), attrs("strides", 2, 2))
                .output("y"));
        Network n = r.network();
        assertEquals(List.of(1, 4, 10, 10), shape(n, "y"));
        assertEquals(1L * 5 * 5 * 8 * 4 * 2 * 2, n.totalMacs(), "N·H·W·C·M·kh·kw");
        assertEquals(8 * 4 * 4 + 4, n.totalParameters());
        assertEquals("ConvTranspose", r.approximated().get(0).opType());
    }

    @Test
    void embeddingLookupFromGatherOnATable() {
        Network n = read(new OnnxModelBuilder().input("ids", 1, 7).weight("table", 100, 16)
                .node("Gather", List.of("table", "ids"), List.of("e"), attr("axis", 0)).output("e")).network();
        only(n, OpKind.EMBEDDING);
        assertEquals(List.of(1, 7, 16), shape(n, "e"));
        assertEquals(1600, n.totalParameters());
    }

    // ---------------------------------------------------------------- shapes and options

    @Test
    void dynamicDimsFailAndNameTheInputWithTheOption() {
        Path f = new OnnxModelBuilder().input("image", null, 3, null, null).weight("w", 4, 3, 1, 1)
                .node("Conv", List.of("image", "w"), List.of("y")).output("y").write(dir, "dyn.onnx");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxReader.read(f, null));
        assertTrue(e.getMessage().contains("input 'image' has dynamic dimensions at axes [2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("--input-shape image=1x3x?x?"), e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());

        Network n = OnnxReader.read(f, 2, OnnxReader.parseInputShapes(List.of("image=1x3x16x16")), false).network();
        assertEquals(List.of(2, 4, 16, 16), shape(n, "y"), "--batch replaces axis 0 of the given shape");
        assertEquals(2, n.batch());
    }

    @Test
    void inputShapeOptionIsChecked() {
        Path f = new OnnxModelBuilder().input("x", 1, 4).node("Relu", "x", "y").output("y").write(dir, "m.onnx");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OnnxReader.read(f, null, Map.of("z", List.of(1, 4)), false));
        assertTrue(e.getMessage().contains("--input-shape names 'z'"), e.getMessage());
        e = assertThrows(InvalidInputException.class,
                () -> OnnxReader.read(f, null, Map.of("x", List.of(1, 4, 4)), false));
        assertTrue(e.getMessage().contains("rank 3"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> OnnxReader.parseInputShapes(List.of("x=1x0")));
        assertEquals(Map.of("a", List.of(1, 3), "b", List.of(2)), OnnxReader.parseInputShapes(List.of("a=1x3,b=2")));
    }

    @Test
    void batchOptionAdjustsReshapeTargetsThatHardCodeTheBatch() {
        Network n = OnnxReader.read(new OnnxModelBuilder().input("x", 1, 8, 2, 2).ints("t", 1, 32)
                .node("Reshape", List.of("x", "t"), List.of("y")).output("y").write(dir, "m.onnx"), 4);
        assertEquals(List.of(4, 32), shape(n, "y"));
    }

    @Test
    void batchOptionLeavesInputsWhoseAxisZeroIsNotTheBatch() {
        Path f = new OnnxModelBuilder().input("x", 1, 8).input("y", 8, 8)
                .node("MatMul", List.of("x", "y"), List.of("z")).output("z").write(dir, "two.onnx");
        Network n = OnnxReader.read(f, 3, Map.of(), false).network();
        assertEquals(List.of(3, 8), shape(n, "x"));
        assertEquals(List.of(8, 8), shape(n, "y"), "y is an activation whose axis 0 is not the batch");
        assertEquals(List.of(3, 8), shape(n, "z"));
        assertEquals(3, n.batch());
    }

    @Test
    void transposesReshapesAndSplitsMayMoveAxisZero() {
        OnnxImport r = read(new OnnxModelBuilder().opset(13).input("x", 4, 6, 10).ints("t", 2, 2, 60)
                .ints("sizes", 1, 1)
                .node("Transpose", "x", "xt", attrs("perm", 2, 0, 1))
                .node("Reshape", List.of("xt", "t"), List.of("r"))
                .node("Split", List.of("r", "sizes"), List.of("a", "b"), attr("axis", 0))
                .node("Softmax", "a", "sa", attr("axis", 0))
                .output("sa").output("b"));
        Network n = r.network();
        assertEquals(List.of(10, 4, 6), shape(n, "xt"));
        assertEquals(List.of(1, 2, 60), shape(n, "sa"));
        assertEquals(List.of(OpKind.TRANSPOSE, OpKind.RESHAPE, OpKind.SPLIT, OpKind.SOFTMAX),
                n.operators().stream().map(Operator::kind).toList());
        assertTrue(r.approximated().isEmpty(), r.approximated().toString());
    }

    @Test
    void valueInfoIsOnlyACrossCheck() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 4).node("Relu", "x", "y").node("Relu", "y", "z")
                .valueInfo("y", 1, 5).output("z", 1, 4));
        assertEquals(List.of(1, 4), shape(r.network(), "y"), "the import uses the inferred shape");
        assertEquals(2, r.checkedShapes());
        assertEquals(List.of("value 'y': inferred [1, 4], the model declares [1, 5]"), r.conflicts());
    }

    @Test
    void opaqueFallbackSizesKnownOperatorsByInference() {
        // A 3-D convolution is no SFD conv; with unsupported=vector its output shape comes from shape inference.
        OnnxImport r = OnnxReader.read(new OnnxModelBuilder().input("x", 1, 2, 4, 8, 8).weight("w", 4, 2, 3, 3, 3)
                .node("Conv", List.of("x", "w"), List.of("y"), attrs("pads", 1, 1, 1, 1, 1, 1)).node("Relu", "y", "z")
                .output("z").write(dir, "c3.onnx"), null, Map.of(), true);
        assertEquals(List.of(1, 4, 4, 8, 8), shape(r.network(), "z"));
        assertTrue(r.approximated().get(0).treatment().contains("shapes inferred"), r.approximated().toString());
    }

    @Test
    void oneDimensionalConvAndPoolRunAsTwoDimensionalOnesOverASingleRow() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 4, 20).weight("w", 8, 4, 3)
                .node("Conv", List.of("x", "w"), List.of("c"), attrs("strides", 2), attrs("pads", 1, 1))
                .node("MaxPool", "c", "p", attrs("kernel_shape", 2), attrs("strides", 2)).output("p"));
        Network n = r.network();
        assertEquals(List.of(1, 8, 10), shape(n, "c"), "floor((20 + 2 - 3) / 2) + 1 = 10");
        assertEquals(List.of(1, 8, 5), shape(n, "p"));
        OpParams.Conv c = (OpParams.Conv) only(n, OpKind.CONV).params();
        assertEquals(List.of(1, 3, 1, 2, 0, 1, 0, 1), List.of(c.kernelH(), c.kernelW(), c.strideH(), c.strideW(),
                c.padTop(), c.padLeft(), c.padBottom(), c.padRight()));
        assertEquals(8L * 4 * 3 * 10, n.totalMacs());
        assertEquals(8 * 4 * 3, n.totalParameters());
        assertTrue(r.approximated().isEmpty(), r.approximated().toString());
    }

    @Test
    void lrnReadsAWindowOfChannelsAndInstanceNormIsALayerNormThenAScaleAndShift() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 16, 6, 6).weight("s", 16).weight("b", 16)
                .node("LRN", "x", "l", attr("size", 5))
                .node("InstanceNormalization", List.of("l", "s", "b"), List.of("y")).output("y"));
        Network n = r.network();
        Operator lrn = n.operator("lrn0");
        assertEquals(OpKind.OPAQUE, lrn.kind());
        // channels [8, 10) read channels [6, 12): the window of 5 centred on each
        assertEquals(new dev.sfd.workload.Box(new int[] {0, 6, 0, 0}, new int[] {1, 12, 3, 6}), Regions.inputRegion(n,
                lrn, 0, 0, new dev.sfd.workload.Box(new int[] {0, 8, 0, 0}, new int[] {1, 10, 3, 6})).orElseThrow());
        assertEquals(List.of(OpKind.OPAQUE, OpKind.LAYERNORM, OpKind.BATCHNORM),
                n.operators().stream().map(Operator::kind).toList());
        assertEquals(2 * 16, n.totalParameters(), "instance norm: a scale and a shift per channel");
        assertEquals(List.of("lrn0", "instancenormalization1"), r.approximated().stream()
                .map(OnnxImport.Approximation::node).toList());
    }

    @Test
    void elementwiseOperatorsWithoutAnSfdFunctionTileByBroadcasting() {
        OnnxImport r = read(new OnnxModelBuilder().opset(16).input("c", 4, 1).input("x", 4, 6).input("y", 6)
                .weight("slope", 6)
                .node("Where", List.of("c", "x", "y"), List.of("w"))
                .node("PRelu", List.of("w", "slope"), List.of("p"))
                .node("Cos", "p", "z").output("z"));
        Network n = r.network();
        assertEquals(List.of(4, 6), shape(n, "z"));
        Operator where = n.operator("where0");
        var tile = new dev.sfd.workload.Box(new int[] {1, 2}, new int[] {3, 5});
        assertEquals(new dev.sfd.workload.Box(new int[] {1, 0}, new int[] {3, 1}),
                Regions.inputRegion(n, where, 0, 0, tile).orElseThrow(), "the condition broadcasts over columns");
        assertEquals(tile, Regions.inputRegion(n, where, 1, 0, tile).orElseThrow());
        assertEquals(new dev.sfd.workload.Box(new int[] {2}, new int[] {5}),
                Regions.inputRegion(n, where, 2, 0, tile).orElseThrow());
        assertEquals(6, n.totalParameters(), "the PRelu slope is a weight");
        assertEquals("opaque", ((OpParams.Elementwise) n.operator("cos2").params()).function());
        assertEquals(3, r.approximated().size(), r.approximated().toString());
    }

    @Test
    void depthToSpaceIsAViewAndLayerNormStatisticsAreReductions() {
        OnnxImport r = read(new OnnxModelBuilder().input("x", 1, 8, 3, 3).weight("g", 6).weight("b", 6)
                .node("DepthToSpace", "x", "d", attr("blocksize", 2))
                .node("LayerNormalization", List.of("d", "g", "b"), List.of("y", "mean"), attr("axis", -1))
                .output("y").output("mean"));
        Network n = r.network();
        assertEquals(List.of(1, 2, 6, 6), shape(n, "d"));
        assertTrue(n.operators().stream().limit(3).allMatch(o -> o.kind().isLayout()), n.operators().toString());
        // DCR: output channel 0, row 0, column 1 comes from input channel 2 (block offset (0, 1)), row 0, column 0.
        var cell = new dev.sfd.workload.Box(new int[] {0, 0, 0, 1}, new int[] {1, 1, 1, 2});
        var parts = dev.sfd.workload.TensorViews.resolve(n, "d", cell);
        assertEquals(1, parts.size());
        assertTrue(parts.get(0).region().contains(new dev.sfd.workload.Box(new int[] {0, 2, 0, 0},
                new int[] {1, 3, 1, 1})), parts.toString());
        assertEquals(List.of(1, 2, 6, 1), shape(n, "mean"));
        assertEquals(OpKind.OPAQUE, n.operator("layernormalization1#1").kind());
    }

    // ---------------------------------------------------------------- unsupported operators

    private OnnxModelBuilder withUnsupported() {
        return new OnnxModelBuilder().input("x", 1, 5, 8).weight("W", 1, 64, 8).weight("R", 1, 64, 16)
                .node("LSTM", List.of("x", "W", "R"), List.of("h"), attr("hidden_size", 16))
                .node("LSTM", List.of("x", "W", "R"), List.of("h2"), attr("hidden_size", 16))
                .node("TopK", List.of("x", "k"), List.of("v", "i")).ints("k", 2)
                .node("Add", List.of("h", "h2"), List.of("y"))
                .output("y").output("v");
    }

    @Test
    void unsupportedOperatorsAreListedWithCountsAndNodeNames() {
        Path f = withUnsupported().write(dir, "rnn.onnx");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxReader.read(f, null));
        assertEquals(2, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("unsupported operator LSTM (2 nodes: 'lstm0', 'lstm1')"),
                e.getMessage());
        assertTrue(e.problems().get(1).startsWith("unsupported operator TopK (1 node: 'topk2')"), e.getMessage());
        assertTrue(e.getMessage().contains("Maybe import with unsupported=vector"), e.getMessage());
    }

    @Test
    void unsupportedOperatorsBecomeOpaqueVectorOpsFromValueInfo() {
        OnnxImport r = OnnxReader.read(withUnsupported().valueInfo("h", 1, 5, 16).valueInfo("h2", 1, 5, 16)
                .valueInfo("v", null, 5, 2).write(dir, "rnn.onnx"), null, Map.of(), true);
        Network n = r.network();
        assertEquals(List.of(1, 5, 16), shape(n, "h"));
        assertEquals(List.of(1, 5, 2), shape(n, "v"));
        assertEquals(2 * (64 * 8 + 64 * 16), n.totalParameters(), "the LSTM weights are counted");
        assertEquals(List.of("lstm0", "lstm1", "topk2"), r.approximated().stream()
                .map(OnnxImport.Approximation::node).toList());
        assertEquals(OpKind.OPAQUE, n.operator("lstm0").kind());
    }

    @Test
    void unsupportedOperatorWithoutValueInfoFailsClearly() {
        Path f = withUnsupported().write(dir, "rnn.onnx");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OnnxReader.read(f, null, Map.of(), true));
        assertTrue(e.getMessage().contains("needs a static shape of rank 1 to 5 for output 'h'"), e.getMessage());
        assertTrue(e.getMessage().contains("shape_inference"), e.getMessage());
    }

    // ---------------------------------------------------------------- broken files

    @Test
    void truncatedCorruptAndEmptyFilesAreNotValidOnnxModels() throws IOException {
        byte[] good = new OnnxModelBuilder().input("x", 1, 3, 8, 8).weight("w", 16, 3, 3, 3)
                .node("Conv", List.of("x", "w"), List.of("y")).output("y").build().toByteArray();
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(good, good.length / 2));
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Path corrupt = Files.write(dir.resolve("corrupt.onnx"), noise);
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        Path text = Files.writeString(dir.resolve("text.onnx"), "name: not an onnx model\n");
        for (Path p : List.of(truncated, corrupt, empty, text)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> OnnxReader.read(p, null), p
                    .toString());
            assertTrue(e.getMessage().startsWith(p + ": is not a valid ONNX model"), e.getMessage());
        }
        InvalidInputException missing = assertThrows(InvalidInputException.class,
                () -> OnnxReader.read(dir.resolve("missing.onnx"), null));
        assertTrue(missing.getMessage().contains("cannot read the file"), missing.getMessage());
    }

    @Test
    void registersWithTheCatalogByExtension() {
        Path f = new OnnxModelBuilder().input("x", 1, 4).node("Relu", "x", "y").output("y").write(dir, "tiny.onnx");
        NetworkCatalog.registerImporter(".onnx", OnnxReader::read);
        Network n = NetworkCatalog.resolve(f.toString(), 3);
        assertEquals("tiny", n.name());
        assertEquals(List.of(3, 4), shape(n, "y"));
    }

    @Test
    void hardSigmoidAttributesAndMaxPoolDilations() {
        Network n = read(new OnnxModelBuilder().input("x", 1, 2, 9, 9)
                .node("MaxPool", "x", "p", attrs("kernel_shape", 3, 3), attrs("dilations", 2, 2))
                .node("HardSigmoid", "p", "h", attrF("alpha", 0.2f)).output("h")).network();
        assertEquals(List.of(1, 2, 5, 5), shape(n, "h"));
    }
}

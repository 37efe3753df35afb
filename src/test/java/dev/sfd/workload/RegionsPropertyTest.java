package dev.sfd.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For random convolution and pooling layers and random output boxes, the input region equals the bounding box
 * of the input elements the layer actually reads (found by brute force over output elements and filter taps,
 * padding skipped): the region is both sufficient and tight.
 */
class RegionsPropertyTest {

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, 60);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void convAndPoolRegionsEqualTheBoundingBoxOfTheElementsRead(long seed) {
        Random random = new Random(seed);
        Layer layer = Layer.random(random);
        Network net = Nets.single(List.of(1, layer.inChannels, layer.height, layer.width), layer.yaml());
        Operator op = net.operator("op");
        Tensor out = net.tensor("op");
        for (int trial = 0; trial < 20; trial++) {
            Box outBox = LoopNestTest.randomBox(random, out.shape());
            Optional<Box> expected = layer.boundingBoxOfReads(outBox);
            Optional<Box> actual = Regions.inputRegion(net, op, 0, 0, outBox);
            assertEquals(expected, actual, layer.yaml() + " on input " + net.tensor("x").shape() + ", output box "
                    + outBox);
        }
    }

    /** A random conv or pool layer, small enough to brute-force. */
    private record Layer(boolean pool, int inChannels, int outChannels, int groups, int height, int width,
                         int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW,
                         int padTop, int padLeft, int padBottom, int padRight) {

        static Layer random(Random r) {
            boolean pool = r.nextInt(3) == 0;
            int groups = pool ? 1 : List.of(1, 1, 2, 3).get(r.nextInt(4));
            int inChannels = pool ? 1 + r.nextInt(6) : groups * (1 + r.nextInt(3));
            int outChannels = pool ? inChannels : groups * (1 + r.nextInt(3));
            if (!pool && r.nextInt(5) == 0) {
                groups = inChannels; // depthwise
                outChannels = inChannels * (1 + r.nextInt(2));
            }
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(3);
            int dw = 1 + r.nextInt(3);
            int eh = (kh - 1) * dh + 1;
            int ew = (kw - 1) * dw + 1;
            int height = eh + r.nextInt(12);
            int width = ew + r.nextInt(12);
            return new Layer(pool, inChannels, outChannels, groups, height, width, kh, kw, sh, sw, dh, dw,
                    r.nextInt(eh), r.nextInt(ew), r.nextInt(eh), r.nextInt(ew));
        }

        String yaml() {
            String window = "kernel: [" + kernelH + ", " + kernelW + "], stride: [" + strideH + ", " + strideW
                    + "], dilation: [" + dilationH + ", " + dilationW + "], padding: [" + padTop + ", " + padLeft + ", "
                    + padBottom + ", " + padRight + "]";
            return pool ? "{name: op, op: maxpool, inputs: [x], " + window + "}"
                    : "{name: op, op: conv, inputs: [x], channels: " + outChannels + ", groups: " + groups + ", "
                    + window + "}";
        }

        /** Brute force: every input element some output element of the box reads through a non-padding tap. */
        Optional<Box> boundingBoxOfReads(Box outBox) {
            int[] lo = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE};
            int[] hi = {Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
            int inPerGroup = inChannels / groups;
            int outPerGroup = outChannels / groups;
            boolean any = false;
            for (int n = outBox.lo(0); n < outBox.hi(0); n++) {
                for (int k = outBox.lo(1); k < outBox.hi(1); k++) {
                    int cFrom = pool ? k : (k / outPerGroup) * inPerGroup;
                    int cTo = pool ? k + 1 : cFrom + inPerGroup;
                    for (int p = outBox.lo(2); p < outBox.hi(2); p++) {
                        for (int q = outBox.lo(3); q < outBox.hi(3); q++) {
                            for (int rr = 0; rr < kernelH; rr++) {
                                int h = p * strideH + rr * dilationH - padTop;
                                if (h < 0 || h >= height) {
                                    continue;
                                }
                                for (int ss = 0; ss < kernelW; ss++) {
                                    int w = q * strideW + ss * dilationW - padLeft;
                                    if (w < 0 || w >= width) {
                                        continue;
                                    }
                                    any = true;
                                    int[] idx = {n, cFrom, h, w};
                                    int[] idxHi = {n, cTo - 1, h, w};
                                    for (int a = 0; a < 4; a++) {
                                        lo[a] = Math.min(lo[a], idx[a]);
                                        hi[a] = Math.max(hi[a], idxHi[a] + 1);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return any ? Optional.of(new Box(lo, hi)) : Optional.empty();
        }
    }
}

package dev.sfd.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * The boxes a reshape reads are exactly the input elements its output region aliases, each once (or, past the
     * part limit, one box holding them all): brute force over every element of the region.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void reshapePartsAreExactlyTheElementsAliased(long seed) {
        Random random = new Random(seed);
        int total = 1;
        int[] outDims = new int[2 + random.nextInt(3)];
        for (int i = 0; i < outDims.length; i++) {
            outDims[i] = 1 + random.nextInt(6);
            total *= outDims[i];
        }
        // the input: the same elements in other factors (split or merge the output's dims at random)
        List<Integer> inDims = new java.util.ArrayList<>();
        int rest = total;
        while (rest > 1) {
            List<Integer> divisors = new java.util.ArrayList<>();
            for (int f = 2; f <= rest; f++) {
                if (rest % f == 0) {
                    divisors.add(f);
                }
            }
            int f = divisors.get(random.nextInt(divisors.size()));
            inDims.add(f);
            rest /= f;
        }
        if (inDims.isEmpty()) {
            inDims.add(1);
        }
        Tensor out = new Tensor("o", java.util.Arrays.stream(outDims).boxed().toList(), TensorRole.ACTIVATION);
        Tensor in = new Tensor("i", inDims, TensorRole.ACTIVATION);
        for (int trial = 0; trial < 20; trial++) {
            Box region = LoopNestTest.randomBox(random, out.shape());
            java.util.Set<Long> expected = new java.util.HashSet<>();
            forEach(region, idx -> {
                long flat = 0;
                for (int k = 0; k < idx.length; k++) {
                    flat = flat * outDims[k] + idx[k];
                }
                expected.add(flat);
            });
            List<Box> parts = Regions.reshapeParts(out, in, region);
            java.util.Set<Long> actual = new java.util.HashSet<>();
            long counted = 0;
            for (Box b : parts) {
                counted += b.elements();
                forEach(b, idx -> {
                    long flat = 0;
                    for (int k = 0; k < idx.length; k++) {
                        flat = flat * inDims.get(k) + idx[k];
                    }
                    actual.add(flat);
                });
            }
            String what = "reshape " + inDims + " -> " + java.util.Arrays.toString(outDims) + ", region " + region
                    + ", parts " + parts;
            assertTrue(actual.containsAll(expected), what);
            if (parts.size() > 1 || counted == expected.size()) {
                assertEquals(expected, actual, what);
                assertEquals(expected.size(), counted, "parts overlap: " + what);
            }
        }
    }

    private static void forEach(Box b, java.util.function.Consumer<int[]> f) {
        if (b.isEmpty()) {
            return;
        }
        int[] idx = new int[b.rank()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = b.lo(k);
        }
        while (true) {
            f.accept(idx.clone());
            int k = idx.length - 1;
            while (k >= 0 && ++idx[k] >= b.hi(k)) {
                idx[k] = b.lo(k);
                k--;
            }
            if (k < 0) {
                return;
            }
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

package dev.sfd.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded generators of valid inputs, written as the files a user would write ({@code sfd-network/1} and
 * {@code sfd-hardware/1} YAML), so a fuzz case also goes through the readers.
 *
 * <p>Networks are image networks ({@code [N, C, H, W]}: chains of convolutions with random kernels, strides,
 * dilations, groups and paddings, residual blocks, branches joined by concat or add, channel splits, pooling,
 * resizes, unary and binary elementwise operators, a classifier head) or token networks ({@code [N, S, D]}:
 * attention blocks with heads, MLP blocks, layer norms, residual adds, softmax). Accelerators range from a 1x1 PE
 * array with a 512-byte buffer to a 128x128 array with 64 MiB, with random bandwidths, latencies, DMA engines and
 * data widths. The same seed gives the same files.
 */
public final class FuzzInputs {
    private FuzzInputs() {
    }

    /** A network of about {@code blocks} blocks (each a few operators). */
    public static String network(long seed, int blocks) {
        Random r = new Random(seed);
        return r.nextInt(3) == 0 ? new Tokens(r, seed).build(blocks) : new Image(r, seed).build(blocks);
    }

    /**
     * A network of at least {@code operators} operators: an image network ({@code tokens} false) or a token network,
     * grown block by block (the scale benchmark's 5,000-operator network is {@code large(5000, 5000, false)}).
     */
    public static String large(long seed, int operators, boolean tokens) {
        Random r = new Random(seed);
        Writer w = tokens ? new Tokens(r, seed) : new Image(r, seed);
        return tokens ? ((Tokens) w).build(Integer.MAX_VALUE, operators) : ((Image) w).build(Integer.MAX_VALUE, operators);
    }

    /** Writes {@code large(seed, operators, tokens)} to stdout: {@code ScaleNetwork}-style use from the shell. */
    public static void main(String[] args) {
        System.out.print(large(Long.parseLong(args[0]), Integer.parseInt(args[1]),
                args.length > 2 && args[2].equals("tokens")));
    }

    /** A random accelerator. */
    public static String hardware(long seed) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + 17);
        int rows = 1 << r.nextInt(8);
        int cols = 1 << r.nextInt(8);
        int macs = 1 << r.nextInt(3);
        int vector = 1 << r.nextInt(8);
        // Buffers from 512 bytes to 64 MiB, log-uniform.
        long capacity = Math.round(Math.pow(2, 9 + r.nextDouble() * 17));
        double glbBw = pick(r, 4, 16, 64, 256, 1024);
        double dramBw = pick(r, 0.25, 1, 2, 4, 8, 16, 32, 64, 256);
        int latency = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
        int dma = 1 + r.nextInt(4);
        int act = r.nextInt(4) == 0 ? 16 : 8;
        int weight = pick(r, 4, 8, 8, 16);
        int acc = r.nextBoolean() ? 32 : 24;
        return String.format(Locale.ROOT, """
                format: sfd-hardware/1
                name: fuzz-hw-%d
                clockGHz: %s
                peArray: {rows: %d, cols: %d, macsPerPe: %d}
                vectorUnit: {opsPerCycle: %d}
                globalBuffer: {capacityBytes: %d, bandwidthBytesPerCycle: %s, readEnergyPjPerByte: %s, writeEnergyPjPerByte: %s}
                dram: {bandwidthBytesPerCycle: %s, latencyCycles: %d, readEnergyPjPerByte: %s, writeEnergyPjPerByte: %s, dmaEngines: %d}
                dataWidths: {activationBits: %d, weightBits: %d, accumulatorBits: %d}
                energy: {macPj: %s, vectorOpPj: %s, peAccessPjPerByte: %s, leakagePjPerCycle: %s}
                """, seed, pick(r, 0.2, 0.5, 1.0, 2.0), rows, cols, macs, vector, capacity, glbBw,
                r.nextDouble() * 5, r.nextDouble() * 5, dramBw, latency, 50 + r.nextDouble() * 300,
                50 + r.nextDouble() * 300, dma, act, weight, acc, r.nextDouble(), r.nextDouble(), r.nextDouble() * 2,
                r.nextInt(3) == 0 ? r.nextDouble() * 10 : 0);
    }

    private static double pick(Random r, double... xs) {
        return xs[r.nextInt(xs.length)];
    }

    private static int pick(Random r, int... xs) {
        return xs[r.nextInt(xs.length)];
    }

    /** Common writer state: operators as YAML flow maps, shapes of every tensor. */
    private abstract static class Writer {
        final Random r;
        final long seed;
        final List<String> ops = new ArrayList<>();
        final java.util.Map<String, int[]> shapes = new java.util.HashMap<>();
        final List<String> inputs = new ArrayList<>();
        int next;

        Writer(Random r, long seed) {
            this.r = r;
            this.seed = seed;
        }

        String name(String kind) {
            return kind + (next++);
        }

        String op(String kind, String fields, int[] shape, String... in) {
            String n = name(kind.length() > 6 ? kind.substring(0, 6) : kind);
            ops.add("  - {name: " + n + ", op: " + kind + ", inputs: [" + String.join(", ", in) + "]"
                    + (fields.isEmpty() ? "" : ", " + fields) + "}");
            shapes.put(n, shape);
            return n;
        }

        String input(String n, int[] shape, boolean tokens) {
            inputs.add("  - {name: " + n + ", shape: " + Arrays.toString(shape) + (tokens ? ", type: tokens" : "") + "}");
            shapes.put(n, shape);
            return n;
        }

        String finish(String kind) {
            return "format: sfd-network/1\nname: fuzz-" + kind + "-" + seed + "\nsource: FuzzInputs seed " + seed
                    + "\ninputs:\n" + String.join("\n", inputs) + "\noperators:\n" + String.join("\n", ops) + "\n";
        }

        String unary(String x) {
            String f = List.of("relu", "relu6", "sigmoid", "tanh", "gelu", "silu", "hardswish", "abs", "exp", "neg",
                    "identity", "clip").get(r.nextInt(12));
            return op(f, "", shapes.get(x), x);
        }
    }

    private static final class Image extends Writer {
        Image(Random r, long seed) {
            super(r, seed);
        }

        String build(int blocks) {
            return build(blocks, Integer.MAX_VALUE);
        }

        String build(int blocks, int maxOps) {
            int c = 1 + r.nextInt(16);
            int h = 2 + r.nextInt(24);
            int w = r.nextInt(4) == 0 ? h : 2 + r.nextInt(24);
            String x = input("image", new int[] {1, c, h, w}, false);
            for (int b = 0; b < blocks && (maxOps == Integer.MAX_VALUE || ops.size() < maxOps); b++) {
                x = switch (r.nextInt(9)) {
                    case 0, 1 -> conv(x, true);
                    case 2 -> residual(x);
                    case 3 -> branch(x);
                    case 4 -> pool(x);
                    case 5 -> split(x);
                    case 6 -> resize(x);
                    case 7 -> unary(x);
                    default -> batchnorm(x);
                };
            }
            if (r.nextBoolean()) {
                int[] s = shapes.get(x);
                String g = op(r.nextBoolean() ? "globalavgpool" : "globalmaxpool", "", new int[] {1, s[1], 1, 1}, x);
                String flat = op("reshape", "shape: [0, -1]", new int[] {1, s[1]}, g);
                int classes = 1 + r.nextInt(20);
                x = op("matmul", "features: " + classes + (r.nextBoolean() ? ", bias: true" : ""), new int[] {1, classes},
                        flat);
                if (r.nextBoolean()) {
                    op("softmax", "", new int[] {1, classes}, x);
                }
            }
            return finish("image");
        }

        /** A convolution with random kernel, stride, dilation, groups and padding that keeps H, W >= 1. */
        String conv(String x, boolean random) {
            int[] s = shapes.get(x);
            int cin = s[1];
            int k = random ? pick(r, 1, 1, 3, 3, 5, 7) : 3;
            int stride = random && r.nextInt(3) == 0 ? 2 : 1;
            int dil = random && k > 1 && r.nextInt(4) == 0 ? 2 : 1;
            int span = dil * (k - 1) + 1;
            boolean same = !random || r.nextBoolean();
            int pad = same ? 0 : r.nextInt(k);
            if (!same && (s[2] + 2 * pad < span || s[3] + 2 * pad < span)) {
                same = true;
            }
            int groups = 1;
            int cout = 1 + r.nextInt(32);
            if (random && r.nextInt(3) == 0 && cin > 1) {
                if (r.nextBoolean()) {
                    groups = cin; // depthwise
                    cout = cin * (1 + r.nextInt(2));
                } else {
                    for (int g = 2; g <= cin; g++) {
                        if (cin % g == 0) {
                            groups = g;
                            break;
                        }
                    }
                    cout = groups * (1 + r.nextInt(4));
                }
            }
            if (!random) {
                cout = cin;
                stride = 1;
            }
            int oh = same ? (s[2] + stride - 1) / stride : (s[2] + 2 * pad - span) / stride + 1;
            int ow = same ? (s[3] + stride - 1) / stride : (s[3] + 2 * pad - span) / stride + 1;
            String fields = "channels: " + cout + ", kernel: " + k + (stride > 1 ? ", stride: " + stride : "")
                    + (dil > 1 ? ", dilation: " + dil : "") + (groups > 1 ? ", groups: " + groups : "")
                    + ", padding: " + (same ? "same" : String.valueOf(pad)) + (r.nextInt(3) == 0 ? ", bias: true" : "");
            String y = op("conv", fields, new int[] {1, cout, oh, ow}, x);
            return r.nextInt(3) == 0 ? y : unary(y);
        }

        String residual(String x) {
            String a = conv(x, false);
            String b = conv(a, false);
            return op(r.nextBoolean() ? "add" : "mul", "", shapes.get(x), b, x);
        }

        String branch(String x) {
            String a = conv(x, false);
            String b = r.nextBoolean() ? unary(x) : conv(x, false);
            int[] s = shapes.get(x);
            if (r.nextBoolean()) {
                return op("concat", "axis: 1", new int[] {1, 2 * s[1], s[2], s[3]}, a, b);
            }
            return op(r.nextBoolean() ? "add" : "max", "", s, a, b);
        }

        String pool(String x) {
            int[] s = shapes.get(x);
            if (s[2] < 2 || s[3] < 2) {
                return unary(x);
            }
            int k = 2;
            int stride = r.nextBoolean() ? 2 : 1;
            return op(r.nextBoolean() ? "maxpool" : "avgpool", "kernel: " + k + ", stride: " + stride,
                    new int[] {1, s[1], (s[2] - k) / stride + 1, (s[3] - k) / stride + 1}, x);
        }

        String split(String x) {
            int[] s = shapes.get(x);
            if (s[1] < 2) {
                return unary(x);
            }
            int first = 1 + r.nextInt(s[1] - 1);
            String a = name("part");
            String b = name("part");
            ops.add("  - {name: " + name("split") + ", op: split, inputs: [" + x + "], axis: 1, sizes: [" + first + ", "
                    + (s[1] - first) + "], outputs: [" + a + ", " + b + "]}");
            shapes.put(a, new int[] {1, first, s[2], s[3]});
            shapes.put(b, new int[] {1, s[1] - first, s[2], s[3]});
            String ua = unary(a);
            return op("concat", "axis: 1", s, ua, b);
        }

        String resize(String x) {
            int[] s = shapes.get(x);
            if (s[2] * 2 > 64 || s[3] * 2 > 64) {
                return unary(x);
            }
            boolean linear = r.nextBoolean();
            return op("resize", "scale: 2" + (linear ? ", mode: linear" : ""), new int[] {1, s[1], 2 * s[2], 2 * s[3]},
                    x);
        }

        String batchnorm(String x) {
            return op("batchnorm", "", shapes.get(x), x);
        }
    }

    private static final class Tokens extends Writer {
        Tokens(Random r, long seed) {
            super(r, seed);
        }

        String build(int blocks) {
            return build(blocks, Integer.MAX_VALUE);
        }

        String build(int blocks, int maxOps) {
            int seq = 1 + r.nextInt(32);
            int heads = 1 + r.nextInt(4);
            int d = heads * (1 + r.nextInt(16));
            String x;
            if (r.nextBoolean()) {
                String t = input("tokens", new int[] {1, seq}, true);
                x = op("embedding", "vocabulary: " + (2 + r.nextInt(500)) + ", features: " + d, new int[] {1, seq, d}, t);
            } else {
                x = input("x", new int[] {1, seq, d}, false);
            }
            for (int b = 0; b < blocks && (maxOps == Integer.MAX_VALUE || ops.size() < maxOps); b++) {
                x = switch (r.nextInt(3)) {
                    case 0 -> attention(x, heads);
                    case 1 -> mlp(x);
                    default -> op("layernorm", "", shapes.get(x), x);
                };
            }
            if (r.nextBoolean()) {
                int v = 2 + r.nextInt(100);
                int[] s = shapes.get(x);
                op("matmul", "features: " + v, new int[] {1, s[1], v}, x);
            }
            return finish("tokens");
        }

        String attention(String x, int heads) {
            int[] s = shapes.get(x);
            int seq = s[1];
            int d = s[2];
            int hd = d / heads;
            String n = op("layernorm", "", s, x);
            String[] qkv = new String[3];
            for (int i = 0; i < 3; i++) {
                String p = op("matmul", "features: " + d + ", bias: true", s, n);
                String rs = op("reshape", "shape: [0, " + seq + ", " + heads + ", " + hd + "]",
                        new int[] {1, seq, heads, hd}, p);
                qkv[i] = op("transpose", "perm: [0, 2, 1, 3]", new int[] {1, heads, seq, hd}, rs);
            }
            String scores = op("matmul", "transposeB: true", new int[] {1, heads, seq, seq}, qkv[0], qkv[1]);
            String scaled = op("scale", "", new int[] {1, heads, seq, seq}, scores);
            String probs = op("softmax", "axis: -1", new int[] {1, heads, seq, seq}, scaled);
            String ctx = op("matmul", "", new int[] {1, heads, seq, hd}, probs, qkv[2]);
            String back = op("transpose", "perm: [0, 2, 1, 3]", new int[] {1, seq, heads, hd}, ctx);
            String merged = op("reshape", "shape: [0, " + seq + ", " + d + "]", s, back);
            String proj = op("matmul", "features: " + d, s, merged);
            return op("add", "", s, proj, x);
        }

        String mlp(String x) {
            int[] s = shapes.get(x);
            int hidden = 1 + r.nextInt(4 * s[2]);
            String up = op("matmul", "features: " + hidden + (r.nextBoolean() ? ", bias: true" : ""),
                    new int[] {1, s[1], hidden}, x);
            String act = op(r.nextBoolean() ? "gelu" : "relu", "", new int[] {1, s[1], hidden}, up);
            String down = op("matmul", "features: " + s[2], s, act);
            return r.nextBoolean() ? op("add", "", s, down, x) : down;
        }
    }
}

package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModel.Option;
import dev.sfd.segmentation.SegmentationModel.OperatorNode;
import dev.sfd.segmentation.SegmentationModel.TensorEdge;

/** Seeded synthetic segmentation models: small random chains with residual branches, and transformer stacks. */
final class SyntheticModels {
    private SyntheticModels() {
    }

    /**
     * A random chain of {@code n} operators where each operator may also read an earlier operator's output
     * (a residual branch); one network input read by the first operator (and maybe another), the last output is
     * the network output. Options trade buffer for compute cycles and weight re-fetches.
     */
    static SegmentationModel randomChain(Random random, int n) {
        return randomChain(random, n, false);
    }

    /**
     * As {@link #randomChain(Random, int)}; with {@code windows}, every internal tensor also gets random
     * option-dependent window terms (one per producer option, one list per consumer with one entry per
     * consumer option, some zero), drawn after everything else so the rest of the model is the same.
     */
    static SegmentationModel randomChain(Random random, int n, boolean windows) {
        List<OperatorNode> operators = new ArrayList<>();
        List<List<Integer>> consumersOf = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            operators.add(new OperatorNode("op" + i, randomOptions(random)));
            consumersOf.add(new ArrayList<>());
        }
        List<Integer> inputConsumers = new ArrayList<>(List.of(0));
        for (int i = 1; i < n; i++) {
            consumersOf.get(i - 1).add(i);
            if (i >= 2 && random.nextInt(3) == 0) {
                consumersOf.get(random.nextInt(i - 1)).add(i);
            }
        }
        if (n > 2 && random.nextBoolean()) {
            inputConsumers.add(1 + random.nextInt(n - 1));
        }
        List<TensorEdge> tensors = new ArrayList<>();
        tensors.add(new TensorEdge("input", -1, inputConsumers, 1000 + random.nextInt(4000), 0, false));
        for (int i = 0; i < n; i++) {
            long bytes = 1000 + random.nextInt(8000);
            long onChip = bytes / (1 + random.nextInt(4));
            tensors.add(new TensorEdge("t" + i, i, consumersOf.get(i), bytes, onChip, i == n - 1));
        }
        long capacity = 6000 + random.nextInt(14000);
        if (windows) {
            for (int i = 1; i < tensors.size(); i++) {
                TensorEdge t = tensors.get(i);
                List<Long> producerWindow = randomWindow(random, operators.get(t.producer()).options().size());
                List<List<Long>> consumerWindows = new ArrayList<>();
                if (random.nextInt(4) != 0) {
                    for (int c : t.consumers()) {
                        int options = operators.get(c).options().size();
                        List<Long> window = randomWindow(random, options);
                        consumerWindows.add(window.isEmpty() ? java.util.Collections.nCopies(options, 0L) : window);
                    }
                }
                tensors.set(i, new TensorEdge(t.name(), t.producer(), t.consumers(), t.bytes(), t.onChipBytes(),
                        t.networkOutput(), producerWindow, consumerWindows));
            }
        }
        return new SegmentationModel(operators, tensors, capacity, 4 + random.nextInt(8), 20.0, 50);
    }

    /** Window bytes per option: none at all (one time in four), or 0..1999 bytes each, some options zero. */
    private static List<Long> randomWindow(Random random, int options) {
        if (random.nextInt(4) == 0) {
            return List.of();
        }
        List<Long> window = new ArrayList<>();
        for (int o = 0; o < options; o++) {
            window.add(random.nextInt(5) == 0 ? 0L : (long) random.nextInt(2000));
        }
        return window;
    }

    private static List<Option> randomOptions(Random random) {
        int count = 1 + random.nextInt(3);
        long buffer = 500 + random.nextInt(2500);
        long compute = 500 + random.nextInt(4000);
        long weights = random.nextInt(4) == 0 ? 0 : 500 + random.nextInt(6000);
        List<Option> options = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            // A bigger working set: fewer cycles and fewer weight re-fetches.
            options.add(new Option(buffer << k, compute * 4 / (4 + k), weights * (count - k), compute * 0.6 + (buffer << k) * 0.01));
        }
        return options;
    }

    /**
     * A BERT-like encoder stack of {@code layers} layers, 14 operators each (two layer norms, Q/K/V, QK^T,
     * softmax, AV, projection, residual add, FC1, GELU, FC2, residual add), seq 128, hidden 768, int8, on a
     * 1 MiB buffer with 16 B/cycle of DRAM and a 1024-MAC array. Small seeded jitter per layer.
     */
    static SegmentationModel transformer(int layers, long seed) {
        Random random = new Random(seed);
        int seq = 128;
        int hidden = 768;
        long act = (long) seq * hidden;
        long scores = (long) seq * seq * 12;
        List<OperatorNode> operators = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        List<List<Integer>> consumers = new ArrayList<>();
        int embed = add(operators, consumers, "embed", vectorOptions(act, random));
        tensors.add(new TensorEdge("tokens", -1, List.of(embed), seq * 4L, 0, false));
        int x = embed;
        for (int l = 0; l < layers; l++) {
            String p = "l" + l + ".";
            int ln1 = add(operators, consumers, p + "ln1", vectorOptions(act, random));
            consumers.get(x).add(ln1);
            int q = add(operators, consumers, p + "q", matmulOptions(act * hidden, (long) hidden * hidden, act, random));
            int k = add(operators, consumers, p + "k", matmulOptions(act * hidden, (long) hidden * hidden, act, random));
            int v = add(operators, consumers, p + "v", matmulOptions(act * hidden, (long) hidden * hidden, act, random));
            consumers.get(ln1).addAll(List.of(q, k, v));
            int qk = add(operators, consumers, p + "qk", matmulOptions(scores * 64, 0, scores, random));
            consumers.get(q).add(qk);
            consumers.get(k).add(qk);
            int softmax = add(operators, consumers, p + "softmax", vectorOptions(scores, random));
            consumers.get(qk).add(softmax);
            int av = add(operators, consumers, p + "av", matmulOptions(scores * 64, 0, act, random));
            consumers.get(softmax).add(av);
            consumers.get(v).add(av);
            int proj = add(operators, consumers, p + "proj", matmulOptions(act * hidden, (long) hidden * hidden, act, random));
            consumers.get(av).add(proj);
            int add1 = add(operators, consumers, p + "add1", vectorOptions(act, random));
            consumers.get(proj).add(add1);
            consumers.get(x).add(add1);
            int ln2 = add(operators, consumers, p + "ln2", vectorOptions(act, random));
            consumers.get(add1).add(ln2);
            int fc1 = add(operators, consumers, p + "fc1", matmulOptions(act * hidden * 4, (long) hidden * hidden * 4, act * 4, random));
            consumers.get(ln2).add(fc1);
            int gelu = add(operators, consumers, p + "gelu", vectorOptions(act * 4, random));
            consumers.get(fc1).add(gelu);
            int fc2 = add(operators, consumers, p + "fc2", matmulOptions(act * hidden * 4, (long) hidden * hidden * 4, act, random));
            consumers.get(gelu).add(fc2);
            int add2 = add(operators, consumers, p + "add2", vectorOptions(act, random));
            consumers.get(fc2).add(add2);
            consumers.get(add1).add(add2);
            x = add2;
        }
        for (int i = 0; i < operators.size(); i++) {
            String name = operators.get(i).name();
            long bytes = name.endsWith("qk") || name.endsWith("softmax") ? scores
                    : name.endsWith("fc1") || name.endsWith("gelu") ? act * 4 : act;
            boolean residual = name.equals("embed") || name.endsWith("add1") || name.endsWith("add2");
            // Skip tensors are held whole; chains between matmuls keep a band of rows (a quarter).
            long onChip = residual ? bytes : bytes / 4;
            tensors.add(new TensorEdge(name + ".out", i, consumers.get(i), bytes, onChip, i == x));
        }
        return new SegmentationModel(operators, tensors, 1L << 20, 16.0, 20.0, 200);
    }

    private static int add(List<OperatorNode> operators, List<List<Integer>> consumers, String name,
                           List<Option> options) {
        operators.add(new OperatorNode(name, options));
        consumers.add(new ArrayList<>());
        return operators.size() - 1;
    }

    /** Weight-resident (big buffer, weights once) down to streamed (small buffer, weights re-fetched). */
    private static List<Option> matmulOptions(long macs, long weightBytes, long outBytes, Random random) {
        long cycles = macs / 1024;
        double jitter = 1 + random.nextDouble() * 0.1;
        List<Option> options = new ArrayList<>();
        long[] buffers = {16 << 10, 64 << 10, 256 << 10};
        for (int k = 0; k < buffers.length; k++) {
            long refetch = weightBytes == 0 ? 0 : weightBytes * (buffers.length - k);
            long compute = (long) (cycles * jitter * (1.0 + 0.15 * (buffers.length - 1 - k)));
            options.add(new Option(buffers[k], compute, refetch, macs * 0.2 + outBytes * 0.5));
        }
        return options;
    }

    private static List<Option> vectorOptions(long elements, Random random) {
        long cycles = (long) (elements / 64 * (1 + random.nextDouble() * 0.1));
        return List.of(new Option(8 << 10, cycles, 0, elements * 0.1));
    }
}

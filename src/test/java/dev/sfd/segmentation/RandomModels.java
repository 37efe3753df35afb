package dev.sfd.segmentation;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random segmentation models: DAGs with branches and residual joins, 1-3 options per operator. */
public final class RandomModels {
    private RandomModels() {
    }

    /**
     * A random model of {@code n} operators in topological order. Operator {@code i > 0} reads the previous
     * operator's tensor and, with some probability, one more earlier tensor (a residual join or a branch).
     *
     * @param chain when true every operator reads only its predecessor (a chain: every order is the same)
     * @param maxChoiceProduct bound on the product of option counts (keeps brute force small)
     */
    public static SegmentationModel random(Random r, int n, boolean chain, long maxChoiceProduct) {
        List<List<Integer>> consumers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            consumers.add(new ArrayList<>());
        }
        List<Integer> extraReads = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            consumers.get(i - 1).add(i);
            if (!chain && i >= 2 && r.nextDouble() < 0.4) {
                int src = r.nextInt(i - 1);
                if (!consumers.get(src).contains(i)) {
                    consumers.get(src).add(i);
                }
            }
        }
        List<SegmentationModel.OperatorNode> ops = new ArrayList<>();
        long product = 1;
        for (int i = 0; i < n; i++) {
            int k = 1 + r.nextInt(3);
            while (k > 1 && product * k > maxChoiceProduct) {
                k--;
            }
            product *= k;
            List<SegmentationModel.Option> opts = new ArrayList<>();
            for (int o = 0; o < k; o++) {
                opts.add(new SegmentationModel.Option(100 + r.nextInt(900), 1000 + r.nextInt(20000),
                        r.nextInt(4) == 0 ? 0 : r.nextInt(30000), r.nextInt(5000)));
            }
            ops.add(new SegmentationModel.OperatorNode("op" + i, opts));
        }
        List<SegmentationModel.TensorEdge> tensors = new ArrayList<>();
        tensors.add(new SegmentationModel.TensorEdge("in", -1, List.of(0), 5000 + r.nextInt(20000), 0, false));
        for (int i = 0; i < n; i++) {
            List<Integer> cs = consumers.get(i);
            long bytes = 1000 + r.nextInt(40000);
            boolean out = cs.isEmpty() || (i == n - 1);
            List<Long> pw = List.of();
            List<List<Long>> cw = List.of();
            if (r.nextBoolean()) {
                List<Long> p = new ArrayList<>();
                for (int o = 0; o < ops.get(i).options().size(); o++) {
                    p.add((long) r.nextInt(500));
                }
                List<List<Long>> c = new ArrayList<>();
                for (int ci : cs) {
                    List<Long> l = new ArrayList<>();
                    for (int o = 0; o < ops.get(ci).options().size(); o++) {
                        l.add((long) r.nextInt(500));
                    }
                    c.add(l);
                }
                pw = p;
                cw = c;
            }
            tensors.add(new SegmentationModel.TensorEdge("t" + i, i, cs, bytes, r.nextInt((int) Math.min(bytes, 2000)),
                    out, pw, cw));
        }
        long capacity = 800 + r.nextInt(4000);
        return new SegmentationModel(ops, tensors, capacity, 2 + r.nextInt(30), 1 + r.nextInt(100), r.nextInt(500));
    }

    /**
     * Whether some option choice lets segment [i, j) of the order fit the buffer (every other operator alone, each
     * with any option: only the segment's own buffer is read).
     */
    public static boolean someChoiceFits(SegmentationModel m, int i, int j) {
        int n = m.operators().size();
        int[] choice = new int[n];
        while (true) {
            List<SegmentationModel.Part> parts = new ArrayList<>();
            int segmentIndex = -1;
            for (int k = 0; k < n; k++) {
                if (k == i) {
                    List<Integer> ops = new ArrayList<>();
                    List<Integer> ch = new ArrayList<>();
                    for (int q = i; q < j; q++) {
                        ops.add(q);
                        ch.add(choice[q]);
                    }
                    segmentIndex = parts.size();
                    parts.add(new SegmentationModel.Part(ops, ch));
                    k = j - 1;
                } else {
                    parts.add(new SegmentationModel.Part(List.of(k), List.of(0)));
                }
            }
            SegmentationModel.Evaluation e = m.evaluate(parts);
            if (!e.parts().isEmpty() && e.parts().get(segmentIndex).fits(m.capacityBytes())) {
                return true;
            }
            int k = i;
            while (k < j && ++choice[k] == m.operators().get(k).options().size()) {
                choice[k] = 0;
                k++;
            }
            if (k == j) {
                return false;
            }
        }
    }

    /** Every contiguous segmentation of the order with every choice of options: the best score, by brute force. */
    public static double bruteForceContiguous(SegmentationModel m, Objective objective) {
        int n = m.operators().size();
        double best = Double.MAX_VALUE;
        for (int cuts = 0; cuts < (1 << (n - 1)); cuts++) {
            int[] choice = new int[n];
            while (true) {
                List<SegmentationModel.Part> parts = new ArrayList<>();
                List<Integer> ops = new ArrayList<>();
                List<Integer> ch = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    ops.add(i);
                    ch.add(choice[i]);
                    if (i == n - 1 || (cuts & (1 << i)) != 0) {
                        parts.add(new SegmentationModel.Part(ops, ch));
                        ops = new ArrayList<>();
                        ch = new ArrayList<>();
                    }
                }
                best = Math.min(best, objective.score(m.evaluate(parts)));
                int k = 0;
                while (k < n && ++choice[k] == m.operators().get(k).options().size()) {
                    choice[k] = 0;
                    k++;
                }
                if (k == n) {
                    break;
                }
            }
        }
        return best;
    }
}

package dev.sfd.segmentation.cpsat;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentationModel;

import java.util.ArrayList;
import java.util.List;

/**
 * The CP-SAT segmenter's brute-force twin: every partition of the operators into segments (restricted growth
 * strings) whose segment graph is acyclic, segments in a topological order, times every choice of options.
 */
final class ConvexBruteForce {
    private ConvexBruteForce() {
    }

    /** The best score over all convex segmentations and option choices ({@code Double.MAX_VALUE} if none fits). */
    static double best(SegmentationModel m, Objective objective) {
        int n = m.operators().size();
        int[] block = new int[n];
        double[] best = {Double.MAX_VALUE};
        partitions(m, objective, block, 1, 1, best);
        return best[0];
    }

    private static void partitions(SegmentationModel m, Objective objective, int[] block, int i, int blocks,
                                   double[] best) {
        int n = block.length;
        if (i == n) {
            order(m, block, blocks).ifPresent(order -> choices(m, objective, block, order, best));
            return;
        }
        for (int b = 0; b <= blocks; b++) {
            block[i] = b;
            partitions(m, objective, block, i + 1, Math.max(blocks, b + 1), best);
        }
    }

    /** A topological order of the blocks, or empty when the segment graph has a cycle. */
    private static java.util.Optional<int[]> order(SegmentationModel m, int[] block, int blocks) {
        boolean[][] edge = new boolean[blocks][blocks];
        for (SegmentationModel.TensorEdge t : m.tensors()) {
            if (t.producer() < 0) {
                continue;
            }
            for (int c : t.consumers()) {
                int a = block[t.producer()];
                int b = block[c];
                if (a != b) {
                    edge[a][b] = true;
                }
            }
        }
        int[] indeg = new int[blocks];
        for (int a = 0; a < blocks; a++) {
            for (int b = 0; b < blocks; b++) {
                if (edge[a][b]) {
                    indeg[b]++;
                }
            }
        }
        int[] order = new int[blocks];
        boolean[] done = new boolean[blocks];
        for (int k = 0; k < blocks; k++) {
            int next = -1;
            for (int b = 0; b < blocks && next < 0; b++) {
                if (!done[b] && indeg[b] == 0) {
                    next = b;
                }
            }
            if (next < 0) {
                return java.util.Optional.empty();
            }
            done[next] = true;
            order[k] = next;
            for (int b = 0; b < blocks; b++) {
                if (edge[next][b]) {
                    indeg[b]--;
                }
            }
        }
        return java.util.Optional.of(order);
    }

    private static void choices(SegmentationModel m, Objective objective, int[] block, int[] order, double[] best) {
        int n = block.length;
        int[] choice = new int[n];
        while (true) {
            List<SegmentationModel.Part> parts = new ArrayList<>();
            for (int b : order) {
                List<Integer> ops = new ArrayList<>();
                List<Integer> ch = new ArrayList<>();
                for (int v = 0; v < n; v++) {
                    if (block[v] == b) {
                        ops.add(v);
                        ch.add(choice[v]);
                    }
                }
                parts.add(new SegmentationModel.Part(ops, ch));
            }
            best[0] = Math.min(best[0], objective.score(m.evaluate(parts)));
            int k = 0;
            while (k < n && ++choice[k] == m.operators().get(k).options().size()) {
                choice[k] = 0;
                k++;
            }
            if (k == n) {
                return;
            }
        }
    }
}

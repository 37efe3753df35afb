package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.sfd.segmentation.SegmentationModel;

/**
 * The test's exhaustive reference over contiguous segmentations of the model's topological order x options.
 * A segment's cost depends only on its own operators, options and boundaries, so every interval's option
 * combinations are enumerated once (scored by {@link SegmentationModel#evaluate}) and every cut mask combines
 * the interval optima: the same optimum as enumerating masks x options jointly, in far fewer evaluations.
 */
final class BruteForceSegmenter {
    private BruteForceSegmenter() {
    }

    /** The best legal plan by (latency, energy), or empty when no contiguous plan fits. */
    static Optional<List<SegmentationModel.Part>> solve(SegmentationModel model) {
        int n = model.operators().size();
        SegmentationModel.Part[][] bestPart = new SegmentationModel.Part[n][n];
        long[][] bestLatency = new long[n][n];
        double[][] bestEnergy = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a; b < n; b++) {
                bestLatency[a][b] = Long.MAX_VALUE;
                enumerate(model, a, b, new int[b - a + 1], 0, bestPart, bestLatency, bestEnergy);
            }
        }
        List<SegmentationModel.Part> best = null;
        long bestTotal = Long.MAX_VALUE;
        double bestTotalEnergy = Double.MAX_VALUE;
        for (int mask = 0; mask < 1 << (n - 1); mask++) {
            List<SegmentationModel.Part> parts = new ArrayList<>();
            long latency = 0;
            double energy = 0;
            int start = 0;
            boolean fits = true;
            for (int i = 0; i < n && fits; i++) {
                boolean cutAfter = i == n - 1 || (mask & (1 << i)) != 0;
                if (cutAfter) {
                    if (bestPart[start][i] == null) {
                        fits = false;
                    } else {
                        parts.add(bestPart[start][i]);
                        latency += bestLatency[start][i];
                        energy += bestEnergy[start][i];
                    }
                    start = i + 1;
                }
            }
            if (fits && (latency < bestTotal || latency == bestTotal && energy < bestTotalEnergy)) {
                best = parts;
                bestTotal = latency;
                bestTotalEnergy = energy;
            }
        }
        return Optional.ofNullable(best);
    }

    private static void enumerate(SegmentationModel model, int a, int b, int[] choice, int k,
                                  SegmentationModel.Part[][] bestPart, long[][] bestLatency, double[][] bestEnergy) {
        if (k == choice.length) {
            List<SegmentationModel.Part> parts = new ArrayList<>();
            if (a > 0) {
                parts.add(range(0, a - 1, null));
            }
            SegmentationModel.Part middle = range(a, b, choice);
            parts.add(middle);
            if (b < model.operators().size() - 1) {
                parts.add(range(b + 1, model.operators().size() - 1, null));
            }
            SegmentationModel.PartCost cost = model.evaluate(parts).parts().get(a > 0 ? 1 : 0);
            if (cost.fits(model.capacityBytes()) && (cost.latencyCycles() < bestLatency[a][b]
                    || cost.latencyCycles() == bestLatency[a][b] && cost.energyPj() < bestEnergy[a][b])) {
                bestPart[a][b] = middle;
                bestLatency[a][b] = cost.latencyCycles();
                bestEnergy[a][b] = cost.energyPj();
            }
            return;
        }
        for (int c = 0; c < model.operators().get(a + k).options().size(); c++) {
            choice[k] = c;
            enumerate(model, a, b, choice, k + 1, bestPart, bestLatency, bestEnergy);
        }
    }

    private static SegmentationModel.Part range(int a, int b, int[] choice) {
        List<Integer> operators = new ArrayList<>();
        List<Integer> choices = new ArrayList<>();
        for (int i = a; i <= b; i++) {
            operators.add(i);
            choices.add(choice == null ? 0 : choice[i - a]);
        }
        return new SegmentationModel.Part(operators, choices);
    }
}

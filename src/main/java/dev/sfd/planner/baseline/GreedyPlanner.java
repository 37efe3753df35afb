package dev.sfd.planner.baseline;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy fusion along the topological order: a segment grows by the next operator while the grown segment fits (the
 * timeline engine that the tile scheduler uses finds a tile order within the buffer, with the new operator on the
 * option whose output tile is nearest its predecessor's, else on its smallest-footprint option) and is not slower
 * than the segment and the operator apart;
 * otherwise the segment closes and the next one starts at that operator. Should the evaluation budget or the time limit run out,
 * the remaining operators run one by one.
 */
public final class GreedyPlanner extends FusionBaseline {
    public GreedyPlanner(Mapper mapper, BaselineSettings settings) {
        super(mapper, settings);
    }

    public GreedyPlanner() {
        this(new HeuristicMapper(), BaselineSettings.defaults());
    }

    @Override
    public String name() {
        return "greedy";
    }

    @Override
    protected Choice choose(SearchSpace space, Scorer scorer) {
        int n = space.size();
        int[] choices = new int[n];
        List<Integer> starts = new ArrayList<>();
        int from = 0;
        double price = scorer.segment(0, 1, choices);
        String stop = "done";
        for (int k = 1; k < n; k++) {
            double alone = scorer.segment(k, k + 1, choices);
            boolean grown = false;
            String why = scorer.stopReason();
            if (why != null) {
                stop = why + ": the rest layer by layer";
            } else if (k + 1 - from <= space.maxSegmentLength()) {
                int[] trial = choices.clone();
                scorer.count();
                double p = Double.POSITIVE_INFINITY;
                var aligned = space.input().alignedOption(k, k - 1, trial[k - 1]);
                if (aligned.isPresent()) {
                    trial[k] = aligned.getAsInt();
                    p = scorer.segment(from, k + 1, trial);
                }
                if (Double.isInfinite(p)) {
                    trial[k] = space.smallestOption(k);
                    p = scorer.segment(from, k + 1, trial);
                }
                if (p <= price + alone) {
                    System.arraycopy(trial, from, choices, from, k + 1 - from);
                    price = p;
                    grown = true;
                }
            }
            if (!grown) {
                starts.add(from);
                from = k;
                price = alone;
            }
        }
        starts.add(from);
        return new Choice(starts.stream().mapToInt(Integer::intValue).toArray(), choices, scorer.evaluations(), stop);
    }
}

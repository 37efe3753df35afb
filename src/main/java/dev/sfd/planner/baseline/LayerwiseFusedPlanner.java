package dev.sfd.planner.baseline;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Layer by layer with elementwise operators (activation, bias, batch norm, residual add) fused into their producer,
 * as DNN compilers do: every segment is one operator followed by the elementwise operators that read only the
 * previous one's output. The producer keeps its layer-by-layer mapping and each epilogue takes the option that prices
 * the group lowest (one pass of {@link Scorer#tune}); when the group does not fit that way every operator starts from
 * its smallest option; a group that does not fit at all is shortened from its end.
 */
public final class LayerwiseFusedPlanner extends FusionBaseline {
    public LayerwiseFusedPlanner(Mapper mapper, BaselineSettings settings) {
        super(mapper, settings);
    }

    public LayerwiseFusedPlanner() {
        this(new HeuristicMapper(), BaselineSettings.defaults());
    }

    @Override
    public String name() {
        return "layerwise-fused";
    }

    @Override
    protected boolean beatLayerwise() {
        return false;
    }

    @Override
    protected Choice choose(SearchSpace space, Scorer scorer) {
        int n = space.size();
        int[] choices = new int[n];
        List<Integer> starts = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int to = i + 1;
            while (to < n && to - i < space.maxSegmentLength() && Patterns.epilogue(space, to)) {
                to++;
            }
            to = fit(scorer, i, to, choices);
            starts.add(i);
            i = to;
        }
        return new Choice(starts.stream().mapToInt(Integer::intValue).toArray(), choices, starts.size(), "done");
    }

    /** The end of the longest prefix of [from, to) that fits once its options are tuned (at least one operator). */
    static int fit(Scorer scorer, int from, int to, int[] choices) {
        while (to - from > 1) {
            scorer.count();
            if (!Double.isInfinite(scorer.tune(from, to, choices, from + 1, 1))) {
                return to;
            }
            for (int k = from; k < to; k++) {
                choices[k] = SearchSpace.aloneOption();
            }
            to--;
        }
        return to;
    }
}

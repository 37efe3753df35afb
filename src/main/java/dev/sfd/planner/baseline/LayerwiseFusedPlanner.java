package dev.sfd.planner.baseline;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Layer by layer with elementwise operators (activation, bias, batch norm, residual add) fused into their producer,
 * as DNN compilers do: every segment is one operator followed by the elementwise operators that read only the
 * previous one's output. The producer keeps its layer-by-layer mapping and each epilogue runs on its producer's output
 * tile (the option whose P and Q tiles are nearest); when the group does not fit that way, one pass of
 * {@link Scorer#tune} over the epilogues' options (from every operator's smallest option if need be) looks for one
 * that does; a group that does not fit at all is shortened from its end.
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
            to = fit(space, scorer, i, to, choices);
            starts.add(i);
            i = to;
        }
        return new Choice(starts.stream().mapToInt(Integer::intValue).toArray(), choices, starts.size(), "done");
    }

    /**
     * Each operator after {@code from} takes the option that walks its predecessor's tiles
     * ({@link dev.sfd.segmentation.SegmentationInput#alignedOption}).
     */
    static void followProducer(SearchSpace space, int from, int to, int[] choices) {
        for (int k = from + 1; k < to; k++) {
            var o = space.input().alignedOption(k, k - 1, choices[k - 1]);
            if (o.isPresent()) {
                choices[k] = o.getAsInt();
            }
        }
    }

    /** The end of the longest prefix of [from, to) that fits once its options are tuned (at least one operator). */
    static int fit(SearchSpace space, Scorer scorer, int from, int to, int[] choices) {
        while (to - from > 1) {
            scorer.count();
            followProducer(space, from, to, choices);
            if (!Double.isInfinite(scorer.segment(from, to, choices))) {
                return to;
            }
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

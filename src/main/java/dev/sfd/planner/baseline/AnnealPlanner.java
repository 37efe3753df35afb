package dev.sfd.planner.baseline;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;

import java.util.SplittableRandom;

/**
 * Simulated annealing over segmentations and mapping options, in the style of SoMa: the state is a cut vector over the
 * topological order and one option per operator (the space of the SFD planner's segmenter), its cost the sum of the
 * tile-level prices of its segments (a fused segment that does not fit costs infinity and is never accepted). It starts
 * from layer by layer; each step applies one random move ({@link Moves}: merge, split, shift a boundary, change an
 * option, new options for a segment) and accepts it by the Metropolis rule, the temperature falling geometrically from
 * 5% to 0.01% of the starting cost over the evaluation budget or the time limit, whichever runs out faster. The best
 * state seen is returned.
 */
public final class AnnealPlanner extends FusionBaseline {
    static final double START_TEMPERATURE = 0.05;
    static final double END_TEMPERATURE = 1e-4;

    public AnnealPlanner(Mapper mapper, BaselineSettings settings) {
        super(mapper, settings);
    }

    public AnnealPlanner() {
        this(new HeuristicMapper(), BaselineSettings.defaults());
    }

    @Override
    public String name() {
        return "anneal";
    }

    @Override
    protected Choice choose(SearchSpace space, Scorer scorer) {
        int n = space.size();
        long startNanos = System.nanoTime();
        SplittableRandom rnd = Moves.random(settings().seed());
        boolean[] cut = Scorer.allCut(n);
        int[] choices = new int[n];
        double cost = scorer.score(cut, choices);
        scorer.count();
        double t0 = START_TEMPERATURE * cost;
        double t1 = END_TEMPERATURE * cost;
        boolean[] bestCut = cut.clone();
        int[] bestChoices = choices.clone();
        double best = cost;
        String stop;
        while ((stop = scorer.stopReason()) == null) {
            boolean[] c2 = cut.clone();
            int[] ch2 = choices.clone();
            Moves.apply(rnd, space, c2, ch2);
            scorer.count();
            if (!Moves.withinLength(c2, space.maxSegmentLength())) {
                continue;
            }
            double cost2 = scorer.score(c2, ch2);
            double progress = Math.max((double) scorer.evaluations() / settings().evaluations(),
                    (System.nanoTime() - startNanos) / (settings().timeLimitSeconds() * 1e9));
            double temperature = t0 * Math.pow(t1 / t0, Math.min(1, progress));
            double delta = cost2 - cost;
            if (delta <= 0 || (Double.isFinite(delta) && rnd.nextDouble() < Math.exp(-delta / temperature))) {
                cut = c2;
                choices = ch2;
                cost = cost2;
                if (cost < best) {
                    best = cost;
                    bestCut = cut.clone();
                    bestChoices = choices.clone();
                }
            }
        }
        return new Choice(Scorer.starts(bestCut), bestChoices, scorer.evaluations(), stop);
    }
}

package dev.sfd.planner.baseline;

import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A genetic algorithm over segmentations and mapping options, in the style of Cocco: a genome is a cut vector over the
 * topological order and one option per operator (the space of the SFD planner's segmenter), its fitness the sum of
 * the tile-level prices of its segments after repair (a fused segment that does not fit is cut at its middle until
 * every part fits). The first population is layer by layer plus mutants of it (each with 1 to n/8 random moves;
 * fully random genomes cost a pricing per segment each and used up the time limit before the first generation);
 * each generation keeps the {@link #ELITE} best, and breeds the rest by tournament selection, one-point crossover of
 * cuts and options together, and one to three random {@link Moves}. It stops at the evaluation budget or the time
 * limit and returns the best genome seen.
 */
public final class GeneticPlanner extends FusionBaseline {
    static final int POPULATION = 24;
    static final int ELITE = 2;
    static final int TOURNAMENT = 3;

    private record Genome(boolean[] cut, int[] choices, double cost) {
    }

    public GeneticPlanner(Mapper mapper, BaselineSettings settings) {
        super(mapper, settings);
    }

    public GeneticPlanner() {
        this(new HeuristicMapper(), BaselineSettings.defaults());
    }

    @Override
    public String name() {
        return "genetic";
    }

    @Override
    protected Choice choose(SearchSpace space, Scorer scorer) {
        int n = space.size();
        SplittableRandom rnd = Moves.random(settings().seed());
        List<Genome> population = new ArrayList<>();
        population.add(evaluate(scorer, space, Scorer.allCut(n), new int[n]));
        String stop = null;
        while (population.size() < POPULATION && (stop = scorer.stopReason()) == null) {
            // mutants of layer by layer: each differs in a few segments, so the first generation costs few pricings
            boolean[] cut = Scorer.allCut(n);
            int[] choices = new int[n];
            int moves = 1 + rnd.nextInt(Math.max(2, n / 8));
            for (int m = 0; m < moves; m++) {
                Moves.apply(rnd, space, cut, choices);
            }
            population.add(evaluate(scorer, space, cut, choices));
        }
        Comparator<Genome> byCost = Comparator.comparingDouble(Genome::cost);
        Genome best = population.stream().min(byCost).orElseThrow();
        while (stop == null && (stop = scorer.stopReason()) == null) {
            population.sort(byCost);
            List<Genome> next = new ArrayList<>(population.subList(0, Math.min(ELITE, population.size())));
            while (next.size() < POPULATION && (stop = scorer.stopReason()) == null) {
                Genome a = tournament(rnd, population);
                Genome b = tournament(rnd, population);
                int x = 1 + rnd.nextInt(Math.max(1, n - 1));
                boolean[] cut = new boolean[n];
                int[] choices = new int[n];
                for (int k = 0; k < n; k++) {
                    cut[k] = k < x ? a.cut()[k] : b.cut()[k];
                    choices[k] = k < x ? a.choices()[k] : b.choices()[k];
                }
                int moves = 1 + rnd.nextInt(3);
                for (int m = 0; m < moves; m++) {
                    Moves.apply(rnd, space, cut, choices);
                }
                Genome child = evaluate(scorer, space, cut, choices);
                next.add(child);
                if (child.cost() < best.cost()) {
                    best = child;
                }
            }
            population = next;
        }
        return new Choice(Scorer.starts(best.cut()), best.choices(), scorer.evaluations(), stop);
    }

    private static Genome evaluate(Scorer scorer, SearchSpace space, boolean[] cut, int[] choices) {
        limitLength(cut, space.maxSegmentLength());
        scorer.count();
        double cost = scorer.repair(cut, choices);
        return new Genome(cut, choices, cost);
    }

    /** Cuts segments longer than the limit. */
    private static void limitLength(boolean[] cut, int maxLength) {
        int run = 0;
        for (int k = 0; k < cut.length; k++) {
            if (!cut[k] && run >= maxLength) {
                cut[k] = true;
            }
            run = cut[k] ? 1 : run + 1;
        }
    }

    private static Genome tournament(SplittableRandom rnd, List<Genome> population) {
        Genome best = null;
        for (int i = 0; i < TOURNAMENT; i++) {
            Genome g = population.get(rnd.nextInt(population.size()));
            if (best == null || g.cost() < best.cost()) {
                best = g;
            }
        }
        return best;
    }
}

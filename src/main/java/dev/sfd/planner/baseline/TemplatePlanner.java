package dev.sfd.planner.baseline;

import dev.sfd.cost.Mapping;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Fusion by templates fixed before mapping, in the style of fused-layer CNN accelerators and template-based fusion
 * frameworks. At each operator, in topological order, the largest template that matches is tried:
 * <ol>
 *   <li><b>residual block</b>: from the first reader of a tensor that a binary elementwise operator (the residual
 *       add) also reads, up to that add and its trailing activations; in transformers these are the attention
 *       block and the MLP block;</li>
 *   <li><b>depthwise -> pointwise</b>: a depthwise conv, its activations, then a 1x1 conv and its activations;</li>
 *   <li><b>MLP</b>: linear, activation, linear;</li>
 *   <li><b>conv chain</b>: a conv or linear, its elementwise epilogues and a following pooling.</li>
 * </ol>
 * Producer and consumer share one tile shape: for each option of the template's first PE-array operator, every other
 * operator takes the option whose output tile has the same rows and columns (P, Q), the nearest when none has, and
 * the best-priced of those assignments is kept. A template that does not fit under any assignment is not used and
 * the next smaller one is tried; an operator in no template runs as in {@code layerwise-fused}.
 */
public final class TemplatePlanner extends FusionBaseline {
    public TemplatePlanner(Mapper mapper, BaselineSettings settings) {
        super(mapper, settings);
    }

    public TemplatePlanner() {
        this(new HeuristicMapper(), BaselineSettings.defaults());
    }

    @Override
    public String name() {
        return "template";
    }

    @Override
    protected Choice choose(SearchSpace space, Scorer scorer) {
        int n = space.size();
        int[] choices = new int[n];
        List<Integer> starts = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int to = -1;
            for (int end : candidates(space, i)) {
                if (sharedTile(space, scorer, i, end, choices)) {
                    to = end;
                    break;
                }
            }
            if (to < 0) {
                to = i + 1;
                while (to < n && to - i < space.maxSegmentLength() && Patterns.epilogue(space, to)) {
                    to++;
                }
                to = LayerwiseFusedPlanner.fit(space, scorer, i, to, choices);
            }
            starts.add(i);
            i = to;
        }
        return new Choice(starts.stream().mapToInt(Integer::intValue).toArray(), choices, scorer.evaluations(),
                "done");
    }

    /** Ends (exclusive) of the templates matching at {@code i}, largest first; each spans at least two operators. */
    static List<Integer> candidates(SearchSpace space, int i) {
        List<Integer> ends = new ArrayList<>();
        int n = space.size();
        residualEnd(space, i).ifPresent(ends::add);
        Operator op = space.operator(i);
        if (Patterns.depthwise(op)) {
            int k = epilogues(space, i + 1);
            if (k < n && Patterns.pointwise(space.operator(k))
                    && Patterns.soleConsumer(space.network(), space.operator(k - 1), space.operator(k))) {
                ends.add(epilogues(space, k + 1));
            }
        }
        if (Patterns.linear(op)) {
            int k = i + 1;
            if (k < n && Patterns.unaryElementwise(space.operator(k)) && Patterns.epilogue(space, k)
                    && k + 1 < n && Patterns.linear(space.operator(k + 1))
                    && Patterns.soleConsumer(space.network(), space.operator(k), space.operator(k + 1))) {
                ends.add(epilogues(space, k + 2));
            }
        }
        if (Patterns.peArray(op)) {
            int k = epilogues(space, i + 1);
            if (k < n && Patterns.pool(space.operator(k))
                    && Patterns.soleConsumer(space.network(), space.operator(k - 1), space.operator(k))) {
                k++;
            }
            if (k - i >= 2) {
                ends.add(k);
            }
        }
        List<Integer> kept = new ArrayList<>();
        for (int e : ends) {
            if (e - i >= 2 && e - i <= space.maxSegmentLength() && !kept.contains(e)) {
                kept.add(e);
            }
        }
        kept.sort((a, b) -> Integer.compare(b, a));
        return kept;
    }

    /** After operator {@code k - 1}: the index past its chain of elementwise epilogues. */
    private static int epilogues(SearchSpace space, int k) {
        while (k < space.size() && Patterns.epilogue(space, k)) {
            k++;
        }
        return k;
    }

    /**
     * The residual block starting at {@code i}: some input tensor of operator {@code i} is also read by a later
     * binary elementwise operator (the add); the block runs to that add (the nearest one) and its epilogues.
     */
    private static Optional<Integer> residualEnd(SearchSpace space, int i) {
        Operator first = space.operator(i);
        int best = -1;
        for (String in : first.inputs()) {
            for (Operator reader : space.network().consumers(in)) {
                int a = space.network().topoIndex(reader.name());
                if (a > i && Patterns.binaryElementwise(reader) && (best < 0 || a < best)) {
                    best = a;
                }
            }
        }
        if (best < 0) {
            return Optional.empty();
        }
        // every operator of the block must read something produced in it, or the block's input: a contiguous range
        // that swallows an unrelated branch is no residual block
        for (int k = i + 1; k <= best; k++) {
            Operator op = space.operator(k);
            boolean linked = false;
            for (String in : op.inputs()) {
                int p = space.network().producer(in).map(o -> space.network().topoIndex(o.name())).orElse(-1);
                linked |= (p >= i && p < k) || first.inputs().contains(in);
            }
            if (!linked) {
                return Optional.empty();
            }
        }
        return Optional.of(epilogues(space, best + 1));
    }

    /**
     * Gives the template [from, to) one shared output tile shape: for each option of its first PE-array operator,
     * the operators before it take their option with the same P and Q tile (else the nearest), those after it the
     * option walking their predecessor's tiles (an elementwise operator's matched option, else the nearest P and Q),
     * the best-priced assignment wins.
     * Writes it into {@code choices} and returns true when one fits.
     */
    private static boolean sharedTile(SearchSpace space, Scorer scorer, int from, int to, int[] choices) {
        int anchor = from;
        for (int k = from; k < to; k++) {
            if (Patterns.peArray(space.operator(k))) {
                anchor = k;
                break;
            }
        }
        double best = Double.POSITIVE_INFINITY;
        int[] bestChoices = null;
        int[] trial = choices.clone();
        for (int a = 0; a < space.options(anchor); a++) {
            Optional<Mapping> am = space.input().mapping(anchor, a);
            if (am.isEmpty()) {
                continue;
            }
            int p = am.get().tile(LoopDim.P);
            int q = am.get().tile(LoopDim.Q);
            for (int k = from; k < to; k++) {
                // after the anchor: the option walking the predecessor's tiles (an elementwise consumer's matched one)
                OptionalInt aligned = k > anchor ? space.input().alignedOption(k, k - 1, trial[k - 1])
                        : OptionalInt.empty();
                trial[k] = k == anchor ? a
                        : aligned.isPresent() ? aligned.getAsInt() : space.input().nearestTileOption(k, p, q);
            }
            scorer.count();
            double price = scorer.segment(from, to, trial);
            if (price < best) {
                best = price;
                bestChoices = trial.clone();
            }
        }
        if (bestChoices == null) {
            return false;
        }
        System.arraycopy(bestChoices, from, choices, from, to - from);
        return true;
    }
}

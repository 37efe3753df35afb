package dev.sfd.planner.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores segmentations of a {@link SearchSpace} at tile level and keeps a search's evaluation count against its
 * budget and deadline. A segmentation is given by its segment starts (ascending, the first 0) or, for the search
 * baselines, by a cut vector ({@code cut[k]}: a segment starts at operator {@code k}; {@code cut[0]} is true).
 * A single operator whose option does not fit, or has more tile events than the limit, is priced at its
 * layer-by-layer schedule: that is what the assembler runs for it ({@link SearchSpace#fusion} gives it its
 * layer-by-layer mapping in the second case).
 */
public final class Scorer {
    private final SearchSpace space;
    private final long budget;
    private final long deadlineNanos;
    private long evaluations;

    public Scorer(SearchSpace space, long budget, long deadlineNanos) {
        this.space = space;
        this.budget = budget;
        this.deadlineNanos = deadlineNanos;
    }

    /** Price of segment [from, to) under {@code choices}: tile-level cycles, or infinity when a fused one does not fit. */
    public double segment(int from, int to, int[] choices) {
        if (to - from == 1 && space.oversized(from, choices[from])) {
            return space.layerwiseCycles(from);
        }
        double p = space.price(from, to, choices);
        if (Double.isInfinite(p) && to - from == 1) {
            return space.layerwiseCycles(from);
        }
        return p;
    }

    /** Total price of a segmentation given by its starts. */
    public double score(int[] starts, int[] choices) {
        double total = 0;
        for (int s = 0; s < starts.length; s++) {
            total += segment(starts[s], s + 1 < starts.length ? starts[s + 1] : space.size(), choices);
            if (Double.isInfinite(total)) {
                return total;
            }
        }
        return total;
    }

    /** Total price of a segmentation given by its cut vector. */
    public double score(boolean[] cut, int[] choices) {
        return score(starts(cut), choices);
    }

    /** Counts one scored candidate solution. */
    public void count() {
        evaluations++;
    }

    public long evaluations() {
        return evaluations;
    }

    /** Why a search must stop now, or null while it may go on. */
    public String stopReason() {
        if (evaluations >= budget) {
            return "evaluation budget";
        }
        if (System.nanoTime() >= deadlineNanos) {
            return "time limit";
        }
        return null;
    }

    /** The segment starts of a cut vector. */
    public static int[] starts(boolean[] cut) {
        int n = 0;
        for (boolean c : cut) {
            n += c ? 1 : 0;
        }
        int[] s = new int[n];
        int i = 0;
        for (int k = 0; k < cut.length; k++) {
            if (cut[k]) {
                s[i++] = k;
            }
        }
        return s;
    }

    /**
     * Coordinate descent over the options of segment [from, to): starting from {@code choices} (or, when those do
     * not fit, from every operator's smallest-footprint option), each operator from {@code firstTuned} on in turn
     * takes the option that prices the segment lowest, for at most {@code rounds} passes.
     * Updates {@code choices} in place and returns the segment's price (infinite when nothing tried fits).
     */
    public double tune(int from, int to, int[] choices, int firstTuned, int rounds) {
        double best = segment(from, to, choices);
        if (Double.isInfinite(best)) {
            int[] small = choices.clone();
            for (int k = from; k < to; k++) {
                small[k] = space.smallestOption(k);
            }
            double p = segment(from, to, small);
            if (Double.isInfinite(p)) {
                return p;
            }
            System.arraycopy(small, from, choices, from, to - from);
            best = p;
        }
        for (int r = 0; r < rounds; r++) {
            boolean improved = false;
            for (int k = Math.max(from, firstTuned); k < to; k++) {
                int kept = choices[k];
                for (int o = 0; o < space.options(k); o++) {
                    if (o == kept) {
                        continue;
                    }
                    int was = choices[k];
                    choices[k] = o;
                    if (to - from > 1 && space.lowerBound(from, to, choices) >= best) {
                        choices[k] = was;
                        continue;
                    }
                    double p = segment(from, to, choices);
                    if (p < best) {
                        best = p;
                        improved = true;
                    } else {
                        choices[k] = was;
                    }
                }
            }
            if (!improved) {
                break;
            }
        }
        return best;
    }

    /**
     * Makes every segment of a cut vector fit: a fused segment whose price is infinite is cut in two at its middle
     * and each half checked again (single operators always have a price). Returns the total price.
     */
    public double repair(boolean[] cut, int[] choices) {
        int[] starts = starts(cut);
        double total = 0;
        for (int s = 0; s < starts.length; s++) {
            total += repairRange(starts[s], s + 1 < starts.length ? starts[s + 1] : space.size(), cut, choices);
        }
        return total;
    }

    private double repairRange(int from, int to, boolean[] cut, int[] choices) {
        double p = segment(from, to, choices);
        if (!Double.isInfinite(p)) {
            return p;
        }
        int mid = from + (to - from) / 2;
        cut[mid] = true;
        return repairRange(from, mid, cut, choices) + repairRange(mid, to, cut, choices);
    }

    /** The segments [from, to) of a cut vector, in order. */
    public static List<int[]> ranges(boolean[] cut) {
        int[] s = starts(cut);
        List<int[]> l = new ArrayList<>(s.length);
        for (int i = 0; i < s.length; i++) {
            l.add(new int[] {s[i], i + 1 < s.length ? s[i + 1] : cut.length});
        }
        return l;
    }

    /** Every operator alone with option 0 (the layer-by-layer plan): always a legal start. */
    public static boolean[] allCut(int n) {
        boolean[] c = new boolean[n];
        Arrays.fill(c, true);
        return c;
    }
}

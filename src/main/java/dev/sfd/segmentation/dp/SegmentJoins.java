package dev.sfd.segmentation.dp;

import dev.sfd.segmentation.SegmentPricer;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joins adjacent segments of a priced segmentation where the joined segment, each operator keeping its option, prices
 * lower ({@link #join}), and the exact grouping step behind it ({@link #best}): given {@code m} segments in order
 * and the price of every run of at most {@code span} consecutive ones joined into one segment, the runs whose prices
 * sum least, by a DP over run ends, {@code O(m span)}:
 * {@code best[t] = min over s in [t - span, t) of best[s] + price(s, t)}; ties keep the shorter run (fewer joins).
 *
 * <p>Why it exists: the priced DP prices a candidate segment with the options the additive model picks for it and
 * the pricer's alternatives; the model holds fused intermediates whole and charges every operator's stand-alone
 * tiles, so for a long segment it often picks options that price badly or not at all, and the DP keeps the short
 * segments it could price well. The options the DP already chose for the short ones, joined, are another choice for
 * the long segment: on ResNet-50 at 8 MiB, the DP's answer of four to eleven segments joins into one, from 2.34 to
 * 1.72 million priced cycles (benchmarks/README.md, "Priced DP: joined segments").
 */
public final class SegmentJoins {
    private static final Logger LOGGER = LogManager.getLogger();
    /**
     * Longest run of consecutive segments tried joined per pass; passes repeat until nothing joins, so longer runs
     * grow from pairs. Measured (benchmarks/README.md, "Priced DP: joined segments"): 2 and 8 both join ResNet-50's
     * answer at 8 MiB into one segment; on ResNet-50 on {@code edge} 8 walked 2,237,051 tile events (6.4 s on top
     * of the search's 10 s) for 5,128,002 cycles, 2 walked 149,687 for 5,112,620.
     */
    public static final int SPAN = 2;

    private SegmentJoins() {
    }

    /**
     * {@code s} with adjacent segments joined where that prices lower, pass after pass of {@link #SPAN}-runs
     * ({@link #best}) until nothing joins. A joined segment keeps every operator's option from the segment it came
     * from; the pricer (at the tile-event limit in force) judges its fit and prices it. Segments are priced through
     * {@code pricer}, so a caching pricer walks only the joined ones, at most {@code SPAN - 1} per segment per pass.
     * A joined answer lies outside the option choices the search priced: it is FEASIBLE, with the search's gap at
     * its stop (none when the search was OPTIMAL), so a run stopped by its limits still reads as such.
     *
     * @param model the model {@code s} segments (evaluated again for the joined parts, the buffer left to the pricer)
     * @param s a priced segmentation; returned as it is when {@code pricer} prices one of its parts infinite
     */
    public static Segmentation join(SegmentationModel model, Segmentation s, SegmentPricer pricer) {
        if (!s.feasible() || s.parts().size() < 2) {
            return s;
        }
        long start = System.nanoTime();
        long work = pricer.work();
        List<SegmentationModel.Part> parts = s.parts();
        double[] price = pricer.priceAll(parts.stream().map(SegmentationModel.Part::operators).toList(),
                parts.stream().map(SegmentationModel.Part::choices).toList());
        double before = Arrays.stream(price).sum();
        if (Double.isInfinite(before)) {
            // a part the pricer cannot price (not one of the staged DP's answers): left as it is
            return s;
        }
        double value = before;
        while (parts.size() > 1) {
            int m = parts.size();
            int span = Math.min(SPAN, m);
            List<SegmentationModel.Part> runs = new ArrayList<>();
            int[][] index = new int[m][span + 1];
            for (int a = 0; a < m; a++) {
                for (int b = a + 2; b <= Math.min(m, a + span); b++) {
                    index[a][b - a] = runs.size();
                    runs.add(joined(parts.subList(a, b)));
                }
            }
            double[] fresh = pricer.priceAll(runs.stream().map(SegmentationModel.Part::operators).toList(),
                    runs.stream().map(SegmentationModel.Part::choices).toList());
            double[] alone = price;
            int[] cuts = best(m, span, (a, b) -> b - a == 1 ? alone[a] : fresh[index[a][b - a]]);
            if (cuts.length == m + 1) {
                break;
            }
            List<SegmentationModel.Part> next = new ArrayList<>();
            double[] nextPrice = new double[cuts.length - 1];
            for (int g = 0; g + 1 < cuts.length; g++) {
                int a = cuts[g];
                int b = cuts[g + 1];
                next.add(b - a == 1 ? parts.get(a) : runs.get(index[a][b - a]));
                nextPrice[g] = b - a == 1 ? price[a] : fresh[index[a][b - a]];
            }
            parts = next;
            price = nextPrice;
            value = Arrays.stream(price).sum();
        }
        if (!(value < before)) {
            return s;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        LOGGER.debug("Joined adjacent segments of the ({}) answer: priced ({}) -> ({}), ({}) -> ({}) segments, in ({} "
                + "ms), ({}) tile events of pricing work", s.solver(), (long) before, (long) value, s.parts().size(),
                parts.size(), millis, pricer.work() - work);
        double gap = s.status() == Segmentation.Status.OPTIMAL ? Double.NaN : s.gap();
        return new Segmentation(parts, model.withCapacityBytes(Long.MAX_VALUE).evaluate(parts),
                Segmentation.Status.FEASIBLE, gap, s.solver(), s.wallMillis() + millis, value);
    }

    /** One segment of the given consecutive ones, each operator keeping its option. */
    private static SegmentationModel.Part joined(List<SegmentationModel.Part> run) {
        List<Integer> ops = new ArrayList<>();
        List<Integer> choices = new ArrayList<>();
        for (SegmentationModel.Part p : run) {
            ops.addAll(p.operators());
            choices.addAll(p.choices());
        }
        return new SegmentationModel.Part(ops, choices);
    }

    /** Price of the run of segments {@code [s, t)} joined (t - s &lt;= span); infinite when it does not fit. */
    interface RunPrice {
        double price(int s, int t);
    }

    /**
     * @param m segments in the path
     * @param span longest run joined
     * @param price the price of each run (runs of one segment: the segment's own price)
     * @return the run boundaries, {@code 0 = b[0] < b[1] < ... = m}
     */
    static int[] best(int m, int span, RunPrice price) {
        if (m < 1 || span < 1) {
            throw new IllegalArgumentException("m and span must be >= 1: " + m + ", " + span);
        }
        double[] best = new double[m + 1];
        int[] via = new int[m + 1];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        for (int t = 1; t <= m; t++) {
            for (int s = t - 1; s >= Math.max(0, t - span); s--) {
                double v = best[s] + price.price(s, t);
                if (v < best[t]) {
                    best[t] = v;
                    via[t] = s;
                }
            }
        }
        if (Double.isInfinite(best[m])) {
            throw new IllegalArgumentException("no grouping has a finite price (a single segment must)");
        }
        return DpSegmenter.cutsFrom(via, m);
    }
}

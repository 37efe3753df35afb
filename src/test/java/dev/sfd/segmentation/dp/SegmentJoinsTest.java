package dev.sfd.segmentation.dp;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationInput;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.TilePricer;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SegmentJoins#best} against its brute-force twin (every grouping of the segments into runs), and
 * {@link SegmentJoins#join} on the priced DP's answer for a real network: every joined segment's recorded price is
 * what a fresh pricer says for its operators and options, and an answer that joins lower is no longer called optimal.
 */
class SegmentJoinsTest {
    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void theJoinDpEqualsBruteForceOverEveryGrouping(long seed) {
        Random r = new Random(seed);
        int m = 1 + r.nextInt(10);
        int span = 1 + r.nextInt(4);
        double[][] price = new double[m][m + 1];
        for (int s = 0; s < m; s++) {
            for (int t = s + 1; t <= m; t++) {
                // single segments always priced; a joined run sometimes does not fit, sometimes ties its parts
                price[s][t] = t - s > 1 && r.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : r.nextInt(50) + 1;
            }
        }
        int[] cuts = SegmentJoins.best(m, span, (s, t) -> {
            assertTrue(t - s >= 1 && t - s <= span, "asked for a run of " + (t - s) + " > span " + span);
            return price[s][t];
        });
        assertEquals(0, cuts[0]);
        assertEquals(m, cuts[cuts.length - 1]);
        double got = 0;
        for (int g = 0; g + 1 < cuts.length; g++) {
            assertTrue(cuts[g + 1] - cuts[g] <= span);
            got += price[cuts[g]][cuts[g + 1]];
        }
        // brute force: bit b set = a cut after segment b
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < 1 << (m - 1); mask++) {
            double v = 0;
            int start = 0;
            for (int b = 0; b < m; b++) {
                if (b == m - 1 || (mask >> b & 1) == 1) {
                    v += b + 1 - start > span ? Double.POSITIVE_INFINITY : price[start][b + 1];
                    start = b + 1;
                }
            }
            best = Math.min(best, v);
        }
        assertEquals(best, got, 1e-9, "seed " + seed);
    }

    @Test
    void aGroupingNeedsEverySingleSegmentPricedOrSomeFiniteRun() {
        assertThrows(IllegalArgumentException.class,
                () -> SegmentJoins.best(3, 1, (s, t) -> s == 1 ? Double.POSITIVE_INFINITY : 1));
        assertThrows(IllegalArgumentException.class, () -> SegmentJoins.best(0, 2, (s, t) -> 1));
        assertThrows(IllegalArgumentException.class, () -> SegmentJoins.best(2, 0, (s, t) -> 1));
    }

    /**
     * ResNet-18 on {@code soma-edge}: the DP's answer joined against the answer itself. The joins may only lower the
     * priced latency; each joined segment's price must be the fresh price of its operators with the options recorded
     * for it, every operator must keep its option, and the status and gap must say whether joining helped and
     * whether the search had converged.
     */
    @Test
    void joinedSegmentsArePricedAsRecordedAndKeepTheirOperatorsOptions() {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("soma-edge");
        var mapping = NetworkMapper.map(new HeuristicMapper(), net, hw, 2);
        SegmentationInput input = new SegmentationModelBuilder(net, hw).build(mapping);
        // a budget, so the search stops at the same answer whatever the machine's speed
        SegmenterSettings settings = new SegmenterSettings(Objective.LATENCY, 600, 2, 42, 96, 150_000);
        TilePricer pricer = new TilePricer(net, new CostModel(hw), input, 60_000, 2);
        Segmentation searched = new DpSegmenter(pricer).segment(input.model(), settings);
        Segmentation joined = SegmentJoins.join(input.model(), searched, pricer);

        TilePricer fresh = new TilePricer(net, new CostModel(hw), input, 60_000, 1);
        double sum = 0;
        for (SegmentationModel.Part p : joined.parts()) {
            sum += fresh.price(p.operators(), p.choices());
        }
        assertEquals(joined.pricedValue(), sum, 1e-6);
        int[] option = new int[input.model().operators().size()];
        for (SegmentationModel.Part p : searched.parts()) {
            for (int k = 0; k < p.operators().size(); k++) {
                option[p.operators().get(k)] = p.choices().get(k);
            }
        }
        int next = 0;
        for (SegmentationModel.Part p : joined.parts()) {
            for (int k = 0; k < p.operators().size(); k++) {
                assertEquals(next++, p.operators().get(k), "operators in order, each once");
                assertEquals(option[p.operators().get(k)], p.choices().get(k), "an operator keeps its option");
            }
        }
        assertEquals(option.length, next);
        assertTrue(joined.pricedValue() < searched.pricedValue() - 1e-6, "ResNet-18 at 8 MiB joins lower");
        assertTrue(joined.parts().size() < searched.parts().size());
        assertEquals(Segmentation.Status.FEASIBLE, joined.status());
        if (searched.status() == Segmentation.Status.OPTIMAL) {
            assertTrue(Double.isNaN(joined.gap()));
        } else {
            assertEquals(searched.gap(), joined.gap(), 1e-12, "the search's gap at its stop");
        }
        // joining what does not join lower leaves the answer as it is
        assertSame(joined, SegmentJoins.join(input.model(), joined, pricer));
        // so does a part the pricer cannot price, even where no joined run could cover it
        dev.sfd.segmentation.SegmentPricer blind = (ops, choices) -> ops.contains(0) ? Double.POSITIVE_INFINITY
                : fresh.price(ops, choices);
        assertSame(searched, SegmentJoins.join(input.model(), searched, blind));
        System.out.printf("resnet18 soma-edge: %d segments %.0f cycles -> %d segments %.0f cycles%n",
                searched.parts().size(), searched.pricedValue(), joined.parts().size(), joined.pricedValue());
    }
}

package dev.sfd.segmentation.dp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DpSegmenter#cheapest} (the search's, the priced path's and the moves' one path DP) against every
 * segmentation of a window, on random segment values with holes (infinite values) and integer ties.
 */
class CheapestPathTest {

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void equalsEverySegmentationOfTheWindow(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(12);
        int a = r.nextInt(n);
        int c = a + 1 + r.nextInt(n - a);
        int maxLen = 1 + r.nextInt(6);
        double[][] value = new double[n + 1][n + 1];
        for (double[] row : value) {
            for (int j = 0; j < row.length; j++) {
                row[j] = r.nextInt(5) == 0 ? Double.POSITIVE_INFINITY : r.nextInt(20); // integers: ties happen
            }
        }
        int[] via = new int[c - a + 1];
        double[] best = DpSegmenter.cheapest(a, c, maxLen, (i, j) -> {
            assertTrue(a <= i && i < j && j <= c && j - i <= maxLen, "asked for [" + i + ", " + j + ")");
            return value[i][j];
        }, via);
        for (int end = a + 1; end <= c; end++) {
            List<int[]> all = new ArrayList<>();
            enumerate(a, end, maxLen, new ArrayList<>(List.of(a)), all);
            double least = Double.POSITIVE_INFINITY;
            for (int[] cuts : all) {
                least = Math.min(least, sum(cuts, value));
            }
            assertEquals(least, best[end - a], "seed " + seed + ", [" + a + ", " + end + ")");
            if (Double.isInfinite(least)) {
                continue;
            }
            int[] cuts = DpSegmenter.cutsFrom(via, a, end);
            assertEquals(a, cuts[0]);
            assertEquals(end, cuts[cuts.length - 1]);
            assertEquals(least, sum(cuts, value), "the cuts sum to the best value, seed " + seed);
            // a tie goes to the earliest start of the last segment
            int earliest = end;
            for (int[] other : all) {
                if (sum(other, value) == least) {
                    earliest = Math.min(earliest, lastStartOfCheapest(other, a, value, maxLen));
                }
            }
            assertEquals(earliest, cuts[cuts.length - 2], "seed " + seed + ": " + Arrays.toString(cuts));
        }
    }

    /**
     * The start of the last segment of {@code cuts}, when its prefix is itself cheapest (the DP only keeps those).
     */
    private static int lastStartOfCheapest(int[] cuts, int a, double[][] value, int maxLen) {
        int m = cuts[cuts.length - 2];
        List<int[]> prefixes = new ArrayList<>();
        if (m > a) {
            enumerate(a, m, maxLen, new ArrayList<>(List.of(a)), prefixes);
            double least = prefixes.stream().mapToDouble(p -> sum(p, value)).min().orElseThrow();
            double mine = sum(Arrays.copyOf(cuts, cuts.length - 1), value);
            if (mine != least) {
                return Integer.MAX_VALUE;
            }
        }
        return m;
    }

    private static void enumerate(int from, int end, int maxLen, List<Integer> cuts, List<int[]> into) {
        if (from == end) {
            into.add(cuts.stream().mapToInt(Integer::intValue).toArray());
            return;
        }
        for (int j = from + 1; j <= Math.min(end, from + maxLen); j++) {
            cuts.add(j);
            enumerate(j, end, maxLen, cuts, into);
            cuts.remove(cuts.size() - 1);
        }
    }

    private static double sum(int[] cuts, double[][] value) {
        double s = 0;
        for (int t = 0; t + 1 < cuts.length; t++) {
            s += value[cuts[t]][cuts[t + 1]];
        }
        return s;
    }
}

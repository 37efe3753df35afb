package dev.sfd.segmentation.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The option search's state order (buffer bytes, then the two objective coordinates, then index) from the packed
 * primitive sort equals a stable comparator sort of the indices, on seeded random states: few distinct buffer sizes
 * (long runs of ties, past the insertion-sort limit), ties in the coordinates, buffer sizes too large to pack with
 * the index, and negative ones.
 */
class StatesOrderTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void packedSortEqualsTheComparatorSort(long seed) {
        Random rnd = new Random(seed);
        for (int round = 0; round < 50; round++) {
            int size = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 600);
            int distinctBuffers = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 200);
            long scale = switch (rnd.nextInt(4)) {
                case 0 -> 1L << 50; // too large to pack with the index
                case 1 -> -1; // negative
                default -> 1 + rnd.nextInt(4096);
            };
            DpSegmenter.States states = new DpSegmenter.States(size);
            double[] x = new double[size];
            double[] y = new double[size];
            for (int s = 0; s < size; s++) {
                states.add(rnd.nextInt(distinctBuffers) * scale, 0, 0, 0, -1, -1);
                x[s] = rnd.nextInt(1 + rnd.nextInt(6));
                y[s] = rnd.nextBoolean() ? rnd.nextInt(3) : rnd.nextDouble();
            }
            Integer[] reference = new Integer[size];
            Arrays.setAll(reference, s -> s);
            Arrays.sort(reference, Comparator.<Integer>comparingLong(s -> states.buf[s])
                    .thenComparingDouble(s -> x[s]).thenComparingDouble(s -> y[s]));
            int[] expected = Arrays.stream(reference).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, states.sortedByBuffer(x, y), "seed " + seed + " round " + round);
        }
    }
}

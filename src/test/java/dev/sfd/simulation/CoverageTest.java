package dev.sfd.simulation;

import dev.sfd.workload.Box;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Coverage.BoxSet}'s index against its brute-force twin: the same intersections and the same coverage answers
 * as scanning every box, on grids whose tiles first vary along one axis and later along another (the index changes
 * axis as the set grows).
 */
class CoverageTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void theIndexedSetAnswersAsAScanOfEveryBox(long seed) {
        Random rnd = new Random(seed);
        Coverage.BoxSet set = new Coverage.BoxSet();
        List<Box> added = new ArrayList<>();
        // tiles of a 3-D space: 20 along axis 2 first (one row), then rows along axis 1; some random boxes
        for (int i = 0; i < 600; i++) {
            Box b;
            if (i < 300) {
                int row = i / 20;
                int col = i % 20;
                b = new Box(new int[] {0, row * 2, col * 3}, new int[] {4, row * 2 + 2, col * 3 + 3});
            } else {
                int[] lo = new int[3];
                int[] hi = new int[3];
                for (int a = 0; a < 3; a++) {
                    lo[a] = rnd.nextInt(60);
                    hi[a] = lo[a] + 1 + rnd.nextInt(6);
                }
                b = new Box(lo, hi);
            }
            set.add(b);
            added.add(b);
            if (i % 7 == 0) {
                for (int q = 0; q < 5; q++) {
                    int[] lo = new int[3];
                    int[] hi = new int[3];
                    for (int a = 0; a < 3; a++) {
                        lo[a] = rnd.nextInt(60);
                        hi[a] = lo[a] + 1 + rnd.nextInt(8);
                    }
                    Box query = new Box(lo, hi);
                    List<Box> expected = new ArrayList<>();
                    for (Box x : added) {
                        if (x.intersects(query)) {
                            expected.add(x);
                        }
                    }
                    assertEquals(new HashSet<>(expected), new HashSet<>(set.intersecting(query)), "query " + query);
                    assertEquals(expected.size(), set.intersecting(query).size(), "each box once: " + query);
                    assertEquals(Coverage.covered(query, expected), set.covers(query), "covers " + query);
                }
            }
        }
    }
}

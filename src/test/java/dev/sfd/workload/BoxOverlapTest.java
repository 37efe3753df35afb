package dev.sfd.workload;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Box#overlap} counts the elements of {@link Box#intersection}, disjoint and empty boxes included. */
class BoxOverlapTest {

    @Test
    void countsTheIntersectionsElements() {
        Random r = new Random(7);
        int disjoint = 0;
        for (int k = 0; k < 5_000; k++) {
            int rank = 1 + r.nextInt(4);
            Box a = random(r, rank);
            Box b = random(r, rank);
            long expected = a.intersection(b).elements();
            assertEquals(expected, a.overlap(b), a + " and " + b);
            assertEquals(expected, b.overlap(a), b + " and " + a);
            assertEquals(a.intersects(b), a.overlap(b) > 0, a + " and " + b);
            disjoint += expected == 0 ? 1 : 0;
        }
        assertTrue(disjoint > 500 && disjoint < 4_500, "disjoint pairs: " + disjoint);
    }

    private static Box random(Random r, int rank) {
        int[] lo = new int[rank];
        int[] hi = new int[rank];
        for (int i = 0; i < rank; i++) {
            lo[i] = r.nextInt(12);
            hi[i] = lo[i] + r.nextInt(8);
        }
        return new Box(lo, hi);
    }
}

package dev.sfd.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The timeline's ready queue against {@link PriorityQueue} on seeded random sequences of pushes, pops and hand-backs
 * (a pick pops up to a look-ahead's worth of keys and hands back those that did not fit, which then sit in a held run
 * outside the heap): every peek and pop returns the smallest key queued, and a scan ({@code count}/{@code at}) sees exactly the
 * keys queued.
 */
class ReadyQueueTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void popsInKeyOrderWhateverIsHandedBack(long seed) {
        Random rnd = new Random(seed);
        TileTimeline.Ready ready = new TileTimeline.Ready();
        PriorityQueue<Long> reference = new PriorityQueue<>();
        for (int step = 0; step < 20_000; step++) {
            int what = rnd.nextInt(3);
            if (what == 0 || reference.isEmpty()) {
                long key = rnd.nextInt(rnd.nextBoolean() ? 50 : 1_000_000);
                ready.push(key);
                reference.add(key);
            } else if (what == 1) {
                assertEquals(reference.peek(), ready.peek(), "seed " + seed + " step " + step);
                assertEquals(reference.poll(), ready.pop(), "seed " + seed + " step " + step);
            } else {
                // a pick: pop up to k keys, hand back all but (maybe) the last
                int k = 1 + rnd.nextInt(70);
                List<Long> popped = new ArrayList<>();
                while (popped.size() < k && !reference.isEmpty()) {
                    long key = ready.pop();
                    assertEquals(reference.poll(), key, "seed " + seed + " step " + step);
                    popped.add(key);
                }
                int back = rnd.nextBoolean() ? popped.size() : Math.max(0, popped.size() - 1);
                long[] keys = new long[back];
                for (int i = 0; i < back; i++) {
                    keys[i] = popped.get(i);
                    reference.add(keys[i]);
                }
                ready.holdBack(keys, back);
            }
            assertEquals(reference.size(), ready.count());
            assertEquals(reference.isEmpty(), ready.isEmpty());
        }
        List<Long> scanned = new ArrayList<>();
        for (int i = 0; i < ready.count(); i++) {
            scanned.add(ready.at(i));
        }
        scanned.sort(null);
        List<Long> expected = new ArrayList<>(reference);
        expected.sort(null);
        assertEquals(expected, scanned);
    }
}

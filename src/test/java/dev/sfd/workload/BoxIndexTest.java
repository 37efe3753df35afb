package dev.sfd.workload;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link BoxIndex} against a scan of every box, in the order added: grids of tiles (edge tiles smaller, added in a
 * shuffled order so the grid cells come back out of order), irregular boxes (the fallback index), few boxes (the
 * scan), and boxes added after a lookup.
 */
class BoxIndexTest {

    static LongStream seeds() {
        return LongStream.range(0, 120);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void findsWhatAScanFinds(long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(4);
        int[] shape = new int[rank];
        for (int a = 0; a < rank; a++) {
            shape[a] = 1 + r.nextInt(40);
        }
        List<Box> boxes = switch ((int) (seed % 3)) {
            case 0 -> grid(r, shape);
            case 1 -> irregular(r, shape, r.nextInt(60));
            default -> irregular(r, shape, r.nextInt(9));
        };
        java.util.Collections.shuffle(boxes, r);
        BoxIndex<Integer> index = new BoxIndex<>();
        int half = boxes.size() / 2;
        for (int i = 0; i < half; i++) {
            index.add(i, boxes.get(i));
        }
        for (int added = half; ; added = boxes.size()) {
            for (int q = 0; q < 40; q++) {
                Box query = irregular(r, shape, 1).get(0);
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < added; i++) {
                    if (boxes.get(i).intersects(query)) {
                        expected.add(i);
                    }
                }
                assertEquals(expected, index.intersecting(query), "seed " + seed + ", query " + query);
            }
            if (added == boxes.size()) {
                break;
            }
            for (int i = half; i < boxes.size(); i++) {
                index.add(i, boxes.get(i));
            }
        }
        assertEquals(boxes.size(), index.size());
    }

    /** A tile grid over {@code shape}: random tile sizes, edge tiles cut at the shape. */
    private static List<Box> grid(Random r, int[] shape) {
        int rank = shape.length;
        int[] tile = new int[rank];
        int[] count = new int[rank];
        for (int a = 0; a < rank; a++) {
            tile[a] = 1 + r.nextInt(shape[a]);
            count[a] = (shape[a] + tile[a] - 1) / tile[a];
        }
        List<Box> out = new ArrayList<>();
        int[] c = new int[rank];
        while (true) {
            int[] lo = new int[rank];
            int[] hi = new int[rank];
            for (int a = 0; a < rank; a++) {
                lo[a] = c[a] * tile[a];
                hi[a] = Math.min(shape[a], lo[a] + tile[a]);
            }
            out.add(new Box(lo, hi));
            int a = rank - 1;
            while (a >= 0 && ++c[a] >= count[a]) {
                c[a] = 0;
                a--;
            }
            if (a < 0) {
                return out;
            }
        }
    }

    /** Random boxes inside {@code shape} (overlapping, some reaching past it, some empty). */
    private static List<Box> irregular(Random r, int[] shape, int n) {
        List<Box> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] lo = new int[shape.length];
            int[] hi = new int[shape.length];
            for (int a = 0; a < shape.length; a++) {
                lo[a] = r.nextInt(shape[a] + 1);
                hi[a] = lo[a] + r.nextInt(shape[a] / 2 + 2);
            }
            out.add(new Box(lo, hi));
        }
        return out;
    }
}

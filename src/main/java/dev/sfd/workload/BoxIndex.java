package dev.sfd.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Items with boxes, looked up by intersection, in the order they were added. Tiles of one mapping form a grid (one
 * tile size per axis, edge tiles smaller): the lookup then enumerates the grid cells a region covers. Other boxes
 * fall back to an index by start on the axis whose starts vary most (the candidates for a query are a contiguous
 * run). Up to 8 items are scanned. Adding after a lookup rebuilds the index at the next lookup.
 *
 * @param <T> the items
 */
public final class BoxIndex<T> {
    private static final int SCAN = 8;

    private final List<T> items = new ArrayList<>();
    private final List<Box> boxes = new ArrayList<>();
    private boolean indexed;
    // grid index: cell key -> item index
    private int[] step;
    private long[] cells;
    private Map<Long, Integer> byCell;
    // fallback index: item indices by start on one axis
    private int[] sorted;
    private int[] starts;
    private int axis;
    private int maxExtent;

    /** Adds {@code item} with {@code box}; it comes after every item added before it in lookups. */
    public void add(T item, Box box) {
        items.add(item);
        boxes.add(box);
        indexed = false;
    }

    /** How many items were added. */
    public int size() {
        return items.size();
    }

    /** The items whose boxes intersect {@code region}, in the order they were added. */
    public List<T> intersecting(Box region) {
        List<T> out = new ArrayList<>();
        if (items.size() <= SCAN) {
            for (int i = 0; i < items.size(); i++) {
                if (boxes.get(i).intersects(region)) {
                    out.add(items.get(i));
                }
            }
            return out;
        }
        if (!indexed) {
            index();
        }
        int[] hits = new int[8];
        int k = 0;
        if (byCell != null) {
            int rank = step.length;
            int[] lo = new int[rank];
            int[] hi = new int[rank];
            for (int a = 0; a < rank; a++) {
                if (region.hi(a) <= region.lo(a)) {
                    return out;
                }
                lo[a] = Math.max(0, region.lo(a) / step[a]);
                hi[a] = (int) Math.min(cells[a] - 1, (region.hi(a) - 1) / step[a]);
                if (hi[a] < lo[a]) {
                    return out;
                }
            }
            int[] c = lo.clone();
            while (true) {
                long key = 0;
                for (int a = 0; a < rank; a++) {
                    key = key * cells[a] + c[a];
                }
                Integer i = byCell.get(key);
                if (i != null && boxes.get(i).intersects(region)) {
                    hits = k == hits.length ? Arrays.copyOf(hits, 2 * k) : hits;
                    hits[k++] = i;
                }
                int a = rank - 1;
                while (a >= 0 && ++c[a] > hi[a]) {
                    c[a] = lo[a];
                    a--;
                }
                if (a < 0) {
                    break;
                }
            }
        } else {
            int from = Arrays.binarySearch(starts, region.lo(axis) - maxExtent);
            from = from < 0 ? -from - 1 : from;
            while (from > 0 && starts[from - 1] >= region.lo(axis) - maxExtent) {
                from--;
            }
            for (int s = from; s < sorted.length && starts[s] < region.hi(axis); s++) {
                if (boxes.get(sorted[s]).intersects(region)) {
                    hits = k == hits.length ? Arrays.copyOf(hits, 2 * k) : hits;
                    hits[k++] = sorted[s];
                }
            }
        }
        // the cells are visited in grid order, often the order of adding already
        for (int h = 1; h < k; h++) {
            if (hits[h - 1] > hits[h]) {
                Arrays.sort(hits, 0, k);
                break;
            }
        }
        for (int h = 0; h < k; h++) {
            out.add(items.get(hits[h]));
        }
        return out;
    }

    private void index() {
        indexed = true;
        int rank = boxes.get(0).rank();
        // grid: every box starts on a multiple of the largest extent along each axis, and no box is larger
        step = new int[rank];
        int[] size = new int[rank];
        for (Box b : boxes) {
            for (int a = 0; a < rank; a++) {
                step[a] = Math.max(step[a], b.extent(a));
                size[a] = Math.max(size[a], b.hi(a));
            }
        }
        boolean grid = true;
        cells = new long[rank];
        long total = 1;
        for (int a = 0; a < rank && grid; a++) {
            grid = step[a] > 0;
            cells[a] = grid ? (size[a] + step[a] - 1) / step[a] : 1;
            total = grid ? Math.multiplyHigh(total, cells[a]) == 0 ? total * cells[a] : Long.MAX_VALUE : total;
        }
        Map<Long, Integer> map = new HashMap<>();
        for (int i = 0; i < boxes.size() && grid && total < Long.MAX_VALUE / 2; i++) {
            Box b = boxes.get(i);
            long key = 0;
            for (int a = 0; a < rank && grid; a++) {
                grid = b.lo(a) % step[a] == 0;
                key = key * cells[a] + b.lo(a) / step[a];
            }
            grid = grid && map.put(key, i) == null;
        }
        if (grid && total < Long.MAX_VALUE / 2) {
            byCell = map;
            return;
        }
        byCell = null;
        int best = 0;
        long bestDistinct = -1;
        for (int a = 0; a < rank; a++) {
            final int ax = a;
            long distinct = boxes.stream().mapToInt(b -> b.lo(ax)).distinct().count();
            if (distinct > bestDistinct) {
                bestDistinct = distinct;
                best = a;
            }
        }
        axis = best;
        final int ax = best;
        sorted = java.util.stream.IntStream.range(0, boxes.size()).boxed()
                .sorted(java.util.Comparator.comparingInt((Integer i) -> boxes.get(i).lo(ax)))
                .mapToInt(Integer::intValue).toArray();
        starts = new int[sorted.length];
        maxExtent = 0;
        for (int k = 0; k < sorted.length; k++) {
            starts[k] = boxes.get(sorted[k]).lo(axis);
            maxExtent = Math.max(maxExtent, boxes.get(sorted[k]).hi(axis) - starts[k]);
        }
    }
}

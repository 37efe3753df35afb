package dev.sfd.simulation;

import dev.sfd.workload.Box;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Box arithmetic for the simulator's checks: coverage by a union of boxes, and sets of disjoint boxes. */
final class Coverage {
    private Coverage() {
    }

    /** True when the union of {@code boxes} covers {@code need}. */
    static boolean covered(Box need, List<Box> boxes) {
        if (need.isEmpty()) {
            return true;
        }
        return covered(need, boxes, 0);
    }

    private static boolean covered(Box need, List<Box> boxes, int from) {
        for (int i = from; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (!b.intersects(need)) {
                continue;
            }
            if (b.contains(need)) {
                return true;
            }
            // need minus b: at most two slabs per axis, each recursively covered by the remaining boxes
            Box rest = need;
            for (int axis = 0; axis < need.rank(); axis++) {
                if (rest.lo(axis) < b.lo(axis)) {
                    if (!covered(rest.withAxis(axis, rest.lo(axis), b.lo(axis)), boxes, i + 1)) {
                        return false;
                    }
                    rest = rest.withAxis(axis, b.lo(axis), rest.hi(axis));
                }
                if (rest.hi(axis) > b.hi(axis)) {
                    if (!covered(rest.withAxis(axis, b.hi(axis), rest.hi(axis)), boxes, i + 1)) {
                        return false;
                    }
                    rest = rest.withAxis(axis, rest.lo(axis), b.hi(axis));
                }
            }
            return true;
        }
        return false;
    }

    /**
     * A growing set of boxes with an intersection query: boxes are indexed by their start on one axis (the one whose
     * starts vary most among the boxes, chosen again each time the set doubles), and the boxes sharing a start are
     * indexed again in the same way on another axis, so a query scans only the boxes that can reach it on every
     * indexed axis.
     */
    static final class BoxSet {
        private final Index index = new Index(0);
        private long volume;
        private boolean overlapping;

        /** The boxes of the set that intersect {@code box}. */
        List<Box> intersecting(Box box) {
            List<Box> out = new ArrayList<>(0);
            index.intersecting(box, out);
            return out;
        }

        /**
         * Whether the union of the boxes covers {@code region}. While no two boxes of the set intersect, by volume
         * (the parts of the boxes inside the region add up to the region); otherwise by {@link #covered}.
         */
        boolean covers(Box region) {
            List<Box> hits = intersecting(region);
            if (overlapping) {
                return covered(region, hits);
            }
            long inside = 0;
            for (Box b : hits) {
                inside += b.overlap(region);
            }
            return inside >= region.elements();
        }

        void add(Box box) {
            if (!overlapping && !intersecting(box).isEmpty()) {
                overlapping = true;
            }
            volume += box.elements();
            index.add(box);
        }

        /** Sum of the volumes of the boxes added. */
        long volume() {
            return volume;
        }
    }

    /** One level of {@link BoxSet}'s index: a list scanned while small, then buckets by start on one axis. */
    private static final class Index {
        private static final int SMALL = 16;
        private final int depth;
        private final List<Box> all = new ArrayList<>();
        private TreeMap<Integer, Index> byStart;
        private int axis = -1;
        private int maxExtent;
        private int nextIndex = SMALL;

        Index(int depth) {
            this.depth = depth;
        }

        void intersecting(Box box, List<Box> out) {
            if (byStart == null) {
                for (Box b : all) {
                    if (b.intersects(box)) {
                        out.add(b);
                    }
                }
                return;
            }
            for (Index sub : byStart.subMap(box.lo(axis) - maxExtent, false, box.hi(axis), false).values()) {
                sub.intersecting(box, out);
            }
        }

        void add(Box box) {
            all.add(box);
            if (byStart != null) {
                put(box);
            }
            if (all.size() == nextIndex) {
                index();
            }
        }

        /** Buckets every box by the axis whose starts vary most among them (none when no axis separates them). */
        private void index() {
            nextIndex = 2 * all.size();
            int rank = all.get(0).rank();
            if (depth >= rank) {
                return;
            }
            int best = -1;
            long bestDistinct = 1;
            for (int a = 0; a < rank; a++) {
                final int ax = a;
                long distinct = all.stream().mapToInt(b -> b.lo(ax)).distinct().count();
                if (distinct > bestDistinct) {
                    bestDistinct = distinct;
                    best = a;
                }
            }
            if (best < 0 || best == axis) {
                return;
            }
            axis = best;
            byStart = new TreeMap<>();
            maxExtent = 0;
            for (Box b : all) {
                put(b);
            }
        }

        private void put(Box b) {
            maxExtent = Math.max(maxExtent, b.hi(axis) - b.lo(axis));
            byStart.computeIfAbsent(b.lo(axis), k -> new Index(depth + 1)).add(b);
        }
    }
}

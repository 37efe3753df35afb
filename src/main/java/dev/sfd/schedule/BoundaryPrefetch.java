package dev.sfd.schedule;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.segmentation.TileTimeline.InOrderClock;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * DRAM scheduling across segment boundaries: times a plan's segments as one program (the issue rule of
 * {@link SegmentSchedule}) and chooses, at every boundary, how many leading loads of the next segment issue early
 * and after which task of the current one ({@link SegmentSchedule.Prefetch}).
 *
 * <p>Which loads may move: the next segment's leading tasks in its issue order, as long as they are loads; a load
 * of data the current segment stores waits for the stores that cover its region (not movable when they do not).
 * Everything else it loads (weights, network inputs, activations of earlier segments) is in DRAM once the current
 * segment's own tasks issue. Where they may go: after any task of the current segment's own (not prefetched)
 * tasks, and after every store they wait for, such that the segment's occupancy from there on plus the moved loads'
 * buffers stays within the buffer; the occupancy of an in-order program depends only on the order, so this is
 * exact.
 *
 * <p>How it chooses: boundary by boundary, from the first, for a few load counts (all movable loads, half, one)
 * and positions (the earliest that fits, evenly spaced positions after it, the last two), the candidate whose
 * next segment finishes first when the program runs to its end, not moving anything when nothing finishes earlier.
 * The timing is the in-order rule of the planner's timeline engine ({@link InOrderClock}, the rule the simulator
 * applies: every task starts once every earlier task has started, its dependencies have finished and a unit of its
 * kind is free), with a segment's remaining tasks waiting for every task of the previous segment to finish, and each
 * task's duration from the tile graph ({@link TileGraphBuilder}).
 */
public final class BoundaryPrefetch {
    private static final Logger LOGGER = LogManager.getLogger();
    /** Evenly spaced insertion positions tried per load count, besides the earliest that fits and the last two. */
    private static final int POSITIONS = 8;

    private final TileGraphBuilder builder;
    private final long capacity;
    private final int engines;
    private final boolean enabled;

    /**
     * @param enabled whether loads may move; when false the plan is only timed (every prefetch none)
     */
    public BoundaryPrefetch(Network net, CostModel cost, boolean enabled) {
        Objects.requireNonNull(net, "net");
        this.builder = new TileGraphBuilder(net, Objects.requireNonNull(cost, "cost"));
        this.capacity = cost.hardware().globalBuffer().capacityBytes();
        this.engines = Math.max(1, cost.hardware().dram().dmaEngines());
        this.enabled = enabled;
    }

    /**
     * The segments placed in a plan: indices 0, 1, ..., a prefetch per boundary (when enabled) and every segment's
     * predicted end cycle.
     *
     * @param segments scheduled segments in execution order (their prefetch, if any, is replaced)
     * @param mappings the mapping of every compute operator
     */
    public List<SegmentSchedule> apply(List<SegmentSchedule> segments, Map<String, Mapping> mappings) {
        return apply(segments, mappings, Map.of());
    }

    /**
     * As {@link #apply(List, Map)}, with the tile graphs of some segments already built (by identity of the
     * schedule); the others are built again.
     */
    public List<SegmentSchedule> apply(List<SegmentSchedule> segments, Map<String, Mapping> mappings,
                                       Map<SegmentSchedule, TaskGraph> graphs) {
        List<Seg> segs = new ArrayList<>(segments.size());
        for (int k = 0; k < segments.size(); k++) {
            SegmentSchedule s = segments.get(k);
            TaskGraph g = graphs.get(s);
            segs.add(new Seg(s, g != null ? g : builder.build(k, s.operators(), mappings),
                    k == 0 ? null : segments.get(k - 1), k == 0 ? null : segs.get(k - 1)));
        }
        int[] prefetch = new int[segs.size()];
        int[] insertAt = new int[segs.size()];
        InOrderClock clock = new InOrderClock(engines);
        long barrier = 0;
        long[] ends = new long[segs.size()];
        int moved = 0;
        for (int k = 0; k < segs.size(); k++) {
            Seg cur = segs.get(k);
            if (k + 1 < segs.size() && enabled) {
                Seg next = segs.get(k + 1);
                long best = finishOfNext(clock, barrier, cur, prefetch[k], next, 0, cur.n);
                for (int[] c : candidates(cur, prefetch[k], next)) {
                    long f = finishOfNext(clock, barrier, cur, prefetch[k], next, c[0], c[1]);
                    if (f < best) {
                        best = f;
                        prefetch[k + 1] = c[0];
                        insertAt[k + 1] = c[1];
                    }
                }
            }
            Seg next = k + 1 < segs.size() ? segs.get(k + 1) : null;
            barrier = runRemainder(clock, barrier, cur, prefetch[k], next, next == null ? 0 : prefetch[k + 1],
                    next == null ? cur.n : insertAt[k + 1]);
            ends[k] = barrier;
            moved += prefetch[k] > 0 ? 1 : 0;
        }
        List<SegmentSchedule> out = new ArrayList<>(segs.size());
        for (int k = 0; k < segs.size(); k++) {
            SegmentSchedule.Prefetch p = SegmentSchedule.Prefetch.NONE;
            if (prefetch[k] > 0) {
                Seg prev = segs.get(k - 1);
                Seg cur = segs.get(k);
                List<int[]> waits = new ArrayList<>();
                for (int i = 0; i < prefetch[k]; i++) {
                    for (int w : cur.waits[i]) {
                        waits.add(new int[] {cur.ids[i], prev.ids[w]});
                    }
                }
                p = new SegmentSchedule.Prefetch(prefetch[k], prev.ids[insertAt[k] - 1], waits);
            }
            out.add(segments.get(k).placed(k, p, ends[k]));
        }
        LOGGER.debug("Boundary prefetch: ({}) of ({}) segments start loading early; program ends at ({} cycles)",
                moved, segs.size(), segs.isEmpty() ? 0 : ends[segs.size() - 1]);
        return out;
    }

    /** The plan's makespan: the predicted end of its last segment (0 for no segment). */
    public static long makespan(List<SegmentSchedule> placed) {
        return placed.isEmpty() ? 0 : placed.get(placed.size() - 1).predictedEndCycle();
    }

    /**
     * (loads moved, insertion position) candidates: the loads go right before position {@code p} of the current
     * segment's order, {@code p} at least one past its own prefetched tasks (they issue after a task of it).
     */
    private List<int[]> candidates(Seg cur, int curPrefetch, Seg next) {
        List<int[]> out = new ArrayList<>();
        if (next.movable == 0) {
            return out;
        }
        TreeSet<Integer> counts = new TreeSet<>(List.of(next.movable, (next.movable + 1) / 2, 1));
        for (int m : counts) {
            // after the current segment's own tasks, and after every store a moved load waits for
            int first = Math.max(1, Math.max(curPrefetch + 1, next.lastWait[m] + 1));
            long bytes = next.prefixBytes[m];
            // earliest p such that the occupancy from position p-1 on, plus the moved buffers, fits
            int p = cur.n + 1;
            while (p - 1 >= first && cur.suffixMax[p - 2] + bytes <= capacity) {
                p--;
            }
            if (p > cur.n) {
                continue;
            }
            TreeSet<Integer> positions = new TreeSet<>();
            for (int j = 0; j <= POSITIONS; j++) {
                positions.add(p + (int) ((long) (cur.n - p) * j / POSITIONS));
            }
            positions.add(Math.max(p, cur.n - 1));
            positions.add(cur.n);
            for (int q : positions) {
                out.add(new int[] {m, q});
            }
        }
        return out;
    }

    /** When the next segment finishes if its first {@code m} tasks go before position {@code p} of the current. */
    private long finishOfNext(InOrderClock clock, long barrier, Seg cur, int curPrefetch, Seg next, int m, int p) {
        InOrderClock c = clock.copy();
        long[] curEnd = cur.end.clone();
        long[] nextEnd = new long[next.n];
        long nextBarrier = run(c, barrier, cur, curEnd, curPrefetch, next, nextEnd, m, p);
        long finish = nextBarrier;
        // the next segment's remaining tasks, after the barrier, in order
        for (int i = m; i < next.n; i++) {
            long e = place(c, next, nextEnd, i, nextBarrier);
            finish = Math.max(finish, e);
        }
        for (int i = 0; i < m; i++) {
            finish = Math.max(finish, nextEnd[i]);
        }
        return finish;
    }

    /** Runs the current segment's remaining tasks with the next segment's first {@code m} before position p. */
    private long runRemainder(InOrderClock clock, long barrier, Seg cur, int curPrefetch, Seg next, int m, int p) {
        return run(clock, barrier, cur, cur.end, curPrefetch, next, next == null ? null : next.end, m, p);
    }

    private static long run(InOrderClock c, long barrier, Seg cur, long[] curEnd, int curPrefetch, Seg next,
                            long[] nextEnd, int m, int p) {
        long finish = barrier;
        for (int i = 0; i < curPrefetch; i++) {
            finish = Math.max(finish, curEnd[i]);
        }
        for (int i = curPrefetch; i <= cur.n; i++) {
            if (i == p) {
                for (int j = 0; j < m; j++) {
                    long ready = 0;
                    for (int w : next.waits[j]) {
                        ready = Math.max(ready, curEnd[w]);
                    }
                    place(c, next, nextEnd, j, ready);
                }
            }
            if (i < cur.n) {
                finish = Math.max(finish, place(c, cur, curEnd, i, barrier));
            }
        }
        return finish;
    }

    /** Issues position {@code i} of {@code s} no earlier than {@code notBefore}; returns its end. */
    private static long place(InOrderClock c, Seg s, long[] end, int i, long notBefore) {
        long ready = notBefore;
        for (int d : s.deps[i]) {
            ready = Math.max(ready, end[d]);
        }
        end[i] = c.start(s.unit[i], s.busy[i], ready) + s.duration[i];
        return end[i];
    }

    /** One segment's tasks in issue order, with their timing and buffer effects. */
    private static final class Seg {
        final int n;
        final int[] ids;
        final byte[] unit;
        final long[] duration;
        final long[] busy;
        final int[][] deps;
        final long[] end;
        /** Loads at the head of the order that may issue in the previous segment. */
        final int movable;
        /** Per movable load, the positions of the previous segment's stores it waits for. */
        final int[][] waits;
        /** The last position of the previous segment the first m movable loads wait for (-1: none). */
        final int[] lastWait;
        /** Bytes allocated by the first m tasks. */
        final long[] prefixBytes;
        /** Max over positions i' >= i of the segment's own occupancy after issuing i'. */
        final long[] suffixMax;

        Seg(SegmentSchedule s, TaskGraph g, SegmentSchedule previous, Seg prevSeg) {
            List<TileTask> tasks = s.tasks();
            n = tasks.size();
            ids = new int[n];
            unit = new byte[n];
            duration = new long[n];
            busy = new long[n];
            deps = new int[n][];
            end = new long[n];
            int[] position = new int[g.size()];
            Arrays.fill(position, -1);
            long[] occupancy = new long[n];
            long occ = 0;
            for (int i = 0; i < n; i++) {
                TileTask t = tasks.get(i);
                if (t.id() < 0 || t.id() >= g.size() || g.tasks().get(t.id()).kind() != t.kind()
                        || !g.tasks().get(t.id()).operator().equals(t.operator())) {
                    throw new IllegalStateException("segment " + s.index() + ": task " + t.label()
                            + " is not the tile graph's task " + t.id());
                }
                ids[i] = t.id();
                position[t.id()] = i;
                unit[i] = g.resources().get(t.id()).timelineUnit();
                duration[i] = g.durations()[t.id()];
                busy[i] = g.busyCycles()[t.id()];
                int[] d = new int[t.deps().size()];
                for (int k = 0; k < d.length; k++) {
                    d[k] = position[t.deps().get(k)];
                    if (d[k] < 0) {
                        throw new IllegalStateException("segment " + s.index() + ": task " + t.label()
                                + " depends on a task that is not earlier in the order");
                    }
                }
                deps[i] = d;
                if (t.allocates() >= 0) {
                    occ += s.buffers().get(t.allocates()).bytes();
                }
                for (int b : t.frees()) {
                    occ -= s.buffers().get(b).bytes();
                }
                occupancy[i] = occ;
            }
            // the leading loads; a load of data the previous segment stores waits for the stores that cover it
            List<int[]> w = new ArrayList<>();
            int m = 0;
            while (m < n && tasks.get(m).kind() == TaskKind.LOAD) {
                int[] stores = previous == null ? new int[0] : coveringStores(previous, prevSeg, tasks.get(m));
                if (stores == null) {
                    break;
                }
                w.add(stores);
                m++;
            }
            waits = w.toArray(new int[0][]);
            lastWait = new int[m + 1];
            lastWait[0] = -1;
            for (int i = 0; i < m; i++) {
                int last = lastWait[i];
                for (int x : waits[i]) {
                    last = Math.max(last, x);
                }
                lastWait[i + 1] = last;
            }
            movable = m;
            prefixBytes = new long[m + 1];
            for (int i = 0; i < m; i++) {
                TileTask t = tasks.get(i);
                prefixBytes[i + 1] = prefixBytes[i] + (t.allocates() >= 0 ? s.buffers().get(t.allocates()).bytes() : 0);
            }
            suffixMax = new long[n + 1];
            for (int i = n - 1; i >= 0; i--) {
                suffixMax[i] = Math.max(occupancy[i], suffixMax[i + 1]);
            }
        }
    }

    /**
     * Positions (in {@code previous}'s order) of the stores of the loaded tensor that the load must wait for: none
     * when the previous segment does not store it, null when its stores do not cover the loaded region (the load
     * then cannot move).
     */
    private static int[] coveringStores(SegmentSchedule previous, Seg prevSeg, TileTask load) {
        List<Integer> hits = new ArrayList<>();
        long covered = 0;
        boolean stores = false;
        List<TileTask> tasks = previous.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            TileTask t = tasks.get(i);
            if (t.kind() == TaskKind.STORE && t.tensor().equals(load.tensor())) {
                stores = true;
                if (t.region().intersects(load.region())) {
                    hits.add(i);
                    covered += t.region().intersection(load.region()).elements();
                }
            }
        }
        if (!stores) {
            return new int[0];
        }
        return covered >= load.region().elements() ? hits.stream().mapToInt(Integer::intValue).toArray() : null;
    }
}

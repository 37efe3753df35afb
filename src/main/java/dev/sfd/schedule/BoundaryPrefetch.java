package dev.sfd.schedule;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.segmentation.TileTimeline;
import dev.sfd.segmentation.TileTimeline.InOrderClock;
import dev.sfd.workload.BoxIndex;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * DRAM scheduling across segment boundaries: times a plan's segments as one program (the issue rule of
 * {@link SegmentSchedule}) and chooses which loads of later segments issue early, and where in earlier segments'
 * orders ({@link SegmentSchedule.Prefetch}).
 *
 * <p>Which loads may move into the previous segment: any load of the next segment whose data is in DRAM before the
 * current segment ends: weights, network inputs, activations of earlier segments, and data the current segment
 * stores, in which case the load waits for the stores that cover its region (not movable when they do not). The
 * first {@code m} of them move, those that need not wait first, each kind in the next segment's order, and issue in
 * that order. Where they may go: after any of the current segment's own (not prefetched) tasks, after every store
 * they wait for, as one block, spread evenly over the rest of the segment, or into the current segment's idle DMA
 * gaps as it runs alone (so the loads fill the engines' idle time instead of holding up the in-order issue), or each
 * (after the one before it) as early as the buffer has room for it, such that the buffer holds, at every point of
 * the order, the current segment's occupancy plus the moved loads issued so far, and the next segment's occupancy
 * plus its moved loads not yet reached in its order. The occupancy of an in-order program depends only on the order,
 * so both checks are exact.
 *
 * <p>How it chooses: boundary by boundary, from the first, for the load counts all, all that need not wait, half of
 * each, one, and the most that the next segment's order holds in the buffer with a half, a quarter and an eighth of
 * that (a boundary where the buffer allows a few loads but not half of them moved one before), the candidate whose
 * next segment finishes first when the program runs to its end, not moving anything when nothing finishes earlier.
 * Then loads that need not wait of segments whose previous segment keeps the DMA engines busy may move two or more
 * segments early, into the segments whose engines idle most ({@link Program#hoistDeeper}).
 * The timing is the in-order rule of the planner's timeline engine ({@link InOrderClock}, the rule the simulator
 * applies: every task starts once every earlier task has started, its dependencies have finished and a unit of its
 * kind is free), with a segment's own tasks waiting for every task of the previous segment to finish, and each
 * task's duration from the tile graph ({@link TileGraphBuilder}).
 */
public final class BoundaryPrefetch {
    private static final Logger LOGGER = LogManager.getLogger();
    /** Evenly spaced start positions tried per load count, besides the earliest that fits and the last two. */
    private static final int POSITIONS = 6;

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
            Seg seg = new Seg(s, g != null ? g : builder.build(k, s.operators(), mappings));
            if (k > 0 && enabled) {
                seg.findMovable(segments.get(k - 1));
            }
            segs.add(seg);
        }
        Move[] moves = new Move[segs.size()];
        InOrderClock clock = new InOrderClock(engines);
        long barrier = 0;
        int moving = 0;
        for (int k = 0; k < segs.size(); k++) {
            Seg cur = segs.get(k);
            Seg next = k + 1 < segs.size() ? segs.get(k + 1) : null;
            Move chosen = Move.NONE;
            if (next != null && enabled) {
                long[] alone = cur.end.clone();
                long best = finishOfNext(clock, barrier, cur, alone, next, Move.NONE);
                for (Move c : candidates(cur, alone, next)) {
                    long f = finishOfNext(clock, barrier, cur, cur.end.clone(), next, c);
                    if (f < best) {
                        best = f;
                        chosen = c;
                    }
                }
                next.moveEarly(chosen.m);
                moves[k + 1] = chosen;
            }
            barrier = run(clock, barrier, cur, cur.end, next, next == null ? null : next.end, chosen);
            moving += chosen.m > 0 ? 1 : 0;
        }
        Program program = new Program(segs, segments);
        for (int k = 1; k < segs.size(); k++) {
            Move mv = moves[k];
            for (int q = 0; mv != null && q < mv.m; q++) {
                Seg prev = segs.get(k - 1);
                program.placed.get(k).add(new Placed(segs.get(k).movable[q], k - 1, prev.own[mv.after[q]],
                        segs.get(k).waits[q]));
            }
        }
        program.time(0);
        int deep = enabled ? program.hoistDeeper() : 0;
        List<SegmentSchedule> out = new ArrayList<>(segs.size());
        for (int k = 0; k < segs.size(); k++) {
            out.add(segments.get(k).placed(k, program.prefetch(k), program.endOf[k]));
        }
        LOGGER.debug("Boundary prefetch: ({}) of ({}) segments start loading early, ({}) loads two or more segments "
                + "early; program ends at ({} cycles)", moving, segs.size(), deep,
                segs.isEmpty() ? 0 : program.endOf[segs.size() - 1]);
        return out;
    }

    /**
     * A task of a segment issued in an earlier one: position {@code pos} of its segment, right after position
     * {@code hostPos} of segment {@code host}, waiting for the host's tasks at {@code waits} (the previous segment's
     * stores only).
     */
    private record Placed(int pos, int host, int hostPos, int[] waits) {
    }

    /**
     * The plan as one program with its placed tasks: times it (from any segment on, from the state recorded before
     * that segment's own tasks) and moves loads two or more segments early.
     */
    private final class Program {
        /** The deeper moves may time as many tasks as this many timings of the whole program. */
        private static final int WORK = 40;
        /** A segment keeps the DMA engines busy when they idle less than 1/BUSY_SHARE of its span. */
        private static final int BUSY_SHARE = 20;
        final List<Seg> segs;
        /** Per segment, its tasks placed in earlier segments, in issue order. */
        final List<List<Placed>> placed = new ArrayList<>();
        /** Per segment, the state before its own tasks: clock, the previous segment's end, occupancy. */
        final InOrderClock[] clockAt;
        final long[] barrierAt;
        final long[] occupancyAt;
        final long[] endOf;
        /** Per segment, its span less the DMA engines' busy time in it (per engine), as last timed. */
        final long[] idle;
        final List<Set<String>> stores = new ArrayList<>();

        Program(List<Seg> segs, List<SegmentSchedule> schedules) {
            this.segs = segs;
            int n = segs.size();
            clockAt = new InOrderClock[n + 1];
            barrierAt = new long[n + 1];
            occupancyAt = new long[n + 1];
            endOf = new long[n];
            idle = new long[n];
            clockAt[0] = new InOrderClock(engines);
            for (SegmentSchedule s : schedules) {
                placed.add(new ArrayList<>());
                Set<String> st = new HashSet<>();
                for (TileTask t : s.tasks()) {
                    if (t.kind() == TaskKind.STORE) {
                        st.add(t.tensor());
                    }
                }
                stores.add(st);
            }
        }

        /**
         * Per host segment, the placed tasks after each of its positions, in issue order: {@code [host][position]},
         * null for a segment that hosts none and for a position with none after it. (Arrays, not a map keyed by
         * host and position: the timing looks it up once per task, and those long keys collide in a hash map.)
         */
        private List<int[]>[][] attachments() {
            @SuppressWarnings("unchecked")
            List<int[]>[][] out = new List[segs.size()][];
            for (int k = 0; k < segs.size(); k++) {
                List<Placed> ps = placed.get(k);
                for (int q = 0; q < ps.size(); q++) {
                    Placed p = ps.get(q);
                    if (out[p.host] == null) {
                        @SuppressWarnings("unchecked")
                        List<int[]>[] at = new List[segs.get(p.host).n];
                        out[p.host] = at;
                    }
                    if (out[p.host][p.hostPos] == null) {
                        out[p.host][p.hostPos] = new ArrayList<>();
                    }
                    out[p.host][p.hostPos].add(new int[] {k, q});
                }
            }
            return out;
        }

        /** Re-times segments {@code from} to the last, recording each one's state and end. */
        void time(int from) {
            timeRange(from, segs.size() - 1, attachments(), true);
        }

        /**
         * Times segments {@code from} to {@code to} from the state recorded before segment {@code from}; returns
         * {@code {end of segment to, peak occupancy}}. Writes the segments' task ends; records states when asked.
         */
        long[] timeRange(int from, int to, List<int[]>[][] attach, boolean record) {
            InOrderClock c = clockAt[from].copy();
            long barrier = barrierAt[from];
            long occ = occupancyAt[from];
            long peak = occ;
            for (int k = from; k <= to; k++) {
                Seg s = segs.get(k);
                long dma = 0;
                if (record) {
                    clockAt[k] = c.copy();
                    barrierAt[k] = barrier;
                    occupancyAt[k] = occ;
                }
                for (int i = 0; i < s.n; i++) {
                    if (s.early[i]) {
                        continue;
                    }
                    place(c, s, s.end, i, barrier);
                    dma += s.unit[i] == TileTimeline.DMA ? s.busy[i] : 0;
                    occ += s.delta(i);
                    peak = Math.max(peak, occ);
                    List<int[]> after = attach[k] != null ? attach[k][i] : null;
                    if (after != null) {
                        for (int[] a : after) {
                            Seg t = segs.get(a[0]);
                            Placed p = placed.get(a[0]).get(a[1]);
                            long ready = 0;
                            for (int w : p.waits) {
                                ready = Math.max(ready, s.end[w]);
                            }
                            place(c, t, t.end, p.pos, ready);
                            dma += t.unit[p.pos] == TileTimeline.DMA ? t.busy[p.pos] : 0;
                            occ += t.delta(p.pos);
                            peak = Math.max(peak, occ);
                        }
                    }
                }
                long end = barrier;
                for (int i = 0; i < s.n; i++) {
                    end = Math.max(end, s.end[i]);
                }
                barrier = end;
                if (record) {
                    endOf[k] = end;
                    idle[k] = Math.max(0, end - barrierAt[k] - dma / engines);
                }
            }
            if (record && to + 1 < clockAt.length) {
                clockAt[to + 1] = c;
                barrierAt[to + 1] = barrier;
                occupancyAt[to + 1] = occ;
            }
            return new long[] {barrier, peak};
        }

        /**
         * Fills the DMA engines' idle time in earlier segments with loads that need not wait (weights, network
         * inputs) of segments two or more later: hosts in order of their idle DMA time, each (while it idles) offered
         * the loads of every later segment whose previous segment keeps the DMA engines busy (where the loads would
         * otherwise go), nearest first; the loads move (all or half, into the host's idle gaps as last timed or spread
         * evenly) when the whole program then ends earlier and the buffer holds to its end. Its timings of the rest of
         * the program place at most {@link #WORK} times the program's tasks; returns how many loads moved.
         */
        int hoistDeeper() {
            int moved = 0;
            long work = 0;
            long budget = (long) WORK * Math.max(1, totalTasks());
            Integer[] hosts = new Integer[Math.max(0, segs.size() - 2)];
            for (int k = 0; k < hosts.length; k++) {
                hosts[k] = k;
            }
            long[] idleFirst = idle.clone();
            Arrays.sort(hosts, (a, b) -> Long.compare(idleFirst[b], idleFirst[a]));
            for (int host : hosts) {
                Seg h = segs.get(host);
                int[] hostOwn = h.own;
                if (hostOwn.length == 0) {
                    continue;
                }
                for (int j = host + 2; j < segs.size() && work < budget; j++) {
                    if (idle[host] * BUSY_SHARE <= endOf[host] - barrierAt[host]) {
                        break;
                    }
                    // only loads of a segment whose previous one keeps the DMA engines busy gain from moving
                    if (idle[j - 1] * BUSY_SHARE > endOf[j - 1] - barrierAt[j - 1]) {
                        continue;
                    }
                    Seg target = segs.get(j);
                    List<int[]>[] anchors = attachments()[j];
                    List<Integer> loads = new ArrayList<>();
                    for (int q = 0; q < target.movable.length; q++) {
                        int pos = target.movable[q];
                        // a load other tasks are placed after stays where it is (their place is one of its own)
                        if (target.waits[q].length == 0 && inDramFrom(host, j, target, pos)
                                && !placedIn(j, pos, host) && (anchors == null || anchors[pos] == null)) {
                            loads.add(pos);
                        }
                    }
                    if (loads.isEmpty()) {
                        continue;
                    }
                    long makespan = endOf[segs.size() - 1];
                    List<Placed> keep = placed.get(j);
                    List<Placed> chosen = null;
                    long[] busy = new long[loads.size()];
                    for (int q = 0; q < busy.length; q++) {
                        busy[q] = target.busy[loads.get(q)];
                    }
                    int[] gaps = gapPlaces(h, h.end, hostOwn, busy, new int[busy.length]);
                    for (int m = loads.size(), tried = 0; m > 0 && tried < 2; m /= 2, tried++) {
                        for (int pattern = 0; pattern < 2; pattern++) {
                            if (pattern == 0 && gaps[m - 1] < 0) {
                                continue;
                            }
                            List<Placed> trial = new ArrayList<>();
                            Set<Integer> moving = new HashSet<>(loads.subList(0, m));
                            for (int q = 0; q < m; q++) {
                                int at = pattern == 0 ? gaps[q] : (int) ((long) (hostOwn.length - 1) * q / m);
                                trial.add(new Placed(loads.get(q), host, hostOwn[at], new int[0]));
                            }
                            for (Placed p : keep) {
                                if (!moving.contains(p.pos)) {
                                    trial.add(p);
                                }
                            }
                            trial.sort(java.util.Comparator.comparingInt(Placed::host)
                                    .thenComparingInt(Placed::hostPos));
                            placed.set(j, trial);
                            boolean[] wasEarly = target.early.clone();
                            for (Placed p : trial) {
                                target.early[p.pos] = true;
                            }
                            long[] r = timeRange(host, segs.size() - 1, attachments(), false);
                            work += tasksFrom(host);
                            System.arraycopy(wasEarly, 0, target.early, 0, wasEarly.length);
                            placed.set(j, keep);
                            if (r[1] <= capacity && r[0] < makespan) {
                                makespan = r[0];
                                chosen = trial;
                            }
                        }
                    }
                    if (chosen != null) {
                        placed.set(j, chosen);
                        for (Placed p : chosen) {
                            target.early[p.pos] = true;
                        }
                        target.ownChanged();
                        moved += deepCount(chosen, j) - deepCount(keep, j);
                    }
                    time(host);
                }
            }
            return moved;
        }

        private long totalTasks() {
            return tasksFrom(0);
        }

        private long tasksFrom(int k) {
            long n = 0;
            for (int i = k; i < segs.size(); i++) {
                n += segs.get(i).n;
            }
            return n;
        }

        private static int deepCount(List<Placed> ps, int j) {
            int n = 0;
            for (Placed p : ps) {
                n += p.host < j - 1 ? 1 : 0;
            }
            return n;
        }

        /** Whether segment {@code j}'s load at {@code pos} reads data no segment from {@code host} to j-1 stores. */
        private boolean inDramFrom(int host, int j, Seg target, int pos) {
            String tensor = target.schedule.tasks().get(pos).tensor();
            for (int k = host; k < j; k++) {
                if (stores.get(k).contains(tensor)) {
                    return false;
                }
            }
            return true;
        }

        private boolean placedIn(int j, int pos, int host) {
            for (Placed p : placed.get(j)) {
                if (p.pos == pos && p.host <= host) {
                    return true;
                }
            }
            return false;
        }

        /** Segment k's prefetch in the plan's terms. */
        SegmentSchedule.Prefetch prefetch(int k) {
            List<Placed> ps = placed.get(k);
            if (ps.isEmpty()) {
                return SegmentSchedule.Prefetch.NONE;
            }
            Seg s = segs.get(k);
            List<Integer> tasks = new ArrayList<>();
            List<Integer> after = new ArrayList<>();
            List<Integer> in = new ArrayList<>();
            List<SegmentSchedule.Wait> waits = new ArrayList<>();
            for (Placed p : ps) {
                Seg h = segs.get(p.host);
                tasks.add(s.ids[p.pos]);
                after.add(h.ids[p.hostPos]);
                in.add(p.host);
                for (int w : p.waits) {
                    waits.add(new SegmentSchedule.Wait(s.ids[p.pos], h.ids[w]));
                }
            }
            return new SegmentSchedule.Prefetch(tasks, after, in, waits).canonical(k);
        }
    }

    /** The plan's makespan: the predicted end of its last segment (0 for no segment). */
    public static long makespan(List<SegmentSchedule> placed) {
        return placed.isEmpty() ? 0 : placed.get(placed.size() - 1).predictedEndCycle();
    }

    /**
     * The first {@code m} movable loads of the next segment, load {@code q} issued right after the current segment's
     * own task {@code after[q]} (an index into its own tasks, never decreasing).
     */
    private record Move(int m, int[] after) {
        static final Move NONE = new Move(0, new int[0]);
    }

    /**
     * Candidate moves: per load count, blocks and spreads from a few start positions and the idle-gap places, each
     * checked to fit.
     */
    private List<Move> candidates(Seg cur, long[] curAlone, Seg next) {
        List<Move> out = new ArrayList<>();
        int nOwn = cur.own.length;
        // all movable loads, all that need not wait (weights, inputs), halves of both, one
        int all = next.movable.length;
        if (all == 0 || nOwn == 0) {
            return out; // nothing to move, or no task to place it after (a segment of views only)
        }
        int free = 0;
        while (free < all && next.waits[free].length == 0) {
            free++;
        }
        TreeSet<Integer> counts = new TreeSet<>(List.of(all, (all + 1) / 2, free, (free + 1) / 2, 1));
        // where the buffer, not the engines, limits the move: the most loads the next segment's order holds, and
        // a half, a quarter and an eighth of them
        int most = mostThatFit(next, all);
        for (int d = 1; d <= 8; d *= 2) {
            counts.add((most + d - 1) / d);
        }
        counts.remove(0);
        for (int m : counts.descendingSet()) {
            if (next.ownPeak(m) > capacity) {
                continue;
            }
            // earliest place of each load: after the stores it waits for (as own indices of the current segment)
            int[] earliest = new int[m];
            int last = 0;
            for (int q = 0; q < m; q++) {
                for (int w : next.waits[q]) {
                    last = Math.max(last, cur.ownIndex[w]);
                }
                earliest[q] = last;
            }
            long bytes = next.movedBytes[m];
            // the earliest block position whose occupancy from there on, plus the moved buffers, fits
            int p = nOwn;
            while (p - 1 >= earliest[m - 1] && cur.ownSuffixMax[p - 1] + bytes <= capacity) {
                p--;
            }
            if (p < nOwn) {
                TreeSet<Integer> starts = new TreeSet<>();
                for (int j = 0; j <= POSITIONS; j++) {
                    starts.add(p + (int) ((long) (nOwn - 1 - p) * j / POSITIONS));
                }
                starts.add(Math.max(p, nOwn - 2));
                for (int a : starts) {
                    int[] block = new int[m];
                    Arrays.fill(block, a);
                    out.add(new Move(m, block));
                }
            }
            // spreads may start before the block's earliest position: early loads are few and small
            TreeSet<Integer> spreadStarts = new TreeSet<>();
            for (int j = 0; j < POSITIONS; j++) {
                spreadStarts.add(earliest[0] + (int) ((long) (nOwn - 1 - earliest[0]) * j / POSITIONS));
            }
            for (int a0 : spreadStarts) {
                int[] spread = new int[m];
                int prev = 0;
                for (int q = 0; q < m; q++) {
                    int a = a0 + (int) ((long) (nOwn - 1 - a0) * q / m);
                    prev = Math.max(prev, Math.max(a, earliest[q]));
                    spread[q] = prev;
                }
                if (fits(cur, next, spread)) {
                    out.add(new Move(m, spread));
                }
            }
            // each load as early as the buffer allows, after the previous one: from its place on, the current
            // segment's occupancy plus the loads moved up to it fits (so the whole move fits)
            int[] stairs = new int[m];
            int at = 0;
            for (int q = 0; q < m && at < nOwn; q++) {
                at = Math.max(at, earliest[q]);
                while (at < nOwn && cur.ownSuffixMax[at] + next.movedBytes[q + 1] > capacity) {
                    at++;
                }
                stairs[q] = at;
            }
            if (at < nOwn) {
                out.add(new Move(m, stairs));
            }
            // into the current segment's idle DMA time as it runs alone
            long[] busy = new long[m];
            for (int q = 0; q < m; q++) {
                busy[q] = next.busy[next.movable[q]];
            }
            int[] gaps = gapPlaces(cur, curAlone, cur.own, busy, earliest);
            if (gaps[m - 1] >= 0 && fits(cur, next, gaps)) {
                out.add(new Move(m, gaps));
            }
        }
        return out;
    }

    /**
     * The largest load count, at most {@code all}, whose move keeps the next segment's own order within the buffer,
     * by binary search: the moved bytes pending at each own task grow with the count, so the peak does too (a moved
     * load's own position leaves the maximum, which can lower it slightly: then a count that fits, whose next does
     * not); 0 when not even one fits.
     */
    private int mostThatFit(Seg next, int all) {
        int lo = 0;
        int hi = all;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (next.ownPeak(mid) <= capacity) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Places in a segment's idle DMA time, as timed ({@code end}): per load (in order, its busy cycles given), the
     * first own task at or after its earliest place and the previous load's place at whose start the engines are
     * free and the load's transfer ends before the segment's next transfer starts (own indices, never decreasing;
     * -1 for the loads from the first that finds no such gap on).
     */
    private static int[] gapPlaces(Seg h, long[] end, int[] hostOwn, long[] loadBusy, int[] earliest) {
        int n = hostOwn.length;
        long[] nextDma = new long[n + 1];
        nextDma[n] = Long.MAX_VALUE;
        for (int o = n - 1; o >= 0; o--) {
            nextDma[o] = o + 1 < n && h.unit[hostOwn[o + 1]] == TileTimeline.DMA
                    ? end[hostOwn[o + 1]] - h.duration[hostOwn[o + 1]] : nextDma[o + 1];
        }
        int[] out = new int[loadBusy.length];
        Arrays.fill(out, -1);
        long free = 0;
        int q = 0;
        for (int o = 0; o < n && q < loadBusy.length; o++) {
            int i = hostOwn[o];
            long start = end[i] - h.duration[i];
            if (h.unit[i] == TileTimeline.DMA) {
                free = Math.max(free, start + h.busy[i]);
            }
            while (q < loadBusy.length && o >= earliest[q]) {
                long t = Math.max(start, free);
                if (t + loadBusy[q] > nextDma[o]) {
                    break;
                }
                out[q++] = o;
                free = t + loadBusy[q - 1];
            }
        }
        return out;
    }

    /** Whether the current segment's occupancy plus the moved loads issued so far stays within the buffer. */
    private boolean fits(Seg cur, Seg next, int[] after) {
        int q = 0;
        for (int j = 0; j < cur.own.length; j++) {
            while (q < after.length && after[q] <= j) {
                q++;
            }
            if (cur.ownOccupancy[j] + next.movedBytes[q] > capacity) {
                return false;
            }
        }
        return true;
    }

    /**
     * When the next segment finishes if the given loads move; {@code curEnd} (a copy of the current segment's task
     * ends) receives the current segment's timing.
     */
    private long finishOfNext(InOrderClock clock, long barrier, Seg cur, long[] curEnd, Seg next, Move move) {
        InOrderClock c = clock.copy();
        long[] nextEnd = new long[next.n];
        long nextBarrier = run(c, barrier, cur, curEnd, next, nextEnd, move);
        long finish = nextBarrier;
        // the next segment's own tasks, after the barrier, in order
        for (int i = 0; i < next.n; i++) {
            if (next.rank[i] >= 0 && next.rank[i] < move.m) {
                finish = Math.max(finish, nextEnd[i]);
            } else {
                finish = Math.max(finish, place(c, next, nextEnd, i, nextBarrier));
            }
        }
        return finish;
    }

    /**
     * Runs the current segment's own tasks in order, the next segment's moved loads after their places; returns
     * when the current segment's last task ends.
     */
    private static long run(InOrderClock c, long barrier, Seg cur, long[] curEnd, Seg next, long[] nextEnd,
                            Move move) {
        long finish = barrier;
        for (int i = 0; i < cur.n; i++) {
            if (cur.early[i]) {
                finish = Math.max(finish, curEnd[i]);
            }
        }
        int q = 0;
        for (int j = 0; j < cur.own.length; j++) {
            finish = Math.max(finish, place(c, cur, curEnd, cur.own[j], barrier));
            for (; q < move.m && move.after[q] == j; q++) {
                long ready = 0;
                for (int w : next.waits[q]) {
                    ready = Math.max(ready, curEnd[w]);
                }
                place(c, next, nextEnd, next.movable[q], ready);
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
        final SegmentSchedule schedule;
        final int n;
        final int[] ids;
        final byte[] unit;
        final long[] duration;
        final long[] busy;
        final int[][] deps;
        final long[] end;
        /** Bytes each task allocates. */
        final long[] allocates;
        /** The segment's occupancy after issuing each task, in its own order. */
        final long[] occupancy;
        /** Positions of the loads that may move into the previous segment: those with no wait first, each in order. */
        int[] movable = new int[0];
        /** Per movable load, the positions of the previous segment's stores it waits for. */
        int[][] waits = new int[0][];
        /** Per position, its index among the movable loads (-1: not movable). */
        final int[] rank;
        /** Bytes allocated by the first m movable loads. */
        long[] movedBytes = {0};
        /** Tasks moved into the previous segment. */
        final boolean[] early;
        /** Positions of the tasks that are not moved, in order; per position its index there (-1 when moved). */
        int[] own;
        final int[] ownIndex;
        /** Occupancy after each own task (moved loads' buffers are live from the start); its suffix maxima. */
        long[] ownOccupancy;
        long[] ownSuffixMax;

        Seg(SegmentSchedule s, TaskGraph g) {
            schedule = s;
            List<TileTask> tasks = s.tasks();
            n = tasks.size();
            ids = new int[n];
            unit = new byte[n];
            duration = new long[n];
            busy = new long[n];
            deps = new int[n][];
            end = new long[n];
            allocates = new long[n];
            occupancy = new long[n];
            rank = new int[n];
            Arrays.fill(rank, -1);
            early = new boolean[n];
            ownIndex = new int[n];
            int[] position = new int[g.size()];
            Arrays.fill(position, -1);
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
                    allocates[i] = s.buffers().get(t.allocates()).bytes();
                    occ += allocates[i];
                }
                for (int b : t.frees()) {
                    occ -= s.buffers().get(b).bytes();
                }
                occupancy[i] = occ;
            }
            moveEarly(0);
        }

        /**
         * Finds the loads that may issue in the previous segment: loads with no dependency whose data is in DRAM
         * before the previous segment ends (stored by it: waiting for the stores that cover the region).
         */
        void findMovable(SegmentSchedule previous) {
            Map<String, BoxIndex<Integer>> stores = new HashMap<>();
            List<TileTask> prevTasks = previous.tasks();
            for (int i = 0; i < prevTasks.size(); i++) {
                TileTask t = prevTasks.get(i);
                if (t.kind() == TaskKind.STORE) {
                    stores.computeIfAbsent(t.tensor(), x -> new BoxIndex<>()).add(i, t.region());
                }
            }
            Set<String> storedHere = new HashSet<>();
            for (TileTask t : schedule.tasks()) {
                if (t.kind() == TaskKind.STORE) {
                    storedHere.add(t.tensor());
                }
            }
            // loads that need not wait first (in the segment's order), then those waiting for stores
            List<Integer> pos = new ArrayList<>();
            List<int[]> w = new ArrayList<>();
            List<Integer> waitingPos = new ArrayList<>();
            List<int[]> waitingOn = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TileTask t = schedule.tasks().get(i);
                if (t.kind() != TaskKind.LOAD || !t.deps().isEmpty() || storedHere.contains(t.tensor())) {
                    continue;
                }
                int[] covering = coveringStores(prevTasks, stores.get(t.tensor()), t);
                if (covering != null) {
                    (covering.length == 0 ? pos : waitingPos).add(i);
                    (covering.length == 0 ? w : waitingOn).add(covering);
                }
            }
            pos.addAll(waitingPos);
            w.addAll(waitingOn);
            for (int q = 0; q < pos.size(); q++) {
                rank[pos.get(q)] = q;
            }
            movable = pos.stream().mapToInt(Integer::intValue).toArray();
            waits = w.toArray(new int[0][]);
            movedBytes = new long[movable.length + 1];
            for (int q = 0; q < movable.length; q++) {
                movedBytes[q + 1] = movedBytes[q] + allocates[movable[q]];
            }
        }

        /** How task {@code i} changes the occupancy (what it allocates less what it frees). */
        long delta(int i) {
            return occupancy[i] - (i == 0 ? 0 : occupancy[i - 1]);
        }

        /** The segment's peak over its own tasks when its first {@code m} movable loads are moved. */
        long ownPeak(int m) {
            long peak = 0;
            long pending = movedBytes[m];
            for (int i = 0; i < n; i++) {
                if (rank[i] >= 0 && rank[i] < m) {
                    pending -= allocates[i];
                } else {
                    peak = Math.max(peak, occupancy[i] + pending);
                }
            }
            return peak;
        }

        /** Moves the first {@code m} movable loads into the previous segment. */
        void moveEarly(int m) {
            for (int i = 0; i < n; i++) {
                early[i] = rank[i] >= 0 && rank[i] < m;
            }
            ownChanged();
        }

        /** Derives the own tasks, their occupancy and its suffix maxima from {@link #early}. */
        void ownChanged() {
            int count = 0;
            long pending = 0;
            for (int i = 0; i < n; i++) {
                count += early[i] ? 0 : 1;
                pending += early[i] ? allocates[i] : 0;
            }
            own = new int[count];
            ownOccupancy = new long[count];
            int j = 0;
            for (int i = 0; i < n; i++) {
                if (early[i]) {
                    pending -= allocates[i];
                    ownIndex[i] = -1;
                } else {
                    ownIndex[i] = j;
                    own[j] = i;
                    ownOccupancy[j++] = occupancy[i] + pending;
                }
            }
            ownSuffixMax = new long[count + 1];
            for (j = count - 1; j >= 0; j--) {
                ownSuffixMax[j] = Math.max(ownOccupancy[j], ownSuffixMax[j + 1]);
            }
        }
    }

    /**
     * Positions (in the previous segment's order) of the stores of the loaded tensor that the load must wait for:
     * none when the previous segment does not store it, null when its stores do not cover the loaded region (the
     * load then cannot move).
     */
    private static int[] coveringStores(List<TileTask> previous, BoxIndex<Integer> stores, TileTask load) {
        if (stores == null) {
            return new int[0];
        }
        List<Integer> hits = stores.intersecting(load.region());
        long covered = 0;
        for (int i : hits) {
            covered += previous.get(i).region().overlap(load.region());
        }
        return covered >= load.region().elements() ? hits.stream().mapToInt(Integer::intValue).toArray() : null;
    }
}

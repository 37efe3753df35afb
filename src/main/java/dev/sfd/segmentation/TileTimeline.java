package dev.sfd.segmentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The planner's one timeline engine: orders the events of one segment's tile walk on the accelerator's units and
 * times the order as the machine runs it. The tile scheduler's schedule, the segment analyser's prediction and
 * the segmenter's price of a candidate segment are all this one computation, so they agree by construction.
 *
 * <p><b>Events.</b> Each event runs on one unit ({@link #PE}, {@link #VECTOR}, one of the DMA engines, or
 * {@link #NONE} for buffer frees), has a duration (start to completion) and a busy time (how long it holds its
 * unit: a DMA transfer holds its engine for its bytes and completes the DRAM latency later), may allocate one
 * buffer when it starts, may release buffers when it starts (a FREE), and waits for its dependencies to finish.
 *
 * <p><b>Ordering</b> (event-driven list scheduling): time advances from completion to completion; a FREE starts as
 * soon as its dependencies are done; every idle unit then takes the best ready event whose allocation fits the free
 * buffer while leaving headroom for the largest allocation of any later operator and of the event's own successors
 * (so a producer running ahead cannot starve its consumers; the headroom is waived when nothing else can run).
 * "Best": an event that is the last dependency of a FREE first (it releases buffer space), then the lowest event
 * id (operators in topological order, steps in walk order); in the consumers-first order the latest operator's
 * events go before the lowest id, so that tiles are used up before more are made. When nothing runs and nothing
 * fits, the segment does not fit the buffer.
 *
 * <p><b>Timing</b> ({@link Result#makespan()}): the order is issued in order, as a plan runs: an event starts once
 * every earlier event has started, its dependencies have finished and a unit of its kind is free. The buffer
 * occupancy at every start depends only on the order, so it is the one the ordering checked; the in-order start
 * is never later than the ordering's (earlier where an event waited for headroom while its unit idled).
 *
 * <p><b>Run-ahead</b> ({@link RunAhead}): a load whose only dependency bounds how far it runs ahead of its readers
 * (the tile walk's prefetch depth: slice {@code j} of a streamed operand waits until slice {@code j - D} is used up)
 * is declared with {@link #depthBound}. A schedule under {@link RunAhead#WEIGHTS} drops that bound for weight slices,
 * under {@link RunAhead#ALL} for every slice: such a load is ready at once and starts as soon as a DMA engine is free
 * and the buffer holds it with the headroom above, so the buffer, not the depth, limits how far it runs ahead.
 * {@link #scheduleBest} orders and times the events under each policy, and once more consumers first under the depth
 * bound (an order that holds fewer producer tiles), moves the loads that a more relaxed policy frees into the DMA's
 * idle time of the fastest feasible producer-first order and of the consumers-first one ({@link #hoist}), and keeps
 * the fastest (ties to the one that drops fewer bounds), which is what the segment's price and schedule are.
 */
public final class TileTimeline {
    /** No unit: buffer frees (and compute of layout operators). */
    public static final byte NONE = 0;
    /** The PE array. */
    public static final byte PE = 1;
    /** The vector unit. */
    public static final byte VECTOR = 2;
    /** A DMA engine. */
    public static final byte DMA = 3;

    /**
     * How far the loads of streamed operands run ahead of their readers: a segment's choice, made by
     * {@link #scheduleBest}.
     */
    public enum RunAhead {
        /** Every load keeps its prefetch-depth bound. */
        DEPTH,
        /** Weight slices load as early as the buffer allows; other slices keep the bound. */
        WEIGHTS,
        /** Every slice loads as early as the buffer allows. */
        ALL;

        /** Whether this policy drops the bound of a load of class {@code slice} ({@link #WEIGHT_SLICE}, ...). */
        public boolean drops(byte slice) {
            return slice == WEIGHT_SLICE ? this != DEPTH : slice == OTHER_SLICE && this == ALL;
        }
    }

    /** An event without a prefetch-depth bound. */
    public static final byte FIXED = 0;
    /** A load of a weight slice whose dependencies are its prefetch-depth bound. */
    public static final byte WEIGHT_SLICE = 1;
    /** A load of another slice (an activation from DRAM) whose dependencies are its prefetch-depth bound. */
    public static final byte OTHER_SLICE = 2;

    /** Ready events looked at per unit and decision before the full scan. */
    private static final int LOOKAHEAD = 64;

    private int n;
    private byte[] unit = new byte[256];
    private long[] duration = new long[256];
    private long[] busy = new long[256];
    private int[] allocates = new int[256];
    private int[] rank = new int[256];
    private byte[] slice = new byte[256];
    private final int[] bounded = new int[3];
    private int[] depStart = new int[257];
    private int[] deps = new int[1024];
    private int depCount;
    private int[] freeStart = new int[257];
    private int[] frees = new int[256];
    private int freeCount;
    private long[] bufferBytes = new long[256];
    private int buffers;
    private int maxRank;
    /** What every ordering of the events shares, built on first use and dropped when the events change. */
    private Shape shape;

    /** Declares buffer {@code id} of {@code bytes} (ids from 0, in any order). */
    public void buffer(int id, long bytes) {
        if (id >= bufferBytes.length) {
            bufferBytes = Arrays.copyOf(bufferBytes, Math.max(id + 1, bufferBytes.length * 2));
        }
        bufferBytes[id] = bytes;
        buffers = Math.max(buffers, id + 1);
        shape = null;
    }

    /**
     * Adds the next event (ids from 0, in order; every dependency an earlier event).
     *
     * @param unitKind {@link #NONE}, {@link #PE}, {@link #VECTOR} or {@link #DMA}
     * @param durationCycles start to completion
     * @param busyCycles how long it holds its unit
     * @param allocatedBuffer buffer allocated at its start, or -1
     * @param freedBuffers buffers released at its start
     * @param dependencies events that must finish first
     * @param operatorRank position of its operator in the segment's topological order (for headroom)
     * @return the event id
     */
    public int event(byte unitKind, long durationCycles, long busyCycles, int allocatedBuffer, int[] freedBuffers,
                     int[] dependencies, int operatorRank) {
        if (n + 1 >= unit.length) {
            int cap = unit.length * 2;
            unit = Arrays.copyOf(unit, cap);
            duration = Arrays.copyOf(duration, cap);
            busy = Arrays.copyOf(busy, cap);
            allocates = Arrays.copyOf(allocates, cap);
            rank = Arrays.copyOf(rank, cap);
            slice = Arrays.copyOf(slice, cap);
            depStart = Arrays.copyOf(depStart, cap + 1);
            freeStart = Arrays.copyOf(freeStart, cap + 1);
        }
        if (depCount + dependencies.length > deps.length) {
            deps = Arrays.copyOf(deps, Math.max(depCount + dependencies.length, deps.length * 2));
        }
        if (freeCount + freedBuffers.length > frees.length) {
            frees = Arrays.copyOf(frees, Math.max(freeCount + freedBuffers.length, frees.length * 2));
        }
        unit[n] = unitKind;
        duration[n] = durationCycles;
        busy[n] = busyCycles;
        allocates[n] = allocatedBuffer;
        rank[n] = operatorRank;
        maxRank = Math.max(maxRank, operatorRank);
        for (int d : dependencies) {
            if (d < 0 || d >= n) {
                throw new IllegalArgumentException("event " + n + " depends on " + d + ", which is not an earlier event");
            }
            deps[depCount++] = d;
        }
        for (int b : freedBuffers) {
            frees[freeCount++] = b;
        }
        n++;
        depStart[n] = depCount;
        freeStart[n] = freeCount;
        shape = null;
        return n - 1;
    }

    /**
     * Declares that the dependencies of load {@code event} only bound how far it runs ahead of its readers (the
     * prefetch depth), so that a {@link RunAhead} policy may drop them.
     *
     * @param weight whether it loads a weight slice ({@link #WEIGHT_SLICE}) or another one ({@link #OTHER_SLICE})
     */
    public void depthBound(int event, boolean weight) {
        if (event < 0 || event >= n || unit[event] != DMA) {
            throw new IllegalArgumentException("event " + event + " is not a transfer of this timeline");
        }
        if (slice[event] != FIXED) {
            bounded[slice[event]]--;
        }
        slice[event] = weight ? WEIGHT_SLICE : OTHER_SLICE;
        bounded[slice[event]]++;
        shape = null;
    }

    /** Whether {@code policy} drops a bound that the policy before it keeps (so that it may order differently). */
    public boolean dropsMore(RunAhead policy) {
        return switch (policy) {
            case DEPTH -> true;
            case WEIGHTS -> bounded[WEIGHT_SLICE] > 0;
            case ALL -> bounded[OTHER_SLICE] > 0;
        };
    }

    public int size() {
        return n;
    }

    public long bufferBytes(int id) {
        return bufferBytes[id];
    }

    /**
     * The ordering and its timing.
     *
     * @param feasible whether the segment fits the buffer
     * @param order event ids in start order (all events when feasible)
     * @param makespan cycles of the in-order issue of {@code order} (when feasible)
     * @param peakBytes peak buffer occupancy of the order
     * @param blockedEvent when infeasible: the lowest ready event that could not start
     * @param blockedBytes its allocation
     * @param freeBytes the free buffer when it was blocked
     * @param runAhead the policy the order was made under
     */
    public record Result(boolean feasible, int[] order, long makespan, long peakBytes, int blockedEvent,
                         long blockedBytes, long freeBytes, RunAhead runAhead) {
    }

    /**
     * Orders and times the events within {@code capacityBytes} of buffer on {@code dmaEngines} DMA engines, every
     * load keeping its prefetch-depth bound.
     */
    public Result schedule(long capacityBytes, int dmaEngines) {
        return schedule(capacityBytes, dmaEngines, RunAhead.DEPTH);
    }

    /** As {@link #schedule(long, int)}, with the prefetch-depth bounds that {@code policy} drops dropped. */
    public Result schedule(long capacityBytes, int dmaEngines, RunAhead policy) {
        return schedule(capacityBytes, dmaEngines, policy, false);
    }

    /**
     * As {@link #schedule(long, int, RunAhead)}; with {@code consumersFirst} the ready events of later operators go
     * before those of earlier ones (then the lowest id), so that tiles are used up before more are made: an order that
     * holds fewer producer tiles, and leaves room for loads to move ahead ({@link #hoist}).
     */
    Result schedule(long capacityBytes, int dmaEngines, RunAhead policy, boolean consumersFirst) {
        return new Run(capacityBytes, Math.max(1, dmaEngines), policy, consumersFirst).execute();
    }

    /**
     * The fastest feasible schedule over the {@link RunAhead} policies that may order differently
     * ({@link #dropsMore}), ties to the policy that drops fewer bounds, then over the consumers-first order under the
     * depth bound (when some load has a bound to drop) and over both orders with the loads a more relaxed policy
     * frees moved forward ({@link #hoist}), each kept only when faster; the {@link RunAhead#DEPTH} one when none fits.
     */
    public Result scheduleBest(long capacityBytes, int dmaEngines) {
        Result best = null;
        for (RunAhead p : RunAhead.values()) {
            if (!dropsMore(p)) {
                continue;
            }
            Result r = schedule(capacityBytes, dmaEngines, p);
            if (best == null || r.feasible() && (!best.feasible() || r.makespan() < best.makespan())) {
                best = r;
            }
        }
        Result drained = freesMore(RunAhead.DEPTH, RunAhead.ALL)
                ? schedule(capacityBytes, dmaEngines, RunAhead.DEPTH, true) : null;
        List<Result> bases = new ArrayList<>(2);
        for (Result base : new Result[] {best, drained}) {
            if (base != null && base.feasible()) {
                bases.add(base);
                if (!best.feasible() || base.makespan() < best.makespan()) {
                    best = base;
                }
            }
        }
        for (Result base : bases) {
            for (RunAhead p : RunAhead.values()) {
                if (p.ordinal() > base.runAhead().ordinal() && freesMore(base.runAhead(), p)) {
                    Result r = hoist(base, capacityBytes, dmaEngines, p);
                    if (r.makespan() < best.makespan()) {
                        best = r;
                    }
                }
            }
        }
        return best;
    }

    /** Whether {@code to} drops the bound of some load that {@code from} keeps. */
    private boolean freesMore(RunAhead from, RunAhead to) {
        for (byte c = WEIGHT_SLICE; c <= OTHER_SLICE; c++) {
            if (bounded[c] > 0 && to.drops(c) && !from.drops(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code base}'s order (feasible) with the loads that {@code policy} frees of their bound, but {@code base}'s
     * policy keeps, moved forward into time the DMA engines would idle, wherever the buffer holds them until
     * {@code base}'s order loads them: the room is what {@code base}'s occupancy leaves at every position in between,
     * less the loads already moved over it, so the order fits by construction. Walking {@code base}'s order with the
     * in-order clock, before each event the next freed loads (in {@code base}'s order) are issued while a DMA engine
     * would be free before that event starts and again by the time {@code base} started its next transfer, and the
     * room holds them; the first that does not fit stops the moves until the next event. Unlike {@link #schedule}
     * under {@code policy}, whose engine lets loads that run ahead fill the buffer that later steps need, this never
     * makes a feasible order infeasible.
     */
    Result hoist(Result base, long capacityBytes, int dmaEngines, RunAhead policy) {
        int[] order = base.order();
        long[] alloc = shape().alloc;
        long[] released = shape().released;
        int[] position = new int[n];
        for (int k = 0; k < n; k++) {
            position[order[k]] = k;
        }
        // room[k]: the free buffer once the first k events of base's order have started, and while the k-th started
        long[] room = new long[n + 1];
        long occupancy = 0;
        room[0] = capacityBytes;
        for (int k = 0; k < n; k++) {
            long during = occupancy + alloc[order[k]];
            occupancy = during - released[order[k]];
            room[k + 1] = capacityBytes - Math.max(during, occupancy);
        }
        RoomTree tree = new RoomTree(room);
        int[] freed = new int[n];
        int freedCount = 0;
        for (int t : order) {
            if (policy.drops(slice[t]) && !base.runAhead().drops(slice[t])) {
                freed[freedCount++] = t;
            }
        }
        // when base's order ends each event: a move must leave the DMA engine free by the next transfer's start
        long[] baseEnd = inOrderEnds(order, dmaEngines, base.runAhead());
        boolean[] moved = new boolean[n];
        int[] out = new int[n];
        int issued = 0;
        int next = 0;
        int nextTransfer = 0;
        long[] end = new long[n];
        long makespan = 0;
        InOrderClock clock = new InOrderClock(dmaEngines);
        InOrderClock probe = new InOrderClock(dmaEngines);
        InOrderClock withLoad = new InOrderClock(dmaEngines);
        for (int k = 0; k < n; k++) {
            int t = order[k];
            if (moved[t]) {
                continue;
            }
            long ready = readyAt(t, policy, end);
            while (next < freedCount && (position[freed[next]] <= k || moved[freed[next]])) {
                next++;
            }
            while (next < freedCount) {
                int load = freed[next];
                nextTransfer = Math.max(nextTransfer, k);
                while (nextTransfer < n && (unit[order[nextTransfer]] != DMA || moved[order[nextTransfer]]
                        || order[nextTransfer] == load)) {
                    nextTransfer++;
                }
                long transferDue = nextTransfer < n
                        ? baseEnd[order[nextTransfer]] - duration[order[nextTransfer]] : Long.MAX_VALUE;
                long startAlone = probe.copyFrom(clock).start(unit[t], busy[t], ready);
                long loadStart = withLoad.copyFrom(clock).start(DMA, busy[load], 0);
                long startAfter = withLoad.start(unit[t], busy[t], ready);
                if (loadStart >= startAlone || startAfter > startAlone || loadStart + busy[load] > transferDue
                        || tree.min(k, position[load]) < alloc[load]) {
                    break;
                }
                tree.add(k, position[load], -alloc[load]);
                end[load] = clock.start(DMA, busy[load], 0) + duration[load];
                makespan = Math.max(makespan, end[load]);
                moved[load] = true;
                out[issued++] = load;
                next++;
            }
            end[t] = clock.start(unit[t], busy[t], ready) + duration[t];
            makespan = Math.max(makespan, end[t]);
            out[issued++] = t;
        }
        long peak = 0;
        occupancy = 0;
        for (int t : out) {
            occupancy += alloc[t] - released[t];
            peak = Math.max(peak, occupancy);
        }
        return new Result(true, out, makespan, peak, -1, 0, 0, policy);
    }

    /** When the dependencies of {@code t} that {@code policy} keeps have finished, given their ends. */
    private long readyAt(int t, RunAhead policy, long[] end) {
        long ready = 0;
        int last = policy.drops(slice[t]) ? depStart[t] : depStart[t + 1];
        for (int k = depStart[t]; k < last; k++) {
            ready = Math.max(ready, end[deps[k]]);
        }
        return ready;
    }

    private long allocBytes(int t) {
        return allocates[t] >= 0 ? bufferBytes[allocates[t]] : 0;
    }

    private long releasedBytes(int t) {
        long r = 0;
        for (int k = freeStart[t]; k < freeStart[t + 1]; k++) {
            r += bufferBytes[frees[k]];
        }
        return r;
    }

    private Shape shape() {
        if (shape == null) {
            shape = new Shape();
        }
        return shape;
    }

    /**
     * The policy-independent part of an ordering run, computed once for the several runs of {@link #scheduleBest}:
     * each event's allocation and release, its successors over every dependency (a run skips those its policy
     * drops) and, per policy, the headroom it leaves.
     */
    private final class Shape {
        final long[] alloc = new long[n];
        final long[] released = new long[n];
        final int[] succStart = new int[n + 1];
        final int[] succ = new int[depCount];
        final long[][] reserve = new long[RunAhead.values().length][];
        /** Per operator rank, the largest allocation of any later operator. */
        final long[] later = new long[maxRank + 2];

        Shape() {
            for (int t = 0; t < n; t++) {
                alloc[t] = allocBytes(t);
                released[t] = releasedBytes(t);
                for (int k = depStart[t]; k < depStart[t + 1]; k++) {
                    succStart[deps[k] + 1]++;
                }
            }
            for (int t = 0; t < n; t++) {
                succStart[t + 1] += succStart[t];
            }
            int[] fill = Arrays.copyOf(succStart, n);
            for (int t = 0; t < n; t++) {
                for (int k = depStart[t]; k < depStart[t + 1]; k++) {
                    succ[fill[deps[k]]++] = t;
                }
            }
            long[] maxAllocOfRank = new long[maxRank + 2];
            for (int t = 0; t < n; t++) {
                maxAllocOfRank[rank[t]] = Math.max(maxAllocOfRank[rank[t]], alloc[t]);
            }
            for (int k = maxRank - 1; k >= 0; k--) {
                later[k] = Math.max(later[k + 1], maxAllocOfRank[k + 1]);
            }
        }

        /**
         * Headroom per event under {@code policy}: the largest allocation of any later operator, and of the event's
         * own successors under the dependencies the policy keeps.
         */
        long[] reserve(RunAhead policy) {
            long[] r = reserve[policy.ordinal()];
            if (r != null) {
                return r;
            }
            r = new long[n];
            for (int t = 0; t < n; t++) {
                if (alloc[t] > 0) {
                    long x = later[rank[t]];
                    for (int k = succStart[t]; k < succStart[t + 1]; k++) {
                        if (!policy.drops(slice[succ[k]])) {
                            x = Math.max(x, alloc[succ[k]]);
                        }
                    }
                    r[t] = x;
                }
            }
            reserve[policy.ordinal()] = r;
            return r;
        }
    }

    /** Range add and range minimum over the free buffer at each position of an order (a lazy segment tree). */
    private static final class RoomTree {
        private final int size;
        private final long[] min;
        private final long[] pending;

        RoomTree(long[] values) {
            int s = 1;
            while (s < values.length) {
                s <<= 1;
            }
            size = s;
            min = new long[2 * s];
            pending = new long[2 * s];
            Arrays.fill(min, Long.MAX_VALUE);
            System.arraycopy(values, 0, min, s, values.length);
            for (int i = s - 1; i >= 1; i--) {
                min[i] = Math.min(min[2 * i], min[2 * i + 1]);
            }
        }

        /** The least value over positions {@code lo..hi}. */
        long min(int lo, int hi) {
            return min(1, 0, size - 1, lo, hi);
        }

        /** Adds {@code delta} to positions {@code lo..hi}. */
        void add(int lo, int hi, long delta) {
            add(1, 0, size - 1, lo, hi, delta);
        }

        private long min(int node, int l, int r, int lo, int hi) {
            if (hi < l || r < lo) {
                return Long.MAX_VALUE;
            }
            if (lo <= l && r <= hi) {
                return min[node];
            }
            int m = (l + r) >>> 1;
            long v = Math.min(min(2 * node, l, m, lo, hi), min(2 * node + 1, m + 1, r, lo, hi));
            return v == Long.MAX_VALUE ? v : v + pending[node];
        }

        private void add(int node, int l, int r, int lo, int hi, long delta) {
            if (hi < l || r < lo) {
                return;
            }
            if (lo <= l && r <= hi) {
                if (min[node] != Long.MAX_VALUE) {
                    min[node] += delta;
                }
                pending[node] += delta;
                return;
            }
            int m = (l + r) >>> 1;
            add(2 * node, l, m, lo, hi, delta);
            add(2 * node + 1, m + 1, r, lo, hi, delta);
            long v = Math.min(min[2 * node], min[2 * node + 1]);
            min[node] = v == Long.MAX_VALUE ? v : v + pending[node];
        }
    }

    private final class Run {
        final long capacity;
        final int engines;
        final RunAhead policy;
        final boolean consumersFirst;
        final int[] remaining = new int[n];
        final int[] succStart;
        final int[] succ;
        final long[] alloc;
        final long[] released;
        final long[] reserve;
        final boolean[] urgent = new boolean[n];
        final boolean[] done = new boolean[n];
        final boolean[] started = new boolean[n];
        final Ready[] ready = {new Ready(), new Ready(), new Ready(), new Ready()};
        /** A pick's ready events that did not fit, handed back to their queue. */
        final long[] skipped = new long[LOOKAHEAD];
        final int[] idle;
        final int[] order = new int[n];
        /**
         * A unit whose last pick found nothing that fits, until enough space is freed or it gets a ready event that
         * fits: {@link #pick} would find nothing before then, as fitting only gets harder while the occupancy grows.
         */
        final boolean[] blocked = new boolean[4];
        /** Per blocked unit, the least allocation of its ready events, without and with their headroom. */
        final long[] needWaived = new long[4];
        final long[] needStrict = new long[4];
        /**
         * Per unit, once a pick has had to search past its queue's head ({@link #searchFitting}): its ready events
         * again, in one heap per need (allocation and headroom), so the best event that fits is the best of the heads
         * whose need fits, not a scan of the whole queue (quadratic on a walk of many small tiles: an 86,000-step
         * convolution took minutes).
         */
        final NeedHeaps[] byNeed = new NeedHeaps[4];
        /** Whether the headroom is waived (nothing else can run). */
        boolean waive;
        int issued;
        long occupancy;
        long peak;
        /** What happens next: a unit released or an event completed, by time, then releases first, then event. */
        final Agenda running = new Agenda();

        Run(long capacity, int engines, RunAhead policy, boolean consumersFirst) {
            this.capacity = capacity;
            this.engines = engines;
            this.policy = policy;
            this.consumersFirst = consumersFirst;
            this.idle = new int[] {Integer.MAX_VALUE, 1, 1, engines};
            Shape shape = shape();
            this.succStart = shape.succStart;
            this.succ = shape.succ;
            this.alloc = shape.alloc;
            this.released = shape.released;
            this.reserve = shape.reserve(policy);
            for (int t = 0; t < n; t++) {
                remaining[t] = depEnd(t) - depStart[t];
            }
        }

        /** End of the dependencies of {@code t} that hold under the policy. */
        int depEnd(int t) {
            return policy.drops(slice[t]) ? depStart[t] : depStart[t + 1];
        }

        Result execute() {
            for (int t = 0; t < n; t++) {
                if (remaining[t] == 0) {
                    makeReady(t);
                }
            }
            long now = 0;
            int completed = 0;
            while (completed < n) {
                boolean progress = true;
                while (progress) {
                    progress = false;
                    for (int u = 0; u < 4; u++) {
                        while (idle[u] > 0 && !blocked[u]) {
                            int t = pick(u);
                            if (t < 0) {
                                block(u);
                                break;
                            }
                            start(t, now);
                            progress = true;
                        }
                    }
                    while (!running.isEmpty() && running.time() <= now) {
                        completed += finish(running.poll());
                        progress = true;
                    }
                }
                if (completed == n) {
                    break;
                }
                if (running.isEmpty()) {
                    if (!waive) {
                        waive = true;
                        java.util.Arrays.fill(blocked, false);
                        continue;
                    }
                    return blocked();
                }
                if (waive) {
                    waive = false;
                    java.util.Arrays.fill(blocked, false);
                }
                now = running.time();
            }
            return new Result(true, order, inOrderMakespan(order, engines, policy), peak, -1, 0, 0, policy);
        }

        void makeReady(int t) {
            // FREEs come first among the unit-less events: they allocate nothing and release space
            enqueue(t, urgent[t] || released[t] > 0);
            offer(t);
        }

        /** Unblocks {@code t}'s unit when {@code t} fits, else counts its allocation in what the unit needs. */
        void offer(int t) {
            int u = unit[t];
            if (!blocked[u]) {
                return;
            }
            if (fits(t)) {
                blocked[u] = false;
            } else {
                needWaived[u] = Math.min(needWaived[u], alloc[t]);
                needStrict[u] = Math.min(needStrict[u], alloc[t] + reserve[t]);
            }
        }

        /** Marks unit {@code u} blocked (its pick found nothing that fits) with the least allocation it waits for. */
        void block(int u) {
            blocked[u] = true;
            long waived = Long.MAX_VALUE;
            long strict = Long.MAX_VALUE;
            NeedHeaps h = byNeed[u];
            if (h != null) {
                for (int g = 0; g < h.count; g++) {
                    if (h.liveHead(g, this) >= 0) {
                        waived = Math.min(waived, h.alloc[g]);
                        strict = Math.min(strict, h.alloc[g] + h.reserve[g]);
                    }
                }
            } else {
                Ready r = ready[u];
                for (int i = 0; i < r.count(); i++) {
                    int t = Ready.event(r.at(i));
                    if (!started[t]) {
                        waived = Math.min(waived, alloc[t]);
                        strict = Math.min(strict, alloc[t] + reserve[t]);
                    }
                }
            }
            needWaived[u] = waived;
            needStrict[u] = strict;
        }

        /** Whether a queued key is stale: its event started, or it was queued again in another class. */
        boolean stale(long key) {
            int t = Ready.event(key);
            return started[t] || Ready.urgent(key) != (urgent[t] || released[t] > 0);
        }

        /**
         * The best ready event of unit {@code u} that fits (the smallest key), left queued (the caller starts it, which
         * makes its entries stale); -1 when none does.
         */
        int searchFitting(int u) {
            NeedHeaps h = byNeed[u];
            if (h == null) {
                h = new NeedHeaps();
                Ready r = ready[u];
                for (int i = 0; i < r.count(); i++) {
                    if (!stale(r.at(i))) {
                        h.push(r.at(i), alloc, reserve);
                    }
                }
                byNeed[u] = h;
            }
            int best = -1;
            long bestKey = Long.MAX_VALUE;
            for (int g = 0; g < h.count; g++) {
                if (!fits(h.alloc[g], h.reserve[g])) {
                    continue;
                }
                long key = h.liveHead(g, this);
                if (key >= 0 && key < bestKey) {
                    bestKey = key;
                    best = Ready.event(key);
                }
            }
            return best;
        }

        /** After space is released: unblocks the units whose least need now fits. */
        void released() {
            for (int u = 0; u < 4; u++) {
                if (blocked[u] && occupancy + (waive ? needWaived[u] : needStrict[u]) <= capacity) {
                    blocked[u] = false;
                }
            }
        }

        /** Queues ready event {@code t} on its unit in its class, ordered by operator (with consumers first) and id. */
        void enqueue(int t, boolean urgentClass) {
            long key = ready[unit[t]].push(t, urgentClass, consumersFirst ? maxRank - rank[t] : 0);
            NeedHeaps h = byNeed[unit[t]];
            if (h != null) {
                h.push(key, alloc, reserve);
            }
        }

        /** The best ready event of unit {@code u} that fits, removed from its queue; -1 when none does. */
        int pick(int u) {
            Ready r = ready[u];
            int nSkipped = 0;
            int found = -1;
            while (!r.isEmpty() && nSkipped < LOOKAHEAD) {
                long key = r.pop();
                if (stale(key)) {
                    continue;
                }
                int t = Ready.event(key);
                if (fits(t)) {
                    found = t;
                    break;
                }
                skipped[nSkipped++] = key;
            }
            r.holdBack(skipped, nSkipped); // back into the queue only: the heaps by need still hold them
            if (found < 0 && nSkipped == LOOKAHEAD) {
                found = searchFitting(u);
            }
            return found;
        }

        /** Whether {@code t}'s allocation (and headroom, unless waived) fits the free buffer. */
        boolean fits(int t) {
            return fits(alloc[t], reserve[t]);
        }

        /** Whether an allocation with that headroom (unless waived) fits the free buffer. */
        boolean fits(long allocation, long headroom) {
            return occupancy + allocation + (waive ? 0 : headroom) <= capacity;
        }

        void start(int t, long now) {
            started[t] = true;
            order[issued++] = t;
            occupancy += alloc[t] - released[t];
            if (released[t] > 0) {
                released();
            }
            peak = Math.max(peak, occupancy);
            byte u = unit[t];
            if (u != NONE) {
                idle[u]--;
                running.add(now + busy[t], Agenda.RELEASE, t);
            }
            running.add(now + duration[t], Agenda.COMPLETE, t);
        }

        /** Handles one agenda entry ({@link Agenda#poll}); returns 1 when an event completed. */
        int finish(long entry) {
            int t = Agenda.event(entry);
            if (Agenda.kind(entry) == Agenda.RELEASE) {
                idle[unit[t]]++;
                return 0;
            }
            done[t] = true;
            for (int k = succStart[t]; k < succStart[t + 1]; k++) {
                int s = succ[k];
                if (policy.drops(slice[s])) {
                    continue; // the policy dropped this dependency of s
                }
                if (--remaining[s] == 0) {
                    makeReady(s);
                } else if (remaining[s] == 1 && released[s] > 0) {
                    // the one event this FREE still waits for releases space when it finishes: prefer it
                    for (int k2 = depStart[s]; k2 < depEnd(s); k2++) {
                        int d = deps[k2];
                        if (!done[d] && !urgent[d]) {
                            urgent[d] = true;
                            if (remaining[d] == 0 && !started[d]) {
                                enqueue(d, true);
                                offer(d);
                            }
                        }
                    }
                }
            }
            return 1;
        }

        Result blocked() {
            int first = -1;
            for (int u = 0; u < 4; u++) {
                int t = ready[u].lowestLive(started);
                if (t >= 0 && (first < 0 || t < first)) {
                    first = t;
                }
            }
            if (first < 0) {
                throw new IllegalStateException("tile events left but none ready (dependency cycle)");
            }
            return new Result(false, Arrays.copyOf(order, issued), 0, peak, first, alloc[first],
                    capacity - occupancy, policy);
        }
    }

    /** In-order makespan of {@code order} (see the class comment) under the dependencies {@code policy} keeps. */
    long inOrderMakespan(int[] order, int engines, RunAhead policy) {
        long makespan = 0;
        for (long e : inOrderEnds(order, engines, policy)) {
            makespan = Math.max(makespan, e);
        }
        return makespan;
    }

    /** When each event of {@code order} ends under the in-order issue rule and the dependencies {@code policy} keeps. */
    private long[] inOrderEnds(int[] order, int engines, RunAhead policy) {
        long[] end = new long[n];
        InOrderClock clock = new InOrderClock(engines);
        for (int t : order) {
            end[t] = clock.start(unit[t], busy[t], readyAt(t, policy, end)) + duration[t];
        }
        return end;
    }

    /**
     * The in-order issue rule as a running state (the timing of {@link Result#makespan()}, also used to time a whole
     * plan's segments as one program): an event starts once every earlier event has started, it is ready, and a unit
     * of its kind is free (the DMA engine that frees first).
     */
    public static final class InOrderClock {
        private long previousStart;
        private long peFree;
        private long vectorFree;
        private final long[] dmaFree;

        public InOrderClock(int engines) {
            dmaFree = new long[Math.max(1, engines)];
        }

        public InOrderClock copy() {
            return new InOrderClock(dmaFree.length).copyFrom(this);
        }

        /** Takes {@code other}'s state (the same number of DMA engines); returns this clock. */
        InOrderClock copyFrom(InOrderClock other) {
            previousStart = other.previousStart;
            peFree = other.peFree;
            vectorFree = other.vectorFree;
            System.arraycopy(other.dmaFree, 0, dmaFree, 0, dmaFree.length);
            return this;
        }

        /**
         * Starts the next event in order.
         *
         * @param unitKind {@link #NONE}, {@link #PE}, {@link #VECTOR} or {@link #DMA}
         * @param busyCycles how long it holds its unit
         * @param readyAt when its dependencies (and any other condition) allow it to start
         * @return its start cycle
         */
        public long start(byte unitKind, long busyCycles, long readyAt) {
            long start = Math.max(previousStart, readyAt);
            switch (unitKind) {
                case PE -> {
                    start = Math.max(start, peFree);
                    peFree = start + busyCycles;
                }
                case VECTOR -> {
                    start = Math.max(start, vectorFree);
                    vectorFree = start + busyCycles;
                }
                case DMA -> {
                    int engine = 0;
                    for (int e = 1; e < dmaFree.length; e++) {
                        if (dmaFree[e] < dmaFree[engine]) {
                            engine = e;
                        }
                    }
                    start = Math.max(start, dmaFree[engine]);
                    dmaFree[engine] = start + busyCycles;
                }
                default -> {
                }
            }
            previousStart = start;
            return start;
        }
    }

    /**
     * The running events' next happenings: a binary heap of (time, kind, event), earliest time first, then a unit's
     * release before a completion, then the lower event id.
     */
    private static final class Agenda {
        static final int RELEASE = 0;
        static final int COMPLETE = 1;
        private long[] times = new long[64];
        private long[] keys = new long[64];
        private int size;

        static int event(long key) {
            return (int) key;
        }

        static int kind(long key) {
            return (int) (key >>> 32);
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The earliest time queued. */
        long time() {
            return times[0];
        }

        void add(long time, int kind, int event) {
            if (size == times.length) {
                times = Arrays.copyOf(times, size * 2);
                keys = Arrays.copyOf(keys, size * 2);
            }
            long key = (long) kind << 32 | event;
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!before(time, key, times[parent], keys[parent])) {
                    break;
                }
                times[i] = times[parent];
                keys[i] = keys[parent];
                i = parent;
            }
            times[i] = time;
            keys[i] = key;
        }

        /** Removes the first entry; returns its key (kind and event). */
        long poll() {
            long top = keys[0];
            size--;
            long time = times[size];
            long key = keys[size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && before(times[c + 1], keys[c + 1], times[c], keys[c])) {
                    c++;
                }
                if (!before(times[c], keys[c], time, key)) {
                    break;
                }
                times[i] = times[c];
                keys[i] = keys[c];
                i = c;
            }
            if (size > 0) {
                times[i] = time;
                keys[i] = key;
            }
            return top;
        }

        private static boolean before(long time, long key, long otherTime, long otherKey) {
            return time < otherTime || time == otherTime && key < otherKey;
        }
    }

    /**
     * One unit's ready events grouped by need (allocation and headroom under the run's policy), a {@link Ready} heap
     * per group; a unit's tiles come in few sizes, so there are few groups. Stale entries are dropped at a head.
     */
    private static final class NeedHeaps {
        /** The group of each need (allocation, headroom). */
        final Map<List<Long>, Integer> index = new HashMap<>();
        long[] alloc = new long[4];
        long[] reserve = new long[4];
        Ready[] heaps = new Ready[4];
        int count;

        void push(long key, long[] allocs, long[] reserves) {
            int t = Ready.event(key);
            List<Long> need = List.of(allocs[t], reserves[t]);
            Integer g = index.get(need);
            if (g == null) {
                if (count == heaps.length) {
                    alloc = Arrays.copyOf(alloc, 2 * count);
                    reserve = Arrays.copyOf(reserve, 2 * count);
                    heaps = Arrays.copyOf(heaps, 2 * count);
                }
                g = count++;
                alloc[g] = allocs[t];
                reserve[g] = reserves[t];
                heaps[g] = new Ready();
                index.put(need, g);
            }
            heaps[g].push(key);
        }

        /** The smallest live key of group {@code g} (stale heads dropped), or -1 when it has none. */
        long liveHead(int g, Run run) {
            Ready h = heaps[g];
            while (!h.isEmpty() && run.stale(h.peek())) {
                h.pop();
            }
            return h.isEmpty() ? -1 : h.peek();
        }
    }

    /**
     * Ready events of one unit: a binary heap of keys {@code (urgent ? 0 : 1) << 62 | operator key << 32 | id},
     * smallest first, so urgent events come first, then the operator key (0, or the reversed rank with consumers
     * first), then the lowest id. Entries whose class changed are left behind and skipped. The keys a pick looked at
     * and could not start are handed back into a sorted run beside the heap ({@link #holdBack}), not pushed through
     * it again: a pick that skips many non-fitting events no longer pays two heap operations for each every time.
     */
    static final class Ready {
        long[] a = new long[64];
        int size;
        /**
         * Keys popped and handed back ({@link #holdBack}), ascending in {@code held[heldStart, heldEnd)}: they are
         * popped again before any larger heap key without going through the heap again.
         */
        long[] held = new long[0];
        int heldStart;
        int heldEnd;

        static int event(long key) {
            return (int) (key & 0xffffffffL);
        }

        static boolean urgent(long key) {
            return (key >>> 62) == 0;
        }

        boolean isEmpty() {
            return size == 0 && heldStart == heldEnd;
        }

        /** Entries queued (heap and held), for a scan in no particular order with {@link #at}. */
        int count() {
            return size + heldEnd - heldStart;
        }

        long at(int i) {
            return i < size ? a[i] : held[heldStart + i - size];
        }

        /**
         * Hands back the first {@code k} of {@code keys}, the last keys {@link #pop} returned, in the order it returned
         * them; every key still queued is at least as large, so they go in front of the held run.
         */
        void holdBack(long[] keys, int k) {
            if (k == 0) {
                return;
            }
            if (heldStart < k) {
                int kept = heldEnd - heldStart;
                long[] grown = new long[Math.max(64, 2 * (kept + k))];
                int start = grown.length - kept;
                System.arraycopy(held, heldStart, grown, start, kept);
                held = grown;
                heldStart = start;
                heldEnd = grown.length;
            }
            heldStart -= k;
            System.arraycopy(keys, 0, held, heldStart, k);
        }

        long push(int t, boolean urgentClass, long operatorKey) {
            long key = (urgentClass ? 0 : 1L << 62) | operatorKey << 32 | t;
            push(key);
            return key;
        }

        void push(long key) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0 && a[(i - 1) / 2] > key) {
                a[i] = a[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            a[i] = key;
        }

        /** The smallest key queued (the queue must not be empty). */
        long peek() {
            return heldStart < heldEnd && (size == 0 || held[heldStart] < a[0]) ? held[heldStart] : a[0];
        }

        /** The smallest key queued, removed. */
        long pop() {
            if (heldStart < heldEnd && (size == 0 || held[heldStart] < a[0])) {
                return held[heldStart++];
            }
            return popHeap();
        }

        private long popHeap() {
            long top = a[0];
            long x = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= x) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            if (size > 0) {
                a[i] = x;
            }
            return top;
        }

        int lowestLive(boolean[] started) {
            int best = -1;
            for (int i = 0; i < count(); i++) {
                int t = event(at(i));
                if (!started[t] && (best < 0 || t < best)) {
                    best = t;
                }
            }
            return best;
        }
    }
}

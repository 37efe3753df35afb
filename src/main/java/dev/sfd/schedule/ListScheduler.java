package dev.sfd.schedule;

import dev.sfd.hardware.Hardware;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Dependency-aware list scheduler for one segment (the per-segment priority queue of the SFD paper).
 *
 * <p>Time advances from task completion to task completion. At each instant, FREE tasks whose users are done
 * run at once; then every idle resource (each DMA engine, the PE array, the vector unit) takes the best ready
 * task whose allocation fits in the free buffer. "Best" is: a FREE, then a task whose completion releases buffers
 * right away (it is the last user of some buffer; a class, not a byte count, so that tiles with small inputs
 * are not starved), then the lowest creation index (operators in
 * topological order, steps in mapping order). A task whose allocation would overflow never starts; a task also
 * leaves headroom for the largest allocation of any later operator of the segment and of its own successors (so
 * that a producer cannot fill the buffer its consumers need), unless nothing else can run. When nothing runs and nothing ready fits,
 * the result is {@link ScheduleOutcome.Infeasible}.
 *
 * <p>The issue order it returns is the order of start times. Replaying it in order with the same durations gives
 * the same buffer occupancy at every start and a timeline that is never later (earlier where a task waited for
 * headroom while its unit idled); the schedule's {@code predictedCycles} is that replay's makespan, which the
 * simulator reproduces exactly.
 */
public final class ListScheduler {
    private static final Logger LOGGER = LogManager.getLogger();

    private final Hardware hw;

    public ListScheduler(Hardware hw) {
        this.hw = Objects.requireNonNull(hw, "hw");
    }

    public ScheduleOutcome schedule(TaskGraph g) {
        return schedule(g, hw.globalBuffer().capacityBytes());
    }

    public ScheduleOutcome schedule(TaskGraph g, long capacityBytes) {
        int n = g.size();
        List<TileTask> tasks = g.tasks();
        int[] remaining = new int[n];
        List<List<Integer>> succ = new ArrayList<>(n);
        long[] alloc = new long[n];
        long[] released = new long[n];
        for (int i = 0; i < n; i++) {
            succ.add(new ArrayList<>(2));
        }
        for (int i = 0; i < n; i++) {
            TileTask t = tasks.get(i);
            remaining[i] = t.deps().size();
            for (int d : t.deps()) {
                succ.get(d).add(i);
            }
            alloc[i] = t.allocates() >= 0 ? g.buffers().get(t.allocates()).bytes() : 0;
            for (int b : t.frees()) {
                released[i] += g.buffers().get(b).bytes();
            }
        }
        // Headroom: a task may not take the space that the largest allocation of a later operator needs, so that a
        // producer running ahead cannot starve its consumers (waived when nothing else can run).
        Map<String, Integer> rankOf = new java.util.HashMap<>();
        for (int i = 0; i < g.operators().size(); i++) {
            rankOf.put(g.operators().get(i), i);
        }
        int ops = g.operators().size();
        long[] maxAllocOfRank = new long[ops + 1];
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
            rank[i] = rankOf.getOrDefault(tasks.get(i).operator(), ops);
            maxAllocOfRank[Math.min(rank[i], ops)] = Math.max(maxAllocOfRank[Math.min(rank[i], ops)], alloc[i]);
        }
        long[] headroom = new long[ops + 2];
        for (int r = ops; r >= 0; r--) {
            headroom[r] = Math.max(headroom[r + 1], r + 1 <= ops ? maxAllocOfRank[Math.min(r + 1, ops)] : 0);
        }
        long[] reserve = new long[n];
        for (int i = 0; i < n; i++) {
            reserve[i] = alloc[i] > 0 && rank[i] < ops ? headroom[rank[i]] : 0;
            if (alloc[i] > 0) {
                // the tasks that consume what this one allocates must be able to allocate too, or it is never freed
                for (int s : succ.get(i)) {
                    reserve[i] = Math.max(reserve[i], alloc[s]);
                }
            }
        }
        boolean waive = false;
        Map<TaskResource, List<Integer>> ready = new EnumMap<>(TaskResource.class);
        Map<TaskResource, Integer> idle = new EnumMap<>(TaskResource.class);
        for (TaskResource r : TaskResource.values()) {
            ready.put(r, new ArrayList<>());
        }
        idle.put(TaskResource.DMA, Math.max(1, hw.dram().dmaEngines()));
        idle.put(TaskResource.PE_ARRAY, 1);
        idle.put(TaskResource.VECTOR, 1);
        idle.put(TaskResource.NONE, Integer.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            if (remaining[i] == 0) {
                ready.get(g.resources().get(i)).add(i);
            }
        }
        PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : a[2] != b[2] ? Long.compare(b[2], a[2]) : Long.compare(a[1], b[1]));
        List<TileTask> order = new ArrayList<>(n);
        long now = 0;
        long occupancy = 0;
        long peak = 0;
        int done = 0;
        long makespan = 0;
        while (done < n) {
            boolean started = true;
            while (started) {
                started = false;
                for (TaskResource r : TaskResource.values()) {
                    List<Integer> rl = ready.get(r);
                    while (idle.get(r) > 0 && !rl.isEmpty()) {
                        int best = -1;
                        long bestScore = Long.MIN_VALUE;
                        int bestPos = -1;
                        for (int p = 0; p < rl.size(); p++) {
                            int t = rl.get(p);
                            if (occupancy + alloc[t] + (waive ? 0 : reserve[t]) > capacityBytes) {
                                continue;
                            }
                            // classes, not byte counts: ranking by how many bytes a step's inputs free starves
                            // the tiles with small (edge, padded) inputs, and the consumers waiting for them
                            long score = released[t] > 0 ? 2 : freeable(t, succ, remaining, released, tasks) > 0 ? 1 : 0;
                            if (score > bestScore || (score == bestScore && t < best)) {
                                best = t;
                                bestScore = score;
                                bestPos = p;
                            }
                        }
                        if (best < 0) {
                            break;
                        }
                        rl.set(bestPos, rl.get(rl.size() - 1));
                        rl.remove(rl.size() - 1);
                        occupancy += alloc[best] - released[best];
                        peak = Math.max(peak, occupancy);
                        order.add(tasks.get(best));
                        if (r != TaskResource.NONE) {
                            idle.put(r, idle.get(r) - 1);
                        }
                        running.add(new long[] {now + g.durations()[best], best, 0});
                        if (r != TaskResource.NONE) {
                            running.add(new long[] {now + g.busyCycles()[best], best, 1});
                        }
                        started = true;
                        if (LOGGER.isTraceEnabled()) {
                            LOGGER.trace("segment ({}) cycle ({}): start {}", g.index(), now, tasks.get(best).label());
                        }
                    }
                }
                // Zero-length tasks finish now and may release successors at this same instant.
                while (!running.isEmpty() && running.peek()[0] <= now) {
                    done += complete(running.poll(), g, remaining, succ, ready, idle);
                    started = true;
                }
            }
            if (done == n) {
                break;
            }
            if (running.isEmpty()) {
                if (!waive) {
                    waive = true;
                    continue;
                }
                return infeasible(g, ready, alloc, occupancy, capacityBytes);
            }
            waive = false;
            now = running.peek()[0];
            makespan = Math.max(makespan, now);
            while (!running.isEmpty() && running.peek()[0] == now) {
                done += complete(running.poll(), g, remaining, succ, ready, idle);
            }
        }
        makespan = Math.max(makespan, now);
        // The plan runs the tasks in this order (SegmentSchedule): where a task waited above for headroom while its
        // unit idled, in-order issue starts it earlier, never later, and the occupancy at every start is unchanged.
        long replayed = inOrderMakespan(g, order, Math.max(1, hw.dram().dmaEngines()));
        if (replayed > makespan) {
            throw new IllegalStateException("segment " + g.index() + ": in-order replay (" + replayed
                    + ") slower than the list schedule (" + makespan + ")");
        }
        return new ScheduleOutcome.Scheduled(new SegmentSchedule(g.index(), g.operators(), g.buffers(), order,
                replayed, peak));
    }

    /**
     * Makespan of issuing {@code order} in order, as a plan runs: a task starts once every earlier task has started,
     * its dependencies have finished and a unit of its resource is free (a DMA transfer holds its engine for its busy
     * cycles).
     */
    static long inOrderMakespan(TaskGraph g, List<TileTask> order, int dmaEngines) {
        long[] end = new long[g.size()];
        long[] dmaFree = new long[dmaEngines];
        long peFree = 0;
        long vectorFree = 0;
        long previousStart = 0;
        long makespan = 0;
        for (TileTask t : order) {
            int id = t.id();
            long start = previousStart;
            for (int d : t.deps()) {
                start = Math.max(start, end[d]);
            }
            long busy = g.busyCycles()[id];
            switch (g.resources().get(id)) {
                case PE_ARRAY -> {
                    start = Math.max(start, peFree);
                    peFree = start + busy;
                }
                case VECTOR -> {
                    start = Math.max(start, vectorFree);
                    vectorFree = start + busy;
                }
                case DMA -> {
                    int engine = 0;
                    for (int e = 1; e < dmaEngines; e++) {
                        if (dmaFree[e] < dmaFree[engine]) {
                            engine = e;
                        }
                    }
                    start = Math.max(start, dmaFree[engine]);
                    dmaFree[engine] = start + busy;
                }
                case NONE -> {
                }
            }
            end[id] = start + g.durations()[id];
            previousStart = start;
            makespan = Math.max(makespan, end[id]);
        }
        return makespan;
    }

    private static long freeable(int t, List<List<Integer>> succ, int[] remaining, long[] released,
                                 List<TileTask> tasks) {
        long bytes = 0;
        for (int s : succ.get(t)) {
            if (remaining[s] == 1 && released[s] > 0) {
                bytes += released[s];
            }
        }
        return bytes;
    }

    private static int complete(long[] event, TaskGraph g, int[] remaining, List<List<Integer>> succ,
                                Map<TaskResource, List<Integer>> ready, Map<TaskResource, Integer> idle) {
        int t = (int) event[1];
        if (event[2] == 1) {
            TaskResource r = g.resources().get(t);
            idle.put(r, idle.get(r) + 1);
            return 0;
        }
        for (int s : succ.get(t)) {
            if (--remaining[s] == 0) {
                ready.get(g.resources().get(s)).add(s);
            }
        }
        return 1;
    }

    private static ScheduleOutcome infeasible(TaskGraph g, Map<TaskResource, List<Integer>> ready, long[] alloc,
                                              long occupancy, long capacity) {
        int blocked = -1;
        for (List<Integer> rl : ready.values()) {
            for (int t : rl) {
                if (blocked < 0 || t < blocked) {
                    blocked = t;
                }
            }
        }
        if (blocked < 0) {
            throw new IllegalStateException("segment " + g.index() + ": tasks left but none ready (dependency cycle)");
        }
        return new ScheduleOutcome.Infeasible(g.index(), g.tasks().get(blocked).label(), alloc[blocked],
                capacity - occupancy, capacity);
    }
}

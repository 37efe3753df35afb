package dev.sfd.schedule.cpsat;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.ListScheduler;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TaskResource;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TileScheduleModelTest {
    private static final Hardware EDGE = HardwareCatalog.resolve("edge");
    private static final TileScheduleSettings SETTINGS = new TileScheduleSettings(2, 7, 10.0);

    /**
     * Tiny random segments: {@code jobs} chains LOAD(a) -> COMPUTE(b) -> STORE, FREE(a) after the compute, FREE(b)
     * after the store; random durations and sizes; capacity between the largest job and all jobs together.
     */
    static TaskGraph tinyGraph(Random rnd, int jobs) {
        List<TileTask> tasks = new ArrayList<>();
        List<TaskResource> res = new ArrayList<>();
        List<Long> dur = new ArrayList<>();
        List<Long> busy = new ArrayList<>();
        List<BufferSpec> bufs = new ArrayList<>();
        Box box = new Box(new int[] {0}, new int[] {1});
        Box loops = new Box(new int[8], new int[] {1, 1, 1, 1, 1, 1, 1, 1});
        for (int j = 0; j < jobs; j++) {
            int a = bufs.size();
            bufs.add(new BufferSpec(a, "in" + j, box, 10 + rnd.nextInt(40)));
            int b = bufs.size();
            bufs.add(new BufferSpec(b, "out" + j, box, 10 + rnd.nextInt(40)));
            int load = tasks.size();
            long lb = 1 + rnd.nextInt(20);
            tasks.add(new TileTask(load, TaskKind.LOAD, "op" + j, "in" + j, box, null, false, a, List.of(), List.of(), List.of()));
            res.add(TaskResource.DMA);
            busy.add(lb);
            dur.add(lb + rnd.nextInt(5));
            int comp = tasks.size();
            tasks.add(new TileTask(comp, TaskKind.COMPUTE, "op" + j, "out" + j, box, loops, true, b, List.of(a), List.of(),
                    List.of(load)));
            res.add(rnd.nextBoolean() ? TaskResource.PE_ARRAY : TaskResource.VECTOR);
            long c = 1 + rnd.nextInt(30);
            busy.add(c);
            dur.add(c);
            int freeA = tasks.size();
            tasks.add(new TileTask(freeA, TaskKind.FREE, "op" + j, "in" + j, box, null, false, -1, List.of(), List.of(a),
                    List.of(comp)));
            res.add(TaskResource.NONE);
            busy.add(0L);
            dur.add(0L);
            int store = tasks.size();
            long sb = 1 + rnd.nextInt(20);
            tasks.add(new TileTask(store, TaskKind.STORE, "op" + j, "out" + j, box, null, false, -1, List.of(b), List.of(),
                    List.of(comp)));
            res.add(TaskResource.DMA);
            busy.add(sb);
            dur.add(sb + rnd.nextInt(5));
            int freeB = tasks.size();
            tasks.add(new TileTask(freeB, TaskKind.FREE, "op" + j, "out" + j, box, null, false, -1, List.of(), List.of(b),
                    List.of(store)));
            res.add(TaskResource.NONE);
            busy.add(0L);
            dur.add(0L);
        }
        return new TaskGraph(0, List.of(), bufs, tasks, res, dur.stream().mapToLong(Long::longValue).toArray(),
                busy.stream().mapToLong(Long::longValue).toArray());
    }

    /** Best makespan over every issue order, each replayed greedily in order (exact for this schedule model). */
    static long bruteForce(TaskGraph g, long capacity) {
        int n = g.size();
        long[] best = {Long.MAX_VALUE};
        search(g, capacity, new int[n], 0, new boolean[n], best);
        return best[0];
    }

    private static void search(TaskGraph g, long capacity, int[] order, int k, boolean[] used, long[] best) {
        int n = g.size();
        if (k == n) {
            long m = replay(g, capacity, order);
            best[0] = Math.min(best[0], m);
            return;
        }
        for (int t = 0; t < n; t++) {
            if (used[t]) {
                continue;
            }
            boolean ready = true;
            for (int d : g.tasks().get(t).deps()) {
                ready &= used[d];
            }
            if (!ready) {
                continue;
            }
            used[t] = true;
            order[k] = t;
            search(g, capacity, order, k + 1, used, best);
            used[t] = false;
        }
    }

    private static long replay(TaskGraph g, long capacity, int[] order) {
        return replay(g, capacity, order, new long[g.size()]);
    }

    /** Greedy in-order replay; fills {@code starts}; MAX_VALUE when the order overflows the buffer. */
    static long replay(TaskGraph g, long capacity, int[] order, long[] starts) {
        long[] end = new long[g.size()];
        long last = 0;
        long occupancy = 0;
        long makespan = 0;
        java.util.Map<TaskResource, Long> free = new java.util.EnumMap<>(TaskResource.class);
        for (int t : order) {
            TileTask task = g.tasks().get(t);
            TaskResource r = g.resources().get(t);
            long s = last;
            for (int d : task.deps()) {
                s = Math.max(s, end[d]);
            }
            if (r != TaskResource.NONE) {
                s = Math.max(s, free.getOrDefault(r, 0L));
                free.put(r, s + g.busyCycles()[t]);
            }
            if (task.allocates() >= 0) {
                occupancy += g.buffers().get(task.allocates()).bytes();
            }
            for (int b : task.frees()) {
                occupancy -= g.buffers().get(b).bytes();
            }
            if (occupancy > capacity) {
                return Long.MAX_VALUE;
            }
            end[t] = s + g.durations()[t];
            starts[t] = s;
            last = s;
            makespan = Math.max(makespan, end[t]);
        }
        return makespan;
    }

    @Test
    void cpSatFindsTheBruteForceOptimumOnTinySegments() {
        Random rnd = new Random(20261126);
        List<Double> gaps = new ArrayList<>();
        int listInfeasible = 0;
        for (int trial = 0; trial < 11; trial++) {
            TaskGraph g = tinyGraph(rnd, trial < 10 ? 2 : 3);
            long maxJob = 0;
            long all = 0;
            for (int j = 0; j < g.buffers().size(); j += 2) {
                long job = g.buffers().get(j).bytes() + g.buffers().get(j + 1).bytes();
                maxJob = Math.max(maxJob, job);
                all += job;
            }
            long capacity = maxJob + rnd.nextInt((int) (all - maxJob) + 1);
            long exact = bruteForce(g, capacity);
            ExactSchedule cp = new TileScheduleSolver(g, EDGE, capacity).solve(SETTINGS);
            assertTrue(cp.optimal(), cp.status());
            assertEquals(exact, cp.makespanCycles(), "trial " + trial);
            ScheduleOutcome list = new ListScheduler(EDGE).schedule(g, capacity);
            if (list instanceof ScheduleOutcome.Scheduled ls) {
                long listMakespan = ls.schedule().predictedCycles();
                assertTrue(listMakespan >= exact, "list " + listMakespan + " < optimum " + exact);
                gaps.add((listMakespan - exact) / (double) exact);
            } else {
                listInfeasible++;
            }
        }
        System.out.printf("tiny segments: list scheduler gap to optimum max %.1f%%, mean %.1f%%, %d of 11 not scheduled%n",
                100 * gaps.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                100 * gaps.stream().mapToDouble(Double::doubleValue).average().orElse(0), listInfeasible);
        assertEquals(0, listInfeasible, "the list scheduler found no order where one exists");
    }

    @Test
    void listSchedulerIsWithinRecordedGapOfOptimumOnSmallRealSegments() {
        Network net = NetworkCatalog.resolve("resnet18");
        Plan plan = new LayerwisePlanner().plan(new PlanRequest(net, new NetworkRef("resnet18", 1), EDGE));
        PlanScheduler scheduler = new PlanScheduler(net, new CostModel(EDGE));
        List<List<String>> segments = plan.segmentOperators();
        int compared = 0;
        double worstGap = 0;
        for (int i = 0; i < segments.size() && compared < 2; i++) {
            TaskGraph g = scheduler.graph(i, segments.get(i), plan.mappings());
            if (g.size() < 10 || g.size() > 110) {
                continue;
            }
            var listSchedule = ((ScheduleOutcome.Scheduled) new ListScheduler(EDGE).schedule(g)).schedule();
            long list = listSchedule.predictedCycles();
            long[] hint = new long[g.size()];
            replay(g, EDGE.globalBuffer().capacityBytes(), listSchedule.tasks().stream().mapToInt(TileTask::id).toArray(), hint);
            ExactSchedule cp = new TileScheduleSolver(g, EDGE, EDGE.globalBuffer().capacityBytes())
                    .solve(new TileScheduleSettings(1, 7, 120.0, 2.0), hint);
            if (cp.makespanCycles() < 0) {
                System.out.printf("segment %d: CP-SAT found no schedule within its time limit (%s)%n", i, cp.status());
                continue;
            }
            assertTrue(list >= cp.lowerBoundCycles(), "list " + list + " beats the proven bound " + cp.lowerBoundCycles());
            double gap = (list - cp.makespanCycles()) / (double) cp.makespanCycles();
            worstGap = Math.max(worstGap, gap);
            System.out.printf("segment %d %-22s tasks %4d list %8d cp-sat %8d (%s, bound %d) gap %.2f%%%n", i,
                    segments.get(i).get(0), g.size(), list, cp.makespanCycles(), cp.status(), cp.lowerBoundCycles(),
                    100 * gap);
            compared++;
        }
        assertEquals(2, compared, "one worker and a deterministic time limit: CP-SAT's answer does not depend on load");
        assertTrue(worstGap < 0.25, "list scheduler gap " + worstGap);
    }
}

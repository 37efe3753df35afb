package dev.sfd.schedule;

import dev.sfd.hardware.Hardware;
import dev.sfd.segmentation.TileTimeline;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Dependency-aware list scheduler for one segment (the per-segment priority queue of the SFD paper): the task
 * graph's tasks ordered and timed by the planner's one timeline engine ({@link TileTimeline}, whose class comment
 * gives the priority and headroom rules), so a segment scheduled here takes exactly the cycles the segment analyser
 * and the segmenter's pricing computed for it.
 *
 * <p>The schedule's task order is the engine's start order and {@code predictedCycles} the makespan of issuing it in
 * order, as the plan runs; when no order fits the buffer the outcome is {@link ScheduleOutcome.Infeasible}. The
 * order is the fastest over the engine's run-ahead policies, as the analyser's; the loads whose prefetch-depth bound
 * that policy drops depend on nothing in the schedule ({@link TaskGraph#tasksUnder}).
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
        return schedule(g, capacityBytes, null);
    }

    /**
     * As {@link #schedule(TaskGraph, long)} under one run-ahead {@code policy}, or under the fastest one when it is
     * null ({@link TileTimeline#scheduleBest}); the schedule's loads depend on what they depend on under it.
     */
    public ScheduleOutcome schedule(TaskGraph g, long capacityBytes, TileTimeline.RunAhead policy) {
        TileTimeline timeline = timeline(g);
        int engines = hw.dram().dmaEngines();
        TileTimeline.Result r = policy == null ? timeline.scheduleBest(capacityBytes, engines)
                : timeline.schedule(capacityBytes, engines, policy);
        List<TileTask> tasks = g.tasksUnder(r.runAhead());
        if (!r.feasible()) {
            LOGGER.debug("Segment ({}) does not fit: ({}) blocked", g.index(), tasks.get(r.blockedEvent()).label());
            return new ScheduleOutcome.Infeasible(g.index(), tasks.get(r.blockedEvent()).label(), r.blockedBytes(),
                    r.freeBytes(), capacityBytes);
        }
        List<TileTask> order = new ArrayList<>(r.order().length);
        for (int t : r.order()) {
            order.add(tasks.get(t));
        }
        return new ScheduleOutcome.Scheduled(new SegmentSchedule(g.index(), g.operators(), g.buffers(), order,
                r.makespan(), r.peakBytes()));
    }

    /** The task graph as timeline events (same ids, units, durations, buffers and dependencies). */
    static TileTimeline timeline(TaskGraph g) {
        TileTimeline t = new TileTimeline();
        for (BufferSpec b : g.buffers()) {
            t.buffer(b.id(), b.bytes());
        }
        Map<String, Integer> rankOf = new HashMap<>();
        for (int i = 0; i < g.operators().size(); i++) {
            rankOf.put(g.operators().get(i), i);
        }
        int unknown = g.operators().size();
        for (int i = 0; i < g.size(); i++) {
            TileTask task = g.tasks().get(i);
            int id = t.event(g.resources().get(i).timelineUnit(), g.durations()[i], g.busyCycles()[i], task.allocates(),
                    task.frees().stream().mapToInt(Integer::intValue).toArray(),
                    task.deps().stream().mapToInt(Integer::intValue).toArray(),
                    rankOf.getOrDefault(task.operator(), unknown));
            if (id != task.id()) {
                throw new IllegalArgumentException("segment " + g.index() + ": task at position " + i + " has id "
                        + task.id());
            }
            if (g.slices()[i] != TileTimeline.FIXED) {
                t.depthBound(id, g.slices()[i] == TileTimeline.WEIGHT_SLICE);
            }
        }
        return t;
    }
}

package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.BoundaryPrefetch;
import dev.sfd.schedule.ListScheduler;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Segments and one mapping per operator in, a scheduled plan out: the step every planner that fuses ends with
 * (the SFD planner and the baselines). Each segment is list-scheduled; a segment the scheduler cannot fit in the
 * buffer, or whose walk has more tile events than the limit, is split in two at its middle (a prefix of a convex
 * segment in topological order is convex, and so is the rest), each half scheduled and split the same way, down to
 * single operators, which run with their layer-by-layer mapping and schedule. With {@code beatLayerwise}, a fused
 * segment slower than its operators run one by one is split too. Every split is listed in {@link #repairs()}.
 * Finally the segments are timed as one program and the next segment's loads may stream in while the current one
 * runs ({@link BoundaryPrefetch}).
 */
public final class PlanAssembler {
    private static final Logger LOGGER = LogManager.getLogger();

    /** A scheduled run of operators: one or more segment schedules and their cycles. */
    private record Pieces(List<SegmentSchedule> schedules, long cycles) {
    }

    private final Network net;
    private final PlanScheduler scheduler;
    private final BoundaryPrefetch prefetch;
    private final ListScheduler listScheduler;
    private final CostModel cost;
    private final Plan layerwise;
    private final Map<String, SegmentSchedule> layerwiseOf = new HashMap<>();
    private final int maxTasks;
    private final boolean beatLayerwise;
    private final List<SfdResult.Repair> repairs = new ArrayList<>();
    /**
     * The tile graph behind every schedule kept by the {@link #assemble} call under way (by identity), for the plan's
     * timing.
     */
    private final Map<SegmentSchedule, TaskGraph> graphs = new java.util.IdentityHashMap<>();

    /**
     * @param layerwise the layer-by-layer plan of the same network and hardware (its schedules are the fallback of
     *     single operators)
     * @param maxTasks segments whose walk has more tile events are split before scheduling (found out without
     *     building more); an operator alone may have as many as its layer-by-layer schedule, else it runs as that
     * @param beatLayerwise whether a fused segment must be faster than its operators run one by one
     */
    public PlanAssembler(Network net, Hardware hw, Plan layerwise, int maxTasks, boolean beatLayerwise) {
        this.net = Objects.requireNonNull(net, "net");
        this.cost = new CostModel(hw);
        this.scheduler = new PlanScheduler(net, cost);
        this.prefetch = new BoundaryPrefetch(net, cost, true);
        this.listScheduler = new ListScheduler(hw);
        this.layerwise = Objects.requireNonNull(layerwise, "layerwise");
        this.maxTasks = maxTasks;
        this.beatLayerwise = beatLayerwise;
        for (SegmentSchedule s : layerwise.segments()) {
            layerwiseOf.put(s.operators().get(0), s);
        }
    }

    /** The scheduled segments (placed: prefetch and predicted end) and the mapping each operator runs with. */
    public record Assembled(List<SegmentSchedule> schedules, Map<String, Mapping> mappings) {
        /** The plan's predicted makespan, segment boundaries overlapped. */
        public long cycles() {
            return BoundaryPrefetch.makespan(schedules);
        }
    }

    /** Schedules {@code segments} (in execution order) with {@code mappings}, splitting where needed. */
    public Assembled assemble(List<List<String>> segments, Map<String, Mapping> mappings) {
        List<SegmentSchedule> out = new ArrayList<>();
        Map<String, Mapping> used = new LinkedHashMap<>();
        for (List<String> segment : segments) {
            for (SegmentSchedule s : best(segment, mappings, true).schedules()) {
                SegmentSchedule placed = new SegmentSchedule(out.size(), s.operators(), s.buffers(), s.tasks(),
                        s.predictedCycles(), s.predictedPeakBytes());
                if (graphs.containsKey(s)) {
                    graphs.put(placed, graphs.get(s));
                }
                out.add(placed);
                boolean alone = layerwiseOf.get(s.operators().get(0)) == s;
                for (String op : s.operators()) {
                    Mapping m = alone ? layerwise.mappings().get(op) : mappings.get(op);
                    if (m != null) {
                        used.put(op, m);
                    }
                }
            }
        }
        Assembled assembled = new Assembled(prefetch.apply(out, used, graphs), used);
        graphs.clear();
        return assembled;
    }

    /** Segments the scheduler had to split, and why. */
    public List<SfdResult.Repair> repairs() {
        return List.copyOf(repairs);
    }

    private Pieces layerwise(List<String> ops) {
        List<SegmentSchedule> l = new ArrayList<>();
        long c = 0;
        for (String op : ops) {
            SegmentSchedule s = layerwiseOf.get(op);
            l.add(s);
            c += s.predictedCycles();
        }
        return new Pieces(l, c);
    }

    private long estimatedTiles(Map<String, Mapping> m) {
        long tiles = 0;
        for (Map.Entry<String, Mapping> e : m.entrySet()) {
            tiles += cost.evaluate(net, net.operator(e.getKey()), e.getValue()).tiles();
        }
        return tiles;
    }

    private Pieces best(List<String> ops, Map<String, Mapping> mappings, boolean top) {
        Pieces lw = layerwise(ops);
        if (ops.size() == 1 && layerwise.mappings().get(ops.get(0)) != null
                && layerwise.mappings().get(ops.get(0)).equals(mappings.get(ops.get(0)))) {
            return lw;
        }
        Map<String, Mapping> m = new HashMap<>();
        for (String op : ops) {
            Mapping x = mappings.get(op);
            if (x != null) {
                m.put(op, x);
            }
        }
        String reason;
        // an operator alone with another mapping than layer by layer's may have as many tasks as the limit or its
        // layer-by-layer schedule (its fallback, already built), whichever is more: a mapping of tiny tiles must not
        // run the planner out of memory
        long limit = ops.size() > 1 ? maxTasks : Math.max(maxTasks, lw.schedules().get(0).tasks().size());
        if (estimatedTiles(m) > limit) {
            reason = "too many tiles: about " + estimatedTiles(m) + " compute tiles > " + limit;
        } else {
            Optional<TaskGraph> built = scheduler.graph(0, ops, m, limit);
            if (built.isEmpty()) {
                reason = "too many tiles: more than " + limit + " tasks";
            } else {
                TaskGraph g = built.get();
                ScheduleOutcome out = listScheduler.schedule(g);
                if (out instanceof ScheduleOutcome.Scheduled s) {
                    long c = s.schedule().predictedCycles();
                    if (!beatLayerwise || c <= lw.cycles() || ops.size() == 1) {
                        graphs.put(s.schedule(), g);
                        return new Pieces(List.of(s.schedule()), c);
                    }
                    reason = "slower: scheduled " + c + " cycles vs " + lw.cycles() + " layer by layer";
                } else {
                    reason = "infeasible: " + ((ScheduleOutcome.Infeasible) out).message();
                }
            }
        }
        Pieces result = lw;
        if (ops.size() > 1) {
            int mid = ops.size() / 2;
            Pieces a = best(ops.subList(0, mid), mappings, false);
            Pieces b = best(ops.subList(mid, ops.size()), mappings, false);
            if (!beatLayerwise || a.cycles() + b.cycles() <= lw.cycles()) {
                List<SegmentSchedule> l = new ArrayList<>(a.schedules());
                l.addAll(b.schedules());
                result = new Pieces(l, a.cycles() + b.cycles());
            }
        }
        if (top) {
            repairs.add(new SfdResult.Repair(ops, reason,
                    result.schedules().stream().map(x -> x.operators().size()).toList()));
            LOGGER.debug("Segment of ({}) operators starting at ({}) repaired ({}): now segments of {}", ops.size(),
                    ops.get(0), reason, result.schedules().stream().map(x -> x.operators().size()).toList());
        }
        return result;
    }
}

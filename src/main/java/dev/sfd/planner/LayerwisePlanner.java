package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.schedule.InfeasiblePlanException;
import dev.sfd.schedule.BoundaryPrefetch;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;


import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The layer-by-layer baseline: every operator is its own segment (every intermediate goes through DRAM) and runs
 * with its best standalone mapping at full buffer capacity (the one {@code sfd map} reports). Should the tile
 * schedule of that mapping not fit the buffer, the next-best mappings of the layer's Pareto front with a smaller
 * footprint are tried and the plan's status says FEASIBLE_FALLBACK. Like every plan, its segments are timed as
 * one program, the next layer's loads streaming in while the current one runs ({@link BoundaryPrefetch}).
 */
public final class LayerwisePlanner implements Planner {
    private static final Logger LOGGER = LogManager.getLogger();
    private static final int FALLBACKS = 8;

    private final Mapper mapper;

    public LayerwisePlanner(Mapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    public LayerwisePlanner() {
        this(new HeuristicMapper());
    }

    @Override
    public String name() {
        return "layerwise";
    }

    @Override
    public Plan plan(PlanRequest request) {
        return plan(request, mapper.mapNetwork(request.network(), request.hardware()));
    }

    /** Plans layer by layer from fronts already mapped (the SFD planner shares its mapper's fronts). */
    public Plan plan(PlanRequest request, NetworkMapping mapping) {
        long start = System.nanoTime();
        Network net = request.network();
        PlanScheduler scheduler = new PlanScheduler(net, new CostModel(request.hardware()));
        Map<String, ParetoFront> fronts = new HashMap<>();
        for (ParetoFront f : mapping.fronts()) {
            fronts.put(f.operator(), f);
        }
        Map<String, Mapping> chosen = new LinkedHashMap<>();
        List<SegmentSchedule> schedules = new ArrayList<>();
        // each schedule's tile graph, for the plan's timing (by identity)
        Map<SegmentSchedule, TaskGraph> graphs = new IdentityHashMap<>();
        java.util.function.BiFunction<Integer, List<String>, ScheduleOutcome> schedule = (i, segment) -> {
            TaskGraph g = scheduler.graph(i, segment, chosen);
            ScheduleOutcome out = scheduler.schedule(g);
            if (out instanceof ScheduleOutcome.Scheduled s) {
                graphs.put(s.schedule(), g);
            }
            return out;
        };
        boolean allBest = true;
        long capacity = request.hardware().globalBuffer().capacityBytes();
        for (Operator operator : net.operators()) {
            int i = schedules.size();
            String op = operator.name();
            List<String> segment = List.of(op);
            ParetoFront front = fronts.get(op);
            if (front == null) {
                schedules.add(scheduled(schedule.apply(i, segment)));
                continue;
            }
            List<MappingChoice> candidates = new ArrayList<>(front.points().stream()
                    .filter(c -> c.footprintBytes() <= capacity).toList());
            candidates.sort(MappingChoice::compareObjective);
            ScheduleOutcome outcome = null;
            ScheduleOutcome first = null;
            int tried = 0;
            long lastFootprint = Long.MAX_VALUE;
            for (MappingChoice c : candidates) {
                if (tried > 0 && c.footprintBytes() >= lastFootprint) {
                    continue;
                }
                chosen.put(op, c.mapping());
                outcome = schedule.apply(i, segment);
                first = first == null ? outcome : first;
                tried++;
                lastFootprint = c.footprintBytes();
                if (outcome instanceof ScheduleOutcome.Scheduled || tried > FALLBACKS) {
                    break;
                }
            }
            if (outcome == null) {
                throw new InfeasiblePlanException("segment " + i + ": layer '" + op + "' has no mapping that fits ("
                        + capacity + ") bytes");
            }
            if (!(outcome instanceof ScheduleOutcome.Scheduled)) {
                throw new InfeasiblePlanException((ScheduleOutcome.Infeasible) first);
            }
            allBest &= tried == 1;
            schedules.add(scheduled(outcome));
            LOGGER.debug("Layer ({}) scheduled with mapping #{} in ({} cycles)", op, tried,
                    schedules.get(schedules.size() - 1).predictedCycles());
        }
        schedules = new BoundaryPrefetch(net, new CostModel(request.hardware()), true).apply(schedules, chosen, graphs);
        long ms = (System.nanoTime() - start) / 1_000_000;
        LOGGER.info("Planned ({}) layer by layer: ({}) segments in ({} ms)", net.name(), schedules.size(), ms);
        return new Plan(request.networkRef(), request.hardware(), name(), allBest ? "FEASIBLE" : "FEASIBLE_FALLBACK",
                chosen, schedules);
    }

    private static SegmentSchedule scheduled(ScheduleOutcome outcome) {
        if (outcome instanceof ScheduleOutcome.Scheduled s) {
            return s.schedule();
        }
        throw new InfeasiblePlanException((ScheduleOutcome.Infeasible) outcome);
    }
}

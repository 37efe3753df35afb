package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.schedule.InfeasiblePlanException;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import dev.sfd.workload.LoopDim;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The layer-by-layer baseline: every operator is its own segment (every intermediate goes through DRAM) and runs
 * with its best standalone mapping at full buffer capacity. When the tile schedule of that mapping does not fit
 * (the scheduler holds more than the cost model's footprint, e.g. accumulators of interleaved output tiles), the
 * next-best mappings of the layer's Pareto front with a smaller footprint are tried.
 */
public final class LayerwisePlanner implements Planner {
    private static final Logger LOGGER = LogManager.getLogger();
    private static final int FALLBACKS = 8;
    /** Latency slack within which fewer tiles win. */
    static final double LATENCY_SLACK = 0.01;

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
        CostModel cost = new CostModel(request.hardware());
        PlanScheduler scheduler = new PlanScheduler(net, request.hardware(), cost::tileComputeCycles);
        Map<String, ParetoFront> fronts = new HashMap<>();
        for (ParetoFront f : mapping.fronts()) {
            fronts.put(f.operator(), f);
        }
        List<List<String>> segments = new ArrayList<>();
        for (Operator op : net.operators()) {
            segments.add(List.of(op.name()));
        }
        Map<String, Integer> segmentOf = PlanScheduler.segmentIndex(segments);
        Map<String, Mapping> chosen = new LinkedHashMap<>();
        List<SegmentSchedule> schedules = new ArrayList<>();
        boolean allBest = true;
        for (int i = 0; i < segments.size(); i++) {
            String op = segments.get(i).get(0);
            ParetoFront front = fronts.get(op);
            if (front == null) {
                schedules.add(scheduled(scheduler.schedule(i, segments, chosen, segmentOf), op));
                continue;
            }
            long capacity = request.hardware().globalBuffer().capacityBytes();
            List<MappingChoice> candidates = new ArrayList<>(front.points().stream()
                    .filter(c -> c.footprintBytes() <= capacity).toList());
            candidates.sort(MappingChoice::compareObjective);
            preferFewTiles(candidates);
            ScheduleOutcome outcome = null;
            ScheduleOutcome first = null;
            int tried = 0;
            long lastFootprint = Long.MAX_VALUE;
            for (MappingChoice c : candidates) {
                if (tried > 0 && c.footprintBytes() >= lastFootprint) {
                    continue;
                }
                chosen.put(op, coarsen(net, net.operator(op), c.mapping(), cost, capacity));
                outcome = scheduler.schedule(i, segments, chosen, segmentOf);
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
            schedules.add(scheduled(outcome, op));
            LOGGER.debug("Layer ({}) scheduled with mapping #{} in ({} cycles)", op, tried,
                    schedules.get(schedules.size() - 1).predictedCycles());
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        LOGGER.info("Planned ({}) layer by layer: ({}) segments in ({} ms)", net.name(), segments.size(), ms);
        return new Plan(request.networkRef(), request.hardware(), name(), allBest ? "FEASIBLE" : "FEASIBLE_FALLBACK",
                chosen, schedules);
    }

    private static SegmentSchedule scheduled(ScheduleOutcome outcome, String op) {
        if (outcome instanceof ScheduleOutcome.Scheduled s) {
            return s.schedule();
        }
        throw new InfeasiblePlanException((ScheduleOutcome.Infeasible) outcome);
    }

    /**
     * Grows the tiles of a mapping (doubling one output dim, or C, at a time, up to its bound) while the shared
     * cost model says the layer gets no slower than {@link #LATENCY_SLACK} and the footprint still fits: the same
     * speed with far fewer tiles, so a much smaller schedule. Mappers that favour tiny vector tiles (every tile
     * size is equally fast for an elementwise op) otherwise produce hundreds of thousands of tiles per layer.
     */
    static Mapping coarsen(Network net, Operator op, Mapping m, CostModel cost, long capacity) {
        long base = cost.evaluate(net, op, m).latencyCycles();
        long limit = (long) Math.floor(base * (1 + LATENCY_SLACK));
        var nest = net.loopNest(op.name()).orElseThrow();
        boolean grown = true;
        Mapping current = m;
        while (grown) {
            grown = false;
            for (LoopDim d : List.of(LoopDim.Q, LoopDim.P, LoopDim.K, LoopDim.G, LoopDim.N, LoopDim.C)) {
                int t = current.tile(d);
                int bound = nest.bound(d);
                if (t >= bound) {
                    continue;
                }
                Map<LoopDim, Integer> tile = new EnumMap<>(current.tile());
                tile.put(d, Math.min(bound, t * 2));
                Mapping next = new Mapping(current.operator(), tile, current.spatial(), current.outerOrder(),
                        current.doubleBuffered());
                try {
                    var c = cost.evaluate(net, op, next);
                    if (c.latencyCycles() <= limit && c.footprintBytes() <= capacity) {
                        current = next;
                        grown = true;
                    }
                } catch (IllegalArgumentException illegal) {
                    // not a legal mapping of this layer: keep the current tile
                }
            }
        }
        return current;
    }

    /**
     * Moves to the front, among the mappings within {@link #LATENCY_SLACK} of the best latency, the one with the
     * fewest tiles: same speed, a much smaller schedule (and plan file).
     */
    static void preferFewTiles(List<MappingChoice> sorted) {
        if (sorted.isEmpty()) {
            return;
        }
        double limit = sorted.get(0).latencyCycles() * (1 + LATENCY_SLACK);
        MappingChoice pick = sorted.get(0);
        for (MappingChoice c : sorted) {
            if (c.latencyCycles() <= limit && c.cost().tiles() < pick.cost().tiles()) {
                pick = c;
            }
        }
        sorted.remove(pick);
        sorted.add(0, pick);
    }
}

package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.schedule.ListScheduler;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskGraph;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.segmentation.SegmentationInput;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The SFD planner: memory-centric mapper (a Pareto front per layer) -> analytical segmenter ({@link SolverChoice})
 * -> dependency-aware tile scheduler for the chosen segments and mappings.
 *
 * <p><b>Never worse than layer by layer.</b> The layer-by-layer plan is made from the same fronts. Segments run
 * one after another and each segment's schedule depends only on its own operators, so the plan's latency is the
 * sum of its segments' scheduled makespans (which the simulator replays exactly). A fused segment the scheduler
 * cannot fit in the buffer (the additive model said it fits, the tile order disagrees), or one that comes out
 * slower than its operators layer by layer, is repaired: split in two at its middle (a prefix of a convex
 * segment in topological order is convex, and so is the rest), each half scheduled and repaired the same way,
 * down to single operators, which run with their layer-by-layer mapping and schedule. The result is at most the
 * layer-by-layer latency segment by segment.
 *
 * <p><b>Merging.</b> Then neighbouring segments are merged where one segment runs faster than the two (the
 * additive model is pessimistic where units overlap, and halving repairs may split at a worse point): the
 * {@link SegmentAnalyzer} screens each candidate at tile level, the list scheduler decides, so a merge can only
 * lower the latency. With an energy or DRAM objective a merge is kept when the analyser's figure for it (exact
 * bytes; energy by the simulator's terms) is lower and the scheduler fits it. Merging shares the scheduling budget.
 * (With an energy or DRAM objective only infeasible segments are repaired; the command compares the simulated
 * figures of the whole plans.)
 */
public final class SfdPlanner implements Planner {
    private static final Logger LOGGER = LogManager.getLogger();
    /**
     * Fused segments with more tile tasks than this are split before scheduling: the list scheduler's time grows
     * faster than linearly in the ready set (about 1.5 s at 50k tasks, 40 s at 250k on the dev machine), and
     * segments that large came from tiny-tile mappings that also lose to layer by layer when they fit.
     */
    static final int MAX_FUSED_TASKS = 60_000;
    /** A merge of two neighbouring segments is scheduled only when the analyser predicts at least this gain. */
    static final double MERGE_MARGIN = 0.02;
    /** Merge passes over the plan at most (a pass that merges nothing ends them). */
    static final int MERGE_PASSES = 3;

    /**
     * @param solver which segmenter(s) to run
     * @param objective what the segmenter minimises
     * @param timeLimitSeconds limit of each search solver (CP-SAT, Timefold); the DP has none
     * @param threads mapper threads and CP-SAT workers
     * @param seed solver seed
     * @param timefoldConfig Timefold config name or XML path ("fast", "thorough", ...)
     * @param maxFusedTasks fused segments with more tile tasks are split before scheduling
     *     ({@link #MAX_FUSED_TASKS} by default; tests use fewer to stay fast)
     */
    public record Options(SolverChoice solver, Objective objective, double timeLimitSeconds, int threads, long seed,
                          String timefoldConfig, int maxFusedTasks) {
        public Options {
            Objects.requireNonNull(solver, "solver");
            Objects.requireNonNull(objective, "objective");
            Objects.requireNonNull(timefoldConfig, "timefoldConfig");
            if (!(timeLimitSeconds > 0)) {
                throw new IllegalArgumentException("timeLimitSeconds must be > 0: " + timeLimitSeconds);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1: " + threads);
            }
        }

        /** auto, latency, 10 s per search solver, 2 threads, seed 42, Timefold "fast". */
        public static Options defaults() {
            return new Options(SolverChoice.AUTO, Objective.LATENCY, 10, 2, 42, "fast", MAX_FUSED_TASKS);
        }

        public Options withSolver(SolverChoice s) {
            return new Options(s, objective, timeLimitSeconds, threads, seed, timefoldConfig, maxFusedTasks);
        }

        public Options withObjective(Objective o) {
            return new Options(solver, o, timeLimitSeconds, threads, seed, timefoldConfig, maxFusedTasks);
        }

        public Options withTimeLimitSeconds(double s) {
            return new Options(solver, objective, s, threads, seed, timefoldConfig, maxFusedTasks);
        }

        public Options withThreads(int n) {
            return new Options(solver, objective, timeLimitSeconds, n, seed, timefoldConfig, maxFusedTasks);
        }
    }

    private final Mapper mapper;
    private final Options options;
    private final ProgressListener progress;

    public SfdPlanner(Mapper mapper, Options options, ProgressListener progress) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.options = Objects.requireNonNull(options, "options");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Heuristic mapper (the same fronts the layer-by-layer baseline uses), default options. */
    public SfdPlanner() {
        this(new HeuristicMapper(), Options.defaults(), ProgressListener.NONE);
    }

    @Override
    public String name() {
        return "sfd";
    }

    @Override
    public Plan plan(PlanRequest request) {
        return planWithDetails(request).plan();
    }

    /**
     * Plans and says how: segmenter runs, repairs, the layer-by-layer plan, time per stage.
     *
     * @throws dev.sfd.mapping.MappingInfeasibleException when a layer cannot fit the buffer at all
     */
    public SfdResult planWithDetails(PlanRequest request) {
        Network net = request.network();
        Hardware hw = request.hardware();
        Map<String, Long> millis = new LinkedHashMap<>();

        long t = System.nanoTime();
        progress.stage("mapping", -1);
        NetworkMapping mapping = NetworkMapper.map(mapper, net, hw, options.threads());
        progress.done();
        millis.put("mapping", elapsed(t));

        t = System.nanoTime();
        progress.stage("layer by layer", -1);
        Plan layerwise = new LayerwisePlanner(mapper).plan(request, mapping);
        progress.done();
        millis.put("layerwise", elapsed(t));

        t = System.nanoTime();
        progress.stage("segmenting", -1);
        SegmenterChain chain = new SegmenterChain(options.solver(), options.timefoldConfig());
        SegmenterSettings settings = new SegmenterSettings(options.objective(), options.timeLimitSeconds(),
                options.threads(), options.seed(), SegmenterSettings.defaults().maxSegmentLength());
        SegmentationInput input = new SegmentationModelBuilder(net, hw).build(mapping);
        FusionPlan fusion = new FusionPlanner(mapper, chain, options.threads()).plan(input, mapping, settings, t);
        progress.done();
        millis.put("segmentation", elapsed(t));

        t = System.nanoTime();
        progress.stage("scheduling", fusion.segments().size());
        Map<String, Mapping> fusedMappings = fusion.mappings();
        Repairer repairer = new Repairer(net, hw, fusedMappings, layerwise, options.objective(),
                (long) (options.timeLimitSeconds() * 1000), options.maxFusedTasks());
        List<SegmentSchedule> schedules = new ArrayList<>();
        for (int i = 0; i < fusion.segments().size(); i++) {
            schedules.addAll(repairer.best(fusion.segments().get(i), true).schedules());
            progress.step(i + 1);
        }
        progress.done();
        millis.put("scheduling", elapsed(t));
        t = System.nanoTime();
        progress.stage("merging", -1);
        schedules = repairer.merge(schedules);
        progress.done();
        millis.put("merging", elapsed(t));

        List<SegmentSchedule> indexed = new ArrayList<>();
        Map<String, Mapping> mappings = new LinkedHashMap<>();
        for (SegmentSchedule s : schedules) {
            indexed.add(new SegmentSchedule(indexed.size(), s.operators(), s.buffers(), s.tasks(), s.predictedCycles(),
                    s.predictedPeakBytes()));
            for (String op : s.operators()) {
                Mapping m = repairer.mappingOf(op, s);
                if (m != null) {
                    mappings.put(op, m);
                }
            }
        }
        var seg = fusion.segmentation();
        String status = !repairer.repairs.isEmpty() || fusion.fellBackToLayerwise() ? "FEASIBLE" : seg.status().name();
        Plan plan = new Plan(request.networkRef(), hw, name(), status, mappings, indexed);
        SfdResult result = new SfdResult(plan, layerwise, options.solver().cliName(), seg.solver(),
                seg.status().name(), seg.gap(), chain.runs(), fusion.segments().size(),
                seg.evaluation().latencyCycles(), repairer.repairs, repairer.merges, "", millis, List.of());
        long sfdCycles = predicted(plan);
        long lwCycles = predicted(layerwise);
        LOGGER.info("SFD plan of ({}): ({}) segments, ({}) repairs, ({}) merges, scheduled ({} cycles) vs layer by "
                + "layer ({} cycles)", net.name(), indexed.size(), repairer.repairs.size(), repairer.merges.size(),
                sfdCycles, lwCycles);
        if (options.objective() == Objective.LATENCY && sfdCycles > lwCycles) {
            result = result.withFallback("scheduled latency (" + sfdCycles + ") above layer by layer (" + lwCycles
                    + ")");
        }
        t = System.nanoTime();
        List<List<String>> reported = result.plan().segmentOperators();
        List<SegmentAnalyzer.Analysis> analyses = new SegmentAnalyzer(net, hw).analyzeAll(reported,
                result.plan().mappings());
        return result.withAnalyses(analyses, elapsed(t));
    }

    static long predicted(Plan p) {
        long c = 0;
        for (SegmentSchedule s : p.segments()) {
            c += s.predictedCycles();
        }
        return c;
    }

    private static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Schedules segments, splitting the ones that do not fit or lose to layer by layer. */
    private static final class Repairer {
        /** A scheduled run of operators: one or more segment schedules. */
        record Pieces(List<SegmentSchedule> schedules, long cycles) {
        }

        final PlanScheduler scheduler;
        final SegmentAnalyzer analyzer;
        final long capacity;
        final ListScheduler listScheduler;
        final Network net;
        final CostModel cost;
        final long budgetMillis;
        final int maxTasks;
        final long startNanos = System.nanoTime();
        final Map<String, Mapping> fused;
        final Map<String, Mapping> alone;
        final Map<String, SegmentSchedule> layerwiseOf = new HashMap<>();
        final Objective objective;
        final List<SfdResult.Repair> repairs = new ArrayList<>();
        final List<SfdResult.Repair> merges = new ArrayList<>();
        final Set<List<String>> triedMerges = new HashSet<>();
        final Map<SegmentSchedule, Map<String, Mapping>> mergedMappings = new IdentityHashMap<>();
        final Map<SegmentSchedule, SegmentAnalyzer.Analysis> analyses = new IdentityHashMap<>();

        Repairer(Network net, Hardware hw, Map<String, Mapping> fused, Plan layerwise, Objective objective,
                 long budgetMillis, int maxTasks) {
            this.maxTasks = maxTasks;
            this.scheduler = new PlanScheduler(net, new CostModel(hw));
            this.analyzer = new SegmentAnalyzer(net, hw);
            this.capacity = hw.globalBuffer().capacityBytes();
            this.listScheduler = new ListScheduler(hw);
            this.net = net;
            this.cost = new CostModel(hw);
            this.budgetMillis = budgetMillis;
            this.fused = fused;
            this.alone = layerwise.mappings();
            this.objective = objective;
            for (SegmentSchedule s : layerwise.segments()) {
                layerwiseOf.put(s.operators().get(0), s);
            }
        }

        /**
         * The mapping an operator runs with in {@code s}: as merged, else layer by layer's in its schedule, else the
         * segmenter's.
         */
        Mapping mappingOf(String op, SegmentSchedule s) {
            Map<String, Mapping> m = mergedMappings.get(s);
            if (m != null) {
                return m.get(op);
            }
            return layerwiseOf.get(op) == s ? alone.get(op) : fused.get(op);
        }

        /**
         * Merges neighbouring segments where that is better for the objective: consecutive segments of a valid
         * order form a convex set, so their union is a segment too. The analyser screens each candidate (its
         * working set must fit and its predicted figure must beat the two by {@link #MERGE_MARGIN}); the list
         * scheduler decides: the merged segment must schedule, and for latency be faster than the two. Each
         * candidate is tried with the operators' current mappings, then with the segmenter's. Left to right, so a
         * merged segment may absorb its next neighbour too; up to {@link #MERGE_PASSES} passes, never the same
         * candidate twice.
         */
        List<SegmentSchedule> merge(List<SegmentSchedule> schedules) {
            List<SegmentSchedule> result = schedules;
            for (int pass = 0; pass < MERGE_PASSES; pass++) {
                int before = result.size();
                result = mergePass(result);
                if (result.size() == before) {
                    break;
                }
            }
            return result;
        }

        List<SegmentSchedule> mergePass(List<SegmentSchedule> schedules) {
            List<SegmentSchedule> out = new ArrayList<>();
            SegmentSchedule current = schedules.get(0);
            for (int i = 1; i < schedules.size(); i++) {
                SegmentSchedule next = schedules.get(i);
                SegmentSchedule merged = budgetSpent() ? null : tryMerge(current, next);
                if (merged != null) {
                    current = merged;
                } else {
                    out.add(current);
                    current = next;
                }
            }
            out.add(current);
            return out;
        }

        SegmentSchedule tryMerge(SegmentSchedule a, SegmentSchedule b) {
            if (a.tasks().size() + b.tasks().size() > maxTasks) {
                return null;
            }
            List<String> ops = new ArrayList<>(a.operators());
            ops.addAll(b.operators());
            if (!triedMerges.add(ops)) {
                return null;
            }
            Map<String, Mapping> current = new HashMap<>();
            Map<String, Mapping> segmenters = new HashMap<>();
            for (SegmentSchedule s : List.of(a, b)) {
                for (String op : s.operators()) {
                    Mapping x = mappingOf(op, s);
                    if (x != null) {
                        current.put(op, x);
                        segmenters.put(op, fused.getOrDefault(op, x));
                    }
                }
            }
            SegmentSchedule merged = tryMerge(a, b, ops, current);
            return merged != null || segmenters.equals(current) ? merged : tryMerge(a, b, ops, segmenters);
        }

        /**
         * {@code a} and {@code b} as one segment with mappings {@code m}, or null when that is not better: for
         * latency, scheduled faster than the two; for energy or DRAM bytes, less of it by the analyser (whose bytes
         * are exact and whose energy has the simulator's terms) and schedulable.
         */
        SegmentSchedule tryMerge(SegmentSchedule a, SegmentSchedule b, List<String> ops, Map<String, Mapping> m) {
            SegmentAnalyzer.Analysis analysis = analyzer.analyze(0, ops, m);
            double apart = objective == Objective.LATENCY ? a.predictedCycles() + b.predictedCycles()
                    : objectiveValue(analysisOf(a)) + objectiveValue(analysisOf(b));
            if (!analysis.mayFit(capacity) || objectiveValue(analysis) > apart * (1 - MERGE_MARGIN)) {
                return null;
            }
            ScheduleOutcome out = listScheduler.schedule(scheduler.graph(0, ops, m));
            if (!(out instanceof ScheduleOutcome.Scheduled s)
                    || objective == Objective.LATENCY && s.schedule().predictedCycles() >= apart) {
                return null;
            }
            SegmentSchedule merged = s.schedule();
            mergedMappings.put(merged, Map.copyOf(m));
            analyses.put(merged, analysis);
            String what = switch (objective) {
                case LATENCY -> "scheduled " + merged.predictedCycles() + " cycles vs " + (long) apart
                        + " apart (predicted " + analysis.cycles() + ")";
                case DRAM -> analysis.dramBytes() + " DRAM bytes vs " + (long) apart + " apart";
                case ENERGY -> String.format(java.util.Locale.ROOT, "%.0f pJ vs %.0f pJ apart", analysis.energyPj(),
                        apart);
            };
            merges.add(new SfdResult.Repair(ops, "merged: " + what, List.of(ops.size())));
            LOGGER.debug("Merged ({}) operators from ({}): {}", ops.size(), ops.get(0), what);
            return merged;
        }

        /** The figure the objective minimises, from an analysis. */
        double objectiveValue(SegmentAnalyzer.Analysis a) {
            return switch (objective) {
                case LATENCY -> a.cycles();
                case ENERGY -> a.energyPj();
                case DRAM -> a.dramBytes();
            };
        }

        /** The analysis of a scheduled segment with the mappings it runs with (cached). */
        SegmentAnalyzer.Analysis analysisOf(SegmentSchedule s) {
            return analyses.computeIfAbsent(s, x -> {
                Map<String, Mapping> m = new HashMap<>();
                for (String op : x.operators()) {
                    Mapping mapping = mappingOf(op, x);
                    if (mapping != null) {
                        m.put(op, mapping);
                    }
                }
                return analyzer.analyze(0, x.operators(), m);
            });
        }

        long estimatedTiles(Map<String, Mapping> m) {
            long tiles = 0;
            for (Map.Entry<String, Mapping> e : m.entrySet()) {
                tiles += cost.evaluate(net, net.operator(e.getKey()), e.getValue()).tiles();
            }
            return tiles;
        }

        boolean budgetSpent() {
            return (System.nanoTime() - startNanos) / 1_000_000 > budgetMillis;
        }

        Pieces layerwise(List<String> ops) {
            List<SegmentSchedule> l = new ArrayList<>();
            long c = 0;
            for (String op : ops) {
                SegmentSchedule s = layerwiseOf.get(op);
                l.add(s);
                c += s.predictedCycles();
            }
            return new Pieces(l, c);
        }

        Pieces best(List<String> ops, boolean top) {
            Pieces lw = layerwise(ops);
            if (ops.size() == 1 && objective == Objective.LATENCY) {
                return lw;
            }
            Map<String, Mapping> m = new HashMap<>();
            for (String op : ops) {
                Mapping x = fused.get(op);
                if (x != null) {
                    m.put(op, x);
                }
            }
            List<List<String>> one = List.of(ops);
            String reason;
            long t0 = System.nanoTime();
            if (budgetSpent()) {
                reason = "scheduling budget (" + budgetMillis + " ms) spent: runs layer by layer";
            } else if (estimatedTiles(m) > maxTasks) {
                reason = "too many tiles: about " + estimatedTiles(m) + " compute tiles > " + maxTasks;
            } else {
                TaskGraph g = scheduler.graph(0, ops, m);
                if (g.tasks().size() > maxTasks) {
                    reason = "too many tiles: " + g.tasks().size() + " tasks > " + maxTasks;
                } else {
                    ScheduleOutcome out = listScheduler.schedule(g);
                    LOGGER.debug("Scheduled ({}) operators from ({}) in ({} ms): {}", ops.size(), ops.get(0),
                            (System.nanoTime() - t0) / 1_000_000, out instanceof ScheduleOutcome.Scheduled s
                                    ? s.schedule().tasks().size() + " tasks, " + s.schedule().predictedCycles()
                                    + " cycles" : "infeasible");
                    if (out instanceof ScheduleOutcome.Scheduled s) {
                        long c = s.schedule().predictedCycles();
                        if (objective != Objective.LATENCY || c <= lw.cycles()) {
                            return new Pieces(List.of(s.schedule()), c);
                        }
                        reason = "slower: scheduled " + c + " cycles vs " + lw.cycles() + " layer by layer";
                    } else {
                        reason = "infeasible: " + ((ScheduleOutcome.Infeasible) out).message();
                    }
                }
            }
            Pieces result = lw;
            if (ops.size() > 1 && !budgetSpent()) {
                int mid = ops.size() / 2;
                Pieces a = best(ops.subList(0, mid), false);
                Pieces b = best(ops.subList(mid, ops.size()), false);
                if (objective != Objective.LATENCY || a.cycles() + b.cycles() <= lw.cycles()) {
                    List<SegmentSchedule> l = new ArrayList<>(a.schedules());
                    l.addAll(b.schedules());
                    result = new Pieces(l, a.cycles() + b.cycles());
                }
            }
            if (top) {
                repairs.add(new SfdResult.Repair(ops, reason,
                        result.schedules().stream().map(x -> x.operators().size()).toList()));
                LOGGER.debug("Segment of ({}) operators starting at ({}) repaired ({}): now segments of {}",
                        ops.size(), ops.get(0), reason, result.schedules().stream().map(x -> x.operators().size()).toList());
            }
            return result;
        }
    }
}

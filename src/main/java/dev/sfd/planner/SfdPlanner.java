package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.segmentation.SegmentationInput;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.TilePricer;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The SFD planner: memory-centric mapper (a Pareto front per layer) -> segmenter ({@link SolverChoice}) over the
 * segmentation model, each candidate segment priced at tile level by the planner's timeline engine
 * ({@link TilePricer}) -> tile scheduler ({@link PlanAssembler}) for the chosen segments and mappings.
 *
 * <p>The segmenter optimises what the scheduler will achieve: the DP prices the segments it considers with the same
 * engine the scheduler runs (their cycles, the bytes their walks move or their energy, by the objective), so its
 * answer needs no repair and its predictions are the scheduled figures. If the simulated plan's latency would exceed
 * the layer-by-layer plan's (made from the same fronts) under the latency objective, the layer-by-layer plan is
 * reported with {@code fallback} set.
 */
public final class SfdPlanner implements Planner {
    private static final Logger LOGGER = LogManager.getLogger();
    /**
     * Fused segments with more tile events than this are not priced or scheduled: the engine's time grows with the
     * events, and segments that large come from tiny-tile mappings.
     */
    static final int MAX_FUSED_TASKS = 60_000;
    /**
     * Share of the time limit kept for what follows the segmenter: joins, scheduling, analysis and the command's
     * simulation of the plan and of the layer-by-layer plan (ResNet-50 on {@code edge}: 1.2-1.5 s of 10).
     */
    static final double VERIFY_SHARE = 0.2;
    /** Least share of the time limit the segmenter gets, however long mapping took. */
    static final double MIN_SEGMENTER_SHARE = 0.25;

    /**
     * @param solver which segmenter(s) to run
     * @param objective what the segmenter minimises
     * @param timeLimitSeconds the run's limit: the segmenter's search stops when the run has used all but
     *     {@link #VERIFY_SHARE} of it, but gets at least {@link #MIN_SEGMENTER_SHARE} of it; a search solver after
     *     the DP (CP-SAT, Timefold) gets as long again ({@link #segmenterSeconds})
     * @param threads mapper threads and CP-SAT workers
     * @param seed solver seed
     * @param timefoldConfig Timefold config name or XML path ("fast", "thorough", ...)
     * @param maxFusedTasks fused segments with more tile events are neither priced nor scheduled
     *     ({@link #MAX_FUSED_TASKS} by default; tests use fewer to stay fast)
     * @param dpWorkBudget tile events the priced DP may walk before it stops as at its time limit (0: none;
     *     {@link SegmenterSettings#workBudget})
     */
    public record Options(SolverChoice solver, Objective objective, double timeLimitSeconds, int threads, long seed,
                          String timefoldConfig, int maxFusedTasks, long dpWorkBudget) {
        /** Options with no DP work budget. */
        public Options(SolverChoice solver, Objective objective, double timeLimitSeconds, int threads, long seed,
                       String timefoldConfig, int maxFusedTasks) {
            this(solver, objective, timeLimitSeconds, threads, seed, timefoldConfig, maxFusedTasks, 0);
        }

        public Options {
            if (dpWorkBudget < 0) {
                throw new IllegalArgumentException("dpWorkBudget must be >= 0: " + dpWorkBudget);
            }
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

        /** auto, latency, 10 s for the run, 2 threads, seed 42, Timefold "fast". */
        public static Options defaults() {
            return new Options(SolverChoice.AUTO, Objective.LATENCY, 10, 2, 42, "fast", MAX_FUSED_TASKS);
        }

        public Options withSolver(SolverChoice s) {
            return new Options(s, objective, timeLimitSeconds, threads, seed,
                    timefoldConfig, maxFusedTasks, dpWorkBudget);
        }

        public Options withObjective(Objective o) {
            return new Options(solver, o, timeLimitSeconds, threads, seed, timefoldConfig, maxFusedTasks, dpWorkBudget);
        }

        public Options withTimeLimitSeconds(double s) {
            return new Options(solver, objective, s, threads, seed, timefoldConfig, maxFusedTasks, dpWorkBudget);
        }

        public Options withDpWorkBudget(long events) {
            return new Options(solver, objective, timeLimitSeconds, threads, seed,
                    timefoldConfig, maxFusedTasks, events);
        }

        public Options withThreads(int n) {
            return new Options(solver, objective, timeLimitSeconds, n, seed,
                    timefoldConfig, maxFusedTasks, dpWorkBudget);
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
     * Plans and says how: segmenter runs, its prediction, repairs, the layer-by-layer plan, time per stage.
     *
     * @throws dev.sfd.mapping.MappingInfeasibleException when a layer cannot fit the buffer at all
     */
    public SfdResult planWithDetails(PlanRequest request) {
        Network net = request.network();
        Hardware hw = request.hardware();
        Map<String, Long> millis = new LinkedHashMap<>();

        long start = System.nanoTime();
        long t = start;
        progress.stage("mapping", -1);
        NetworkMapping mapping = NetworkMapper.map(mapper, net, hw, options.threads());
        progress.done();
        millis.put("mapping", elapsed(t));

        // the layer-by-layer plan is needed only once the segments are scheduled (the assembler's fallback and the
        // comparison): with a second thread it is planned alongside the segmenter (ResNet-50 on edge: 1.6-2.2 s
        // alone, which the run no longer waits for; stageMillis "layerwise" is the wait that is left)
        LayerwisePlanner layerByLayer = new LayerwisePlanner(mapper);
        java.util.concurrent.CompletableFuture<Plan> layerwiseLater = options.threads() > 1
                ? java.util.concurrent.CompletableFuture.supplyAsync(() -> layerByLayer.plan(request, mapping),
                        SfdPlanner::daemon)
                : java.util.concurrent.CompletableFuture.completedFuture(layerByLayer.plan(request, mapping));

        t = System.nanoTime();
        progress.stage("segmenting", -1);
        CostModel cost = new CostModel(hw);
        SegmentationInput input = new SegmentationModelBuilder(net, hw).build(mapping);
        TilePricer pricer = new TilePricer(net, cost, input, options.maxFusedTasks(), options.threads(),
                options.objective());
        SegmenterChain chain = new SegmenterChain(options.solver(), options.timefoldConfig(), Optional.of(pricer));
        SegmenterSettings settings = new SegmenterSettings(options.objective(), segmenterSeconds(start),
                options.threads(), options.seed(), SegmenterSettings.defaults().maxSegmentLength(),
                options.dpWorkBudget());
        FusionPlan fusion = new FusionPlanner(mapper, chain, options.threads()).plan(input, mapping, settings, t);
        progress.done();
        millis.put("segmentation", elapsed(t));
        LOGGER.info("Priced ({}) candidate segments at tile level in ({} ms), ({}) more shared with structurally "
                + "identical ones", pricer.pricings(), pricer.millis(), pricer.shared());

        t = System.nanoTime();
        Plan layerwise = join(layerwiseLater);
        millis.put("layerwise", elapsed(t));

        t = System.nanoTime();
        progress.stage("scheduling", fusion.segments().size());
        // a priced answer chose every segment knowing its scheduled cycles: only a segment that does not fit is split
        PlanAssembler assembler = new PlanAssembler(net, hw, layerwise, options.maxFusedTasks(),
                options.objective() == Objective.LATENCY && !fusion.segmentation().priced());
        PlanAssembler.Assembled assembled = assembler.assemble(fusion.segments(), fusion.mappings());
        progress.done();
        millis.put("scheduling", elapsed(t));

        var seg = fusion.segmentation();
        List<SfdResult.Repair> repairs = assembler.repairs();
        String status = !repairs.isEmpty() || fusion.fellBackToLayerwise() ? "FEASIBLE" : seg.status().name();
        Plan plan = new Plan(request.networkRef(), hw, name(), status, assembled.mappings(), assembled.schedules());
        SfdResult result = new SfdResult(plan, layerwise, options.solver().cliName(), seg.solver(),
                seg.status().name(), seg.gap(), chain.runs(), fusion.segments().size(), prediction(fusion, pricer),
                repairs, "", millis, List.of());
        long sfdCycles = assembled.cycles();
        long lwCycles = layerwise.predictedCycles();
        LOGGER.info("SFD plan of ({}): ({}) segments, ({}) repairs, scheduled ({} cycles) vs layer by layer ({} cycles)",
                net.name(), plan.segments().size(), repairs.size(), sfdCycles, lwCycles);
        if (options.objective() == Objective.LATENCY && sfdCycles > lwCycles) {
            result = result.withFallback("scheduled latency (" + sfdCycles + ") above layer by layer (" + lwCycles
                    + ")");
        }
        t = System.nanoTime();
        return result.withAnalyses(analyses(result.plan(), fusion, pricer, net, hw), elapsed(t));
    }

    /**
     * The tile-level analysis of every segment of {@code plan}: the pricer's, for a segment the segmenter returned
     * and the assembler kept as it was, else a new one.
     */
    private static List<SegmentAnalyzer.Analysis> analyses(Plan plan, FusionPlan fusion, TilePricer pricer,
                                                           Network net, Hardware hw) {
        Map<List<String>, SegmentationModel.Part> parts = new java.util.HashMap<>();
        var seg = fusion.segmentation();
        for (int i = 0; i < seg.parts().size() && i < fusion.segments().size(); i++) {
            parts.put(fusion.segments().get(i), seg.parts().get(i));
        }
        SegmentAnalyzer analyzer = new SegmentAnalyzer(net, hw);
        List<SegmentAnalyzer.Analysis> out = new ArrayList<>();
        for (SegmentSchedule s : plan.segments()) {
            SegmentationModel.Part p = parts.get(s.operators());
            Optional<SegmentAnalyzer.Analysis> cached = p == null ? Optional.empty()
                    : pricer.analysis(p.operators(), p.choices());
            boolean sameMappings = p != null && s.operators().stream().allMatch(op -> {
                int k = s.operators().indexOf(op);
                return Objects.equals(pricer.input().mapping(p.operators().get(k), p.choices().get(k)).orElse(null),
                        plan.mappings().get(op));
            });
            out.add(cached.isPresent() && sameMappings ? cached.get()
                    : analyzer.analyze(s.index(), s.operators(), plan.mappings()));
        }
        return out;
    }

    /** The segmenter's figures for its answer: priced at tile level when it priced, else the additive model's. */
    private static SfdResult.Prediction prediction(FusionPlan fusion, TilePricer pricer) {
        var seg = fusion.segmentation();
        SegmentationModel.Evaluation ev = seg.evaluation();
        List<Long> cycles = new ArrayList<>();
        long latency = 0;
        double energy = 0;
        long dram = 0;
        boolean priced = seg.priced() && !fusion.fellBackToLayerwise();
        for (int i = 0; i < seg.parts().size(); i++) {
            SegmentationModel.Part p = seg.parts().get(i);
            Optional<SegmentAnalyzer.Analysis> a = priced ? pricer.analysis(p.operators(), p.choices())
                    : Optional.empty();
            if (a.isPresent() && a.get().feasible()) {
                cycles.add(a.get().cycles());
                latency += a.get().cycles();
                energy += a.get().energyPj();
                dram += a.get().dramBytes();
            } else {
                priced = false;
                break;
            }
        }
        if (!priced) {
            cycles.clear();
            for (SegmentationModel.PartCost c : ev.parts()) {
                cycles.add(c.latencyCycles());
            }
            latency = ev.latencyCycles();
            energy = ev.energyPj();
            dram = ev.dramBytes();
        }
        return new SfdResult.Prediction(latency, ev.latencyCycles(), energy, dram, fusion.segments(), cycles, priced);
    }


    /**
     * The segmenter's time limit in a run that started at {@code startNanos}: what is left of the run's limit less
     * {@link #VERIFY_SHARE} of it, and at least {@link #MIN_SEGMENTER_SHARE} of it.
     */
    double segmenterSeconds(long startNanos) {
        double limit = options.timeLimitSeconds();
        double left = limit * (1 - VERIFY_SHARE) - (System.nanoTime() - startNanos) / 1e9;
        return Math.max(limit * MIN_SEGMENTER_SHARE, left);
    }

    /** Runs {@code task} on a daemon thread of its own, so that an abandoned plan never holds the JVM open. */
    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "sfd-layerwise");
        thread.setDaemon(true);
        thread.start();
    }

    /** The layer-by-layer plan, its exceptions (a layer that fits nowhere) rethrown as they were. */
    private static Plan join(java.util.concurrent.CompletableFuture<Plan> later) {
        try {
            return later.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}

package dev.sfd.cli;

import dev.sfd.common.InvalidInputException;
import dev.sfd.common.OutputFolder;
import dev.sfd.cost.CostModel;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.Planner;
import dev.sfd.planner.ProgressListener;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.SfdResult;
import dev.sfd.planner.SolverChoice;
import dev.sfd.report.ReportWriter;
import dev.sfd.report.SfdSection;
import dev.sfd.report.TraceWriter;
import dev.sfd.schedule.InfeasiblePlanException;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.io.PlanWriter;
import dev.sfd.segmentation.Objective;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sfd optimize NETWORK --hw HW [--planner sfd|layerwise] [--solver ...] [--objective ...] --out DIR}: plans
 * the network, replays the plan in the simulator, and writes {@code plan.json}, {@code report.json} and
 * {@code trace.json} to DIR (atomically). With the SFD planner (the default) the layer-by-layer plan is made and
 * simulated too; when the simulator finds the SFD plan worse under the objective, or illegal while layer by layer
 * is legal, the layer-by-layer plan is reported with {@code fallback} set. Exit 0 when the plan is legal, 1 when
 * no plan exists or the simulator found violations, 2 on bad input.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = "Plan a network on an accelerator, simulate the plan, write plan, report and trace.")
public final class OptimizeCommand implements Callable<Integer> {
    private static final Logger LOGGER = LogManager.getLogger();

    @Mixin
    NetworkArgs networkArgs = new NetworkArgs();

    @Option(names = "--hw", required = true, paramLabel = "HARDWARE", description = "Hardware preset or file.")
    String hardware;

    @Option(names = "--planner", defaultValue = "sfd", paramLabel = "NAME",
            description = "Planner: ${COMPLETION-CANDIDATES}; default ${DEFAULT-VALUE}.",
            completionCandidates = PlannerNames.class)
    String planner;

    @Option(names = "--solver", defaultValue = "auto", paramLabel = "SOLVER",
            description = "SFD segmenter: dp, cpsat, timefold or auto (default: for the latency objective the priced "
                    + "DP alone; for energy and DRAM the DP, then CP-SAT for <= 64 operators, Timefold warm-started "
                    + "from the DP above that when the DP did not prove optimality).")
    String solver;

    @Option(names = "--objective", defaultValue = "latency", paramLabel = "OBJECTIVE",
            description = "SFD objective: latency (default), energy or dram.")
    String objective;

    @Option(names = "--time-limit", defaultValue = "10", paramLabel = "S",
            description = "SFD planner: seconds for the whole run. The segmenter's search stops when mapping and "
                    + "the search have used 80 %% of them (it gets at least 25 %%), leaving the rest for scheduling and "
                    + "simulating; a CP-SAT or Timefold segmenter after the DP (--solver) gets as long again. "
                    + "Default ${DEFAULT-VALUE}. The CP-SAT mapper has its own per-solve limit (--mapper-config). A "
                    + "stage that runs out is listed as STARVED.")
    double timeLimit;

    @Option(names = "--dp-budget", defaultValue = "0", paramLabel = "EVENTS",
            description = "Tile events the priced DP may walk before it stops as at --time-limit; the plan then does "
                    + "not depend on the machine's speed (0, the default: no budget, only the time limit).")
    long dpBudget;

    @Option(names = "--no-progress", description = "No progress bar on stderr (none is drawn without a console).")
    boolean noProgress;

    @picocli.CommandLine.Mixin
    MapperArgs mapperArgs = new MapperArgs();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Candidates for --planner help. */
    static final class PlannerNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return PlannerRegistry.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            Network net = networkArgs.load().network();
            if (net.operators().isEmpty()) {
                // An ONNX model whose every node folds into constants imports as an empty network.
                throw new InvalidInputException(networkArgs.network, "has no operators to plan (every node was folded "
                        + "into constants or the network is empty)");
            }
            Hardware hw = HardwareCatalog.resolve(hardware);
            CpSatSettings mapperSettings = mapperArgs.settings();
            Mapper mapper = mapperArgs.mapper(mapperSettings);
            Planner p = PlannerRegistry.resolve(planner, mapper);
            PlanRequest request = new PlanRequest(net, networkArgs.ref(net), hw);
            if (p instanceof SfdPlanner) {
                Objective obj = objective();
                checkTimeLimit();
                OutputFolder folder = OutputFolder.prepare(out, "--out");
                return optimizeSfd(request, mapper, mapperArgs.threads(mapperSettings), obj, folder, stdout, err);
            }
            OutputFolder folder = OutputFolder.prepare(out, "--out");
            // one mapping for the plan and the layer-by-layer plan its DRAM chart compares against
            dev.sfd.mapping.NetworkMapping fronts = dev.sfd.mapping.NetworkMapper.map(mapper, net, hw,
                    mapperArgs.threads(mapperSettings));
            Plan plan;
            if (p instanceof dev.sfd.planner.baseline.FusionBaseline fb) {
                plan = fb.planWithDetails(request, fronts).plan();
            } else if (p instanceof dev.sfd.planner.LayerwisePlanner lp) {
                plan = lp.plan(request, fronts);
            } else {
                plan = p.plan(request);
            }
            SimulationResult r = new Simulator(net, true).run(plan);
            LowerBounds.LowerBound bound = LowerBounds.of(net, hw);
            Plan lwPlan = p instanceof dev.sfd.planner.LayerwisePlanner ? plan
                    : new dev.sfd.planner.LayerwisePlanner(mapper).plan(request, fronts);
            writeOutputs(folder, plan, r, hw, sha -> ReportWriter.toBytes(plan, r, bound, Optional.empty(), sha),
                    chartsAndHtml(net, plan, r, lwPlan, bound, java.util.List.of()));
            ReportWriter.printSummary(stdout, plan, r, bound);
            stdout.println("wrote " + out.resolve("plan.json") + ", report.json, trace.json, report.html, charts");
            stdout.flush();
            return SimulateCommand.reportViolations(r, err);
        } catch (InvalidInputException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 2;
        } catch (MappingInfeasibleException e) {
            LOGGER.debug("infeasible", e);
            err.println("infeasible: " + e.getMessage());
            err.flush();
            return 1;
        } catch (InfeasiblePlanException e) {
            LOGGER.debug("infeasible", e);
            err.println("infeasible: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** The largest {@code --time-limit}: one day. */
    static final double MAX_TIME_LIMIT_SECONDS = 86_400;

    private Objective objective() {
        try {
            return Objective.parse(objective);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--objective", "has value (" + objective + "); expected latency, energy or dram");
        }
    }

    private void checkTimeLimit() {
        if (!(timeLimit > 0) || timeLimit > MAX_TIME_LIMIT_SECONDS) {
            throw new InvalidInputException("--time-limit", "has value (" + timeLimit + "); it must be more than 0 and "
                    + "at most " + (long) MAX_TIME_LIMIT_SECONDS + " seconds");
        }
        if (dpBudget < 0) {
            throw new InvalidInputException("--dp-budget", "has value (" + dpBudget + "); it must be 0 (none) or more");
        }
    }

    /**
     * Writes plan.json, report.json and trace.json together ({@link OutputFolder#write}); the report and the trace
     * carry the SHA-256 of the plan.json they belong to.
     */
    private void writeOutputs(OutputFolder folder, Plan plan, SimulationResult r, Hardware hw,
                              java.util.function.Function<String, byte[]> report, Map<String, byte[]> more) {
        byte[] planBytes = PlanWriter.toBytes(plan);
        String sha = sha256(planBytes);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("plan.json", planBytes);
        files.put("report.json", report.apply(sha));
        files.put("trace.json", TraceWriter.toBytes(r, hw, sha));
        files.putAll(more);
        folder.write(files);
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private int optimizeSfd(PlanRequest request, Mapper mapper, int mapperThreads, Objective obj, OutputFolder folder,
                            PrintWriter stdout, PrintWriter err) {
        SfdPlanner.Options options = SfdPlanner.Options.defaults().withSolver(SolverChoice.parse(solver))
                .withObjective(obj).withTimeLimitSeconds(timeLimit).withThreads(mapperThreads)
                .withDpWorkBudget(dpBudget);
        ProgressListener progress = ConsoleProgress.forTerminal(noProgress);
        SfdResult result;
        SimulationResult r;
        SimulationResult lw;
        Map<String, Long> millis;
        try {
            result = new SfdPlanner(mapper, options, progress).planWithDetails(request);
            millis = new LinkedHashMap<>(result.stageMillis());
            long t = System.nanoTime();
            progress.stage("simulating", -1);
            Network net = request.network();
            CostModel cost = new CostModel(request.hardware());
            // the two replays are independent: the layer-by-layer one runs on a second thread
            SfdResult planned = result;
            java.util.concurrent.CompletableFuture<SimulationResult> layerwise =
                    java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> new Simulator(net, true).run(planned.layerwise()));
            r = new Simulator(net, true).run(result.plan());
            lw = layerwise.join();
            progress.done();
            millis.put("simulation", (System.nanoTime() - t) / 1_000_000);
        } finally {
            if (progress instanceof ConsoleProgress c) {
                c.close();
            }
        }
        Optional<String> worse = worse(r, lw, obj);
        if (worse.isPresent() && !result.fellBack()) {
            LOGGER.warn("SFD plan {}; reporting the layer-by-layer plan", worse.get());
            result = result.withFallback(worse.get());
            r = lw;
        }
        LowerBounds.LowerBound bound = LowerBounds.of(request.network(), request.hardware());
        SfdSection section = new SfdSection(result, lw, millis);
        Plan plan = result.plan();
        SimulationResult simulated = r;
        writeOutputs(folder, plan, r, request.hardware(),
                sha -> ReportWriter.toBytes(plan, simulated, bound, Optional.of(section), sha),
                chartsAndHtml(request.network(), plan, r, result.layerwise(), bound, java.util.List.of(
                        new String[] {"layer by layer", String.format(java.util.Locale.ROOT,
                                "%,d cycles: speedup x%.2f", lw.cycles(), section.speedup(r))},
                        new String[] {"solver", result.solverRequested() + " -> " + result.solverUsed() + " "
                                + result.solverStatus() + (result.fellBack() ? "; FALLBACK: " + result.fallback()
                                : "")})));
        ReportWriter.printSfdSummary(stdout, plan, r, bound, section);
        stdout.println("wrote " + out.resolve("plan.json") + ", report.json, trace.json, report.html, charts");
        stdout.flush();
        return SimulateCommand.reportViolations(r, err);
    }

    /** The four charts of the plan (PNG) and report.html beside report.json. */
    /** The charts (PNG) and report.html, file name to content, written with the run's other files. */
    private static Map<String, byte[]> chartsAndHtml(Network net, Plan plan, SimulationResult r, Plan layerwise,
                                                     LowerBounds.LowerBound bound, java.util.List<String[]> extra) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        java.util.List<dev.sfd.report.HtmlReport.Image> images = new java.util.ArrayList<>();
        dev.sfd.report.Charts.planCharts(net, plan, r, layerwise).forEach((file, png) -> {
            files.put(file, png);
            images.add(new dev.sfd.report.HtmlReport.Image(file, png));
        });
        java.util.List<String[]> summary = new java.util.ArrayList<>(java.util.List.of(
                new String[] {"network", net.name() + " (batch " + net.batch() + ", " + net.operators().size()
                        + " operators)"},
                new String[] {"hardware", plan.hardware().name()},
                new String[] {"planner", plan.planner() + " (" + plan.solverStatus() + ")"},
                new String[] {"latency", String.format(java.util.Locale.ROOT, "%,d cycles, lower bound %,d (x%.2f)",
                        r.cycles(), bound.latencyCycles(), bound.latencyCycles() == 0 ? 0
                                : (double) r.cycles() / bound.latencyCycles())},
                new String[] {"DRAM", String.format(java.util.Locale.ROOT, "%,d bytes, compulsory %,d",
                        r.dramReadBytes() + r.dramWriteBytes(), bound.compulsoryBytes())},
                new String[] {"energy", String.format(java.util.Locale.ROOT, "%.3f uJ", r.energy().totalPj() / 1e6)},
                new String[] {"GLB peak", String.format(java.util.Locale.ROOT, "%,d of %,d bytes",
                        r.peakBufferBytes(), plan.hardware().globalBuffer().capacityBytes())},
                new String[] {"segments", plan.segments().size() + " (" + plan.taskCount() + " tasks)"},
                new String[] {"violations", String.valueOf(r.violations().size())}));
        summary.addAll(extra);
        files.put("report.html", dev.sfd.report.HtmlReport.render("SFD optimize: " + net.name() + " on "
                + plan.hardware().name(), java.util.List.of(dev.sfd.report.HtmlReport.summary("Summary", summary),
                dev.sfd.report.HtmlReport.segments("Segments", plan, r)), images).getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        return files;
    }

    /** Why the simulated SFD plan must not be reported, if it must not: illegal, or worse under the objective. */
    static Optional<String> worse(SimulationResult sfd, SimulationResult layerwise, Objective objective) {
        if (!sfd.violations().isEmpty() && layerwise.violations().isEmpty()) {
            return Optional.of("simulated with (" + sfd.violations().size() + ") violations, first: "
                    + sfd.violations().get(0));
        }
        boolean worse = switch (objective) {
            case LATENCY -> sfd.cycles() > layerwise.cycles();
            case ENERGY -> sfd.energy().totalPj() > layerwise.energy().totalPj();
            case DRAM -> sfd.dramReadBytes() + sfd.dramWriteBytes()
                    > layerwise.dramReadBytes() + layerwise.dramWriteBytes();
        };
        return worse ? Optional.of("simulated " + objective.name().toLowerCase(java.util.Locale.ROOT)
                + " is worse than layer by layer's") : Optional.empty();
    }
}

package dev.sfd.cli;

import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.Planner;
import dev.sfd.planner.ProgressListener;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.SfdResult;
import dev.sfd.planner.baseline.AnnealPlanner;
import dev.sfd.planner.baseline.BaselineResult;
import dev.sfd.planner.baseline.BaselineSettings;
import dev.sfd.planner.baseline.FusionBaseline;
import dev.sfd.planner.baseline.GeneticPlanner;
import dev.sfd.planner.baseline.GreedyPlanner;
import dev.sfd.planner.baseline.LayerwiseFusedPlanner;
import dev.sfd.planner.baseline.TemplatePlanner;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
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
 * Runs several planners on one problem (network x hardware) from one set of mapper fronts, simulates every plan, and
 * collects the figures {@code compare}, {@code bench} and {@code sweep} report. The network is mapped once; every
 * planner, the SFD planner included, plans from those fronts, so "optimizer time" is each planner's own time with the
 * mapping excluded (the mapping time is reported once). The SFD plan is reported as {@code optimize} reports it:
 * when the simulator finds it worse than layer by layer under the objective, the layer-by-layer plan is.
 */
final class Comparison {
    private static final Logger LOGGER = LogManager.getLogger();

    /** Every planner, in the order compare shows them. */
    static final List<String> ALL = List.of("sfd", "layerwise", "layerwise-fused", "template", "greedy", "anneal",
            "genetic");

    /**
     * @param planners planner names, in order
     * @param sfd the SFD planner's options
     * @param baseline the baselines' settings
     * @param recordSpans whether simulations record task spans (for the Gantt chart)
     */
    record Settings(List<String> planners, SfdPlanner.Options sfd, BaselineSettings baseline, boolean recordSpans) {
        Settings {
            planners = List.copyOf(planners);
            Objects.requireNonNull(sfd, "sfd");
            Objects.requireNonNull(baseline, "baseline");
        }
    }

    /**
     * One planner's outcome.
     *
     * @param planner its name
     * @param plan its plan (null when it failed)
     * @param sim the simulation of the plan (null when it failed)
     * @param optimizerMillis wall time of planning, mapping excluded
     * @param status the plan's status, or FAILED
     * @param repairs segments the scheduler had to split
     * @param evaluations candidate solutions the planner scored (0 when it does not count them)
     * @param stop why a search stopped ("" for the others)
     * @param error why it failed ("" when it did not)
     * @param sfd the SFD planner's details (null for the others)
     */
    record Entry(String planner, Plan plan, SimulationResult sim, long optimizerMillis, String status, int repairs,
                 long evaluations, String stop, String error, SfdResult sfd) {
        boolean ok() {
            return plan != null && sim != null;
        }

        long violations() {
            return sim == null ? 0 : sim.violations().size();
        }

        long dramBytes() {
            return sim.dramReadBytes() + sim.dramWriteBytes();
        }
    }

    /** Everything measured on one problem. */
    record Outcome(PlanRequest request, LowerBounds.LowerBound bound, NetworkMapping mapping, Plan layerwise,
                   SimulationResult layerwiseSim, List<Entry> entries) {
        Optional<Entry> entry(String planner) {
            return entries.stream().filter(e -> e.planner().equals(planner)).findFirst();
        }

        /** The planner's latency over SFD's (how much faster SFD is), NaN when either failed. */
        double speedupOfSfd(Entry e) {
            Optional<Entry> sfd = entry("sfd");
            if (sfd.isEmpty() || !sfd.get().ok() || !e.ok() || sfd.get().sim().cycles() == 0) {
                return Double.NaN;
            }
            return (double) e.sim().cycles() / sfd.get().sim().cycles();
        }

        double boundRatio(Entry e) {
            return e.ok() && bound.latencyCycles() > 0 ? (double) e.sim().cycles() / bound.latencyCycles()
                    : Double.NaN;
        }

        /** Whether every planner produced a plan that simulated without violations. */
        boolean allLegal() {
            return entries.stream().allMatch(e -> e.ok() && e.violations() == 0);
        }
    }

    private Comparison() {
    }

    /** Checks planner names against the registry (exit 2 naming the bad one). */
    static List<String> parsePlanners(String list) {
        List<String> names = new ArrayList<>();
        for (String s : list.split(",")) {
            String n = s.trim();
            if (n.isEmpty()) {
                continue;
            }
            if (!PlannerRegistry.names().contains(n)) {
                String guess = dev.sfd.common.Fields.closest(n, PlannerRegistry.names());
                throw new dev.sfd.common.InvalidInputException("--planners", "has value (" + list + "); (" + n
                        + ") is no planner; planners are " + PlannerRegistry.names()
                        + (guess == null ? "" : "\n  Maybe you meant '" + guess + "'."));
            }
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        if (names.isEmpty()) {
            throw new dev.sfd.common.InvalidInputException("--planners", "has value (" + list + "); name at least "
                    + "one of " + PlannerRegistry.names());
        }
        return names;
    }

    /**
     * Maps the network once and runs every planner of {@code settings} on it.
     *
     * @throws dev.sfd.mapping.MappingInfeasibleException when a layer cannot fit the buffer at all
     */
    static Outcome run(PlanRequest request, Mapper mapper, int mapperThreads, Settings settings,
                       ProgressListener progress) {
        Network net = request.network();
        Hardware hw = request.hardware();
        progress.stage("mapping", -1);
        NetworkMapping mapping = NetworkMapper.map(mapper, net, hw, mapperThreads);
        progress.done();
        Mapper fronts = new FixedFronts(mapping);
        Plan layerwise = new LayerwisePlanner(fronts).plan(request, mapping);
        SimulationResult lwSim = new Simulator(net, settings.recordSpans()).run(layerwise);
        List<Entry> entries = new ArrayList<>();
        for (String name : settings.planners()) {
            progress.stage(name, -1);
            long start = System.nanoTime();
            try {
                entries.add(runOne(name, request, mapping, fronts, layerwise, lwSim, settings, start));
            } catch (RuntimeException e) {
                if (e instanceof dev.sfd.common.InvalidInputException) {
                    throw e;
                }
                LOGGER.debug("planner " + name + " failed", e);
                String why = e.getClass().getSimpleName() + ": " + e.getMessage();
                entries.add(new Entry(name, null, null, elapsed(start), "FAILED", 0, 0, "", why, null));
            } finally {
                progress.done();
            }
        }
        return new Outcome(request, LowerBounds.of(net, hw), mapping, layerwise, lwSim, entries);
    }

    private static Entry runOne(String name, PlanRequest request, NetworkMapping mapping, Mapper fronts,
                                Plan layerwise, SimulationResult lwSim, Settings settings, long start) {
        Network net = request.network();
        boolean spans = settings.recordSpans();
        switch (name) {
            case "sfd" -> {
                SfdResult result = new SfdPlanner(fronts, settings.sfd(), ProgressListener.NONE)
                        .planWithDetails(request);
                long millis = elapsed(start);
                SimulationResult sim = new Simulator(net, spans).run(result.plan());
                Optional<String> worse = OptimizeCommand.worse(sim, lwSim, settings.sfd().objective());
                if (worse.isPresent() && !result.fellBack()) {
                    result = result.withFallback(worse.get());
                    sim = new Simulator(net, spans).run(result.plan());
                }
                return new Entry(name, result.plan(), sim, millis, result.plan().solverStatus(),
                        result.repairs().size(), 0, "", "", result);
            }
            case "layerwise" -> {
                Plan p = new LayerwisePlanner(fronts).plan(request, mapping);
                long millis = elapsed(start);
                return new Entry(name, p, new Simulator(net, spans).run(p), millis, p.solverStatus(), 0, 0, "", "",
                        null);
            }
            default -> {
                FusionBaseline b = baseline(name, fronts, settings.baseline());
                BaselineResult r = b.planWithDetails(request, mapping);
                long millis = elapsed(start);
                return new Entry(name, r.plan(), new Simulator(net, spans).run(r.plan()), millis,
                        r.plan().solverStatus(), r.repairs(), r.evaluations(), r.stop(), "", null);
            }
        }
    }

    /** A fusion baseline by name with these settings (other registered planners are not baselines). */
    static FusionBaseline baseline(String name, Mapper mapper, BaselineSettings s) {
        return switch (name) {
            case "layerwise-fused" -> new LayerwiseFusedPlanner(mapper, s);
            case "template" -> new TemplatePlanner(mapper, s);
            case "greedy" -> new GreedyPlanner(mapper, s);
            case "anneal" -> new AnnealPlanner(mapper, s);
            case "genetic" -> new GeneticPlanner(mapper, s);
            default -> {
                Planner p = PlannerRegistry.resolve(name, mapper);
                if (p instanceof FusionBaseline fb) {
                    yield fb;
                }
                throw new IllegalArgumentException("planner " + name + " is not a fusion baseline");
            }
        };
    }

    private static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A mapper that answers from fronts already mapped: every planner of a comparison sees the same fronts. */
    static final class FixedFronts implements Mapper {
        private final Map<String, ParetoFront> byOperator = new HashMap<>();
        private final String name;

        FixedFronts(NetworkMapping mapping) {
            for (ParetoFront f : mapping.fronts()) {
                byOperator.put(f.operator(), f);
            }
            this.name = mapping.mapper();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public ParetoFront front(Network net, Operator op, Hardware hw) {
            ParetoFront f = byOperator.get(op.name());
            if (f == null) {
                throw new IllegalArgumentException("no front was mapped for " + op.name());
            }
            return f;
        }

        @Override
        public Optional<MappingChoice> best(Network net, Operator op, Hardware hw, long budgetBytes) {
            return front(net, op, hw).best(budgetBytes);
        }
    }

    /** Table columns of {@link #rows}. */
    static final List<String> COLUMNS = List.of("planner", "latency cycles", "bound ratio", "SFD speedup",
            "DRAM bytes", "energy uJ", "peak GLB bytes", "segments", "optimizer s", "violations", "status");

    /** One row of cells per planner, formatted for the console and the HTML table. */
    static List<List<String>> rows(Outcome o) {
        List<List<String>> rows = new ArrayList<>();
        for (Entry e : o.entries()) {
            if (!e.ok()) {
                rows.add(List.of(e.planner(), "-", "-", "-", "-", "-", "-", "-",
                        String.format(java.util.Locale.ROOT, "%.1f", e.optimizerMillis() / 1e3), "-",
                        "FAILED: " + e.error()));
                continue;
            }
            rows.add(List.of(e.planner(), String.format(java.util.Locale.ROOT, "%,d", e.sim().cycles()),
                    String.format(java.util.Locale.ROOT, "%.2f", o.boundRatio(e)),
                    fmt(o.speedupOfSfd(e), "%.2fx"),
                    String.format(java.util.Locale.ROOT, "%,d", e.dramBytes()),
                    String.format(java.util.Locale.ROOT, "%.1f", e.sim().energy().totalPj() / 1e6),
                    String.format(java.util.Locale.ROOT, "%,d", e.sim().peakBufferBytes()),
                    String.valueOf(e.plan().segments().size()),
                    String.format(java.util.Locale.ROOT, "%.1f", e.optimizerMillis() / 1e3),
                    String.valueOf(e.violations()),
                    e.status() + (e.stop().isEmpty() ? "" : " (" + e.evaluations() + " evals, " + e.stop() + ")")
                            + (e.sfd() != null && e.sfd().fellBack() ? " fallback" : "")));
        }
        return rows;
    }

    static String fmt(double v, String format) {
        return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, format, v) : "-";
    }

    /** Prints rows as an aligned text table. */
    static void printTable(java.io.PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            sb.append(i == 0 ? "" : "  ").append(pad(header.get(i), w[i], i == 0 || i == w.length - 1));
        }
        out.println(sb.toString().stripTrailing());
        for (List<String> r : rows) {
            sb.setLength(0);
            for (int i = 0; i < w.length; i++) {
                sb.append(i == 0 ? "" : "  ").append(pad(r.get(i), w[i], i == 0 || i == w.length - 1));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String pad(String s, int w, boolean left) {
        String fill = " ".repeat(Math.max(0, w - s.length()));
        return left ? s + fill : fill + s;
    }

    /** Keeps insertion order of a map built from the outcome: planner name to value. */
    static <V> Map<String, V> byPlanner(Outcome o, java.util.function.Function<Entry, V> f) {
        Map<String, V> m = new LinkedHashMap<>();
        for (Entry e : o.entries()) {
            if (e.ok()) {
                m.put(e.planner(), f.apply(e));
            }
        }
        return m;
    }
}

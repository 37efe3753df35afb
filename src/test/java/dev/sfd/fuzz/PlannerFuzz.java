package dev.sfd.fuzz;

import dev.sfd.cli.PlannerRegistry;
import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareReader;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.planner.PlanRequest;
import dev.sfd.planner.Planner;
import dev.sfd.planner.ProgressListener;
import dev.sfd.planner.SfdPlanner;
import dev.sfd.planner.baseline.AnnealPlanner;
import dev.sfd.planner.baseline.BaselineSettings;
import dev.sfd.planner.baseline.GeneticPlanner;
import dev.sfd.planner.baseline.GreedyPlanner;
import dev.sfd.planner.baseline.LayerwiseFusedPlanner;
import dev.sfd.planner.baseline.TemplatePlanner;
import dev.sfd.schedule.InfeasiblePlanException;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One fuzz case: a seeded network and accelerator ({@link FuzzInputs}) planned by every planner of
 * {@link PlannerRegistry} (a newly registered planner is fuzzed without further work). Each planner must give a plan
 * or a clear infeasibility ({@link MappingInfeasibleException}, {@link InfeasiblePlanException}), never another
 * exception; the simulator must find no violation in the plan; and its latency must be at or above the lower bound.
 * Planners whose default options are too slow for a fuzz run get fast ones here ({@link #FAST}).
 */
public final class PlannerFuzz {
    /**
     * Fuzz-speed variants of registered planners: the SFD planner with every solver on a short budget and one
     * thread (it still runs DP, CP-SAT or Timefold segmenters and the scheduler's splits); the fusion baselines with
     * one mapper thread, 60 evaluations and 0.5 s for the searches.
     */
    static final Map<String, Function<Mapper, Planner>> FAST = fast();

    private static Map<String, Function<Mapper, Planner>> fast() {
        BaselineSettings b = BaselineSettings.defaults().withEvaluations(60).withTimeLimitSeconds(0.5)
                .withMapperThreads(1);
        return Map.of("sfd", m -> new SfdPlanner(m,
                        SfdPlanner.Options.defaults().withTimeLimitSeconds(0.3).withThreads(1), ProgressListener.NONE),
                "layerwise-fused", m -> new LayerwiseFusedPlanner(m, b),
                "template", m -> new TemplatePlanner(m, b),
                "greedy", m -> new GreedyPlanner(m, b),
                "anneal", m -> new AnnealPlanner(m, b),
                "genetic", m -> new GeneticPlanner(m, b));
    }

    /**
     * Fast mapper settings: one worker, few budgets and tile candidates. The per-solve limit is a generous 20 s: with
     * a hint from the tile relaxation a solve takes milliseconds; a solve cut short keeps its checked incumbent.
     */
    static final CpSatSettings MAPPER = new CpSatSettings(1, 7, 20.0, 4, 1, 6, true, false);

    private PlannerFuzz() {
    }

    /** What happened to one planner on one case: PLAN, INFEASIBLE or FAIL. */
    public record Outcome(String planner, String kind, String detail) {
        public boolean failed() {
            return kind.equals("FAIL");
        }

        @Override
        public String toString() {
            return planner + ": " + kind + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** The result of one case. */
    public record Result(long seed, String network, int operators, String hardware, String mapper,
                         List<Outcome> outcomes) {
        public boolean failed() {
            return outcomes.stream().anyMatch(Outcome::failed);
        }
    }

    /** Network size of the CI fuzz run and of the benchmark run: 1 to 5 blocks (1 to about 70 operators). */
    public static int blocks(long seed) {
        return 1 + (int) Math.floorMod(seed * 31 + 7, 5);
    }

    /** The mapper of a case: mostly the fast heuristic, every third case CP-SAT, every eleventh exhaustive. */
    static Mapper mapper(long seed) {
        if (seed % 11 == 3) {
            return new ExhaustiveMapper(new MappingSpace.Options(6, true));
        }
        if (seed % 3 == 1) {
            return new CpSatMapper(MAPPER);
        }
        return new HeuristicMapper(MAPPER.spaceOptions(), 300, seed);
    }

    /** Runs case {@code seed} through every registered planner. */
    public static Result run(long seed) {
        String netText = FuzzInputs.network(seed, blocks(seed));
        String hwText = FuzzInputs.hardware(seed);
        Network net;
        Hardware hw;
        try {
            net = NetworkReader.parse("fuzz-" + seed + ".yaml", netText, null);
            hw = HardwareReader.parse("fuzz-hw-" + seed + ".yaml", hwText);
        } catch (InvalidInputException e) {
            // The generator only writes valid files: a refusal is a generator or reader bug.
            return new Result(seed, "?", 0, "?", "-", List.of(new Outcome("reader", "FAIL",
                    "valid input refused: " + e.getMessage())));
        }
        Mapper mapper = mapper(seed);
        List<Outcome> outcomes = new ArrayList<>();
        for (Map.Entry<String, Planner> e : planners(mapper).entrySet()) {
            outcomes.add(check(e.getKey(), e.getValue(), net, hw));
        }
        return new Result(seed, net.name(), net.operators().size(), hw.name(), mapper.getClass().getSimpleName(),
                outcomes);
    }

    /** Every registered planner, in its fuzz-speed variant where there is one. */
    static Map<String, Planner> planners(Mapper mapper) {
        Map<String, Planner> out = new LinkedHashMap<>();
        for (String name : PlannerRegistry.names()) {
            Function<Mapper, Planner> fast = FAST.get(name);
            out.put(name, fast != null ? fast.apply(mapper) : PlannerRegistry.resolve(name, mapper));
        }
        return out;
    }

    static Outcome check(String name, Planner planner, Network net, Hardware hw) {
        Plan plan;
        try {
            plan = planner.plan(new PlanRequest(net, new NetworkRef(net.name(), net.batch()), hw));
        } catch (MappingInfeasibleException | InfeasiblePlanException e) {
            String m = e.getMessage();
            return m == null || m.isBlank() ? new Outcome(name, "FAIL", "infeasible without a message")
                    : new Outcome(name, "INFEASIBLE", m.length() > 120 ? m.substring(0, 120) + "..." : m);
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome(name, "FAIL", "exception: " + stackHead(e));
        }
        try {
            SimulationResult r = new Simulator(net, false).run(plan);
            if (!r.violations().isEmpty()) {
                return new Outcome(name, "FAIL", r.violations().size() + " simulator violation(s), first: "
                        + r.violations().get(0));
            }
            LowerBounds.LowerBound b = LowerBounds.of(net, hw);
            long bound = b.latencyCycles();
            if (r.cycles() < bound) {
                return new Outcome(name, "FAIL", "latency " + r.cycles() + " below the lower bound " + bound);
            }
            if (r.cycles() < b.utilisationLatencyCycles()) {
                return new Outcome(name, "FAIL", "latency " + r.cycles() + " below the utilisation-aware bound "
                        + b.utilisationLatencyCycles());
            }
            return new Outcome(name, "PLAN", r.cycles() + " cycles, bound " + bound);
        } catch (RuntimeException e) {
            return new Outcome(name, "FAIL", "simulation exception: " + stackHead(e));
        }
    }

    private static String stackHead(Throwable e) {
        StringWriter s = new StringWriter();
        e.printStackTrace(new PrintWriter(s));
        String[] lines = s.toString().split("\n");
        return String.join(" | ", java.util.Arrays.copyOf(lines, Math.min(lines.length, 4))).replace("\t", "");
    }
}

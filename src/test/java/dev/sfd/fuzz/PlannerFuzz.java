package dev.sfd.fuzz;

import dev.sfd.cli.PlannerRegistry;
import dev.sfd.common.InvalidInputException;
import dev.sfd.cost.CostModel;
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
     * thread (it still runs DP, CP-SAT or Timefold segmenters, the scheduler's repairs and merges).
     */
    static final Map<String, Function<Mapper, Planner>> FAST = Map.of("sfd", m -> new SfdPlanner(m,
            SfdPlanner.Options.defaults().withTimeLimitSeconds(0.3).withThreads(1), ProgressListener.NONE));

    /**
     * Fast mapper settings: one worker, few budgets and tile candidates. The per-solve limit is a generous 20 s: with
     * a hint from the tile relaxation a solve takes milliseconds, and a solve cut short by its limit before it
     * reports the hinted solution makes the CP-SAT mapper throw ({@link #KNOWN_LOST_INCUMBENT}), which a loaded
     * machine made happen at 5 s (seed 1810).
     */
    static final CpSatSettings MAPPER = new CpSatSettings(1, 7, 20.0, 4, 1, 6, true, false);

    private PlannerFuzz() {
    }

    /** What happened to one planner on one case: PLAN, INFEASIBLE, KNOWN (a listed known fault) or FAIL. */
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
        } catch (IllegalStateException e) {
            String m = String.valueOf(e.getMessage());
            return m.startsWith("CP-SAT lost the incumbent") ? new Outcome(name, "KNOWN", m + "; " + KNOWN_LOST_INCUMBENT)
                    : new Outcome(name, "FAIL", "exception: " + stackHead(e));
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome(name, "FAIL", "exception: " + stackHead(e));
        }
        try {
            SimulationResult r = new Simulator(net, new CostModel(hw)::tileComputeCycles, false).run(plan);
            if (!r.violations().isEmpty()) {
                return new Outcome(name, "FAIL", r.violations().size() + " simulator violation(s), first: "
                        + r.violations().get(0));
            }
            long bound = LowerBounds.of(net, hw).latencyCycles();
            if (r.cycles() < bound) {
                String what = "latency " + r.cycles() + " below the lower bound " + bound;
                return skipsInput(net) ? new Outcome(name, "KNOWN", what + "; " + KNOWN_SKIPPED_INPUT)
                        : passesInputThrough(net) ? new Outcome(name, "KNOWN", what + "; " + KNOWN_VIEW_OUTPUT)
                        : new Outcome(name, "FAIL", what);
            }
            return new Outcome(name, "PLAN", r.cycles() + " cycles, bound " + bound);
        } catch (RuntimeException e) {
            return new Outcome(name, "FAIL", "simulation exception: " + stackHead(e));
        }
    }

    /**
     * A known fault of the lower bound, not of the planners (reported to the cost model's owner with seeds 1000019
     * and 1000148): {@code LowerBounds} counts every element of a convolution's or pooling's input as compulsory DRAM
     * traffic, but a strided window that skips rows or columns (kernel 1, stride 2), or leaves the last rows past its
     * final position unread (2x2/2 on 11 columns, seed 1898), reads only some of them, so plans
     * that load exactly what they need beat the "bound". Only the bound check is waived for such networks, and the
     * outcome is counted as KNOWN, not as a pass.
     */
    static final String KNOWN_SKIPPED_INPUT = "known: the lower bound counts input elements no window reads";

    /**
     * A known fault of the CP-SAT mapper (seeds 7, 37, 55 with a 0.5 s limit; 1810 under load with 5 s): a solve
     * hinted with the tile relaxation's incumbent that stops at its wall-clock limit before reporting a solution makes
     * {@code MappingModel.solve} throw instead of keeping the incumbent. It depends on machine load, so it is counted
     * as KNOWN, not as a pass; {@code sfd map resnet18 --hw edge} with {@code timeLimitSecondsPerSolve: 0.05}
     * reproduces it every time.
     */
    static final String KNOWN_LOST_INCUMBENT = "known: the CP-SAT mapper throws when a hinted solve hits its limit";

    /**
     * The second known fault of the lower bound (seed 238): a network output that is a layout view (split, concat,
     * reshape, transpose) of a network input, in whole or in part, is counted as DRAM traffic twice (read as input,
     * written as output), although a view costs no transfer and plans move none for it.
     */
    static final String KNOWN_VIEW_OUTPUT = "known: the lower bound counts an output that is a view of an input";

    /** Whether a network output reaches a network input through layout operators only. */
    static boolean passesInputThrough(Network net) {
        java.util.Deque<String> todo = new java.util.ArrayDeque<>(net.outputs());
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (net.inputs().contains(t)) {
                return true;
            }
            net.producer(t).filter(op -> op.kind().isLayout()).ifPresent(op -> todo.addAll(op.inputs()));
        }
        return false;
    }

    /**
     * Whether some convolution or pooling leaves input rows or columns unread: a stride above the window's reach
     * (kernel 1, stride 2), dilation gaps with a stride, or rows past the last window (a 2x2/2 pooling of 11 columns
     * never reads the 11th; seed 1898).
     */
    static boolean skipsInput(Network net) {
        for (dev.sfd.workload.Operator op : net.operators()) {
            java.util.List<Integer> in = net.tensor(op.inputs().get(0)).shape();
            if (op.params() instanceof dev.sfd.workload.OpParams.Conv c
                    && (skips(in.get(2), c.kernelH(), c.strideH(), c.dilationH(), c.padTop() + c.padBottom())
                    || skips(in.get(3), c.kernelW(), c.strideW(), c.dilationW(), c.padLeft() + c.padRight()))) {
                return true;
            }
            if (op.params() instanceof dev.sfd.workload.OpParams.Pool p && !p.global()
                    && (skips(in.get(2), p.kernelH(), p.strideH(), p.dilationH(), p.padTop() + p.padBottom())
                    || skips(in.get(3), p.kernelW(), p.strideW(), p.dilationW(), p.padLeft() + p.padRight()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean skips(int size, int kernel, int stride, int dilation, int pads) {
        int span = dilation * (kernel - 1) + 1;
        return stride > 1 && (kernel < stride || dilation > 1) || (size + pads - span) % stride != 0;
    }

    private static String stackHead(Throwable e) {
        StringWriter s = new StringWriter();
        e.printStackTrace(new PrintWriter(s));
        String[] lines = s.toString().split("\n");
        return String.join(" | ", java.util.Arrays.copyOf(lines, Math.min(lines.length, 4))).replace("\t", "");
    }
}

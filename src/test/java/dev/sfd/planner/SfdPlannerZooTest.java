package dev.sfd.planner;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.segmentation.Objective;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden corpus of the SFD planner on {@code edge}: every zoo network plans with every applicable solver (DP on
 * all; CP-SAT on the CNNs within its full model's 64 operators; Timefold on BERT-base and GPT-2 small) and the
 * plan simulates with zero violations, at or above the lower bound and never slower than the layer-by-layer plan
 * made from the same fronts. Short limits keep the class fast: 1 s per search solver (and a 1 s scheduling budget
 * with CP-SAT and Timefold) and at most 15,000 tile tasks for fused segments (beyond it the remaining segments run
 * layer by layer, which the guarantee allows). The DP cases also check the segment analyser against the simulator
 * ({@link SegmentAnalyzerFidelity}). The mapper is the heuristic one.
 */
class SfdPlannerZooTest {
    static final double LIMIT_SECONDS = 1.0;
    /**
     * The DP has no time limit, and the option is also the scheduling budget: generous for the DP cases, so that
     * their plans (and the analyser fidelity checked on them) do not depend on how loaded the machine is.
     */
    static final double DP_LIMIT_SECONDS = 120.0;
    /** Fused segments above this many tile tasks are split unscheduled (the CLI allows 60,000). */
    static final int MAX_FUSED_TASKS = 15_000;

    static Stream<Arguments> cases() {
        List<Arguments> l = new ArrayList<>();
        for (String net : NetworkCatalog.ZOO) {
            l.add(Arguments.of(net, SolverChoice.DP));
        }
        for (String net : List.of("resnet18", "vgg16", "vgg19")) {
            l.add(Arguments.of(net, SolverChoice.CPSAT));
        }
        for (String net : List.of("bert_base", "gpt2_small")) {
            l.add(Arguments.of(net, SolverChoice.TIMEFOLD));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void plansSimulateCleanAndNeverLoseToLayerByLayer(String name, SolverChoice solver) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        SfdPlanner.Options options = new SfdPlanner.Options(solver, Objective.LATENCY,
                solver == SolverChoice.DP ? DP_LIMIT_SECONDS : LIMIT_SECONDS, 2, 42, "fast",
                MAX_FUSED_TASKS);
        SfdResult result = new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(new PlanRequest(net, new NetworkRef(name, net.batch()), hw));
        CostModel cost = new CostModel(hw);
        SimulationResult sfd = new Simulator(net, false).run(result.plan());
        SimulationResult lw = new Simulator(net, false).run(result.layerwise());

        assertTrue(sfd.violations().isEmpty(), () -> sfd.violations().size() + " violations, first: "
                + sfd.violations().get(0));
        assertTrue(sfd.cycles() >= LowerBounds.of(net, hw).latencyCycles());
        assertTrue(sfd.cycles() <= lw.cycles(), () -> name + ": SFD " + sfd.cycles() + " > layerwise " + lw.cycles());
        assertEquals(SfdPlanner.predicted(result.plan()), sfd.cycles(), "the simulator replays the schedule exactly");
        assertTrue(result.runs().stream().anyMatch(r -> r.solver().equals(solver.cliName())),
                () -> "no " + solver + " run recorded: " + result.runs());
        assertEquals(net.operators().size(), result.plan().segments().stream().mapToInt(s -> s.operators().size()).sum());
        if (solver == SolverChoice.DP) {
            SegmentAnalyzerFidelity.check(name, net, hw, result.plan(), sfd);
        }
        System.out.printf("%-15s %-8s segments %3d (model %3d) repairs %2d speedup %.3f %s%n", name,
                solver, result.plan().segments().size(), result.modelSegments(), result.repairs().size(),
                (double) lw.cycles() / sfd.cycles(), result.stageMillis());
    }
}

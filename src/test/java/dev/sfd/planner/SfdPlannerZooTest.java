package dev.sfd.planner;

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden corpus of the SFD planner on {@code edge}: every zoo network plans with every applicable solver (DP on
 * all; CP-SAT on the CNNs within its full model's 64 operators; Timefold on BERT-base and GPT-2 small). Each plan
 * simulates with zero violations, at or above the lower bound; no solver run fails; the segmenter's plan needs at
 * most one repair and is not replaced by the layer-by-layer plan; and the segmenter's prediction meets the fidelity
 * targets against the independent simulator ({@link PlanFidelity}). Short limits keep the class fast: the DP prices
 * for at most {@link #DP_LIMIT_SECONDS} (one limit serves the whole chain, so the Timefold runs, which start from
 * the DP's answer, get it too: a DP cut at one second on a loaded machine leaves BERT's plan at layer-by-layer
 * speed), CP-SAT runs {@link #LIMIT_SECONDS}, and fused segments have at most 15,000 tile events. The mapper is the
 * heuristic one.
 */
class SfdPlannerZooTest {
    static final double LIMIT_SECONDS = 1.0;
    /** The DP's pricing budget (its answer is fully priced whether or not it proves optimality in time). */
    static final double DP_LIMIT_SECONDS = 15.0;
    /** Fused segments above this many tile events are neither priced nor scheduled (the CLI allows 60,000). */
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
    void plansSimulateCleanAndMeetTheFidelityTargets(String name, SolverChoice solver) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        SfdPlanner.Options options = new SfdPlanner.Options(solver, Objective.LATENCY,
                solver == SolverChoice.CPSAT ? LIMIT_SECONDS : DP_LIMIT_SECONDS, 2, 42, "fast", MAX_FUSED_TASKS);
        SfdResult result = new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(new PlanRequest(net, new NetworkRef(name, net.batch()), hw));
        SimulationResult sfd = new Simulator(net, false).run(result.plan());

        assertTrue(sfd.violations().isEmpty(), () -> sfd.violations().size() + " violations, first: "
                + sfd.violations().get(0));
        assertTrue(sfd.cycles() >= LowerBounds.of(net, hw).latencyCycles());
        assertTrue(result.runs().stream().anyMatch(r -> r.solver().equals(solver.cliName())),
                () -> "no " + solver + " run recorded: " + result.runs());
        assertTrue(result.runs().stream().noneMatch(r -> r.status().equals("ERROR")),
                () -> name + ": a solver run failed: " + result.runs());
        assertTrue(result.repairs().size() <= 1, () -> name + ": " + result.repairs().size() + " repairs: "
                + result.repairs());
        assertFalse(result.fellBack(), () -> name + ": fell back to layer by layer: " + result.fallback());
        assertEquals(net.operators().size(), result.plan().segments().stream().mapToInt(s -> s.operators().size()).sum());
        String summary = PlanFidelity.check(name, net, result, sfd);
        SimulationResult lw = new Simulator(net, false).run(result.layerwise());
        System.out.printf("%-8s segments %3d (model %3d) repairs %d speedup %.3f, %s %s%n", solver,
                result.plan().segments().size(), result.modelSegments(), result.repairs().size(),
                (double) lw.cycles() / sfd.cycles(), summary, result.stageMillis());
    }
}

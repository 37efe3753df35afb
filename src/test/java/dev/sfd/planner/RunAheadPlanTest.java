package dev.sfd.planner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.segmentation.TileTimeline;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Loads running ahead of their prefetch depth, end to end: ResNet-18 on {@code soma-edge} (8 MiB) is DRAM-bound, and
 * its plan streams later layers' weights while earlier layers compute. The plan carries loads that depend on nothing
 * although their operand's earlier slices are still in use (the dropped depth), the independent simulator replays it
 * with zero violations and within the fidelity targets of the prediction, and the plan runs within 5 % of the lower
 * bound (the target of a DRAM-bound network whose weights all fit: the DMA never idles).
 */
class RunAheadPlanTest {
    @Test
    void aDramBoundNetworkStreamsWeightsAheadAndRunsAtTheBound() {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("soma-edge");
        SfdPlanner.Options options = new SfdPlanner.Options(SolverChoice.DP, Objective.LATENCY, 60, 2, 42, "fast",
                SfdPlannerZooTest.MAX_FUSED_TASKS, 400_000);
        SfdResult result = new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(new PlanRequest(net, new NetworkRef("resnet18", net.batch()), hw));
        assertTrue(result.analyses().stream().map(SegmentAnalyzer.Analysis::runAhead)
                .anyMatch(p -> p != TileTimeline.RunAhead.DEPTH), () -> "no segment runs ahead: " + result.analyses());

        int ahead = 0;
        for (SegmentSchedule s : result.plan().segments()) {
            Set<String> loaded = new HashSet<>();
            for (TileTask t : s.tasks()) {
                if (t.kind() == TaskKind.LOAD && !loaded.add(t.operator() + " " + t.tensor()) && t.deps().isEmpty()) {
                    ahead++;
                }
            }
        }
        assertTrue(ahead > 0, "no later slice of an operand loads without waiting for its depth");

        SimulationResult sim = new Simulator(net, false).run(result.plan());
        assertTrue(sim.violations().isEmpty(), () -> sim.violations().size() + " violations, first: "
                + sim.violations().get(0));
        String summary = PlanFidelity.check("resnet18", net, result, sim);
        long bound = LowerBounds.of(net, hw).latencyCycles();
        System.out.printf("resnet18 soma-edge: %d segments, %,d cycles, x%.3f of the bound, %d loads ahead; %s%n",
                result.plan().segments().size(), sim.cycles(), sim.cycles() / (double) bound, ahead, summary);
        assertTrue(sim.cycles() <= 1.05 * bound, () -> sim.cycles() + " cycles, bound " + bound);
    }
}

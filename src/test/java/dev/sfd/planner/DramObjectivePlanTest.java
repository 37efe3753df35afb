package dev.sfd.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;

/**
 * The DRAM objective, end to end: the DP prices segments by the bytes their walks move, so the plan it returns is the
 * plan the scheduler runs (no repair, no fall back to layer by layer), its predicted DRAM bytes are the simulator's to
 * the byte, and it moves less DRAM than the plan made for latency from the same fronts and than layer by layer.
 * ResNet-18 on {@code edge} (512 KiB): its activations do not fit whole, so only fusion saves their traffic. Before
 * the DRAM objective was priced, this plan fell back to layer by layer (ResNet-50 on {@code edge}: 99.8 MB, where the
 * latency plan moves about half that).
 */
class DramObjectivePlanTest {
    private static SfdResult plan(Network net, Hardware hw, Objective objective) {
        SfdPlanner.Options options = new SfdPlanner.Options(SolverChoice.AUTO, objective, 60, 2, 42, "fast",
                SfdPlannerZooTest.MAX_FUSED_TASKS, 400_000);
        return new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(new PlanRequest(net, new NetworkRef("resnet18", net.batch()), hw));
    }

    private static long dram(SimulationResult sim) {
        return sim.dramReadBytes() + sim.dramWriteBytes();
    }

    @Test
    void aPlanForDramIsPricedExactlyAndMovesLessThanThePlanForLatency() {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("edge");
        SfdResult forDram = plan(net, hw, Objective.DRAM);
        assertFalse(forDram.fellBack(), forDram.fallback());
        assertTrue(forDram.prediction().priced(), "every segment of the answer priced at tile level");
        assertTrue(forDram.repairs().isEmpty(), () -> "repaired: " + forDram.repairs());
        assertTrue(forDram.plan().segments().stream().anyMatch(s -> s.operators().size() > 1), "nothing fused");

        Simulator simulator = new Simulator(net, false);
        SimulationResult sim = simulator.run(forDram.plan());
        assertTrue(sim.violations().isEmpty(), () -> sim.violations().size() + " violations, first: "
                + sim.violations().get(0));
        long predicted = forDram.analyses().stream().mapToLong(SegmentAnalyzer.Analysis::dramBytes).sum();
        assertEquals(dram(sim), predicted, "the priced DRAM bytes are the simulated ones");

        long latencyPlan = dram(simulator.run(plan(net, hw, Objective.LATENCY).plan()));
        long layerwise = dram(simulator.run(forDram.layerwise()));
        System.out.printf("resnet18 edge DRAM: plan for DRAM %,d bytes (%d segments), plan for latency %,d, layer by "
                + "layer %,d%n", dram(sim), forDram.plan().segments().size(), latencyPlan, layerwise);
        assertTrue(dram(sim) <= latencyPlan, dram(sim) + " DRAM bytes, the latency plan moves " + latencyPlan);
        assertTrue(dram(sim) < layerwise, dram(sim) + " DRAM bytes, layer by layer " + layerwise);
    }
}

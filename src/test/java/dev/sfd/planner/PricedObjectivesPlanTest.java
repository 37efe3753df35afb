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
 * The DRAM and energy objectives, end to end: the DP prices segments by the bytes their walks move or the energy they
 * spend, so the plan it returns is the plan the scheduler runs (no repair, no fall back to layer by layer), its
 * predicted DRAM bytes and energy are the simulator's, and it moves less DRAM (spends less energy) than the plan made
 * for latency from the same fronts and than layer by layer. ResNet-18 on {@code edge} (512 KiB): its activations do
 * not fit whole, so only fusion saves their traffic. Before these objectives were priced, both plans fell back to
 * layer by layer (ResNet-50 on {@code edge}: 99.8 MB and 37,527 uJ, where the latency plan moves 57.5 MB and spends
 * 26,804 uJ).
 */
class PricedObjectivesPlanTest {
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
    void plansForDramAndEnergyArePricedExactlyAndBeatThePlanForLatencyOnTheirOwnFigure() {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("edge");
        Simulator simulator = new Simulator(net, false);
        SfdResult forLatency = plan(net, hw, Objective.LATENCY);
        SimulationResult latencySim = simulator.run(forLatency.plan());
        SimulationResult layerwise = simulator.run(forLatency.layerwise());

        SfdResult forDram = plan(net, hw, Objective.DRAM);
        SimulationResult dramSim = check(forDram, simulator);
        long predictedDram = forDram.analyses().stream().mapToLong(SegmentAnalyzer.Analysis::dramBytes).sum();
        assertEquals(dram(dramSim), predictedDram, "the priced DRAM bytes are the simulated ones");

        SfdResult forEnergy = plan(net, hw, Objective.ENERGY);
        SimulationResult energySim = check(forEnergy, simulator);
        double predictedEnergy = forEnergy.analyses().stream().mapToDouble(SegmentAnalyzer.Analysis::energyPj).sum();
        assertEquals(energySim.energy().totalPj(), predictedEnergy, 1e-6 * predictedEnergy,
                "the priced energy is the simulated one");

        System.out.printf("resnet18 edge: plan for DRAM %,d bytes %.1f uJ (%d segments), for energy %,d bytes %.1f uJ "
                + "(%d segments), for latency %,d bytes %.1f uJ, layer by layer %,d bytes %.1f uJ%n", dram(dramSim),
                dramSim.energy().totalPj() / 1e6, forDram.plan().segments().size(), dram(energySim),
                energySim.energy().totalPj() / 1e6, forEnergy.plan().segments().size(), dram(latencySim),
                latencySim.energy().totalPj() / 1e6, dram(layerwise), layerwise.energy().totalPj() / 1e6);
        assertTrue(dram(dramSim) <= dram(latencySim), dram(dramSim) + " DRAM bytes, the latency plan moves "
                + dram(latencySim));
        assertTrue(dram(dramSim) < dram(layerwise), dram(dramSim) + " DRAM bytes, layer by layer " + dram(layerwise));
        assertTrue(energySim.energy().totalPj() <= latencySim.energy().totalPj(), energySim.energy().totalPj()
                + " pJ, the latency plan spends " + latencySim.energy().totalPj());
        assertTrue(energySim.energy().totalPj() < layerwise.energy().totalPj(), energySim.energy().totalPj()
                + " pJ, layer by layer " + layerwise.energy().totalPj());
    }

    /** The plan is the priced one (no fallback, no repair), fuses, and simulates without violations. */
    private static SimulationResult check(SfdResult result, Simulator simulator) {
        assertFalse(result.fellBack(), result.fallback());
        assertTrue(result.prediction().priced(), "every segment of the answer priced at tile level");
        assertTrue(result.repairs().isEmpty(), () -> "repaired: " + result.repairs());
        assertTrue(result.plan().segments().stream().anyMatch(s -> s.operators().size() > 1), "nothing fused");
        SimulationResult sim = simulator.run(result.plan());
        assertTrue(sim.violations().isEmpty(), () -> sim.violations().size() + " violations, first: "
                + sim.violations().get(0));
        return sim;
    }
}

package dev.sfd.planner;

import dev.sfd.cost.CostModel;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With an energy or DRAM objective the SFD planner merges neighbouring segments only where the analyser's figure
 * for the merged segment is lower than the two apart, and the plan still simulates cleanly; the analyser's figures
 * of the reported plan equal the simulated ones (bytes exactly, energy up to rounding).
 */
class SfdPlannerObjectiveMergeTest {
    static final String NETWORK = "resnet18";
    static final Pattern GAIN = Pattern.compile("merged: ([0-9.]+) (?:pJ|DRAM bytes) vs ([0-9.]+)(?: pJ)? apart");

    @ParameterizedTest
    @EnumSource(value = Objective.class, names = {"ENERGY", "DRAM"})
    void mergesLowerTheObjectiveAndThePlanSimulatesCleanly(Objective objective) {
        Network net = NetworkCatalog.resolve(NETWORK);
        Hardware hw = HardwareCatalog.resolve("edge");
        SfdPlanner.Options options = new SfdPlanner.Options(SolverChoice.DP, objective, 2.0, 2, 42, "fast", 15_000);
        SfdResult result = new SfdPlanner(new HeuristicMapper(), options, ProgressListener.NONE)
                .planWithDetails(new PlanRequest(net, new NetworkRef(NETWORK, 1), hw));
        assertFalse(result.merges().isEmpty(), "no merge lowered the " + objective);
        for (SfdResult.Repair merge : result.merges()) {
            Matcher g = GAIN.matcher(merge.reason());
            assertTrue(g.find(), merge.reason());
            assertTrue(Double.parseDouble(g.group(1)) < Double.parseDouble(g.group(2)), merge.reason());
        }
        SimulationResult sim = new Simulator(net, false).run(result.plan());
        assertTrue(sim.violations().isEmpty(), () -> "first violation: " + sim.violations().get(0));
        long predictedBytes = result.analyses().stream().mapToLong(SegmentAnalyzer.Analysis::dramBytes).sum();
        double predictedEnergy = result.analyses().stream().mapToDouble(SegmentAnalyzer.Analysis::energyPj).sum();
        assertEquals(sim.dramReadBytes() + sim.dramWriteBytes(), predictedBytes);
        assertEquals(sim.energy().totalPj(), predictedEnergy, 1e-6 * sim.energy().totalPj());
    }
}

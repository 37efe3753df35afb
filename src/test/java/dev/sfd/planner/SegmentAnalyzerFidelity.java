package dev.sfd.planner;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.workload.Network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segment analyzer's predictions against what the simulator measured on a scheduled plan, segment by
 * segment, within the tolerances documented in docs/segmentation.md ("How close the analysis is").
 */
final class SegmentAnalyzerFidelity {
    /** Whole-plan latency: predicted within this fraction of the simulated cycles. */
    static final double PLAN_CYCLES_TOLERANCE = 0.05;
    /** Share of segments whose predicted cycles are within {@link #SEGMENT_CYCLES_TOLERANCE}. */
    static final double SEGMENTS_WITHIN_SHARE = 0.75;
    static final double SEGMENT_CYCLES_TOLERANCE = 0.05;
    /** No segment's predicted cycles off by more than this fraction. */
    static final double SEGMENT_CYCLES_WORST = 0.30;
    /**
     * Energy of the plan: the same terms as the simulator, so equal up to rounding (leakage over the predicted
     * cycles would add the cycle error times the leakage share; every preset has zero leakage).
     */
    static final double ENERGY_TOLERANCE = 0.001;

    private SegmentAnalyzerFidelity() {
    }

    static void check(String name, Network net, Hardware hw, Plan plan, SimulationResult sim) {
        SegmentAnalyzer analyzer = new SegmentAnalyzer(net, hw);
        List<List<String>> segments = new ArrayList<>();
        for (SegmentSchedule s : plan.segments()) {
            segments.add(s.operators());
        }
        Map<String, Mapping> mappings = plan.mappings();
        List<SegmentAnalyzer.Analysis> predicted = analyzer.analyzeAll(segments, mappings);
        long predictedCycles = 0;
        double predictedEnergy = 0;
        double simulatedEnergy = 0;
        int within = 0;
        double worst = 0;
        String worstAt = "";
        for (int i = 0; i < segments.size(); i++) {
            SegmentAnalyzer.Analysis a = predicted.get(i);
            SimulationResult.SegmentResult r = sim.segments().get(i);
            int index = i;
            assertEquals(r.dramReadBytes(), a.dramReadBytes(), () -> name + " segment " + index + " DRAM read bytes");
            assertEquals(r.dramWriteBytes(), a.dramWriteBytes(),
                    () -> name + " segment " + index + " DRAM write bytes");
            assertTrue(a.minWorkingSetBytes() <= r.peakBufferBytes(), () -> name + " segment " + index
                    + ": working set " + a.minWorkingSetBytes() + " > simulated peak " + r.peakBufferBytes());
            double err = Math.abs(a.cycles() - r.cycles()) / (double) Math.max(1, r.cycles());
            if (err <= SEGMENT_CYCLES_TOLERANCE) {
                within++;
            }
            if (err > worst) {
                worst = err;
                worstAt = "segment " + i + " " + segments.get(i) + ": predicted " + a.cycles() + ", simulated "
                        + r.cycles();
            }
            predictedCycles += a.cycles();
            predictedEnergy += a.energyPj();
            simulatedEnergy += r.energyPj();
        }
        double planErr = Math.abs(predictedCycles - sim.cycles()) / (double) sim.cycles();
        double energyErr = Math.abs(predictedEnergy - simulatedEnergy) / simulatedEnergy;
        double share = (double) within / segments.size();
        System.out.printf("%-15s analyzer: plan cycles %+.2f%%, energy %+.2f%%, %d/%d segments within %.0f%%, "
                        + "worst %.1f%% (%s)%n", name, 100.0 * (predictedCycles - sim.cycles()) / sim.cycles(),
                100.0 * (predictedEnergy - simulatedEnergy) / simulatedEnergy, within, segments.size(),
                100 * SEGMENT_CYCLES_TOLERANCE, 100 * worst, worstAt);
        String summary = String.format("%s: plan cycles predicted %d, simulated %d; energy predicted %.0f pJ, "
                + "simulated %.0f pJ; %d of %d segments within %.2f", name, predictedCycles, sim.cycles(),
                predictedEnergy, simulatedEnergy, within, segments.size(), SEGMENT_CYCLES_TOLERANCE);
        assertTrue(planErr <= PLAN_CYCLES_TOLERANCE, summary);
        assertTrue(energyErr <= ENERGY_TOLERANCE, summary);
        assertTrue(share >= SEGMENTS_WITHIN_SHARE, summary);
        double w = worst;
        String at = worstAt;
        assertTrue(w <= SEGMENT_CYCLES_WORST, () -> name + ": " + at);
    }
}

package dev.sfd.planner;

import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.simulation.SimulationResult;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planner's predictions against the independent simulator, with the targets of docs/segmentation.md
 * ("Fidelity"): the segmenter's latency of the plan it returned within 5 % of the simulated latency, and within 10 %
 * for 95 % of its segments; the tile-level analysis of every reported segment exact in DRAM bytes and within 0.1 %
 * in energy (the simulator counts the same terms itself; every preset has zero leakage).
 */
final class PlanFidelity {
    static final double PLAN_TOLERANCE = 0.05;
    static final double SEGMENT_TOLERANCE = 0.10;
    static final double SEGMENTS_WITHIN_SHARE = 0.95;
    static final double ENERGY_TOLERANCE = 0.001;

    private PlanFidelity() {
    }

    /** Checks {@code result} against its simulation {@code sim}; returns a one-line summary. */
    static String check(String name, SfdResult result, SimulationResult sim) {
        SfdResult.Prediction p = result.prediction();
        double planError = (double) (p.latencyCycles() - sim.cycles()) / sim.cycles();
        List<SegmentSchedule> segs = result.plan().segments();
        int compared = 0;
        int within = 0;
        double worst = 0;
        String worstAt = "";
        double analysedEnergy = 0;
        for (int i = 0; i < segs.size(); i++) {
            SimulationResult.SegmentResult r = sim.segments().get(i);
            SegmentAnalyzer.Analysis a = result.analyses().get(i);
            int index = i;
            assertEquals(r.dramReadBytes(), a.dramReadBytes(), () -> name + " segment " + index + " DRAM read bytes");
            assertEquals(r.dramWriteBytes(), a.dramWriteBytes(), () -> name + " segment " + index
                    + " DRAM write bytes");
            assertTrue(a.minWorkingSetBytes() <= r.peakBufferBytes(), () -> name + " segment " + index
                    + ": working set " + a.minWorkingSetBytes() + " > simulated peak " + r.peakBufferBytes());
            analysedEnergy += a.energyPj();
            Optional<Long> model = p.cyclesOf(segs.get(i).operators());
            if (model.isEmpty()) {
                continue;
            }
            compared++;
            double err = Math.abs(model.get() - r.cycles()) / (double) Math.max(1, r.cycles());
            if (err <= SEGMENT_TOLERANCE) {
                within++;
            }
            if (err > worst) {
                worst = err;
                worstAt = segs.get(i).operators().size() + " operators from " + segs.get(i).operators().get(0)
                        + ": segmenter " + model.get() + ", simulated " + r.cycles();
            }
        }
        double energyError = Math.abs(analysedEnergy - sim.energy().totalPj()) / sim.energy().totalPj();
        String summary = String.format(java.util.Locale.ROOT, "%-15s segmenter %+.2f%% of simulated (%s), "
                        + "%d/%d segments within %.0f%%, worst %.1f%% (%s); analysed energy %+.3f%%", name,
                100 * planError, p.priced() ? "priced" : "additive", within, compared, 100 * SEGMENT_TOLERANCE,
                100 * worst, worstAt, 100 * (analysedEnergy - sim.energy().totalPj()) / sim.energy().totalPj());
        assertTrue(Math.abs(planError) <= PLAN_TOLERANCE, summary);
        assertTrue(compared == 0 || within >= SEGMENTS_WITHIN_SHARE * compared, summary);
        assertTrue(energyError <= ENERGY_TOLERANCE, summary);
        return summary;
    }
}

package dev.sfd.planner;

import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.segmentation.SegmentAnalyzer;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planner's predictions against the independent simulator, with the targets of docs/segmentation.md
 * ("Fidelity"): the segmenter's latency of the plan it returned within 5 % of the simulated latency, and within 10 %
 * for 95 % of its segments; the tile-level analysis of every reported segment exact in DRAM bytes and within 0.1 %
 * in energy (the simulator counts the same terms itself; every preset has zero leakage).
 *
 * <p>The segmenter prices segments alone, so its segments are compared with the simulation of the same plan with
 * segments one after another (prefetches removed); the scheduler's timing of the plan as one program (each
 * segment's predicted end) is compared with the simulation of the plan as it is, per segment to the same 10 % for
 * 95 % of the segments and within 1 % for the plan.
 */
final class PlanFidelity {
    static final double PLAN_TOLERANCE = 0.05;
    static final double SEGMENT_TOLERANCE = 0.10;
    static final double SEGMENTS_WITHIN_SHARE = 0.95;
    static final double ENERGY_TOLERANCE = 0.001;
    /** The scheduler's plan timing against the simulator's: 1 % (the simulator adds buffer-port contention). */
    static final double SCHEDULED_PLAN_TOLERANCE = 0.01;

    private PlanFidelity() {
    }

    /** Checks {@code result} against its simulation {@code sim}; returns a one-line summary. */
    static String check(String name, Network net, SfdResult result, SimulationResult sim) {
        SfdResult.Prediction p = result.prediction();
        double planError = (double) (p.latencyCycles() - sim.cycles()) / sim.cycles();
        List<SegmentSchedule> segs = result.plan().segments();
        // the scheduler's plan timing against the referee, per segment (what each adds from the previous one's end)
        int scheduledWithin = 0;
        long previousEnd = 0;
        for (int i = 0; i < segs.size(); i++) {
            long predicted = segs.get(i).predictedEndCycle() - previousEnd;
            previousEnd = segs.get(i).predictedEndCycle();
            long simulated = sim.segments().get(i).cycles();
            if (Math.abs(predicted - simulated) <= SEGMENT_TOLERANCE * Math.max(1, simulated)) {
                scheduledWithin++;
            }
        }
        double scheduledError = (double) (result.plan().predictedCycles() - sim.cycles()) / sim.cycles();
        // the segmenter prices segments alone: its segments against the plan's segments run one after another
        SimulationResult sequential = new Simulator(net, false).run(result.plan().withoutPrefetches());
        assertTrue(sequential.legal(), () -> name + ": the plan without prefetches: " + sequential.violations());
        int compared = 0;
        int within = 0;
        double worst = 0;
        String worstAt = "";
        double analysedEnergy = 0;
        for (int i = 0; i < segs.size(); i++) {
            SimulationResult.SegmentResult r = sequential.segments().get(i);
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
                        + "%d/%d segments within %.0f%% (alone), worst %.1f%% (%s); analysed energy %+.3f%%; "
                        + "scheduled plan %+.2f%% of simulated, %d/%d segments within %.0f%%", name,
                100 * planError, p.priced() ? "priced" : "additive", within, compared, 100 * SEGMENT_TOLERANCE,
                100 * worst, worstAt, 100 * (analysedEnergy - sim.energy().totalPj()) / sim.energy().totalPj(),
                100 * scheduledError, scheduledWithin, segs.size(), 100 * SEGMENT_TOLERANCE);
        assertTrue(Math.abs(planError) <= PLAN_TOLERANCE, summary);
        assertTrue(Math.abs(scheduledError) <= SCHEDULED_PLAN_TOLERANCE, summary);
        assertTrue(scheduledWithin >= SEGMENTS_WITHIN_SHARE * segs.size(), summary);
        assertTrue(compared == 0 || within >= SEGMENTS_WITHIN_SHARE * compared, summary);
        assertTrue(energyError <= ENERGY_TOLERANCE, summary);
        return summary;
    }
}

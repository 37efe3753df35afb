package dev.sfd.bench;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Prints model vs scheduler/simulator figures per segment of the DP plan (exploration aid). */
public final class FidelityProbe {
    public static void main(String[] args) {
        String hwName = args.length > 0 ? args[0] : "edge";
        String[] nets = args.length > 1 ? args[1].split(",") : NetworkCatalog.ZOO.toArray(new String[0]);
        Hardware hw = HardwareCatalog.resolve(hwName);
        for (String name : nets) {
            Network net = NetworkCatalog.resolve(name);
            FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
            PlanScheduler ps = new PlanScheduler(net, new CostModel(hw));
            List<SegmentSchedule> scheds = new ArrayList<>();
            int infeasible = 0;
            for (int i = 0; i < p.segments().size(); i++) {
                ScheduleOutcome o = ps.schedule(i, p.segments().get(i), p.mappings());
                if (o instanceof ScheduleOutcome.Infeasible inf) {
                    infeasible++;
                    System.out.println(name + " seg " + i + " INFEASIBLE " + inf.message() + " ops " + p.segments().get(i));
                    continue;
                }
                scheds.add(((ScheduleOutcome.Scheduled) o).schedule());
            }
            SegmentationModel.Evaluation ev = p.segmentation().evaluation();
            System.out.printf("%s: %d segments, %d infeasible, model latency %,d layerwise %,d speedup %.2fx%n", name,
                    p.segments().size(), infeasible, ev.latencyCycles(), p.layerwise().latencyCycles(),
                    (double) p.layerwise().latencyCycles() / ev.latencyCycles());
            if (infeasible > 0) {
                continue;
            }
            Plan plan = new Plan(new NetworkRef(name, net.batch()), hw, "probe", "FEASIBLE", p.mappings(), scheds);
            SimulationResult r = new Simulator(net, false).run(plan);
            System.out.printf("  sim cycles %,d violations %d peak %,d%n", r.cycles(), r.violations().size(), r.peakBufferBytes());
            for (int i = 0; i < scheds.size(); i++) {
                SegmentationModel.PartCost pc = ev.parts().get(i);
                SimulationResult.SegmentResult sr = r.segments().get(i);
                long dram = 0;
                SegmentSchedule s = scheds.get(i);
                for (TileTask t : s.tasks()) {
                    if (t.kind() == TaskKind.LOAD) {
                        dram += s.buffers().get(t.allocates()).bytes();
                    } else if (t.kind() == TaskKind.STORE) {
                        dram += s.buffers().get(t.reads().get(0)).bytes();
                    }
                }
                if (p.segments().get(i).size() > 1 || Math.abs(sr.cycles() - pc.latencyCycles()) > 0.1 * pc.latencyCycles()) {
                    System.out.printf("  seg %3d n=%2d lat model %,10d sim %,10d (%+.1f%%) dram model %,10d sched %,10d (%+.1f%%) buf model %,8d sim %,8d%n",
                            i, p.segments().get(i).size(), pc.latencyCycles(), sr.cycles(),
                            100.0 * (pc.latencyCycles() - sr.cycles()) / sr.cycles(), pc.dramBytes(), dram,
                            100.0 * (pc.dramBytes() - dram) / Math.max(1, dram), pc.bufferBytes(), sr.peakBufferBytes());
                }
            }
        }
    }
}

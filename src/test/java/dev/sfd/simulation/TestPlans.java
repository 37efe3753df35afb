package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkCatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plans shared by the simulator tests (built once per JVM). */
final class TestPlans {
    static final Hardware EDGE = HardwareCatalog.resolve("edge");
    static final Network RESNET18 = NetworkCatalog.resolve("resnet18");
    private static Plan layerwise;
    private static Plan fused;

    private TestPlans() {
    }

    static synchronized Plan resnet18Layerwise() {
        if (layerwise == null) {
            layerwise = new LayerwisePlanner().plan(new PlanRequest(RESNET18, new NetworkRef("resnet18", 1), EDGE));
        }
        return layerwise;
    }

    /**
     * ResNet-18 with layer4.0.conv1, relu1, conv2 and the downsample branch in one segment (each with its
     * layer-by-layer mapping: producer and consumer tilings differ) and the rest layer by layer.
     */
    static synchronized Plan resnet18FusedHead() {
        if (fused == null) {
            fused = fuse(RESNET18, resnet18Layerwise(), "layer4.0.conv1", 4);
        }
        return fused;
    }

    static Plan fuse(Network net, Plan base, String first, int fusedCount) {
        List<List<String>> segments = new ArrayList<>();
        List<String> group = new ArrayList<>();
        boolean inGroup = false;
        for (Operator op : net.operators()) {
            if (op.name().equals(first)) {
                inGroup = true;
            }
            if (inGroup && group.size() < fusedCount) {
                group.add(op.name());
                if (group.size() == fusedCount) {
                    segments.add(group);
                }
            } else {
                segments.add(List.of(op.name()));
            }
        }
        Map<String, Mapping> mappings = base.mappings();
        PlanScheduler scheduler = new PlanScheduler(net, new CostModel(base.hardware()));
        List<SegmentSchedule> schedules = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            ScheduleOutcome o = scheduler.schedule(i, segments.get(i), mappings);
            if (o instanceof ScheduleOutcome.Infeasible inf) {
                throw new IllegalStateException(inf.message());
            }
            schedules.add(((ScheduleOutcome.Scheduled) o).schedule());
        }
        return new Plan(base.network(), base.hardware(), "test-fused", "FEASIBLE", mappings, schedules);
    }

    static SimulationResult simulate(Plan plan) {
        return new Simulator(RESNET18, false).run(plan);
    }
}

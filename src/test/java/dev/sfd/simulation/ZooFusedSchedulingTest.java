package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The segmentation model's promise, checked by the real scheduler and simulator: for every zoo network on edge,
 * the DP plan's segments are list-scheduled and simulated. Every segment that schedules simulates with zero
 * violations within the buffer; the segments the list scheduler cannot schedule although the model says they
 * fit are counted and may not exceed today's count ({@link #KNOWN_UNSCHEDULABLE}, see docs/segmentation.md,
 * "Open"): the gate only lets that number fall.
 */
class ZooFusedSchedulingTest {
    /** Segments the list scheduler deadlocks on today (conv -> channel-sliced elementwise pairs, mostly). */
    static final Map<String, Integer> KNOWN_UNSCHEDULABLE = Map.of("resnet50", 2, "vgg16", 1, "vgg19", 1,
            "vit_b16", 12);

    static List<String> zoo() {
        return NetworkCatalog.ZOO;
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void dpPlanSchedulesAndSimulatesWithoutViolations(String name) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
        CostModel cost = new CostModel(hw);
        PlanScheduler scheduler = new PlanScheduler(net, cost);
        List<List<String>> kept = new ArrayList<>();
        List<String> unschedulable = new ArrayList<>();
        for (int i = 0; i < p.segments().size(); i++) {
            ScheduleOutcome o = scheduler.schedule(i, p.segments().get(i), p.mappings());
            if (o instanceof ScheduleOutcome.Infeasible inf) {
                unschedulable.add(inf.message());
            }
        }
        int allowed = KNOWN_UNSCHEDULABLE.getOrDefault(name, 0);
        System.out.printf("%-15s segments %3d unschedulable %d (allowed %d)%n", name, p.segments().size(),
                unschedulable.size(), allowed);
        assertTrue(unschedulable.size() <= allowed, () -> name + ": " + unschedulable);
        if (!unschedulable.isEmpty()) {
            return; // a partial plan cannot be simulated end to end
        }
        List<SegmentSchedule> schedules = new ArrayList<>();
        for (int i = 0; i < p.segments().size(); i++) {
            schedules.add(((ScheduleOutcome.Scheduled) scheduler.schedule(i, p.segments().get(i), p.mappings()))
                    .schedule());
        }
        Plan plan = new Plan(new NetworkRef(name, net.batch()), hw, "sfd-dp", "FEASIBLE", p.mappings(), schedules);
        SimulationResult r = new Simulator(net, false).run(plan);
        assertTrue(r.violations().isEmpty(), () -> r.violations().size() + " violations, first: " + r.violations().get(0));
        assertTrue(r.peakBufferBytes() <= hw.globalBuffer().capacityBytes());
    }
}

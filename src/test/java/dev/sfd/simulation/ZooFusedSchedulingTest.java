package dev.sfd.simulation;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanAssembler;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The additive segmentation model's promise, checked by the real scheduler and simulator: for every zoo network on
 * edge, the additive DP's plan (no tile-level pricing) is scheduled segment by segment ({@link PlanAssembler}; a
 * segment the scheduler cannot fit although the model says it fits is split) and the whole plan is simulated with
 * zero violations within the buffer. The segments the scheduler had to split may not exceed today's count
 * ({@link #KNOWN_UNSCHEDULABLE}): the gate only lets that number fall (docs/segmentation.md, "The additive model").
 */
class ZooFusedSchedulingTest {
    /** Fused segments of the additive DP's plans that the scheduler cannot fit in the buffer today. */
    static final Map<String, Integer> KNOWN_UNSCHEDULABLE = Map.of("bert_base_s512", 1);

    static List<String> zoo() {
        return NetworkCatalog.ZOO;
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void additivePlanSchedulesAndSimulatesWithoutViolations(String name) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        var mapping = NetworkMapper.map(new HeuristicMapper(), net, hw, 2);
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
        PlanRequest request = new PlanRequest(net, new NetworkRef(name, net.batch()), hw);
        Plan layerwise = new LayerwisePlanner(new HeuristicMapper()).plan(request, mapping);
        PlanAssembler assembler = new PlanAssembler(net, hw, layerwise, 60_000, false);
        PlanAssembler.Assembled a = assembler.assemble(p.segments(), p.mappings());
        long unschedulable = assembler.repairs().stream().filter(r -> r.reason().startsWith("infeasible")).count();
        int allowed = KNOWN_UNSCHEDULABLE.getOrDefault(name, 0);
        System.out.printf("%-15s segments %3d unschedulable %d (allowed %d)%n", name, p.segments().size(),
                unschedulable, allowed);
        assertTrue(unschedulable <= allowed, () -> name + ": " + assembler.repairs());
        Plan plan = new Plan(request.networkRef(), hw, "sfd-dp", "FEASIBLE", a.mappings(), a.schedules());
        SimulationResult r = new Simulator(net, false).run(plan);
        assertTrue(r.violations().isEmpty(), () -> r.violations().size() + " violations, first: " + r.violations().get(0));
        assertTrue(r.peakBufferBytes() <= hw.globalBuffer().capacityBytes());
    }
}

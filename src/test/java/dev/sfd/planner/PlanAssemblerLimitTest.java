package dev.sfd.planner;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TileGraphBuilder;
import dev.sfd.cost.CostModel;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.TileWalk;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The assembler's task limit holds for every schedule it builds, operators alone included: a plan whose mappings
 * make huge tile graphs (ResNet-50's {@code --objective dram} plan on {@code soma-edge} kept 9.5 million tasks
 * and ran out of a 3 GB heap) is split and falls back to layer-by-layer schedules instead, and still simulates.
 */
class PlanAssemblerLimitTest {
    static final Network NET = NetworkCatalog.resolve("resnet18");
    static final Hardware HW = HardwareCatalog.resolve("edge");

    @Test
    void everyScheduleBuiltWithOtherMappingsThanLayerByLayerIsWithinTheLimit() {
        var mapping = NetworkMapper.map(new HeuristicMapper(), NET, HW, 2);
        FusionPlan p = new FusionPlanner().plan(NET, HW, SegmenterSettings.defaults());
        PlanRequest request = new PlanRequest(NET, new NetworkRef("resnet18", NET.batch()), HW);
        Plan layerwise = new LayerwisePlanner(new HeuristicMapper()).plan(request, mapping);
        int limit = 400;
        long overLimitAlone = layerwise.segments().stream().filter(s -> s.tasks().size() > limit).count();
        assertTrue(overLimitAlone > 0, "the limit must bind on some operators alone for this test to mean anything");

        PlanAssembler assembler = new PlanAssembler(NET, HW, layerwise, limit, false);
        PlanAssembler.Assembled a = assembler.assemble(p.segments(), p.mappings());

        int fallbacks = 0;
        for (SegmentSchedule s : a.schedules()) {
            boolean sameAsLayerwise = s.operators().size() == 1 && layerwise.segments().stream()
                    .anyMatch(l -> l.operators().equals(s.operators()) && l.tasks().equals(s.tasks()));
            if (sameAsLayerwise) {
                fallbacks++;
            } else {
                long allowed = s.operators().size() > 1 ? limit : Math.max(limit, layerwise.segments().stream()
                        .filter(l -> l.operators().equals(s.operators())).findFirst().orElseThrow().tasks().size());
                assertTrue(s.tasks().size() <= allowed, () -> s.operators() + " has " + s.tasks().size() + " tasks");
            }
        }
        assertTrue(fallbacks > 0);
        assertTrue(assembler.repairs().stream().anyMatch(r -> r.reason().startsWith("too many tiles")),
                () -> assembler.repairs().toString());
        Plan plan = new Plan(request.networkRef(), HW, "sfd-dp", "FEASIBLE", a.mappings(), a.schedules());
        SimulationResult r = new Simulator(NET, false).run(plan);
        assertTrue(r.violations().isEmpty(), () -> r.violations().get(0).toString());
        assertEquals(NET.operators().size(), a.schedules().stream().mapToInt(s -> s.operators().size()).sum());
    }

    @Test
    void aWalkStopsAtItsEventLimitHavingShownExactlyThatMany() {
        FusionPlan p = new FusionPlanner().plan(NET, HW, SegmenterSettings.defaults());
        List<String> segment = p.segments().stream().filter(s -> s.size() > 2).findFirst().orElseThrow();
        TileGraphBuilder builder = new TileGraphBuilder(NET, new CostModel(HW));
        int all = builder.build(0, segment, p.mappings()).tasks().size();
        assertEquals(all, builder.build(0, segment, p.mappings(), all).tasks().size());
        int[] seen = {0};
        TileWalk walk = new TileWalk(NET, new CostModel(HW));
        TileWalk.Visitor counting = new TileWalk.Visitor() {
            @Override
            public void buffer(int id, String tensor, dev.sfd.workload.Box region, long bytes) {
            }

            @Override
            public void load(int task, String operator, String tensor, dev.sfd.workload.Box region, int buffer,
                             long bytes, int prefetchDep, boolean weight) {
                seen[0]++;
            }

            @Override
            public void compute(int task, String operator, String outTensor, dev.sfd.workload.Box outBox,
                                dev.sfd.workload.Box loops, boolean last, int allocates, int[] reads,
                                int[] deps, dev.sfd.workload.OpKind.ComputeUnit unit, long cycles,
                                long readBytes, long writeBytes) {
                seen[0]++;
            }

            @Override
            public void store(int task, String operator, String tensor, dev.sfd.workload.Box box, int buffer,
                              long bytes, int dep) {
                seen[0]++;
            }

            @Override
            public void free(int task, String owner, String tensor, dev.sfd.workload.Box region, int buffer,
                             int[] deps) {
                seen[0]++;
            }
        };
        TileWalk.TooManyEvents e = assertThrows(TileWalk.TooManyEvents.class,
                () -> walk.walk(0, segment, p.mappings(), counting, all - 1));
        assertEquals(all - 1, seen[0]);
        assertEquals(all - 1, e.limit());
    }
}

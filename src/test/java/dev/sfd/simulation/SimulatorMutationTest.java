package dev.sfd.simulation;

import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Legal plans broken in each way the simulator must catch. */
class SimulatorMutationTest {

    private static Plan replaceSegment(Plan plan, int index, List<TileTask> tasks) {
        List<SegmentSchedule> segs = new ArrayList<>(plan.segments());
        segs.set(index, segs.get(index).withTasks(tasks));
        return plan.withSegments(segs);
    }

    /** The first segment that has a task matching {@code p}. */
    private static int segmentWith(Plan plan, Predicate<TileTask> p) {
        for (SegmentSchedule s : plan.segments()) {
            if (s.tasks().stream().anyMatch(p)) {
                return s.index();
            }
        }
        throw new AssertionError("no such task");
    }

    private static void assertCaught(Plan broken, Violation.Kind kind) {
        SimulationResult r = TestPlans.simulate(broken);
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == kind),
                () -> "expected " + kind + " but got " + r.violations().stream().limit(5).toList());
    }

    @Test
    void legalPlansHaveNoViolations() {
        assertTrue(TestPlans.simulate(TestPlans.resnet18Layerwise()).legal());
        SimulationResult fused = TestPlans.simulate(TestPlans.resnet18FusedHead());
        assertTrue(fused.legal(), () -> fused.violations().stream().limit(5).toList().toString());
        // the fused segment keeps its intermediates on chip
        SimulationResult lw = TestPlans.simulate(TestPlans.resnet18Layerwise());
        assertTrue(fused.dramWriteBytes() < lw.dramWriteBytes());
        assertFalse(fused.dramWriteBytesByTensor().containsKey(
                TestPlans.RESNET18.operator("layer4.0.conv1").output()));
    }

    @Test
    void droppedLoadIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        int s = segmentWith(plan, t -> t.kind() == TaskKind.LOAD);
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(s).tasks());
        TileTask load = tasks.stream().filter(t -> t.kind() == TaskKind.LOAD).findFirst().orElseThrow();
        tasks.remove(load);
        assertCaught(replaceSegment(plan, s, tasks), Violation.Kind.INPUT_NOT_READY);
    }

    @Test
    void earlyFreeIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        int s = segmentWith(plan, t -> t.kind() == TaskKind.LOAD);
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(s).tasks());
        int loadPos = -1;
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).kind() == TaskKind.LOAD) {
                loadPos = i;
                break;
            }
        }
        int buffer = tasks.get(loadPos).allocates();
        TileTask free = tasks.stream().filter(t -> t.kind() == TaskKind.FREE && t.frees().contains(buffer))
                .findFirst().orElseThrow();
        tasks.remove(free);
        tasks.add(loadPos + 1, free.withDeps(List.of(tasks.get(loadPos).id())));
        assertCaught(replaceSegment(plan, s, tasks), Violation.Kind.FREED_WHILE_NEEDED);
    }

    @Test
    void duplicatedTileIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        int s = segmentWith(plan, t -> t.kind() == TaskKind.COMPUTE);
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(s).tasks());
        TileTask compute = tasks.stream().filter(t -> t.kind() == TaskKind.COMPUTE).findFirst().orElseThrow();
        TileTask copy = new TileTask(100_000, compute.kind(), compute.operator(), compute.tensor(), compute.region(),
                compute.loops(), compute.lastStep(), -1, compute.reads(), List.of(), compute.deps());
        tasks.add(tasks.indexOf(compute) + 1, copy);
        assertCaught(replaceSegment(plan, s, tasks), Violation.Kind.TILE_RUN_TWICE);
    }

    @Test
    void shrunkCapacityIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        Hardware hw = plan.hardware();
        Hardware small = new Hardware(hw.name(), hw.source(), hw.clockGHz(), hw.cores(), hw.peArray(), hw.vectorUnit(),
                new Hardware.GlobalBuffer(64 * 1024, hw.globalBuffer().bandwidthBytesPerCycle(),
                        hw.globalBuffer().readEnergyPjPerByte(), hw.globalBuffer().writeEnergyPjPerByte()),
                hw.dram(), hw.noc(), hw.dataWidths(), hw.energy());
        assertCaught(plan.withHardware(small), Violation.Kind.GLB_OVERFLOW);
    }

    @Test
    void consumerBeforeProducerInsideASegmentIsCaught() {
        Plan plan = TestPlans.resnet18FusedHead();
        int fusedIndex = plan.segments().stream().filter(x -> x.operators().size() > 1).findFirst().orElseThrow().index();
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(fusedIndex).tasks());
        String second = plan.segments().get(fusedIndex).operators().get(1);
        TileTask consumer = tasks.stream().filter(t -> t.kind() == TaskKind.COMPUTE && t.operator().equals(second))
                .findFirst().orElseThrow();
        tasks.remove(consumer);
        tasks.add(0, consumer);
        assertCaught(replaceSegment(plan, fusedIndex, tasks), Violation.Kind.INPUT_NOT_READY);
    }

    @Test
    void consumerSegmentBeforeProducerSegmentIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        List<SegmentSchedule> segs = new ArrayList<>(plan.segments());
        SegmentSchedule a = segs.get(0);
        SegmentSchedule b = segs.get(1);
        segs.set(0, b);
        segs.set(1, a);
        assertCaught(plan.withSegments(segs), Violation.Kind.INPUT_NOT_READY);
    }

    @Test
    void droppedStoreIsCaught() {
        Plan plan = TestPlans.resnet18Layerwise();
        int s = segmentWith(plan, t -> t.kind() == TaskKind.STORE);
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(s).tasks());
        tasks.remove(tasks.stream().filter(t -> t.kind() == TaskKind.STORE).findFirst().orElseThrow());
        SimulationResult r = TestPlans.simulate(replaceSegment(plan, s, tasks));
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == Violation.Kind.OUTPUT_NEVER_WRITTEN), r.violations()::toString);
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == Violation.Kind.INPUT_NOT_READY));
    }

    @Test
    void everyViolationNamesTaskTensorAndCycle() {
        Plan plan = TestPlans.resnet18Layerwise();
        List<TileTask> tasks = new ArrayList<>(plan.segments().get(0).tasks());
        tasks.remove(tasks.stream().filter(t -> t.kind() == TaskKind.LOAD).findFirst().orElseThrow());
        SimulationResult r = TestPlans.simulate(replaceSegment(plan, 0, tasks));
        Violation v = r.violations().stream().filter(x -> x.kind() == Violation.Kind.INPUT_NOT_READY).findFirst()
                .orElseThrow();
        assertEquals(0, v.segment());
        assertFalse(v.task().isEmpty());
        assertFalse(v.tensor().isEmpty());
        assertTrue(v.cycle() >= 0);
    }
}

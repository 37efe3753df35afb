package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.schedule.BoundaryPrefetch;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.SegmentSchedule.Wait;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sfd.simulation.SimulatorRulesTest.EDGE;
import static dev.sfd.simulation.SimulatorRulesTest.assertCaught;
import static dev.sfd.simulation.SimulatorRulesTest.box;
import static dev.sfd.simulation.SimulatorRulesTest.compute;
import static dev.sfd.simulation.SimulatorRulesTest.free;
import static dev.sfd.simulation.SimulatorRulesTest.load;
import static dev.sfd.simulation.SimulatorRulesTest.loops;
import static dev.sfd.simulation.SimulatorRulesTest.mapping;
import static dev.sfd.simulation.SimulatorRulesTest.store;
import static dev.sfd.workload.LoopDim.C;
import static dev.sfd.workload.LoopDim.K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments that overlap at their boundary ({@link SegmentSchedule.Prefetch}): a hand-timed plan whose second segment
 * loads its weights while the first one stores, the rules the simulator checks across segments (capacity, data
 * readiness, well-formed prefetches), and the scheduler's timing of whole zoo plans against the simulator's.
 *
 * <p>Network: {@code x[1, 8, 4, 4]} -> {@code r} (relu) -> {@code c} (1x1 conv to 8 channels), one segment each, on
 * {@code edge} (16 B/cycle DRAM, 100-cycle latency, one DMA engine, 64 vector lanes, 32x32 PEs).
 */
class BoundaryPrefetchTest {
    static final Network NET = NetworkReader.parse("prefetch.yaml", """
            format: sfd-network/1
            name: prefetch
            batch: 1
            inputs:
              - {name: x, shape: [1, 8, 4, 4]}
            outputs: [c]
            operators:
              - {name: r, op: relu, inputs: [x]}
              - {name: c, op: conv, inputs: [r], channels: 8, kernel: 1}
            """, null);
    static final Box WHOLE = box(0, 1, 0, 8, 0, 4, 0, 4);
    static final Box WEIGHT = box(0, 8, 0, 8, 0, 1, 0, 1);

    /** relu then conv, each loaded, computed in one step and stored; the conv's weight load prefetched or not. */
    static Plan plan(SegmentSchedule.Prefetch prefetch, long weightBufferBytes) {
        return plan(prefetch, weightBufferBytes, 128);
    }

    static Plan plan(SegmentSchedule.Prefetch prefetch, long weightBufferBytes, long xBufferBytes) {
        Map<String, Mapping> m = new LinkedHashMap<>();
        m.put("r", mapping("r", 8, 1, 4, 4, Mapping.SpatialUnroll.NONE));
        m.put("c", mapping("c", 8, 8, 4, 4, new Mapping.SpatialUnroll(K, 8, C, 8)));
        List<SegmentSchedule> segs = new ArrayList<>();
        List<BufferSpec> rb = List.of(new BufferSpec(0, "x", WHOLE, xBufferBytes),
                new BufferSpec(1, "r", WHOLE, 128));
        segs.add(new SegmentSchedule(0, List.of("r"), rb, List.of(load(0, "r", "x", WHOLE, 0, List.of()),
                compute(1, "r", WHOLE, loops(0, 8, 0, 1, 0, 4, 0, 4), true, 1, List.of(0), List.of(0)),
                store(2, "r", WHOLE, 1, 1), free(3, "r", 0, List.of(1)), free(4, "r", 1, List.of(1, 2))), 0, 0));
        List<BufferSpec> cb = List.of(new BufferSpec(0, "c.weight", WEIGHT, weightBufferBytes),
                new BufferSpec(1, "r", WHOLE, 128), new BufferSpec(2, "c", WHOLE, 128));
        segs.add(new SegmentSchedule(1, List.of("c"), cb, List.of(load(0, "c", "c.weight", WEIGHT, 0, List.of()),
                load(1, "c", "r", WHOLE, 1, List.of()),
                compute(2, "c", WHOLE, loops(0, 8, 0, 8, 0, 4, 0, 4), true, 2, List.of(0, 1), List.of(0, 1)),
                store(3, "c", WHOLE, 2, 2), free(4, "c", 0, List.of(2)), free(5, "c", 1, List.of(2)),
                free(6, "c", 2, List.of(2, 3))), 0, 0, prefetch, -1));
        return new Plan(new NetworkRef("prefetch.yaml", 1), EDGE, "hand", "FEASIBLE", m, segs);
    }

    static SimulationResult simulate(Plan p) {
        return new Simulator(NET, false).run(p);
    }

    /** The conv's weight load issues right after the relu's store. */
    static final SegmentSchedule.Prefetch WEIGHTS_EARLY = SegmentSchedule.Prefetch.block(List.of(0), 2, List.of());

    @Test
    void segmentsRunOneAfterAnotherWithoutAPrefetch() {
        SimulationResult r = simulate(plan(SegmentSchedule.Prefetch.NONE, 64));
        assertTrue(r.legal(), () -> r.violations().toString());
        // relu: x (128 B: 8 busy cycles) lands at 108, 2 vector cycles, store to 218. conv from 218: weight (64 B, 4
        // busy) lands at 322, r issues at 222 and lands at 330, 16 PE cycles to 346, store lands at 454
        assertEquals(218, r.segments().get(0).cycles());
        assertEquals(454, r.cycles());
        assertEquals(218, r.segments().get(1).startCycle());
    }

    @Test
    void aPrefetchedWeightLoadRunsWhileThePreviousSegmentStores() {
        SimulationResult r = simulate(plan(WEIGHTS_EARLY, 64));
        assertTrue(r.legal(), () -> r.violations().toString());
        // the store issues at 110 and holds the one DMA engine to 118; the weight load follows it (118 to 122, lands
        // at 222); the relu segment still ends at 218; the conv's r load then has the engine at once: 218 + 108 =
        // 326, 16 PE cycles to 342, store lands at 450
        assertEquals(218, r.segments().get(0).endCycle());
        assertEquals(118, r.segments().get(1).startCycle());
        assertEquals(450, r.cycles());
        // both segments' buffers are live at once: x (freed by the task after the weight load), r and the weight
        assertEquals(128 + 128 + 64, r.peakBufferBytes());
    }

    @Test
    void aPrefetchThatOverflowsTheBufferIsCaught() {
        // alone each segment fits (the relu's x buffer declared at 1 KiB); the weight buffer held while the relu's
        // buffers are live does not
        long big = EDGE.globalBuffer().capacityBytes() - 300;
        SimulationResult alone = simulate(plan(SegmentSchedule.Prefetch.NONE, big, 1024));
        assertTrue(alone.legal(), () -> alone.violations().toString());
        assertCaught(plan(WEIGHTS_EARLY, big, 1024), Violation.Kind.GLB_OVERFLOW);
    }

    @Test
    void aPrefetchedLoadOfDataNotYetStoredIsCaughtAndItsWaitMendsIt() {
        // both loads early, right after the relu's store issues: r is not in DRAM until the store lands
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0, 1), 2, List.of()), 64), Violation.Kind.INPUT_NOT_READY);
        SimulationResult r = simulate(plan(SegmentSchedule.Prefetch.block(List.of(0, 1), 2, List.of(new Wait(1, 2))), 64));
        assertTrue(r.legal(), () -> r.violations().toString());
        // the r load waits for the store (lands at 218): 218 + 108 = 326 as above
        assertEquals(450, r.cycles());
    }

    @Test
    void eachPrefetchedTaskIssuesAfterItsOwnPlace() {
        // the weight load right after the relu's x load, the r load after the store (waiting for it): the weight
        // load issues at 8 (the engine is free once x's 8 busy cycles end) and lands at 112, long before the conv
        // needs it; the r load waits for the store to land (218): 218 + 108 = 326, 16 PE cycles, store lands at 450
        SimulationResult r = simulate(plan(new SegmentSchedule.Prefetch(List.of(0, 1), List.of(0, 2),
                List.of(new Wait(1, 2))), 64));
        assertTrue(r.legal(), () -> r.violations().toString());
        assertEquals(8, r.segments().get(1).startCycle());
        assertEquals(218, r.segments().get(0).endCycle());
        assertEquals(450, r.cycles());
        // listed r first, both after the store: they issue in the order listed, r at 218 (its wait) and the weight
        // behind it on the one engine (226 to 230, lands at 330); the relu's frees issue behind them, so the relu
        // segment ends at 226; the conv starts at 330, ends at 346, its store lands at 454
        SimulationResult listed = simulate(plan(SegmentSchedule.Prefetch.block(List.of(1, 0), 2,
                List.of(new Wait(1, 2))), 64));
        assertTrue(listed.legal(), () -> listed.violations().toString());
        assertEquals(226, listed.segments().get(0).endCycle());
        assertEquals(454, listed.cycles());
    }

    @Test
    void malformedPrefetchesAreCaught() {
        // a place the previous segment does not have; a wait of a task not prefetched; a wait on a missing task
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0), 9, List.of()), 64), Violation.Kind.MALFORMED);
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0), 2, List.of(new Wait(5, 2))), 64),
                Violation.Kind.MALFORMED);
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0), 2, List.of(new Wait(0, 42))), 64),
                Violation.Kind.MALFORMED);
        // a prefetched load that waits for a task issued after it can never issue (in-order issue)
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0), 0, List.of(new Wait(0, 2))), 64),
                Violation.Kind.MALFORMED);
        // a task the segment does not have; a task listed twice; places going back in the previous segment's order;
        // a prefetched compute whose loads are not prefetched before it
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(42), 2, List.of()), 64), Violation.Kind.MALFORMED);
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(0, 0), 2, List.of()), 64), Violation.Kind.MALFORMED);
        assertCaught(plan(new SegmentSchedule.Prefetch(List.of(0, 1), List.of(2, 0), List.of()), 64),
                Violation.Kind.MALFORMED);
        assertCaught(plan(SegmentSchedule.Prefetch.block(List.of(2, 0, 1), 2, List.of(new Wait(1, 2))), 64),
                Violation.Kind.MALFORMED);
        // placed in a segment that is not an earlier one (its own)
        assertCaught(plan(new SegmentSchedule.Prefetch(List.of(0), List.of(2), List.of(1), List.of()), 64),
                Violation.Kind.MALFORMED);
    }

    @Test
    void aLoadPlacedTwoSegmentsEarlyIssuesThereAndMayNotWait() {
        List<SegmentSchedule> segs = TestPlans.resnet18Layerwise().withoutPrefetches().segments();
        // the first load, two or more segments in, of data no earlier segment stores (a weight)
        java.util.Set<String> stored = new java.util.HashSet<>();
        int k = -1;
        TileTask load = null;
        for (int s = 0; s < segs.size() && load == null; s++) {
            for (TileTask t : segs.get(s).tasks()) {
                if (s >= 2 && t.kind() == dev.sfd.schedule.TaskKind.LOAD && !stored.contains(t.tensor())) {
                    k = s;
                    load = t;
                    break;
                }
            }
            segs.get(s).tasks().stream().filter(t -> t.kind() == dev.sfd.schedule.TaskKind.STORE)
                    .forEach(t -> stored.add(t.tensor()));
        }
        assertTrue(load != null, "no load to move");
        final int target = k;
        final int host = k - 2;
        int firstOfHost = segs.get(host).tasks().get(0).id();
        Plan plan = TestPlans.resnet18Layerwise();
        List<SegmentSchedule> deep = new ArrayList<>(segs);
        deep.set(k, segs.get(k).placed(k, new SegmentSchedule.Prefetch(List.of(load.id()), List.of(firstOfHost),
                List.of(host), List.of()), -1));
        SimulationResult r = new Simulator(TestPlans.RESNET18, false).run(plan.withSegments(deep));
        assertTrue(r.legal(), () -> r.violations().toString());
        // segment k's span starts in segment k-2, before segment k-1 has started
        assertTrue(r.segments().get(target).startCycle() < r.segments().get(host).endCycle(),
                () -> r.segments().get(target).startCycle() + " vs " + r.segments().get(host).endCycle());
        assertTrue(r.segments().get(target).startCycle() < r.segments().get(target - 1).startCycle());
        // a task placed before the previous segment may not wait for it
        int onPrevious = segs.get(k - 1).tasks().get(0).id();
        deep.set(k, segs.get(k).placed(k, new SegmentSchedule.Prefetch(List.of(load.id()), List.of(firstOfHost),
                List.of(host), List.of(new Wait(load.id(), onPrevious))), -1));
        assertCaught(plan.withSegments(deep), Violation.Kind.MALFORMED);
    }

    @Test
    void theSchedulersPlanTimingIsTheSimulatorsAndItsPrefetchesGain() {
        Plan fused = TestPlans.resnet18FusedHead();
        fused = fused.withSegments(new BoundaryPrefetch(TestPlans.RESNET18, new CostModel(EDGE), true)
                .apply(fused.segments(), fused.mappings()));
        for (Plan p : List.of(TestPlans.resnet18Layerwise(), fused)) {
            SimulationResult r = new Simulator(TestPlans.RESNET18, false).run(p);
            assertTrue(r.legal(), () -> r.violations().toString());
            assertTrue(p.segments().stream().anyMatch(s -> s.prefetch().any()), "no boundary prefetches");
            // the scheduler's composed prediction: within 0.5 % of the simulated latency (the per-segment target)
            assertEquals(r.cycles(), p.predictedCycles(), 0.005 * r.cycles());
            // the referee's view of the same plan without prefetches
            SimulationResult without = new Simulator(TestPlans.RESNET18, false).run(p.withoutPrefetches());
            assertTrue(without.legal());
            assertTrue(r.cycles() < without.cycles(), r.cycles() + " with prefetches vs " + without.cycles());
        }
    }
}

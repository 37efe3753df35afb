package dev.sfd.planner.baseline;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.planner.LayerwisePlanner;
import dev.sfd.planner.PlanRequest;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.simulation.SimulationResult;
import dev.sfd.simulation.Simulator;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fusion baseline on a small network (a residual block, a depthwise-pointwise pair, a pool) on {@code edge}:
 * its plan covers every operator once in order, the simulator replays it with zero violations, and each baseline
 * does what it says (epilogue fusion, templates with one shared tile, greedy never slower than its parts by its own
 * price, seeded searches reproducible and never worse than their start).
 */
class BaselinePlannersTest {
    static Network net;
    static Hardware hw;
    static PlanRequest request;
    static NetworkMapping mapping;
    static long layerwiseCycles;

    static final String NET = """
            format: sfd-network/1
            name: block
            inputs:
              - {name: x, shape: [1, 16, 28, 28]}
            outputs: [pool]
            operators:
              - {name: c1, op: conv, inputs: [x], channels: 16, kernel: 3, padding: 1}
              - {name: r1, op: relu, inputs: [c1]}
              - {name: c2, op: conv, inputs: [r1], channels: 16, kernel: 3, padding: 1}
              - {name: add, op: add, inputs: [c2, x]}
              - {name: r2, op: relu, inputs: [add]}
              - {name: dw, op: conv, inputs: [r2], channels: 16, kernel: 3, padding: 1, groups: 16}
              - {name: r3, op: relu, inputs: [dw]}
              - {name: pw, op: conv, inputs: [r3], channels: 32, kernel: 1}
              - {name: r4, op: relu, inputs: [pw]}
              - {name: pool, op: maxpool, inputs: [r4], kernel: 2, stride: 2}
            """;

    @BeforeAll
    static void mapOnce() {
        net = NetworkReader.parse("block.yaml", NET, null);
        hw = HardwareCatalog.resolve("edge");
        request = new PlanRequest(net, new NetworkRef("block.yaml", 1), hw);
        mapping = NetworkMapper.map(new HeuristicMapper(), net, hw, 1);
        layerwiseCycles = new LayerwisePlanner().plan(request, mapping).segments().stream()
                .mapToLong(SegmentSchedule::predictedCycles).sum();
    }

    /**
     * A small budget, and segments of more than 8,000 tile events priced as not fitting: the searches' logic is under
     * test here, not the timeline engine, and a single walk of 60,000 events takes seconds on a loaded machine.
     */
    static BaselineSettings small() {
        return BaselineSettings.defaults().withEvaluations(60).withTimeLimitSeconds(120).withMapperThreads(1)
                .withMaxTasks(8_000);
    }

    /** Plans, checks coverage and order, replays it; returns the simulation. */
    static SimulationResult replay(BaselineResult r) {
        Plan plan = r.plan();
        List<String> order = new ArrayList<>();
        plan.segments().forEach(s -> order.addAll(s.operators()));
        assertEquals(net.operators().stream().map(o -> o.name()).toList(), order, "every operator once, in order");
        SimulationResult sim = new Simulator(net, false).run(plan);
        assertTrue(sim.violations().isEmpty(), () -> plan.planner() + ": " + sim.violations());
        assertTrue(sim.cycles() > 0);
        assertTrue(sim.peakBufferBytes() <= hw.globalBuffer().capacityBytes());
        return sim;
    }

    /** The segments the baseline chose; the assembler may only have split them (asserted). */
    static List<List<String>> segments(BaselineResult r) {
        for (List<String> s : r.plan().segmentOperators()) {
            assertTrue(r.chosen().stream().anyMatch(c -> java.util.Collections.indexOfSubList(c, s) >= 0),
                    s + " is not part of a chosen segment " + r.chosen());
        }
        assertEquals(r.chosen().size() < r.plan().segments().size(), r.repairs() > 0);
        return r.chosen();
    }

    @Test
    void layerwiseFusedFusesEveryActivationIntoItsProducerAndNothingElse() {
        BaselineResult r = new LayerwiseFusedPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        replay(r);
        assertEquals("layerwise-fused", r.plan().planner());
        List<List<String>> segs = segments(r);
        // c2's only reader is the add, whose only reader is r2: all three fuse; no two PE-array operators share one
        assertTrue(segs.contains(List.of("c1", "r1")), segs.toString());
        assertTrue(segs.contains(List.of("c2", "add", "r2")), segs.toString());
        assertTrue(segs.contains(List.of("dw", "r3")), segs.toString());
        assertTrue(segs.contains(List.of("pw", "r4")), segs.toString());
        assertTrue(segs.contains(List.of("pool")), segs.toString());
    }

    @Test
    void templateFusesTheResidualBlockAndTheDepthwisePointwisePairWithOneTileShape() {
        BaselineResult r = new TemplatePlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        replay(r);
        List<List<String>> segs = segments(r);
        assertTrue(segs.contains(List.of("c1", "r1", "c2", "add", "r2")), segs.toString());
        assertTrue(segs.contains(List.of("dw", "r3", "pw", "r4", "pool"))
                || segs.contains(List.of("dw", "r3", "pw", "r4")), segs.toString());
        // producer and consumer of the residual template share their output tile rows (same shapes, same fronts)
        var m = r.plan().mappings();
        assertEquals(m.get("c1").tile(dev.sfd.workload.LoopDim.P), m.get("c2").tile(dev.sfd.workload.LoopDim.P));
        assertEquals(m.get("c1").tile(dev.sfd.workload.LoopDim.Q), m.get("c2").tile(dev.sfd.workload.LoopDim.Q));
    }

    @Test
    void greedyFusesOnlyWhereItsPriceIsNoWorseThanApart() {
        BaselineResult r = new GreedyPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        replay(r);
        assertTrue(r.searchCycles() <= layerwiseCycles, r.searchCycles() + " vs " + layerwiseCycles);
        assertTrue(segments(r).size() < net.operators().size(), "something fused: " + segments(r));
        assertEquals("done", r.stop());
    }

    @Test
    void annealIsReproducibleBySeedAndNeverWorseThanLayerByLayer() {
        BaselineResult a = new AnnealPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        BaselineResult b = new AnnealPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        replay(a);
        assertEquals(segments(a), segments(b));
        assertEquals(a.plan().mappings(), b.plan().mappings());
        assertEquals("evaluation budget", a.stop());
        assertEquals(60, a.evaluations());
        assertTrue(a.searchCycles() <= layerwiseCycles, a.searchCycles() + " vs " + layerwiseCycles);
        assertTrue(segments(a).size() < net.operators().size(), "the search fused something: " + segments(a));
    }

    @Test
    void geneticIsReproducibleBySeedAndNeverWorseThanLayerByLayer() {
        BaselineResult a = new GeneticPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        BaselineResult b = new GeneticPlanner(new HeuristicMapper(), small()).planWithDetails(request, mapping);
        replay(a);
        assertEquals(segments(a), segments(b));
        assertEquals("evaluation budget", a.stop());
        assertTrue(a.searchCycles() <= layerwiseCycles, a.searchCycles() + " vs " + layerwiseCycles);
    }

    @Test
    void aTimeLimitStopsASearchWithALegalPlan() {
        BaselineSettings s = small().withEvaluations(1_000_000).withTimeLimitSeconds(0.5);
        BaselineResult r = new AnnealPlanner(new HeuristicMapper(), s).planWithDetails(request, mapping);
        replay(r);
        assertEquals("time limit", r.stop());
        assertNotEquals(1_000_000, r.evaluations());
    }

    @Test
    void scorerRepairSplitsSegmentsThatDoNotFitUntilEveryPartHasAPrice() {
        // on 'tiny' (32 KiB) the whole network in one segment with the layer-by-layer mappings cannot fit
        Hardware tiny = HardwareCatalog.resolve("tiny");
        PlanRequest onTiny = new PlanRequest(net, request.networkRef(), tiny);
        SearchSpace space = new SearchSpace(onTiny, NetworkMapper.map(new HeuristicMapper(), net, tiny, 1),
                small().maxTasks(), 96);
        Scorer scorer = new Scorer(space, 10, Long.MAX_VALUE);
        boolean[] cut = new boolean[space.size()];
        cut[0] = true;
        int[] choices = new int[space.size()];
                assertTrue(Double.isInfinite(scorer.score(cut, choices)), "one segment of option 0 should not fit");
        double repaired = scorer.repair(cut, choices);
        assertFalse(Double.isInfinite(repaired));
        assertEquals(repaired, scorer.score(cut, choices));
        assertTrue(Scorer.starts(cut).length > 1);
    }
}

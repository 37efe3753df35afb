package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.LayerShape;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.RandomLayers;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost model's closed forms against the tile walk they summarise: a layer alone, under random legal mappings,
 * moves exactly the DRAM bytes and spends exactly the energy that the walk's events add up to, its steps take at
 * least the compute cycles (each step is bound by its unit or its own port traffic, so steps bound differently add
 * up to more than the larger total), the schedule never holds more than the footprint, and the closed-form compute
 * and latency stay within the stated tolerance of the walk's and the timeline engine's. The closed forms model every
 * load held to its prefetch depth, so the timeline runs under that policy here ({@link TileTimeline.RunAhead#DEPTH}).
 */
class OneMachineModelTest {
    /** The 5 % model-error target of DESIGN.md, for the 95th percentile of layers alone (docs/cost-model.md). */
    static final double LATENCY_TOLERANCE = 0.05;

    @ParameterizedTest
    @ValueSource(strings = {"edge", "soma-edge", "tiny"})
    void closedFormsMatchTheWalk(String hwName) {
        Hardware hw = HardwareCatalog.resolve(hwName);
        CostModel cost = new CostModel(hw);
        Random rnd = new Random(20261130L ^ hwName.hashCode());
        int checked = 0;
        List<Double> latencyErrors = new ArrayList<>();
        List<Double> computeErrors = new ArrayList<>();
        for (int seed = 0; seed < 150; seed++) {
            Network net = RandomLayers.layer(seed);
            Operator op = net.operator("L");
            LayerShape shape = LayerShape.of(net, op).orElseThrow();
            MappingSpace space = new MappingSpace(shape, cost, MappingSpace.Options.DEFAULT);
            for (int trial = 0; trial < 4; trial++) {
                int[] tile = new int[LayerShape.DIMS];
                for (int d = 0; d < LayerShape.DIMS; d++) {
                    int[] c = space.candidates(d);
                    tile[d] = c[rnd.nextInt(c.length)];
                }
                if (!shape.contiguous(tile)) {
                    continue;
                }
                int order = rnd.nextInt(space.orderCount());
                if (!space.legal(tile, order)) {
                    order = space.firstLegalOrder(tile);
                }
                Mapping m = space.mapping("L", tile, rnd.nextInt(space.pairCount()), order, rnd.nextBoolean());
                LayerCost c = cost.evaluate(net, op, m);
                if (c.footprintBytes() > hw.globalBuffer().capacityBytes() || c.tiles() > 4000) {
                    continue;
                }
                // the closed forms hold every load to its prefetch depth: run-ahead is the timeline's choice on top
                SegmentAnalyzer.Analysis a = new SegmentAnalyzer(new TileWalk(net, cost))
                        .analyze(0, List.of("L"), Map.of("L", m), TileTimeline.RunAhead.DEPTH);
                String what = hwName + " seed " + seed + " " + m;
                assertEquals(c.dramReadBytes(), a.dramReadBytes(), () -> "DRAM read bytes, " + what);
                assertEquals(c.dramWriteBytes(), a.dramWriteBytes(), () -> "DRAM write bytes, " + what);
                long steps = a.peCycles() + a.vectorCycles();
                assertTrue(steps >= c.computeCycles(), () -> "steps " + steps + " below the compute cycles "
                        + c.computeCycles() + ", " + what);
                computeErrors.add((double) (steps - c.computeCycles()) / Math.max(1, c.computeCycles()));
                assertEquals(c.energy().macPj(), a.energy().macPj(), 1e-6 * (1 + c.energy().macPj()), what);
                assertEquals(c.energy().peAccessPj(), a.energy().peAccessPj(), 1e-6 * (1 + c.energy().peAccessPj()),
                        what);
                assertEquals(c.energy().vectorPj(), a.energy().vectorPj(), 1e-6 * (1 + c.energy().vectorPj()), what);
                assertEquals(c.energy().dramPj(), a.energy().dramPj(), 1e-6 * (1 + c.energy().dramPj()), what);
                assertEquals(c.energy().glbPj(), a.energy().glbPj(), 1e-6 * (1 + c.energy().glbPj()),
                        () -> "buffer energy, " + what);
                assertTrue(a.feasible(), () -> "does not fit its own footprint: " + what);
                assertTrue(a.timelinePeakBytes() <= c.footprintBytes(), () -> "peak " + a.timelinePeakBytes()
                        + " above the footprint " + c.footprintBytes() + ", " + what);
                latencyErrors.add((double) (c.latencyCycles() - a.cycles()) / a.cycles());
                checked++;
            }
        }
        latencyErrors.sort(Double::compare);
        double worst = Math.max(-latencyErrors.get(0), latencyErrors.get(latencyErrors.size() - 1));
        double p95 = latencyErrors.stream().mapToDouble(Math::abs).sorted().skip((long) (0.95 * latencyErrors.size()))
                .findFirst().orElse(0);
        System.out.printf("%s: %d layers x mappings; latency alone vs timeline: %+.1f%% .. %+.1f%%, |95th| %.1f%%%n",
                hwName, checked, 100 * latencyErrors.get(0), 100 * latencyErrors.get(latencyErrors.size() - 1),
                100 * p95);
        computeErrors.sort(Double::compare);
        double computeP95 = computeErrors.get((int) (0.95 * computeErrors.size()));
        System.out.printf("%s: steps vs compute cycles: %.1f%% of layers exact, |95th| %.2f%%, worst %.1f%%%n", hwName,
                100.0 * computeErrors.stream().filter(e -> e == 0).count() / computeErrors.size(), 100 * computeP95,
                100 * computeErrors.get(computeErrors.size() - 1));
        assertTrue(checked > 200, "too few mappings checked: " + checked);
        assertTrue(computeP95 <= LATENCY_TOLERANCE, () -> String.format("95th percentile compute error %.1f%%",
                100 * computeP95));
        assertTrue(p95 <= LATENCY_TOLERANCE, () -> String.format("95th percentile latency error %.1f%%, worst %.1f%%",
                100 * p95, 100 * worst));
    }
}

package dev.sfd.mapping;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerCost;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants every mapper must keep (JGraphT-style contract test), on seeded random layers and on every distinct
 * zoo layer shape: legal mappings (tiles cover bounds, unroll within the array and the tile), footprints within
 * the budget, costs equal to the cost model, fronts sorted and non-dominated, never better than the exhaustive
 * optimum.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MapperContractTest {
    public static final int RANDOM_LAYERS = 200;
    protected static final Hardware TINY = HardwareCatalog.resolve("tiny");
    protected static final Hardware EDGE = HardwareCatalog.resolve("edge");
    /** A smaller space for zoo layers, to keep the exhaustive twin fast. */
    protected static final MappingSpace.Options ZOO_SPACE = new MappingSpace.Options(4, true);

    protected abstract Mapper mapper(MappingSpace.Options options);

    /** Whether the mapper must reach the exhaustive optimum exactly. */
    protected abstract boolean exact();

    static LongStream seeds() {
        return LongStream.range(0, RANDOM_LAYERS);
    }

    /** Zoo networks whose distinct layer shapes are checked. */
    protected List<String> zooNetworks() {
        return List.of("resnet50", "mobilenet_v2", "bert_base", "vgg16");
    }

    Stream<Map.Entry<Network, Operator>> zoo() {
        return RandomLayers.zooLayers(zooNetworks()).stream();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void randomLayerFrontsKeepTheContract(long seed) {
        Network net = RandomLayers.layer(seed);
        check(net, net.operator("L"), TINY, MappingSpace.Options.DEFAULT);
    }

    @ParameterizedTest
    @MethodSource("zoo")
    void zooLayerFrontsKeepTheContract(Map.Entry<Network, Operator> layer) {
        check(layer.getKey(), layer.getValue(), EDGE, ZOO_SPACE);
    }

    /**
     * Imported operators SFD cannot model exactly (ONNX Resize, ConvTranspose's col2im) are opaque vector ops
     * that read their inputs whole: a fixed extent in every tile's footprint.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4})
    void opaqueWholeReadLayersKeepTheContract(int scale) {
        int c = 4 * scale;
        int h = 6 + 2 * scale;
        Network net = new dev.sfd.workload.NetworkBuilder("opaque-" + scale).name("opaque")
                .input("x", java.util.List.of(1, c, h, h))
                .operator(dev.sfd.workload.OperatorSpec.of("L", dev.sfd.workload.OpKind.OPAQUE,
                        java.util.List.of("x"), new dev.sfd.workload.OpParams.Opaque("resize",
                                java.util.List.of(1, c, 2 * h, 2 * h), 1, java.util.List.of())))
                .build();
        check(net, net.operator("L"), TINY, MappingSpace.Options.DEFAULT);
    }

    private void check(Network net, Operator op, Hardware hw, MappingSpace.Options options) {
        Mapper mapper = mapper(options);
        ExhaustiveMapper reference = new ExhaustiveMapper(options);
        ParetoFront front = mapper.front(net, op, hw);
        ParetoFront exact = reference.front(net, op, hw);
        checkFront(net, op, hw, front);
        long cap = hw.globalBuffer().capacityBytes();
        assertEquals(exact.minFootprintBytes(), front.minFootprintBytes());
        MappingChoice best = front.best(cap).orElseThrow();
        MappingChoice optimum = exact.best(cap).orElseThrow();
        if (exact()) {
            assertEquals(figures(optimum), figures(best), op.name() + " at capacity");
        } else {
            assertTrue(MappingChoice.compareObjective(optimum, best) <= 0, "beats the exhaustive optimum");
        }
        long min = exact.minFootprintBytes();
        assertTrue(mapper.best(net, op, hw, min - 1).isEmpty(), "a mapping below the smallest footprint");
        MappingChoice tight = mapper.best(net, op, hw, min).orElseThrow();
        checkChoice(net, op, hw, tight, min);
        if (exact()) {
            assertEquals(figures(exact.best(min).orElseThrow()), figures(tight), op.name() + " at the smallest budget");
            long mid = (long) Math.sqrt((double) min * cap);
            MappingChoice atMid = mapper.best(net, op, hw, mid).orElseThrow();
            assertEquals(figures(exact.best(mid).orElseThrow()), figures(atMid), op.name() + " at budget " + mid);
        }
    }

    static List<Long> figures(MappingChoice c) {
        return List.of(c.latencyCycles(), c.dramBytes(), c.footprintBytes());
    }

    static void checkFront(Network net, Operator op, Hardware hw, ParetoFront front) {
        assertFalse(front.isEmpty(), "empty front");
        List<MappingChoice> pts = front.points();
        for (int i = 0; i < pts.size(); i++) {
            checkChoice(net, op, hw, pts.get(i), hw.globalBuffer().capacityBytes());
            if (i > 0) {
                assertTrue(pts.get(i - 1).footprintBytes() <= pts.get(i).footprintBytes(), "front not sorted");
            }
            for (int j = 0; j < pts.size(); j++) {
                assertFalse(i != j && pts.get(j).dominates(pts.get(i)), "dominated point in the front");
            }
        }
    }

    static void checkChoice(Network net, Operator op, Hardware hw, MappingChoice c, long budget) {
        Mapping m = c.mapping();
        var nest = net.loopNest(op.name()).orElseThrow();
        for (LoopDim d : LoopDim.values()) {
            int t = m.tile(d);
            assertTrue(t >= 1 && t <= nest.bound(d), "tile of " + d);
            long tiles = (nest.bound(d) + t - 1) / t;
            assertTrue(tiles * t >= nest.bound(d), "tiles cover " + d);
            if (nest.wholeDims().contains(d)) {
                assertEquals(nest.bound(d), t, "whole dim " + d + " tiled");
            }
        }
        assertTrue(m.spatial().rowFactor() <= hw.peArray().rows());
        assertTrue(m.spatial().colFactor() <= hw.peArray().cols());
        assertTrue(m.spatial().rowFactor() <= m.tile(m.spatial().rowDim()));
        assertTrue(m.spatial().colFactor() <= m.tile(m.spatial().colDim()));
        assertTrue(c.footprintBytes() <= budget, "footprint over budget");
        LayerCost truth = new CostModel(hw).evaluate(net, op, m);
        assertEquals(truth, c.cost(), "cost differs from the cost model");
    }
}

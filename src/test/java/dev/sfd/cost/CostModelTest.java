package dev.sfd.cost;

import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static dev.sfd.workload.LoopDim.C;
import static dev.sfd.workload.LoopDim.G;
import static dev.sfd.workload.LoopDim.K;
import static dev.sfd.workload.LoopDim.N;
import static dev.sfd.workload.LoopDim.P;
import static dev.sfd.workload.LoopDim.Q;
import static dev.sfd.workload.LoopDim.R;
import static dev.sfd.workload.LoopDim.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worked example of docs/cost-model.md, with every figure computed by hand. */
class CostModelTest {
    static final String SMALL_CONV = """
            format: sfd-network/1
            name: small
            batch: 1
            inputs:
              - {name: x, shape: [1, 8, 6, 6]}
            outputs: [conv]
            operators:
              - {name: conv, op: conv, inputs: [x], channels: 16, kernel: 3, padding: 1}
              - {name: flat, op: reshape, inputs: [conv], shape: [1, 576]}
            """;

    private final Network net = NetworkReader.parse("small.yaml", SMALL_CONV, null);
    private final Operator conv = net.operator("conv");
    private final CostModel model = new CostModel(HardwareCatalog.resolve("edge"));

    static Mapping workedMapping(boolean doubleBuffered) {
        Map<LoopDim, Integer> tile = new EnumMap<>(LoopDim.class);
        tile.putAll(Map.of(N, 1, G, 1, K, 16, C, 4, P, 3, Q, 6, R, 3, S, 3));
        return new Mapping("conv", tile, new Mapping.SpatialUnroll(K, 16, C, 4), List.of(N, G, K, P, Q, C, R, S),
                doubleBuffered);
    }

    @Test
    void reproducesTheWorkedExample() {
        LayerCost c = model.evaluate(net, conv, workedMapping(true));
        assertEquals(4, c.tiles());
        assertEquals(648, c.computeCycles());
        assertEquals(41472.0 / (648 * 1024), c.peUtilization(), 1e-12);
        assertEquals(List.of(160L, 576L, 1152L), c.operands().stream().map(OperandCost::tileBytes).toList());
        assertEquals(1888, c.singleBufferedFootprintBytes());
        assertEquals(3776, c.doubleBufferedFootprintBytes());
        assertEquals(3776, c.footprintBytes());
        assertEquals(List.of(1L, 2L, 1L), c.operands().stream().map(OperandCost::fetches).toList());
        assertEquals(2688, c.dramReadBytes());
        assertEquals(576, c.dramWriteBytes());
        assertEquals(204, c.dramCycles());
        assertTrue(c.computeBound());
        assertEquals(812, c.latencyCycles());
        assertEquals(12441.6, c.energy().macPj(), 1e-9);
        assertEquals(816000.0, c.energy().dramPj(), 1e-9);
        assertEquals(103680.0, c.energy().peAccessPj(), 1e-9);
        assertEquals(27040.0, c.energy().glbPj(), 1e-9);
        assertEquals(0.0, c.energy().vectorPj(), 1e-9);
    }

    @Test
    void singleBufferingSerialisesTransfersAndPaysLatencyPerTile() {
        LayerCost c = model.evaluate(net, conv, workedMapping(false));
        assertEquals(1888, c.footprintBytes());
        assertEquals(648 + 204 + 4 * 100, c.latencyCycles());
    }

    @Test
    void outputTileCyclesSumToTheLayer() {
        Mapping m = workedMapping(true);
        Map<LoopDim, AxisExpr.Range> top = Map.of(P, new AxisExpr.Range(0, 3, 6));
        Map<LoopDim, AxisExpr.Range> bottom = Map.of(P, new AxisExpr.Range(3, 6, 6));
        assertEquals(324, model.tileComputeCycles(net, conv, m, top));
        assertEquals(648, model.tileComputeCycles(net, conv, m, top) + model.tileComputeCycles(net, conv, m, bottom));
    }

    @Test
    void reductionLoopAboveTheOutputSpillsPartialSums() {
        Mapping m = workedMapping(true);
        Mapping spill = new Mapping("conv", m.tile(), m.spatial(), List.of(N, G, C, K, P, Q, R, S), true);
        LayerCost c = model.evaluate(net, conv, spill);
        // output visited twice: one partial spill of 576 x 4 bytes written and read back, then the final write.
        assertEquals(576 + 576 * 4, c.dramWriteBytes());
        OperandCost out = c.operands().get(2);
        assertEquals(2, out.fetches());
        assertEquals(576 * 4, out.dramReadBytes());
        // the input depends on both C and P, so no loop above its innermost one is irrelevant to it.
        assertEquals(1, c.operands().get(0).fetches());
        // weights stay on chip across the P tiles.
        assertEquals(1, c.operands().get(1).fetches());
    }

    @Test
    void layoutOperatorsCostNothing() {
        LayerCost c = model.evaluate(net, net.operator("flat"), workedMapping(true));
        assertEquals(LayerCost.zero("flat"), c);
        assertEquals(0, model.footprintBytes(net, net.operator("flat"), workedMapping(true)));
    }

    @Test
    void rejectsUnrollBeyondTheTile() {
        Mapping m = workedMapping(true);
        Mapping bad = new Mapping("conv", m.tile(), new Mapping.SpatialUnroll(K, 16, C, 8), m.outerOrder(), true);
        LayerShape s = LayerShape.of(net, conv).orElseThrow();
        assertFalse(model.violations(s, bad).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> model.evaluate(net, conv, bad));
    }
}

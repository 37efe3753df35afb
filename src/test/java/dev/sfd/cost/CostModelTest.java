package dev.sfd.cost;

import dev.sfd.hardware.HardwareCatalog;
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
        assertEquals(648, c.unitCycles());
        // port: input 384 + weights 1152 x 2 P tiles + output 576 x 2 C steps x 4 bytes + partial sums 576 x 4
        assertEquals(384 + 2304 + 4608 + 2304, c.portBytes());
        assertEquals(648, c.computeCycles());
        assertEquals(41472.0 / (648 * 1024), c.peUtilization(), 1e-12);
        assertEquals(List.of(160L, 576L, 1152L), c.operands().stream().map(OperandCost::tileBytes).toList());
        assertEquals(1888, c.singleBufferedFootprintBytes());
        assertEquals(3776, c.doubleBufferedFootprintBytes());
        assertEquals(3776, c.footprintBytes());
        assertEquals(List.of(1L, 2L, 1L), c.operands().stream().map(OperandCost::fetches).toList());
        assertEquals(List.of(4L, 4L, 2L), c.operands().stream().map(OperandCost::transfers).toList());
        assertEquals(2688, c.dramReadBytes());
        assertEquals(576, c.dramWriteBytes());
        assertEquals(204, c.dramCycles());
        assertTrue(c.computeBound());
        // fill 46 + drain 18; steady DRAM 204 - 64 = 140; the longest chain: 4 loads, (4 - 1) / 2 = 1 exposed latency
        // pipe = max(648, 140, 1 x 100 + ceil((648 + 140) / 2)) = 648
        assertEquals(648 + 2 * 100 + 46 + 18, c.latencyCycles());
        assertEquals(12441.6, c.energy().macPj(), 1e-9);
        assertEquals(816000.0, c.energy().dramPj(), 1e-9);
        assertEquals(103680.0, c.energy().peAccessPj(), 1e-9);
        assertEquals((2688 + 4608 + 576 + 4992) * 2.5, c.energy().glbPj(), 1e-9);
        assertEquals(0.0, c.energy().vectorPj(), 1e-9);
        assertEquals(0.0, c.energy().leakagePj(), 1e-9);
    }

    @Test
    void singleBufferingSerialisesEachOperandsTransfersWithTheCompute() {
        LayerCost c = model.evaluate(net, conv, workedMapping(false));
        assertEquals(1888, c.footprintBytes());
        // 4 loads one after another: 3 more exposed latencies, compute and steady DRAM not overlapped
        assertEquals(3 * 100 + 648 + 140 + 2 * 100 + 46 + 18, c.latencyCycles());
    }

    @Test
    void exposedCyclesChainEachWeightSliceTransferToTheStepsBeforeIt() {
        // the weights: 4 loads of 2304 bytes in all (144 cycles at 16 bytes a cycle); x: 4 loads, never on the chain
        // double buffered: 1 hop and the 2 loads past the depth (72 cycles): 100 + ceil((648 + 72) / 2) = 460 < 648
        assertEquals(648, model.evaluate(net, conv, workedMapping(true)).exposedCycles());
        // single buffered: each of the 3 loads past the first waits for the step before it, so its latency and its
        // transfer (3 x 144 / 4 = 108 cycles) lie between two steps
        assertEquals(3 * 100 + 648 + 108, model.evaluate(net, conv, workedMapping(false)).exposedCycles());
    }

    @Test
    void stepsAreBoundByTheirUnitOrTheirPortTraffic() {
        CostModel.StepTiming timing = model.stepTiming(net, conv, workedMapping(true));
        int[] lo = {0, 0, 0, 0, 0, 0, 0, 0};
        int[] hi = {1, 1, 16, 4, 3, 6, 3, 3};
        assertEquals(162, timing.unitCycles(lo, hi));
        // 9600 port bytes over the 4 steps: 2400 bytes a step take 10 cycles at 256 bytes per cycle
        assertEquals(162, timing.stepCycles(lo, hi, 2400));
        assertEquals(200, timing.stepCycles(lo, hi, 51_200));
    }

    @Test
    void aVectorOperatorIsBoundByTheBufferPortWhenItsLanesOutrunIt() {
        Network relu = NetworkReader.parse("relu.yaml", """
                format: sfd-network/1
                name: relu
                batch: 1
                inputs:
                  - {name: x, shape: [1, 64, 32, 32]}
                outputs: [r]
                operators:
                  - {name: r, op: relu, inputs: [x]}
                """, null);
        CostModel somaEdge = new CostModel(HardwareCatalog.resolve("soma-edge"));
        Operator r = relu.operator("r");
        LayerShape s = LayerShape.of(relu, r).orElseThrow();
        Map<LoopDim, Integer> tile = new EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            tile.put(d, s.bound(d));
        }
        Mapping whole = new Mapping("r", tile, Mapping.SpatialUnroll.NONE, List.of(N, G, K, C, P, Q, R, S), false);
        LayerCost c = somaEdge.evaluate(relu, r, whole);
        // 65,536 elements: 128 cycles on 512 lanes, but 64 KiB in and 64 KiB out through a 256 B/cycle port
        assertEquals(128, c.unitCycles());
        assertEquals(2 * 65536, c.portBytes());
        assertEquals(512, c.computeCycles());
        assertFalse(c.computeBound());
    }

    @Test
    void anOrderThatHoldsPartialSumsAcrossOutputTilesIsNotAMapping() {
        Mapping m = workedMapping(true);
        Mapping spill = new Mapping("conv", m.tile(), m.spatial(), List.of(N, G, C, K, P, Q, R, S), true);
        LayerShape s = LayerShape.of(net, conv).orElseThrow();
        assertTrue(model.violations(s, spill).stream().anyMatch(v -> v.contains("split reduction")),
                () -> model.violations(s, spill).toString());
        assertThrows(IllegalArgumentException.class, () -> model.evaluate(net, conv, spill));
        // with C whole, the same order is legal: nothing is split above the output loops
        Map<LoopDim, Integer> tile = new EnumMap<>(m.tile());
        tile.put(C, 8);
        Mapping unsplit = new Mapping("conv", tile, new Mapping.SpatialUnroll(K, 16, C, 8),
                List.of(N, G, C, K, P, Q, R, S), true);
        assertTrue(model.violations(s, unsplit).isEmpty());
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

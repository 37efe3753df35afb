package dev.sfd.cost;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LowerBoundsTest {

    @Test
    void boundOfHandComputedNetwork() {
        Network net = NetworkReader.parse("t.yaml", """
                name: t
                inputs: [{name: x, shape: [1, 16, 8, 8]}]
                operators:
                  - {name: c1, op: conv, inputs: [x], channels: 32, kernel: 3, padding: 1}
                  - {name: r1, op: relu, inputs: [c1]}
                """, null);
        Hardware hw = HardwareCatalog.preset("edge");
        LowerBounds.LowerBound b = LowerBounds.of(net, hw);
        long macs = 32L * 16 * 8 * 8 * 9;
        assertEquals(macs, net.totalMacs());
        assertEquals((macs + 1023) / 1024, b.macCycles());
        assertEquals((32L * 64 + 63) / 64, b.vectorCycles());
        // weights 32*16*9 + input 16*64 + output 32*64, all 8-bit
        long bytes = 32L * 16 * 9 + 16 * 64 + 32 * 64;
        assertEquals(bytes, b.compulsoryBytes());
        assertEquals((long) Math.ceil(bytes / 16.0), b.trafficCycles());
        assertEquals(Math.max(b.computeCycles(), b.trafficCycles()), b.latencyCycles());
    }

    @Test
    void tiedTableIsReadWholeOnceForGpt2() {
        Network net = NetworkCatalog.resolve("gpt2_small");
        Hardware hw = HardwareCatalog.preset("edge");
        LowerBounds.LowerBound b = LowerBounds.of(net, hw);
        // Every parameter is compulsory once (the LM head reads the tied table whole), plus the position rows
        // that are not looked up are not needed: wpe has 1024 rows and only 512 are read.
        long expectedWeights = net.totalParameters() - 512L * 768;
        long inputs = 2 * 512; // token ids and positions, one byte each at the activation width
        long logits = 512L * 50257;
        assertEquals(expectedWeights + inputs + logits, b.compulsoryBytes());
    }

    @Test
    void layerBoundsNeverExceedTheirSumAndNetworkBoundIsBelowLayerSum() {
        Network net = NetworkCatalog.resolve("mobilenet_v2");
        Hardware hw = HardwareCatalog.preset("edge");
        long sum = 0;
        for (var op : net.operators()) {
            sum += LowerBounds.ofOperator(net, op, hw).latencyCycles();
        }
        assertTrue(LowerBounds.of(net, hw).latencyCycles() <= sum);
    }
}

package dev.sfd.segmentation;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-checked figures of {@link SegmentAnalyzer} on ResNet-50's first bottleneck (1x1 conv, 64 -> 64 channels,
 * 56x56, 8-bit activations and weights on {@code edge}). The fidelity against the simulator on every zoo network
 * is asserted in {@code SfdPlannerZooTest}.
 */
class SegmentAnalyzerTest {
    static final Hardware EDGE = HardwareCatalog.resolve("edge");
    static final Network NET = NetworkCatalog.resolve("resnet50");
    static final long FEATURE = 56L * 56 * 64;

    /** Row bands of {@code rows} rows, whole width, all channels; weights indexed outside the bands (resident). */
    static Mapping bands(String op, int rows, int k, int c) {
        return bands(op, rows, k, c, 16);
    }

    /** @param unroll PE rows and columns used (0 for a vector operator) */
    static Mapping bands(String op, int rows, int k, int c, int unroll) {
        Map<LoopDim, Integer> tile = new EnumMap<>(LoopDim.class);
        for (LoopDim d : LoopDim.values()) {
            tile.put(d, 1);
        }
        tile.put(P, rows);
        tile.put(Q, 56);
        tile.put(K, k);
        tile.put(C, c);
        Mapping.SpatialUnroll spatial = unroll == 0 ? Mapping.SpatialUnroll.NONE
                : new Mapping.SpatialUnroll(K, Math.min(k, unroll), C, Math.min(c, unroll));
        return new Mapping(op, tile, spatial,
                List.of(N, G, K, C, R, S, P, Q), true);
    }

    @Test
    void aLayerAloneReadsItsInputAndWeightsOnceAndWritesItsOutputOnce() {
        List<List<String>> segments = List.of(List.of("layer1.0.conv1"), List.of("layer1.0.relu1"));
        Map<String, Mapping> m = Map.of("layer1.0.conv1", bands("layer1.0.conv1", 8, 64, 64),
                "layer1.0.relu1", bands("layer1.0.relu1", 8, 64, 1, 0));
        SegmentAnalyzer.Analysis a = new SegmentAnalyzer(NET, EDGE).analyze(0, segments.get(0), m);
        long weights = 64L * 64 * (long) EDGE.bytesPerElement(true);
        long act = (long) EDGE.bytesPerElement(false);
        assertEquals(FEATURE * act + weights, a.dramReadBytes(), "input once (7 bands of 8 rows) + weights once");
        assertEquals(FEATURE * act, a.dramWriteBytes(), "the output goes to the relu's segment through DRAM");
        // 7 bands: 1 weight load + 7 input loads + 7 steps + 7 stores + one free per buffer (1 + 7 + 7)
        assertEquals(1 + 7 + 7 + 7 + 15, a.tasks());
        long dramCycles = (long) Math.ceil((double) a.dramBytes() / EDGE.dram().bandwidthBytesPerCycle());
        assertTrue(a.cycles() >= Math.max(a.peCycles(), dramCycles), "no faster than its busiest unit: " + a);
        assertTrue(a.cycles() <= a.peCycles() + dramCycles + 15 * EDGE.dram().latencyCycles(),
                "no slower than running everything one after another: " + a);
        long band = 8L * 56 * 64 * act;
        // the whole reduction (C) is in one step, so the output band is kept at activation width
        assertEquals(weights + 2 * band, a.minWorkingSetBytes(), "weights + one input band + one output band");
        assertTrue(a.timelinePeakBytes() >= a.minWorkingSetBytes());
    }

    @Test
    void fusingKeepsTheIntermediateOnChip() {
        Map<String, Mapping> m = Map.of("layer1.0.conv1", bands("layer1.0.conv1", 8, 64, 64),
                "layer1.0.relu1", bands("layer1.0.relu1", 8, 64, 1, 0));
        List<List<String>> fused = List.of(List.of("layer1.0.conv1", "layer1.0.relu1"));
        SegmentAnalyzer analyzer = new SegmentAnalyzer(NET, EDGE);
        SegmentAnalyzer.Analysis f = analyzer.analyze(0, fused.get(0), m);
        long act = (long) EDGE.bytesPerElement(false);
        long weights = 64L * 64 * (long) EDGE.bytesPerElement(true);
        assertEquals(FEATURE * act + weights, f.dramReadBytes());
        assertEquals(FEATURE * act, f.dramWriteBytes(), "only the relu's output leaves the segment");

        List<List<String>> apart = List.of(List.of("layer1.0.conv1"), List.of("layer1.0.relu1"));
        List<SegmentAnalyzer.Analysis> parts = analyzer.analyzeAll(apart, m);
        assertEquals(parts.get(0).dramBytes() + parts.get(1).dramBytes(), f.dramBytes() + 2 * FEATURE * act,
                "apart, the intermediate is written once and read back once");
        assertTrue(f.cycles() < parts.get(0).cycles() + parts.get(1).cycles(), "the relu overlaps the conv");
        assertTrue(f.vectorCycles() > 0 && f.peCycles() > 0);
    }

    @Test
    void aWorkingSetLargerThanTheBufferIsReported() {
        Hardware tiny = HardwareCatalog.resolve("tiny");
        Map<String, Mapping> m = Map.of("layer1.0.conv1", bands("layer1.0.conv1", 56, 64, 64, 8));
        List<List<String>> one = List.of(List.of("layer1.0.conv1"));
        SegmentAnalyzer.Analysis a = new SegmentAnalyzer(NET, tiny).analyze(0, one.get(0), m);
        assertTrue(a.minWorkingSetBytes() >= 2 * FEATURE, "whole input and output tiles: " + a.minWorkingSetBytes());
        assertFalse(a.mayFit(tiny.globalBuffer().capacityBytes()));
        assertTrue(a.mayFit(a.minWorkingSetBytes()));
    }
}

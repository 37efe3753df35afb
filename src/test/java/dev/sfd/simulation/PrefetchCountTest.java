package dev.sfd.simulation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.schedule.BoundaryPrefetch;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.PlanScheduler;
import dev.sfd.schedule.ScheduleOutcome;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.sfd.simulation.SimulatorRulesTest.EDGE;
import static dev.sfd.simulation.SimulatorRulesTest.mapping;
import static dev.sfd.workload.LoopDim.C;
import static dev.sfd.workload.LoopDim.K;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How many loads move into the previous segment when the buffer, not the DMA engine, limits them: as many as the
 * buffer holds, each as early as it has room, not only all, half or one of them.
 *
 * <p>Network on {@code edge} (512 KiB, 16 B/cycle, one DMA engine, 32x32 PEs): segment 0 is {@code a}, a 3x3
 * convolution of {@code x[1, 64, 56, 56]} (about 113,000 PE cycles against about 27,000 of DMA transfers, walked in
 * bands of 8 rows); segment 1 is {@code b}, a 1x1 convolution of {@code y[1, 512, 1, 1]} to 2048 channels whose
 * 1 MiB of weights load in 16 slices of 64 KiB (one per tile of 128 output channels) and take 65,536 cycles to
 * transfer against about 1,000 PE cycles of work. While {@code a} runs, the buffer has room for several of
 * {@code b}'s slices but not for eight (half of them): trying all, half or one of the loads, the scheduler moved only
 * {@code y}'s and saved 32 cycles.
 */
class PrefetchCountTest {
    static final Network NET = NetworkReader.parse("prefetch-count.yaml", """
            format: sfd-network/1
            name: prefetch-count
            batch: 1
            inputs:
              - {name: x, shape: [1, 64, 56, 56]}
              - {name: y, shape: [1, 512, 1, 1]}
            outputs: [a, b]
            operators:
              - {name: a, op: conv, inputs: [x], channels: 64, kernel: 3, padding: 1}
              - {name: b, op: conv, inputs: [y], channels: 2048, kernel: 1}
            """, null);
    /** One 64 KiB weight slice of {@code b} over the DRAM bandwidth. */
    static final long SLICE_CYCLES = 64 * 1024 / 16;

    static Plan sequential() {
        Map<String, Mapping> m = new LinkedHashMap<>();
        m.put("a", withKernel(mapping("a", 64, 64, 8, 56, new Mapping.SpatialUnroll(K, 32, C, 32)), 3));
        m.put("b", mapping("b", 128, 512, 1, 1, new Mapping.SpatialUnroll(K, 32, C, 32)));
        PlanScheduler scheduler = new PlanScheduler(NET, new CostModel(EDGE));
        List<SegmentSchedule> segs = new ArrayList<>();
        for (String op : List.of("a", "b")) {
            ScheduleOutcome o = scheduler.schedule(segs.size(), List.of(op), m);
            assertInstanceOf(ScheduleOutcome.Scheduled.class, o, o::toString);
            segs.add(((ScheduleOutcome.Scheduled) o).schedule());
        }
        return new Plan(new NetworkRef("prefetch-count.yaml", 1), EDGE, "hand", "FEASIBLE", m, segs);
    }

    private static Mapping withKernel(Mapping m, int k) {
        Map<LoopDim, Integer> tile = new EnumMap<>(m.tile());
        tile.put(LoopDim.R, k);
        tile.put(LoopDim.S, k);
        return new Mapping(m.operator(), tile, m.spatial(), m.outerOrder(), m.doubleBuffered());
    }

    @Test
    void asManyLoadsMoveAsTheBufferHolds() {
        Plan alone = sequential();
        SimulationResult one = new Simulator(NET, false).run(alone);
        assertTrue(one.legal(), () -> one.violations().toString());
        Plan placed = alone.withSegments(new BoundaryPrefetch(NET, new CostModel(EDGE), true)
                .apply(alone.segments(), alone.mappings()));
        SimulationResult r = new Simulator(NET, false).run(placed);
        assertTrue(r.legal(), () -> r.violations().toString());
        int moved = placed.segments().get(1).prefetch().tasks().size();
        // at least four slices' transfers hidden behind a's compute (the buffer holds seven with b's own slices)
        assertTrue(moved >= 4, moved + " tasks moved");
        assertTrue(r.cycles() <= one.cycles() - 4 * SLICE_CYCLES, r.cycles() + " against " + one.cycles());
    }
}

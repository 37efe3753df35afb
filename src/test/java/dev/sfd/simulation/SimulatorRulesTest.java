package dev.sfd.simulation;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.NetworkRef;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plans of a few tasks written by hand: their timelines computed by hand (the simulator's own timing rules), and
 * each broken in one way the simulator must catch (a rule it did not check before fails its test without it).
 *
 * <p>Network: {@code x[1, 8, 4, 4]} → {@code c} (1x1 conv to 8 channels) → {@code r} (relu) → {@code s} (softmax
 * over the last axis). On {@code edge}: 16 B/cycle DRAM, 100-cycle latency, one DMA engine, 64 vector lanes, 32x32
 * PEs, a 256 B/cycle buffer port, 8-bit data, 32-bit accumulators.
 */
class SimulatorRulesTest {
    static final Hardware EDGE = HardwareCatalog.resolve("edge");
    static final Network NET = NetworkReader.parse("rules.yaml", """
            format: sfd-network/1
            name: rules
            batch: 1
            inputs:
              - {name: x, shape: [1, 8, 4, 4]}
            outputs: [s]
            operators:
              - {name: c, op: conv, inputs: [x], channels: 8, kernel: 1}
              - {name: r, op: relu, inputs: [c]}
              - {name: s, op: softmax, inputs: [r]}
            """, null);

    static Box box(int... loHi) {
        int[] lo = new int[loHi.length / 2];
        int[] hi = new int[loHi.length / 2];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = loHi[2 * i];
            hi[i] = loHi[2 * i + 1];
        }
        return new Box(lo, hi);
    }

    /** Loop ranges over N G K C P Q R S. */
    static Box loops(int k0, int k1, int c0, int c1, int p0, int p1, int q0, int q1) {
        return box(0, 1, 0, 1, k0, k1, c0, c1, p0, p1, q0, q1, 0, 1, 0, 1);
    }

    static Mapping mapping(String op, int k, int c, int p, int q, Mapping.SpatialUnroll u) {
        Map<LoopDim, Integer> tile = new EnumMap<>(LoopDim.class);
        tile.putAll(Map.of(N, 1, G, 1, K, k, C, c, P, p, Q, q, R, 1, S, 1));
        return new Mapping(op, tile, u, List.of(N, G, K, P, Q, C, R, S), false);
    }

    static TileTask load(int id, String op, String tensor, Box region, int buffer, List<Integer> deps) {
        return new TileTask(id, TaskKind.LOAD, op, tensor, region, null, false, buffer, List.of(), List.of(), deps);
    }

    static TileTask compute(int id, String op, Box out, Box loops, boolean last, int alloc, List<Integer> reads,
                            List<Integer> deps) {
        return new TileTask(id, TaskKind.COMPUTE, op, op, out, loops, last, alloc, reads, List.of(), deps);
    }

    static TileTask store(int id, String tensor, Box region, int buffer, int dep) {
        return new TileTask(id, TaskKind.STORE, tensor, tensor, region, null, false, -1, List.of(buffer), List.of(),
                List.of(dep));
    }

    static TileTask free(int id, String op, int buffer, List<Integer> deps) {
        return new TileTask(id, TaskKind.FREE, op, "", new Box(new int[0], new int[0]), null, false, -1, List.of(),
                List.of(buffer), deps);
    }

    static final Box WHOLE = box(0, 1, 0, 8, 0, 4, 0, 4);

    /**
     * Three segments, one per operator, each loaded, computed in one step and stored. The conv's reduction is split in
     * two steps (C in halves), so its output tile holds 32-bit partial sums.
     */
    static Plan plan() {
        Map<String, Mapping> m = new LinkedHashMap<>();
        m.put("c", mapping("c", 8, 4, 4, 4, new Mapping.SpatialUnroll(K, 8, C, 4)));
        m.put("r", mapping("r", 8, 1, 4, 4, Mapping.SpatialUnroll.NONE));
        m.put("s", mapping("s", 8, 1, 4, 4, Mapping.SpatialUnroll.NONE));
        List<SegmentSchedule> segs = new ArrayList<>();
        // conv: x halves by channel, weight halves by C; 128 output elements at 4 bytes while the reduction runs
        List<BufferSpec> cb = List.of(new BufferSpec(0, "x", box(0, 1, 0, 4, 0, 4, 0, 4), 64),
                new BufferSpec(1, "c.weight", box(0, 8, 0, 4, 0, 1, 0, 1), 32),
                new BufferSpec(2, "c", WHOLE, 512),
                new BufferSpec(3, "x", box(0, 1, 4, 8, 0, 4, 0, 4), 64),
                new BufferSpec(4, "c.weight", box(0, 8, 4, 8, 0, 1, 0, 1), 32));
        List<TileTask> ct = List.of(
                load(0, "c", "x", cb.get(0).region(), 0, List.of()),
                load(1, "c", "c.weight", cb.get(1).region(), 1, List.of()),
                compute(2, "c", WHOLE, loops(0, 8, 0, 4, 0, 4, 0, 4), false, 2, List.of(0, 1), List.of(0, 1)),
                load(3, "c", "x", cb.get(3).region(), 3, List.of(2)),
                load(4, "c", "c.weight", cb.get(4).region(), 4, List.of(2)),
                compute(5, "c", WHOLE, loops(0, 8, 4, 8, 0, 4, 0, 4), true, -1, List.of(2, 3, 4), List.of(2, 3, 4)),
                store(6, "c", WHOLE, 2, 5),
                free(7, "c", 0, List.of(2)), free(8, "c", 1, List.of(2)), free(9, "c", 3, List.of(5)),
                free(10, "c", 4, List.of(5)), free(11, "c", 2, List.of(5, 6)));
        segs.add(new SegmentSchedule(0, List.of("c"), cb, ct, 0, 0));
        for (String op : List.of("r", "s")) {
            String in = op.equals("r") ? "c" : "r";
            List<BufferSpec> b = List.of(new BufferSpec(0, in, WHOLE, 128), new BufferSpec(1, op, WHOLE, 128));
            List<TileTask> t = List.of(load(0, op, in, WHOLE, 0, List.of()),
                    compute(1, op, WHOLE, loops(0, 8, 0, 1, 0, 4, 0, 4), true, 1, List.of(0), List.of(0)),
                    store(2, op, WHOLE, 1, 1), free(3, op, 0, List.of(1)), free(4, op, 1, List.of(1, 2)));
            segs.add(new SegmentSchedule(segs.size(), List.of(op), b, t, 0, 0));
        }
        return new Plan(new NetworkRef("rules.yaml", 1), EDGE, "hand", "FEASIBLE", m, segs);
    }

    static SimulationResult simulate(Plan p) {
        return new Simulator(NET, false).run(p);
    }

    static Plan withSegment(Plan p, int index, List<TileTask> tasks) {
        List<SegmentSchedule> segs = new ArrayList<>(p.segments());
        segs.set(index, segs.get(index).withTasks(tasks));
        return p.withSegments(segs);
    }

    static Plan withBuffers(Plan p, int index, List<BufferSpec> buffers) {
        List<SegmentSchedule> segs = new ArrayList<>(p.segments());
        segs.set(index, segs.get(index).withBuffers(buffers));
        return p.withSegments(segs);
    }

    static void assertCaught(Plan broken, Violation.Kind kind) {
        SimulationResult r = simulate(broken);
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == kind),
                () -> "expected " + kind + " but got " + r.violations());
    }

    @Test
    void theHandWrittenPlanRunsAsTimedByHand() {
        SimulationResult r = simulate(plan());
        assertTrue(r.legal(), () -> r.violations().toString());
        // conv: x half (64 B: 4 busy cycles, lands at 104) and weight half (32 B: 2 busy, starts at 4, lands at 106);
        // step 1 at 106: K 8/8 x C 4/4 x P 4 x Q 4 = 16 PE cycles vs port 64 + 32 read + 512 written = 608 B / 256
        // -> 3: 16 cycles, to 122; the second halves issue at 122 and 126 (the engine is busy 4 cycles): land at 226
        // and 228; step 2 at 228 also reads the partial sums back (1120 B, 5 port cycles): 16 cycles, to 244; store
        // of 128 B (8 busy cycles): 244 + 100 + 8 = 352
        assertEquals(352, r.segments().get(0).cycles());
        // relu: load 128 B lands at 108; 128 ops on 64 lanes = 2 cycles (256 port bytes: 1 cycle): 110; store: 218
        assertEquals(218, r.segments().get(1).cycles());
        // softmax: 128 points x 5 ops / 64 lanes = 10 cycles: 108 + 10 + 108
        assertEquals(226, r.segments().get(2).cycles());
        assertEquals(352 + 218 + 226, r.cycles());
        // the conv's output tile holds 32-bit partial sums (512 B) next to its four operand halves
        assertEquals(64 + 32 + 512 + 64 + 32, r.peakBufferBytes());
        assertEquals(128 + 64 + 128 + 128, r.dramReadBytes());
        assertEquals(3 * 128, r.dramWriteBytes());
        // energy, by hand: 1024 MACs x 0.3 pJ, 1024 x 2 bytes x 1.25 pJ register-file access; 128 + 640 vector ops x
        // 0.7 pJ; DRAM 832 bytes x 250 pJ; buffer: transfers 832 B, conv steps 608 + 1120 B, relu 256 B, softmax 256 B
        assertEquals(1024 * 0.3, r.energy().macPj(), 1e-9);
        assertEquals(1024 * 2 * 1.25, r.energy().peAccessPj(), 1e-9);
        assertEquals((128 + 640) * 0.7, r.energy().vectorPj(), 1e-9);
        assertEquals(832 * 250.0, r.energy().dramPj(), 1e-9);
        assertEquals((832 + 608 + 1120 + 256 + 256) * 2.5, r.energy().glbPj(), 1e-9);
    }

    @Test
    void aStepWaitsForThePortWhileTransfersShareIt() {
        MachineTiming t = new MachineTiming(EDGE);
        assertEquals(10, t.stepCycles(10, 2560, 0));
        // one running transfer takes 16 of the port's 256 bytes per cycle: 2560 / 240 = 10.7
        assertEquals(11, t.stepCycles(10, 2560, 1));
        assertEquals(116, t.dmaCycles(256));
        assertEquals(16, t.dmaBusyCycles(256));
    }

    @Test
    void anAccumulatorDeclaredAtActivationWidthIsCaught() {
        // the conv's partial sums declared at 1 byte per element: a quarter of what they take
        List<BufferSpec> b = new ArrayList<>(plan().segments().get(0).buffers());
        b.set(2, new BufferSpec(2, "c", WHOLE, 128));
        assertCaught(withBuffers(plan(), 0, b), Violation.Kind.BUFFER_TOO_SMALL);
    }

    @Test
    void anUnderstatedAccumulatorCannotHideAnOverflow() {
        // 700 bytes of buffer: the honest plan's 704-byte peak overflows, and the understated one must too
        Hardware hw = EDGE;
        Hardware small = new Hardware(hw.name(), hw.source(), hw.clockGHz(), hw.cores(), hw.peArray(),
                hw.vectorUnit(), new Hardware.GlobalBuffer(700, hw.globalBuffer().bandwidthBytesPerCycle(),
                hw.globalBuffer().readEnergyPjPerByte(), hw.globalBuffer().writeEnergyPjPerByte()), hw.dram(),
                hw.noc(), hw.dataWidths(), hw.energy());
        List<BufferSpec> b = new ArrayList<>(plan().segments().get(0).buffers());
        b.set(2, new BufferSpec(2, "c", WHOLE, 128));
        assertCaught(withBuffers(plan(), 0, b).withHardware(small), Violation.Kind.GLB_OVERFLOW);
    }

    @Test
    void twoLoadsOfTheSameHalfDoNotCompleteABuffer() {
        // one buffer for the whole relu input, filled by two loads of its first half
        Plan p = plan();
        List<BufferSpec> b = new ArrayList<>(p.segments().get(1).buffers());
        List<TileTask> t = new ArrayList<>(p.segments().get(1).tasks());
        Box half = box(0, 1, 0, 4, 0, 4, 0, 4);
        t.set(0, load(0, "r", "c", half, 0, List.of()));
        t.add(1, load(5, "r", "c", half, -1, List.of()));
        assertCaught(withSegment(p, 1, t), Violation.Kind.INPUT_NOT_READY);
    }

    @Test
    void aDependencyOnALaterTaskIsCaught() {
        Plan p = plan();
        List<TileTask> t = new ArrayList<>(p.segments().get(1).tasks());
        // the load waits for the compute that reads it: the order contradicts the dependencies
        t.set(0, t.get(0).withDeps(List.of(1)));
        assertCaught(withSegment(p, 1, t), Violation.Kind.MALFORMED);
    }

    @Test
    void aReductionSliceComputedTwiceAndAnotherNeverIsCaught() {
        Plan p = plan();
        List<TileTask> t = new ArrayList<>(p.segments().get(0).tasks());
        // step 2 redoes channels [0, 4) with the first halves instead of [4, 8)
        t.set(5, compute(5, "c", WHOLE, loops(0, 8, 0, 4, 0, 4, 0, 4), true, -1, List.of(2, 0, 1),
                List.of(2, 3, 4)));
        SimulationResult r = simulate(withSegment(p, 0, t));
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == Violation.Kind.TILE_RUN_TWICE), r.violations()::toString);
        assertTrue(r.violations().stream().anyMatch(v -> v.kind() == Violation.Kind.OUTPUT_NEVER_WRITTEN),
                r.violations()::toString);
    }

    @Test
    void aSoftmaxSplitAlongItsAxisIsCaught() {
        Plan p = plan();
        Map<String, Mapping> m = new LinkedHashMap<>(p.mappings());
        List<TileTask> t = new ArrayList<>(p.segments().get(2).tasks());
        // two steps over halves of the normalised (last) axis
        t.set(1, compute(1, "s", box(0, 1, 0, 8, 0, 4, 0, 2), loops(0, 8, 0, 1, 0, 4, 0, 2), true, 1, List.of(0),
                List.of(0)));
        t.add(2, compute(5, "s", box(0, 1, 0, 8, 0, 4, 2, 4), loops(0, 8, 0, 1, 0, 4, 2, 4), true, -1, List.of(0, 1),
                List.of(0, 1)));
        assertCaught(new Plan(p.network(), p.hardware(), p.planner(), p.solverStatus(), m, withSegment(p, 2, t)
                .segments()), Violation.Kind.ILLEGAL_STEP);
    }

    @Test
    void aStepThatDoesNotFollowTheMappingIsCaught() {
        Plan p = plan();
        Map<String, Mapping> m = new LinkedHashMap<>(p.mappings());
        // the plan says the relu runs in one tile of the whole tensor, the mapping says rows of 2
        m.put("r", mapping("r", 8, 1, 2, 4, Mapping.SpatialUnroll.NONE));
        assertCaught(new Plan(p.network(), p.hardware(), p.planner(), p.solverStatus(), m, p.segments()),
                Violation.Kind.ILLEGAL_STEP);
    }

    @Test
    void aTaskInAnotherOperatorsSegmentIsCaught() {
        Plan p = plan();
        List<TileTask> t = new ArrayList<>(p.segments().get(1).tasks());
        t.add(new TileTask(9, TaskKind.FREE, "s", "", new Box(new int[0], new int[0]), null, false, -1, List.of(),
                List.of(), List.of()));
        assertCaught(withSegment(p, 1, t), Violation.Kind.MALFORMED);
    }

    @Test
    void aLoadOutsideTheTensorIsCaught() {
        Plan p = plan();
        List<TileTask> t = new ArrayList<>(p.segments().get(1).tasks());
        t.set(0, load(0, "r", "c", box(0, 1, 0, 8, 0, 4, 0, 5), 0, List.of()));
        assertCaught(withSegment(p, 1, t), Violation.Kind.MALFORMED);
    }

    @Test
    void duplicateTaskIdsAreCaught() {
        Plan p = plan();
        List<TileTask> t = new ArrayList<>(p.segments().get(1).tasks());
        t.set(4, free(3, "r", 1, List.of(1, 2)));
        assertCaught(withSegment(p, 1, t), Violation.Kind.MALFORMED);
    }
}

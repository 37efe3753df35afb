package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.DmaTiming;
import dev.sfd.cost.EnergyBreakdown;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Lifetime and memory analysis of one segment at tile granularity: its cycles, DRAM bytes, energy and on-chip
 * memory for one mapping per layer, from the segment's {@link TileWalk} and the planner's one timeline engine
 * ({@link TileTimeline}), the same computation the tile scheduler makes, without building task records.
 *
 * <ul>
 *   <li><b>DRAM bytes, busy cycles and energy</b> are sums over the walk's loads, stores and steps: the reuse rule,
 *       re-fetches, halos, views and edge tiles are all in the walk. Energy has the cost model's components: MACs
 *       and register-file accesses per MAC, vector operations, buffer reads and writes of every step (the port
 *       traffic) and of every transfer, DRAM, and leakage over the cycles.</li>
 *   <li><b>Cycles</b> and whether the segment <b>fits</b> the buffer: the timeline engine's ordering and in-order
 *       timing, under the run-ahead policy that is fastest ({@link TileTimeline#scheduleBest}).</li>
 *   <li><b>Memory</b>: {@link Analysis#minWorkingSetBytes()} is the largest set of buffers one compute step holds
 *       at once (its operand slices, the producer tiles it reads, its output tile): no schedule of the segment can
 *       run in less. {@link Analysis#timelinePeakBytes()} is the peak occupancy of the engine's order.</li>
 * </ul>
 */
public final class SegmentAnalyzer {
    private final TileWalk walk;

    public SegmentAnalyzer(Network net, Hardware hw) {
        this(new TileWalk(net, new CostModel(hw)));
    }

    public SegmentAnalyzer(TileWalk walk) {
        this.walk = Objects.requireNonNull(walk, "walk");
    }

    /**
     * Figures of one segment.
     *
     * @param feasible whether the timeline engine fits the segment in the buffer (when not, {@code cycles} is 0)
     * @param cycles latency of the engine's order
     * @param dramReadBytes bytes loaded from DRAM
     * @param dramWriteBytes bytes stored to DRAM
     * @param energy energy by component, leakage over {@code cycles} included
     * @param peCycles busy cycles of the PE array
     * @param vectorCycles busy cycles of the vector unit
     * @param dmaBusyCycles busy cycles of the DMA engines, summed
     * @param minWorkingSetBytes the least buffer any schedule of the segment needs
     * @param timelinePeakBytes peak buffer use of the engine's order
     * @param tasks tile events of the segment (loads, steps, stores, frees)
     * @param runAhead how far its loads run ahead in the engine's fastest order ({@link TileTimeline#scheduleBest})
     */
    public record Analysis(boolean feasible, long cycles, long dramReadBytes, long dramWriteBytes,
                           EnergyBreakdown energy, long peCycles, long vectorCycles, long dmaBusyCycles,
                           long minWorkingSetBytes, long timelinePeakBytes, long tasks,
                           TileTimeline.RunAhead runAhead) {
        public long dramBytes() {
            return dramReadBytes + dramWriteBytes;
        }

        public double energyPj() {
            return energy.totalPj();
        }

        /** Whether a schedule of the segment may fit in {@code capacityBytes} (necessary, not sufficient). */
        public boolean mayFit(long capacityBytes) {
            return minWorkingSetBytes <= capacityBytes;
        }
    }

    /**
     * @param index segment index (for messages)
     * @param operators the segment's operators
     * @param mappings mapping of every compute operator of the segment (others are ignored)
     */
    public Analysis analyze(int index, List<String> operators, Map<String, Mapping> mappings) {
        return analyze(index, operators, mappings, null);
    }

    /**
     * As {@link #analyze(int, List, Map)}, timed under one run-ahead {@code policy}, or under the fastest one when it
     * is null.
     */
    public Analysis analyze(int index, List<String> operators, Map<String, Mapping> mappings,
                            TileTimeline.RunAhead policy) {
        Collector c = new Collector(walk.network(), walk.hardware());
        long t0 = System.nanoTime();
        walk.walk(index, operators, mappings, c);
        long t1 = System.nanoTime();
        Analysis a = c.result(policy);
        if (LOGGER.isTraceEnabled()) {
            LOGGER.trace("analysed ({}) operators: ({}) events, walk ({} ms), timeline ({} ms): {}", operators.size(),
                    a.tasks(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, operators);
        }
        return a;
    }

    private static final org.apache.logging.log4j.Logger LOGGER = org.apache.logging.log4j.LogManager.getLogger();

    /** The analysis of every segment of a plan, in execution order. */
    public List<Analysis> analyzeAll(List<List<String>> segments, Map<String, Mapping> mappings) {
        List<Analysis> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            out.add(analyze(i, segments.get(i), mappings));
        }
        return out;
    }

    /**
     * Feeds a walk into a {@link TileTimeline} with the planner's timing (step cycles from the walk, transfers by
     * {@link DmaTiming}) and operator ranks in walk order. Shared by the analyser and the tile scheduler.
     */
    public static class TimelineFeed implements TileWalk.Visitor {
        protected final Hardware hw;
        protected final TileTimeline timeline = new TileTimeline();
        private final Map<String, Integer> ranks = new HashMap<>();
        private static final int[] NONE = new int[0];

        public TimelineFeed(Hardware hw) {
            this.hw = Objects.requireNonNull(hw, "hw");
        }

        public TileTimeline timeline() {
            return timeline;
        }

        protected int rank(String operator) {
            return ranks.computeIfAbsent(operator, k -> ranks.size());
        }

        @Override
        public void buffer(int id, String tensor, Box region, long bytes) {
            timeline.buffer(id, bytes);
        }

        @Override
        public void load(int task, String operator, String tensor, Box region, int buffer, long bytes,
                         int prefetchDep, boolean weight) {
            check(task, timeline.event(TileTimeline.DMA, DmaTiming.transferCycles(hw, bytes),
                    DmaTiming.busyCycles(hw, bytes), buffer, NONE, prefetchDep < 0 ? NONE : new int[] {prefetchDep},
                    rank(operator)));
            if (prefetchDep >= 0) {
                timeline.depthBound(task, weight);
            }
        }

        @Override
        public void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last,
                            int allocates, int[] reads, int[] deps, OpKind.ComputeUnit unit,
                            long cycles, long readBytes, long writeBytes) {
            byte u = switch (unit) {
                case PE_ARRAY -> TileTimeline.PE;
                case VECTOR -> TileTimeline.VECTOR;
                case NONE -> TileTimeline.NONE;
            };
            check(task, timeline.event(u, cycles, u == TileTimeline.NONE ? 0 : cycles, allocates, NONE, deps,
                    rank(operator)));
        }

        @Override
        public void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep) {
            check(task, timeline.event(TileTimeline.DMA, DmaTiming.transferCycles(hw, bytes),
                    DmaTiming.busyCycles(hw, bytes), -1, NONE, new int[] {dep}, rank(operator)));
        }

        @Override
        public void free(int task, String owner, String tensor, Box region, int buffer, int[] deps) {
            check(task, timeline.event(TileTimeline.NONE, 0, 0, -1, new int[] {buffer}, deps, rank(owner)));
        }

        private static void check(int task, int event) {
            if (task != event) {
                throw new IllegalStateException("tile walk event " + task + " out of order");
            }
        }
    }

    /** Traffic, energy and working-set bookkeeping on top of the timeline feed. */
    private static final class Collector extends TimelineFeed {
        final Network net;
        final Map<String, Double> opsPerPoint = new HashMap<>();
        long[] bufferBytes = new long[256];
        long dramRead;
        long dramWrite;
        long peBusy;
        long vectorBusy;
        long dmaBusy;
        long minWorkingSet;
        double macPj;
        double vectorPj;
        double glbPj;
        double dramPj;
        double peAccessPj;

        Collector(Network net, Hardware hw) {
            super(hw);
            this.net = net;
        }

        @Override
        public void buffer(int id, String tensor, Box region, long bytes) {
            super.buffer(id, tensor, region, bytes);
            if (id >= bufferBytes.length) {
                bufferBytes = java.util.Arrays.copyOf(bufferBytes, Math.max(id + 1, bufferBytes.length * 2));
            }
            bufferBytes[id] = bytes;
        }

        @Override
        public void load(int task, String operator, String tensor, Box region, int buffer, long bytes,
                         int prefetchDep, boolean weight) {
            super.load(task, operator, tensor, region, buffer, bytes, prefetchDep, weight);
            dramRead += bytes;
            dmaBusy += DmaTiming.busyCycles(hw, bytes);
            dramPj += bytes * hw.dram().readEnergyPjPerByte();
            glbPj += bytes * hw.globalBuffer().writeEnergyPjPerByte();
        }

        @Override
        public void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last,
                            int allocates, int[] reads, int[] deps, OpKind.ComputeUnit unit,
                            long cycles, long readBytes, long writeBytes) {
            super.compute(task, operator, outTensor, outBox, loops, last, allocates, reads, deps, unit, cycles,
                    readBytes, writeBytes);
            long working = allocates >= 0 ? bufferBytes[allocates] : 0;
            for (int b : reads) {
                working += bufferBytes[b];
            }
            minWorkingSet = Math.max(minWorkingSet, working);
            long volume = loops.elements();
            if (unit == OpKind.ComputeUnit.PE_ARRAY) {
                peBusy += cycles;
                macPj += volume * hw.energy().macPj();
                peAccessPj += volume * (hw.dataWidths().activationBits() + hw.dataWidths().weightBits()) / 8.0
                        * hw.energy().peAccessPjPerByte();
            } else if (unit == OpKind.ComputeUnit.VECTOR) {
                vectorBusy += cycles;
                double ops = opsPerPoint.computeIfAbsent(operator,
                        o -> net.loopNest(o).map(LoopNest::opsPerPoint).map(Number::doubleValue).orElse(0.0));
                vectorPj += volume * ops * hw.energy().vectorOpPj();
            }
            glbPj += readBytes * hw.globalBuffer().readEnergyPjPerByte()
                    + writeBytes * hw.globalBuffer().writeEnergyPjPerByte();
        }

        @Override
        public void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep) {
            super.store(task, operator, tensor, box, buffer, bytes, dep);
            dramWrite += bytes;
            dmaBusy += DmaTiming.busyCycles(hw, bytes);
            dramPj += bytes * hw.dram().writeEnergyPjPerByte();
            glbPj += bytes * hw.globalBuffer().readEnergyPjPerByte();
        }

        Analysis result(TileTimeline.RunAhead policy) {
            long capacity = hw.globalBuffer().capacityBytes();
            int engines = hw.dram().dmaEngines();
            TileTimeline.Result r = policy == null ? timeline.scheduleBest(capacity, engines)
                    : timeline.schedule(capacity, engines, policy);
            long cycles = r.feasible() ? r.makespan() : 0;
            EnergyBreakdown energy = new EnergyBreakdown(macPj, vectorPj, glbPj, dramPj, peAccessPj,
                    hw.energy().leakagePjPerCycle() * cycles);
            return new Analysis(r.feasible(), cycles, dramRead, dramWrite, energy, peBusy, vectorBusy, dmaBusy,
                    minWorkingSet, r.peakBytes(), timeline.size(), r.runAhead());
        }
    }
}

package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.DmaTiming;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Lifetime and memory analysis of one segment at tile granularity: its predicted cycles, DRAM bytes, energy and
 * on-chip memory for one mapping per layer, derived from the segment's {@link TileWalk} without scheduling it.
 *
 * <ul>
 *   <li><b>DRAM bytes and busy cycles</b> are sums over the walk's loads, stores and compute steps: the reuse
 *       rule, re-fetches, halos, views and edge tiles are all in the walk, so they are exact.</li>
 *   <li><b>Cycles</b> come from an event-driven replay of the walk on the hardware's units (the PE array, the
 *       vector unit, each DMA engine): whenever a unit is idle it starts the ready event that the walk created
 *       first whose allocation fits the buffer (once that event waits for memory, later ones may pass it only if
 *       they allocate nothing; when nothing runs and nothing fits, the first ready event starts anyway). A DMA
 *       transfer holds its engine for the bytes at the bandwidth and completes the DRAM latency later. This is
 *       neither the tile scheduler's priority (it prefers events that free memory) nor its headroom rule, so
 *       the two part where those matter; docs/segmentation.md records by how much.</li>
 *   <li><b>Memory</b>: {@link Analysis#minWorkingSetBytes()} is the largest set of buffers one compute step
 *       holds at once (its operand slices, the producer tiles it reads, its output tile): no schedule of the
 *       segment can run in less. {@link Analysis#timelinePeakBytes()} is the peak of the replay above, where
 *       every buffer lives from the start of the event that allocates it to the end of its last user (above the
 *       capacity only when the replay had to force an event).</li>
 *   <li><b>Energy</b> = MACs and vector operations of every step, buffer reads of every step and writes of
 *       every completed output tile, DRAM and buffer energy of every transfer, plus leakage over the predicted
 *       cycles (the constants of the hardware record).</li>
 * </ul>
 *
 * <p>How close this is to the simulator is measured on every zoo network by {@code SfdPlannerZooTest} (test
 * sources) and documented in docs/segmentation.md.
 */
public final class SegmentAnalyzer {
    private final TileWalk walk;

    public SegmentAnalyzer(Network net, Hardware hw) {
        this(new TileWalk(net, hw, new CostModel(hw)::tileComputeCycles));
    }

    public SegmentAnalyzer(TileWalk walk) {
        this.walk = Objects.requireNonNull(walk, "walk");
    }

    /**
     * Predicted figures of one segment.
     *
     * @param cycles predicted latency (see the class comment)
     * @param dramReadBytes bytes loaded from DRAM
     * @param dramWriteBytes bytes stored to DRAM
     * @param energyPj predicted energy, leakage over {@code cycles} included
     * @param peCycles busy cycles of the PE array
     * @param vectorCycles busy cycles of the vector unit
     * @param dmaBusyCycles busy cycles of the DMA engines, summed
     * @param minWorkingSetBytes the least buffer any schedule of the segment needs
     * @param timelinePeakBytes peak buffer use of the predicted timeline
     * @param tasks tile events of the segment (loads, steps, stores, frees)
     */
    public record Analysis(long cycles, long dramReadBytes, long dramWriteBytes, double energyPj, long peCycles,
                           long vectorCycles, long dmaBusyCycles, long minWorkingSetBytes, long timelinePeakBytes,
                           long tasks) {
        public long dramBytes() {
            return dramReadBytes + dramWriteBytes;
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
        Timeline t = new Timeline(walk.network(), walk.hardware());
        walk.walk(index, operators, mappings, t);
        return t.result();
    }

    /** Traffic, energy and working-set bookkeeping fed by the walk, plus the compact event graph for the timeline. */
    private static final class Timeline implements TileWalk.Visitor {
        static final byte NONE = 0;
        static final byte PE = 1;
        static final byte VECTOR = 2;
        static final byte DMA = 3;

        static final int FIT_LOOKAHEAD = 32;

        final Network net;
        final Hardware hw;
        int[] free;
        int n;
        byte[] unit = new byte[1024];
        long[] duration = new long[1024];
        long[] busy = new long[1024];
        int[] allocates = new int[1024];
        int[] depStart = new int[1025];
        int[] deps = new int[4096];
        int depCount;
        long[] bufferBytes = new long[1024];
        final Map<String, Double> opsPerPoint = new HashMap<>();
        long dramRead;
        long dramWrite;
        long peBusy;
        long vectorBusy;
        long dmaBusy;
        long minWorkingSet;
        double energy;

        Timeline(Network net, Hardware hw) {
            this.net = net;
            this.hw = hw;
        }

        @Override
        public void buffer(int id, String tensor, Box region, long bytes) {
            if (id >= bufferBytes.length) {
                bufferBytes = Arrays.copyOf(bufferBytes, Math.max(id + 1, bufferBytes.length * 2));
            }
            bufferBytes[id] = bytes;
        }

        @Override
        public void load(int task, String operator, String tensor, Box region, int buffer, long bytes,
                         int prefetchDep) {
            long b = DmaTiming.busyCycles(hw, bytes);
            event(task, DMA, DmaTiming.transferCycles(hw, bytes), b, buffer,
                    prefetchDep < 0 ? List.of() : List.of(prefetchDep));
            dramRead += bytes;
            dmaBusy += b;
            energy += bytes * (hw.dram().readEnergyPjPerByte() + hw.globalBuffer().writeEnergyPjPerByte());
        }

        @Override
        public void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last,
                            int allocates, List<Integer> reads, List<Integer> deps, OpKind.ComputeUnit unit,
                            long cycles, long readBytes) {
            byte u = switch (unit) {
                case PE_ARRAY -> PE;
                case VECTOR -> VECTOR;
                case NONE -> NONE;
            };
            event(task, u, cycles, u == NONE ? 0 : cycles, allocates, deps);
            long working = allocates >= 0 ? bufferBytes[allocates] : 0;
            for (int b : reads) {
                working += bufferBytes[b];
            }
            minWorkingSet = Math.max(minWorkingSet, working);
            long volume = loops.elements();
            if (unit == OpKind.ComputeUnit.PE_ARRAY) {
                peBusy += cycles;
                energy += volume * hw.energy().macPj();
            } else if (unit == OpKind.ComputeUnit.VECTOR) {
                vectorBusy += cycles;
                double ops = opsPerPoint.computeIfAbsent(operator,
                        o -> net.loopNest(o).map(LoopNest::opsPerPoint).map(Number::doubleValue).orElse(0.0));
                energy += volume * ops * hw.energy().vectorOpPj();
            }
            energy += readBytes * hw.globalBuffer().readEnergyPjPerByte();
            if (last) {
                energy += outBox.elements() * hw.dataWidths().activationBytes()
                        * hw.globalBuffer().writeEnergyPjPerByte();
            }
        }

        @Override
        public void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep) {
            long b = DmaTiming.busyCycles(hw, bytes);
            event(task, DMA, DmaTiming.transferCycles(hw, bytes), b, -1, List.of(dep));
            dramWrite += bytes;
            dmaBusy += b;
            energy += bytes * (hw.dram().writeEnergyPjPerByte() + hw.globalBuffer().readEnergyPjPerByte());
        }

        @Override
        public void free(int task, String owner, String tensor, Box region, int buffer, List<Integer> deps) {
            event(task, NONE, 0, 0, -2 - buffer, deps);
        }

        /** @param alloc buffer allocated at the start (>= 0), buffer freed at the end ({@code -2 - id}), or -1 */
        void event(int task, byte u, long dur, long busyCycles, int alloc, List<Integer> ds) {
            if (task != n) {
                throw new IllegalStateException("tile walk event " + task + " out of order");
            }
            if (n + 1 >= unit.length) {
                int cap = unit.length * 2;
                unit = Arrays.copyOf(unit, cap);
                duration = Arrays.copyOf(duration, cap);
                busy = Arrays.copyOf(busy, cap);
                allocates = Arrays.copyOf(allocates, cap);
                depStart = Arrays.copyOf(depStart, cap + 1);
            }
            if (depCount + ds.size() > deps.length) {
                deps = Arrays.copyOf(deps, Math.max(depCount + ds.size(), deps.length * 2));
            }
            unit[n] = u;
            duration[n] = dur;
            busy[n] = busyCycles;
            allocates[n] = alloc;
            for (int d : ds) {
                deps[depCount++] = d;
            }
            n++;
            depStart[n] = depCount;
        }

        /**
         * Event-driven replay of the walk within {@code capacity} bytes (see the class comment). Returns
         * {makespan, peak live bytes}.
         */
        long[] replay(long capacity) {
            int[] remaining = new int[n];
            int[] succCount = new int[n + 1];
            for (int t = 0; t < n; t++) {
                remaining[t] = depStart[t + 1] - depStart[t];
                for (int k = depStart[t]; k < depStart[t + 1]; k++) {
                    succCount[deps[k] + 1]++;
                }
            }
            for (int t = 0; t < n; t++) {
                succCount[t + 1] += succCount[t];
            }
            int[] succ = new int[depCount];
            int[] fill = Arrays.copyOf(succCount, n);
            for (int t = 0; t < n; t++) {
                for (int k = depStart[t]; k < depStart[t + 1]; k++) {
                    succ[fill[deps[k]]++] = t;
                }
            }
            free = new int[] {Integer.MAX_VALUE, 1, 1, Math.max(1, hw.dram().dmaEngines())};
            IntHeap[] ready = {new IntHeap(), new IntHeap(), new IntHeap(), new IntHeap()};
            for (int t = 0; t < n; t++) {
                if (remaining[t] == 0) {
                    ready[unit[t]].add(t);
                }
            }
            // running events: (time, kind 0 = release unit / 1 = complete, task), ordered by time then kind
            PriorityQueue<long[]> running = new PriorityQueue<>((a, b) ->
                    a[0] != b[0] ? Long.compare(a[0], b[0]) : a[1] != b[1] ? Long.compare(a[1], b[1])
                            : Long.compare(a[2], b[2]));
            long now = 0;
            long live = 0;
            long peak = 0;
            int done = 0;
            while (done < n) {
                for (int u = 0; u < 4; u++) {
                    while (free[u] > 0 && !ready[u].isEmpty()) {
                        int t = fitting(ready[u], live, capacity);
                        if (t < 0) {
                            break;
                        }
                        live += start(t, u, now, running);
                        peak = Math.max(peak, live);
                    }
                }
                if (running.isEmpty()) {
                    // nothing runs and nothing ready fits: the lowest ready event starts anyway (over capacity)
                    int forced = -1;
                    int forcedUnit = -1;
                    for (int u = 0; u < 4; u++) {
                        if (free[u] > 0 && !ready[u].isEmpty() && (forced < 0 || ready[u].peek() < forced)) {
                            forced = ready[u].peek();
                            forcedUnit = u;
                        }
                    }
                    if (forced < 0) {
                        throw new IllegalStateException("tile walk has a dependency cycle");
                    }
                    ready[forcedUnit].poll();
                    live += start(forced, forcedUnit, now, running);
                    peak = Math.max(peak, live);
                }
                now = running.peek()[0];
                while (!running.isEmpty() && running.peek()[0] == now) {
                    long[] e = running.poll();
                    int t = (int) e[2];
                    if (e[1] == 0) {
                        free[unit[t]]++;
                        continue;
                    }
                    done++;
                    if (allocates[t] <= -2) {
                        live -= bufferBytes[-2 - allocates[t]];
                    }
                    for (int k = succCount[t]; k < succCount[t + 1]; k++) {
                        int s = succ[k];
                        if (--remaining[s] == 0) {
                            ready[unit[s]].add(s);
                        }
                    }
                }
            }
            return new long[] {now, peak};
        }

        /** Starts event {@code t} on unit {@code u}; returns the bytes it allocates. */
        long start(int t, int u, long now, PriorityQueue<long[]> running) {
            if (u != NONE && busy[t] > 0) {
                free[u]--;
                running.add(new long[] {now + busy[t], 0, t});
            }
            running.add(new long[] {now + duration[t], 1, t});
            return allocates[t] >= 0 ? bufferBytes[allocates[t]] : 0;
        }

        /**
         * The first ready event (lowest id, looking at the first {@link #FIT_LOOKAHEAD}) whose allocation fits
         * next to {@code live} bytes, removed from {@code ready}; -1 when none does.
         */
        int fitting(IntHeap ready, long live, long capacity) {
            int[] skipped = new int[FIT_LOOKAHEAD];
            int nSkipped = 0;
            int found = -1;
            while (!ready.isEmpty() && nSkipped < FIT_LOOKAHEAD) {
                int t = ready.poll();
                long alloc = allocates[t] >= 0 ? bufferBytes[allocates[t]] : 0;
                // once the first event waits for memory, later ones may pass it only if they allocate nothing
                if (nSkipped == 0 ? live + alloc <= capacity : alloc == 0) {
                    found = t;
                    break;
                }
                skipped[nSkipped++] = t;
            }
            for (int i = 0; i < nSkipped; i++) {
                ready.add(skipped[i]);
            }
            return found;
        }

        SegmentAnalyzer.Analysis result() {
            long[] timeline = replay(hw.globalBuffer().capacityBytes());
            double total = energy + hw.energy().leakagePjPerCycle() * timeline[0];
            return new Analysis(timeline[0], dramRead, dramWrite, total, peBusy, vectorBusy, dmaBusy, minWorkingSet,
                    timeline[1], n);
        }
    }

    /** A min-heap of ints (event ids: lowest first). */
    private static final class IntHeap {
        int[] a = new int[64];
        int size;

        boolean isEmpty() {
            return size == 0;
        }

        void add(int x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0 && a[(i - 1) / 2] > x) {
                a[i] = a[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            a[i] = x;
        }

        int peek() {
            return a[0];
        }

        int poll() {
            int top = a[0];
            int x = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= x) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = x;
            return top;
        }
    }

    /** The analysis of every segment of a plan, in execution order. */
    public List<Analysis> analyzeAll(List<List<String>> segments, Map<String, Mapping> mappings) {
        List<Analysis> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            out.add(analyze(i, segments.get(i), mappings));
        }
        return out;
    }
}

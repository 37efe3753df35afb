package dev.sfd.schedule;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;
import dev.sfd.workload.TensorViews;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the tile task graph of one segment from its operators' mappings.
 *
 * <p>Each compute operator walks its mapping's tile grid over all eight loop dims in the mapping's outer loop
 * order (outermost first). One grid point is one COMPUTE <em>step</em>; the steps that share the output (non
 * reduction) indices form one output tile, whose buffer is allocated by its first step and complete after its
 * last. Per step, every operand region comes from the loop nest's projections (the arithmetic of
 * {@link dev.sfd.workload.Regions}); activation regions are traced through layout views to physical tensors
 * with {@link TensorViews}.
 *
 * <ul>
 *   <li>A physical input produced inside the segment stays on chip: the step depends on exactly the producer
 *       output tiles whose boxes intersect the region it reads, and reads their buffers.</li>
 *   <li>Anything else (network inputs, tensors from earlier segments, weights) is LOADed from DRAM into a
 *       slice buffer. <b>Reuse rule</b>: a slice stays on chip while consecutive steps, in the mapping's outer
 *       loop order, read the same region of the same tensor through the same operand; when the region changes
 *       the next region is loaded (and the old slice freed once its readers finish). So weights are loaded once
 *       and resident when the weight-indexing dims (K, C, R, S, G) are outside the activation dims, and
 *       re-fetched per tile otherwise; the same rule decides input re-fetches.</li>
 *   <li>Prefetch depth: the LOAD of step {@code i} waits for COMPUTE step {@code i-D}: {@code D = 1} without
 *       double buffering; with it, {@code D >= 2} steps deep enough to hide the DRAM latency (see
 *       {@code prefetchDepth}); the buffer capacity still bounds what is in flight.</li>
 *   <li>An output tile needed outside the segment (a consumer in another segment, or a network output, through
 *       views) is STOREd after its last step. Every buffer gets exactly one FREE that waits for all its users.</li>
 * </ul>
 */
public final class TileGraphBuilder {
    private static final LoopDim[] DIMS = LoopDim.values();

    private final Network net;
    private final Hardware hw;
    private final TileCycleModel cycleModel;

    public TileGraphBuilder(Network net, Hardware hw, TileCycleModel cycleModel) {
        this.net = Objects.requireNonNull(net, "net");
        this.hw = Objects.requireNonNull(hw, "hw");
        this.cycleModel = Objects.requireNonNull(cycleModel, "cycleModel");
    }

    /**
     * @param index segment index
     * @param operators operator names of the segment
     * @param mappings mapping of every compute operator of the segment
     * @param segmentOf segment index of every operator of the network
     */
    public TaskGraph build(int index, List<String> operators, Map<String, Mapping> mappings,
                           Map<String, Integer> segmentOf) {
        return new Build(index, operators, mappings, segmentOf).run();
    }

    private record ProducedTile(Box box, int buffer, int lastTask) {
    }

    private static final class Slot {
        String tensor;
        Box region;
        int buffer;
        int loadTask;
    }

    private static final class OutTile {
        Box box;
        int buffer = -1;
        int stepsDone;
        int lastTask = -1;
        long cycles;
        long reductionVolume;
        long doneVolume;
    }

    private final class Build {
        final int index;
        final List<String> operators;
        final Map<String, Mapping> mappings;
        final Map<String, Integer> segmentOf;
        final Set<String> inSegment;
        final List<TileTask> tasks = new ArrayList<>();
        final List<TaskResource> resources = new ArrayList<>();
        final List<Long> durations = new ArrayList<>();
        final List<Long> busy = new ArrayList<>();
        final List<BufferSpec> buffers = new ArrayList<>();
        final List<List<Integer>> users = new ArrayList<>();
        final Map<String, List<ProducedTile>> onChip = new HashMap<>();

        Build(int index, List<String> operators, Map<String, Mapping> mappings, Map<String, Integer> segmentOf) {
            this.index = index;
            List<String> sorted = new ArrayList<>(operators);
            sorted.sort(Comparator.comparingInt(net::topoIndex));
            this.operators = sorted;
            this.mappings = mappings;
            this.segmentOf = segmentOf;
            this.inSegment = new HashSet<>(sorted);
        }

        TaskGraph run() {
            for (String name : operators) {
                Operator op = net.operator(name);
                if (net.loopNest(name).isPresent()) {
                    addOperator(op, net.loopNest(name).get());
                }
            }
            for (int b = 0; b < buffers.size(); b++) {
                List<Integer> deps = users.get(b).stream().distinct().sorted().toList();
                BufferSpec spec = buffers.get(b);
                String owner = tasks.get(users.get(b).get(0)).operator();
                add(new TileTask(tasks.size(), TaskKind.FREE, owner, spec.tensor(), spec.region(), null, false, -1,
                        List.of(), List.of(b), deps), TaskResource.NONE, 0);
            }
            long[] d = new long[durations.size()];
            long[] u = new long[durations.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = durations.get(i);
                u[i] = busy.get(i);
            }
            return new TaskGraph(index, operators, buffers, tasks, resources, d, u);
        }

        int add(TileTask t, TaskResource r, long cycles) {
            return add(t, r, cycles, cycles);
        }

        int add(TileTask t, TaskResource r, long cycles, long busyCycles) {
            tasks.add(t);
            resources.add(r);
            durations.add(cycles);
            busy.add(busyCycles);
            return t.id();
        }

        int newBuffer(String tensor, Box region, long bytes) {
            int id = buffers.size();
            buffers.add(new BufferSpec(id, tensor, region, bytes));
            users.add(new ArrayList<>());
            return id;
        }

        void addOperator(Operator op, LoopNest nest) {
            Mapping m = mappings.get(op.name());
            if (m == null) {
                throw new IllegalArgumentException("segment " + index + ": operator '" + op.name() + "' has no mapping");
            }
            int[] bound = new int[DIMS.length];
            int[] tile = new int[DIMS.length];
            int[] count = new int[DIMS.length];
            for (LoopDim d : DIMS) {
                int i = d.ordinal();
                bound[i] = nest.bound(d);
                tile[i] = nest.wholeDims().contains(d) ? bound[i] : Math.max(1, Math.min(m.tile(d), bound[i]));
                count[i] = (bound[i] + tile[i] - 1) / tile[i];
            }
            int reductionSteps = count[LoopDim.C.ordinal()] * count[LoopDim.R.ordinal()] * count[LoopDim.S.ordinal()];
            Operand outOperand = nest.output();
            Tensor out = net.tensor(outOperand.tensor());
            boolean needsDram = TensorViews.reachesOutput(net, out.name());
            boolean consumedOnChip = false;
            for (Operator c : TensorViews.computeConsumers(net, out.name())) {
                if (inSegment.contains(c.name())) {
                    consumedOnChip = true;
                } else {
                    needsDram = true;
                }
            }
            double outBytesPerElement = reductionSteps > 1 ? hw.dataWidths().accumulatorBytes()
                    : hw.dataWidths().activationBytes();
            TaskResource unit = TaskResource.of(TaskKind.COMPUTE, nest.unit());
            List<LoopDim> order = m.outerOrder();
            int[] idx = new int[DIMS.length];
            Map<Integer, Slot> slots = new HashMap<>();
            Map<Long, OutTile> outTiles = new HashMap<>();
            List<Integer> computeTasks = new ArrayList<>();
            List<Operand> reads = nest.reads();
            int depth = 0;
            long total = 1;
            for (int c : count) {
                total *= c;
            }
            for (long step = 0; step < total; step++) {
                if (step > 0) {
                    for (int j = order.size() - 1; j >= 0; j--) {
                        int i = order.get(j).ordinal();
                        if (++idx[i] < count[i]) {
                            break;
                        }
                        idx[i] = 0;
                    }
                }
                int[] lo = new int[DIMS.length];
                int[] hi = new int[DIMS.length];
                Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(LoopDim.class);
                long outKey = 0;
                long stepVolume = 1;
                for (LoopDim d : DIMS) {
                    int i = d.ordinal();
                    lo[i] = idx[i] * tile[i];
                    hi[i] = Math.min(bound[i], lo[i] + tile[i]);
                    loops.put(d, new AxisExpr.Range(lo[i], hi[i], bound[i]));
                    if (!d.isReduction()) {
                        outKey = outKey * count[i] + idx[i];
                    } else {
                        stepVolume *= hi[i] - lo[i];
                    }
                }
                OutTile ot = outTiles.get(outKey);
                if (ot == null) {
                    ot = new OutTile();
                    ot.box = nest.region(outOperand, out.shape(), loops);
                    Map<LoopDim, AxisExpr.Range> full = new EnumMap<>(loops);
                    ot.reductionVolume = 1;
                    for (LoopDim d : DIMS) {
                        if (d.isReduction()) {
                            full.put(d, AxisExpr.Range.full(bound[d.ordinal()]));
                            ot.reductionVolume *= bound[d.ordinal()];
                        }
                    }
                    ot.cycles = cycleModel.tileComputeCycles(net, op, m, full);
                    outTiles.put(outKey, ot);
                }
                int taskId;
                List<Integer> deps = new ArrayList<>();
                List<Integer> readBuffers = new ArrayList<>();
                if (ot.stepsDone > 0) {
                    deps.add(ot.lastTask);
                    readBuffers.add(ot.buffer);
                }
                if (depth == 0) {
                    depth = prefetchDepth(nest, m, tile, ot.cycles / Math.max(1, reductionSteps));
                }
                int n = computeTasks.size();
                int prefetchDep = n >= depth ? computeTasks.get(n - depth) : -1;
                for (int r = 0; r < reads.size(); r++) {
                    Operand operand = reads.get(r);
                    Tensor t = net.tensor(operand.tensor());
                    Box region = nest.region(operand, t.shape(), loops);
                    if (region.isEmpty()) {
                        continue;
                    }
                    List<TensorViews.Part> parts = operand.role() == Operand.Role.WEIGHT
                            ? List.of(new TensorViews.Part(t.name(), region))
                            : TensorViews.resolve(net, t.name(), region);
                    for (int p = 0; p < parts.size(); p++) {
                        TensorViews.Part part = parts.get(p);
                        List<ProducedTile> produced = producedOnChip(part.tensor());
                        if (produced != null) {
                            boolean found = false;
                            for (ProducedTile pt : produced) {
                                if (pt.box().intersects(part.region())) {
                                    deps.add(pt.lastTask());
                                    readBuffers.add(pt.buffer());
                                    found = true;
                                }
                            }
                            if (!found) {
                                throw new IllegalStateException(op.name() + ": no producer tile of " + part.tensor()
                                        + " covers " + part.region());
                            }
                            continue;
                        }
                        int key = r * 1024 + p;
                        Slot s = slots.get(key);
                        if (s == null || !s.region.equals(part.region()) || !s.tensor.equals(part.tensor())) {
                            if (s == null) {
                                s = new Slot();
                                slots.put(key, s);
                            }
                            Tensor pt = net.tensor(part.tensor());
                            long bytes = bytes(part.region().elements(), hw.bytesPerElement(pt.isWeight()));
                            s.tensor = part.tensor();
                            s.region = part.region();
                            s.buffer = newBuffer(part.tensor(), part.region(), bytes);
                            s.loadTask = tasks.size();
                            users.get(s.buffer).add(s.loadTask);
                            add(new TileTask(s.loadTask, TaskKind.LOAD, op.name(), part.tensor(), part.region(), null,
                                    false, s.buffer, List.of(), List.of(), prefetchDep < 0 ? List.of() : List.of(prefetchDep)),
                                    TaskResource.DMA, DmaTiming.transferCycles(hw, bytes), DmaTiming.busyCycles(hw, bytes));
                        }
                        deps.add(s.loadTask);
                        readBuffers.add(s.buffer);
                    }
                }
                taskId = tasks.size(); // after the loads just created
                int alloc = -1;
                if (ot.stepsDone == 0) {
                    alloc = newBuffer(out.name(), ot.box, bytes(ot.box.elements(), outBytesPerElement));
                    ot.buffer = alloc;
                }
                ot.stepsDone++;
                boolean last = ot.stepsDone == reductionSteps;
                long before = ot.cycles * ot.doneVolume / ot.reductionVolume;
                ot.doneVolume += stepVolume;
                long after = ot.cycles * ot.doneVolume / ot.reductionVolume;
                add(new TileTask(taskId, TaskKind.COMPUTE, op.name(), out.name(), ot.box, new Box(lo, hi), last, alloc,
                        dedupe(readBuffers), List.of(), dedupe(deps)), unit, after - before);
                for (int b : dedupe(readBuffers)) {
                    List<Integer> u = users.get(b);
                    if (u.isEmpty() || u.get(u.size() - 1) != taskId) {
                        u.add(taskId);
                    }
                }
                users.get(ot.buffer).add(taskId);
                ot.lastTask = taskId;
                computeTasks.add(taskId);
                if (last) {
                    if (needsDram) {
                        int store = tasks.size();
                        long bytes = bytes(ot.box.elements(), hw.dataWidths().activationBytes());
                        add(new TileTask(store, TaskKind.STORE, op.name(), out.name(), ot.box, null, false, -1,
                                List.of(ot.buffer), List.of(), List.of(taskId)), TaskResource.DMA,
                                DmaTiming.transferCycles(hw, bytes), DmaTiming.busyCycles(hw, bytes));
                        users.get(ot.buffer).add(store);
                    }
                    if (consumedOnChip) {
                        onChip.computeIfAbsent(out.name(), k -> new ArrayList<>())
                                .add(new ProducedTile(ot.box, ot.buffer, taskId));
                    }
                }
            }
        }

        /**
         * How many steps the loads may run ahead of the compute: 1 without double buffering; with it, enough steps
         * in flight to hide the DRAM latency behind the longer of a step's compute and its transfers (at least 2,
         * at most 16), fewer when that many steps of operand tiles would take more than half the buffer.
         */
        int prefetchDepth(LoopNest nest, Mapping m, int[] tile, long stepComputeCycles) {
            if (!m.doubleBuffered()) {
                return 1;
            }
            Map<LoopDim, Integer> extents = new EnumMap<>(LoopDim.class);
            for (LoopDim d : DIMS) {
                extents.put(d, tile[d.ordinal()]);
            }
            long stepBytes = 0;
            for (Operand o : nest.reads()) {
                stepBytes += bytes(nest.tileElements(o, extents), hw.bytesPerElement(o.role() == Operand.Role.WEIGHT));
            }
            long stepCycles = Math.max(1, Math.max(stepComputeCycles, DmaTiming.busyCycles(hw, stepBytes)));
            long d = 2 + (hw.dram().latencyCycles() + stepCycles - 1) / stepCycles;
            d = Math.min(16, d);
            while (d > 2 && d * stepBytes > hw.globalBuffer().capacityBytes() / 2) {
                d--;
            }
            return (int) d;
        }

        /** Producer tiles of a tensor made inside this segment, or null when it comes from DRAM. */
        List<ProducedTile> producedOnChip(String tensor) {
            return net.producer(tensor).filter(p -> inSegment.contains(p.name())).isPresent()
                    ? onChip.getOrDefault(tensor, List.of()) : null;
        }
    }

    static List<Integer> dedupe(List<Integer> xs) {
        return xs.stream().distinct().toList();
    }

    /** Bytes of {@code elements} elements of {@code bytesPerElement} bytes each, rounded up. */
    public static long bytes(long elements, double bytesPerElement) {
        return (long) Math.ceil(elements * bytesPerElement);
    }
}

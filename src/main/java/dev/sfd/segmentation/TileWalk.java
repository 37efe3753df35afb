package dev.sfd.segmentation;

import dev.sfd.cost.DmaTiming;
import dev.sfd.cost.Mapping;
import dev.sfd.cost.TileCycleModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;
import dev.sfd.workload.TensorViews;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The tile-level walk of one segment: which tiles run, which regions each one reads and writes, what is loaded
 * from and stored to DRAM, which buffers hold what and who uses them. It is the one definition of a segment's
 * tile semantics (DESIGN.md §3a): the tile scheduler turns the walk into its task graph, and
 * {@link SegmentAnalyzer} turns the same walk into the segment's predicted figures.
 *
 * <p>Each compute operator walks its mapping's tile grid over all eight loop dims in the mapping's outer loop
 * order (outermost first). One grid point is one compute <em>step</em>; the steps that share the output (non
 * reduction) indices form one output tile, whose buffer is allocated by its first step and complete after its
 * last. Per step, every operand region comes from the loop nest's projections (the arithmetic of
 * {@link dev.sfd.workload.Regions}); activation regions are traced through layout views to physical tensors
 * with {@link TensorViews}.
 *
 * <ul>
 *   <li>A physical input produced inside the segment stays on chip: the step depends on exactly the producer
 *       output tiles whose boxes intersect the region it reads, and reads their buffers.</li>
 *   <li>Anything else (network inputs, tensors from earlier segments, weights) is loaded from DRAM into a
 *       slice buffer. <b>Reuse rule</b>: a slice stays on chip while consecutive steps, in the mapping's outer
 *       loop order, read the same region of the same tensor through the same operand; when the region changes
 *       the next region is loaded (and the old slice freed once its readers finish). So weights are loaded once
 *       and resident when the weight-indexing dims (K, C, R, S, G) are outside the activation dims, and
 *       re-fetched per tile otherwise; the same rule decides input re-fetches.</li>
 *   <li>Prefetch depth: the load of step {@code i} waits for compute step {@code i-D}: {@code D = 1} without
 *       double buffering; with it, {@code D >= 2} steps deep enough to hide the DRAM latency (see
 *       {@link #prefetchDepth}); the buffer capacity still bounds what is in flight.</li>
 *   <li>An output tile needed outside the segment (a consumer in another segment, or a network output, through
 *       views) is stored after its last step. Every buffer is freed exactly once, after all its users.</li>
 * </ul>
 *
 * <p>Events are numbered in creation order (task ids) and buffers in allocation order; every dependency points
 * to an earlier event, and the frees come last.
 */
public final class TileWalk {
    private static final LoopDim[] DIMS = LoopDim.values();

    /** Receives the events of a walk, in creation order. */
    public interface Visitor {
        /** A buffer is created (by the next load or compute event). */
        void buffer(int id, String tensor, Box region, long bytes);

        /**
         * Load {@code region} of {@code tensor} from DRAM into buffer {@code buffer}.
         *
         * @param prefetchDep the compute event this load waits for, or -1
         */
        void load(int task, String operator, String tensor, Box region, int buffer, long bytes, int prefetchDep);

        /**
         * One compute step.
         *
         * @param outBox the output tile the step contributes to
         * @param loops the step's loop ranges (a box over the eight loop dims)
         * @param last whether the step completes its output tile
         * @param allocates the output tile's buffer when this is its first step, else -1
         * @param reads buffers read (the output tile's own buffer for later reduction steps included)
         * @param deps events it waits for
         * @param readBytes bytes the step reads from the buffer (operand regions, views resolved)
         */
        void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last, int allocates,
                     List<Integer> reads, List<Integer> deps, OpKind.ComputeUnit unit, long cycles, long readBytes);

        /** Store a completed output tile held in {@code buffer} to DRAM after compute event {@code dep}. */
        void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep);

        /** Free {@code buffer} (of operator {@code owner}) once every event in {@code deps} has finished. */
        void free(int task, String owner, String tensor, Box region, int buffer, List<Integer> deps);
    }

    private final Network net;
    private final Hardware hw;
    private final TileCycleModel cycleModel;

    public TileWalk(Network net, Hardware hw, TileCycleModel cycleModel) {
        this.net = Objects.requireNonNull(net, "net");
        this.hw = Objects.requireNonNull(hw, "hw");
        this.cycleModel = Objects.requireNonNull(cycleModel, "cycleModel");
    }

    public Network network() {
        return net;
    }

    public Hardware hardware() {
        return hw;
    }

    /**
     * Walks one segment.
     *
     * @param index segment index (for messages)
     * @param operators operator names of the segment
     * @param mappings mapping of every compute operator of the segment
     * @param visitor receives the events
     * @return the segment's operators in topological order
     */
    public List<String> walk(int index, List<String> operators, Map<String, Mapping> mappings, Visitor visitor) {
        Walk w = new Walk(index, operators, mappings, visitor);
        w.run();
        return w.operators;
    }

    private record ProducedTile(int order, Box box, int buffer, int lastTask) {
    }

    /**
     * The output tiles of one tensor made on chip, with a lookup by intersection. The tiles of one producer do
     * not overlap, so sorted by their start on one axis, the candidates for a query are a contiguous run.
     */
    private static final class ProducedTiles {
        final List<ProducedTile> tiles = new ArrayList<>();
        ProducedTile[] sorted;
        int[] starts;
        int axis;
        int maxExtent;

        void add(ProducedTile t) {
            tiles.add(t);
            sorted = null;
        }

        /** Producer tiles intersecting {@code region}, in production order. */
        List<ProducedTile> intersecting(Box region) {
            if (tiles.size() <= 8) {
                return tiles.stream().filter(t -> t.box().intersects(region)).toList();
            }
            if (sorted == null) {
                index();
            }
            int lo = region.lo(axis) - maxExtent;
            int hi = region.hi(axis);
            int from = Arrays.binarySearch(starts, lo);
            from = from < 0 ? -from - 1 : from;
            while (from > 0 && starts[from - 1] >= lo) {
                from--;
            }
            List<ProducedTile> out = new ArrayList<>();
            for (int i = from; i < sorted.length && starts[i] < hi; i++) {
                if (sorted[i].box().intersects(region)) {
                    out.add(sorted[i]);
                }
            }
            out.sort(Comparator.comparingInt(ProducedTile::order));
            return out;
        }

        private void index() {
            int rank = tiles.get(0).box().rank();
            int best = 0;
            long bestDistinct = -1;
            for (int a = 0; a < rank; a++) {
                final int ax = a;
                long distinct = tiles.stream().mapToInt(t -> t.box().lo(ax)).distinct().count();
                if (distinct > bestDistinct) {
                    bestDistinct = distinct;
                    best = a;
                }
            }
            axis = best;
            sorted = tiles.toArray(new ProducedTile[0]);
            Arrays.sort(sorted, Comparator.comparingInt((ProducedTile t) -> t.box().lo(axis)));
            starts = new int[sorted.length];
            maxExtent = 0;
            for (int i = 0; i < sorted.length; i++) {
                starts[i] = sorted[i].box().lo(axis);
                maxExtent = Math.max(maxExtent, sorted[i].box().hi(axis) - starts[i]);
            }
        }
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

    private final class Walk {
        final int index;
        final List<String> operators;
        final Map<String, Mapping> mappings;
        final Visitor visitor;
        final Set<String> inSegment;
        final List<List<Integer>> users = new ArrayList<>();
        final List<String> bufferTensor = new ArrayList<>();
        final List<Box> bufferRegion = new ArrayList<>();
        final List<String> bufferOwner = new ArrayList<>();
        final Map<String, ProducedTiles> onChip = new HashMap<>();
        int tasks;

        Walk(int index, List<String> operators, Map<String, Mapping> mappings, Visitor visitor) {
            this.index = index;
            List<String> sorted = new ArrayList<>(operators);
            sorted.sort(Comparator.comparingInt(net::topoIndex));
            this.operators = List.copyOf(sorted);
            this.mappings = mappings;
            this.visitor = visitor;
            this.inSegment = new HashSet<>(sorted);
        }

        void run() {
            for (String name : operators) {
                Operator op = net.operator(name);
                if (net.loopNest(name).isPresent()) {
                    addOperator(op, net.loopNest(name).get());
                }
            }
            for (int b = 0; b < users.size(); b++) {
                List<Integer> deps = users.get(b).stream().distinct().sorted().toList();
                visitor.free(tasks++, bufferOwner.get(b), bufferTensor.get(b), bufferRegion.get(b), b, deps);
            }
        }

        int newBuffer(String owner, String tensor, Box region, long bytes) {
            int id = users.size();
            users.add(new ArrayList<>());
            bufferTensor.add(tensor);
            bufferRegion.add(region);
            bufferOwner.add(owner);
            visitor.buffer(id, tensor, region, bytes);
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
                long readBytes = 0;
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
                        Tensor physical = net.tensor(part.tensor());
                        readBytes += bytes(part.region().elements(), hw.bytesPerElement(physical.isWeight()));
                        ProducedTiles produced = producedOnChip(part.tensor());
                        if (produced != null) {
                            List<ProducedTile> hits = produced.intersecting(part.region());
                            if (hits.isEmpty()) {
                                throw new IllegalStateException(op.name() + ": no producer tile of " + part.tensor()
                                        + " covers " + part.region());
                            }
                            for (ProducedTile pt : hits) {
                                deps.add(pt.lastTask());
                                readBuffers.add(pt.buffer());
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
                            long bytes = bytes(part.region().elements(), hw.bytesPerElement(physical.isWeight()));
                            s.tensor = part.tensor();
                            s.region = part.region();
                            s.buffer = newBuffer(op.name(), part.tensor(), part.region(), bytes);
                            s.loadTask = tasks++;
                            users.get(s.buffer).add(s.loadTask);
                            visitor.load(s.loadTask, op.name(), part.tensor(), part.region(), s.buffer, bytes,
                                    prefetchDep);
                        }
                        deps.add(s.loadTask);
                        readBuffers.add(s.buffer);
                    }
                }
                int alloc = -1;
                if (ot.stepsDone == 0) {
                    alloc = newBuffer(op.name(), out.name(), ot.box, bytes(ot.box.elements(), outBytesPerElement));
                    ot.buffer = alloc;
                }
                int taskId = tasks++;
                ot.stepsDone++;
                boolean last = ot.stepsDone == reductionSteps;
                long before = ot.cycles * ot.doneVolume / ot.reductionVolume;
                ot.doneVolume += stepVolume;
                long after = ot.cycles * ot.doneVolume / ot.reductionVolume;
                List<Integer> uniqueReads = dedupe(readBuffers);
                visitor.compute(taskId, op.name(), out.name(), ot.box, new Box(lo, hi), last, alloc, uniqueReads,
                        dedupe(deps), nest.unit(), after - before, readBytes);
                for (int b : uniqueReads) {
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
                        int store = tasks++;
                        long bytes = bytes(ot.box.elements(), hw.dataWidths().activationBytes());
                        visitor.store(store, op.name(), out.name(), ot.box, ot.buffer, bytes, taskId);
                        users.get(ot.buffer).add(store);
                    }
                    if (consumedOnChip) {
                        ProducedTiles pts = onChip.computeIfAbsent(out.name(), k -> new ProducedTiles());
                        pts.add(new ProducedTile(pts.tiles.size(), ot.box, ot.buffer, taskId));
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
            long stepCycles = Math.max(1, Math.max(stepComputeCycles,
                    DmaTiming.busyCycles(hw, stepBytes)));
            long d = 2 + (hw.dram().latencyCycles() + stepCycles - 1) / stepCycles;
            d = Math.min(16, d);
            while (d > 2 && d * stepBytes > hw.globalBuffer().capacityBytes() / 2) {
                d--;
            }
            return (int) d;
        }

        /** Producer tiles of a tensor made inside this segment, or null when it comes from DRAM. */
        ProducedTiles producedOnChip(String tensor) {
            return net.producer(tensor).filter(p -> inSegment.contains(p.name())).isPresent()
                    ? onChip.computeIfAbsent(tensor, k -> new ProducedTiles()) : null;
        }
    }

    private static List<Integer> dedupe(List<Integer> xs) {
        return xs.stream().distinct().toList();
    }

    /** Bytes of {@code elements} elements of {@code bytesPerElement} bytes each, rounded up. */
    public static long bytes(long elements, double bytesPerElement) {
        return (long) Math.ceil(elements * bytesPerElement);
    }
}

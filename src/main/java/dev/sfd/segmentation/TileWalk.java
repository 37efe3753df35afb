package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.BoxIndex;
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
 *       loop order, have the same tile indices in every loop dim the operand depends on; when one changes the
 *       next region is loaded (and the old slice freed once its readers finish), as the cost model's fetch count
 *       says. So weights are loaded once
 *       and resident when the weight-indexing dims (K, C, R, S, G) are outside the activation dims, and
 *       re-fetched per tile otherwise; the same rule decides input re-fetches.</li>
 *   <li>Prefetch depth {@code D} ({@link CostModel#prefetchDepth}: 2 with double buffering, else 1): the load of
 *       an operand's slice {@code j} waits until the last step that read its slice {@code j - D} has finished, so
 *       at most {@code D} slices of a streamed operand are on chip, as the cost model's footprint counts. That wait
 *       is the load's only dependency, reported as such ({@link Visitor#load}), so the timeline engine may drop it
 *       ({@link TileTimeline.RunAhead}).</li>
 *   <li>An output tile needed outside the segment (a consumer in another segment, or a network output, through
 *       views) is stored after its last step; when nothing in the segment reads it, the first step of output tile
 *       {@code k} waits for the store of tile {@code k - D} (the same depth on the way out). Every buffer is freed
 *       exactly once, after all its users.</li>
 *   <li>Step cycles come from the cost model ({@link CostModel.StepTiming}): the larger of the step's PE-array or
 *       vector-unit cycles and the cycles its buffer traffic (operand regions read, output tile written, partial
 *       sums read back) takes through the buffer port.</li>
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
         * @param prefetchDep the compute event this load waits for (the last reader of the slice {@code D} loads
         *     earlier), or -1: its only dependency, which bounds how far it runs ahead
         *     ({@link TileTimeline.RunAhead})
         * @param weight whether the slice is of a weight
         */
        void load(int task, String operator, String tensor, Box region, int buffer, long bytes, int prefetchDep,
                  boolean weight);

        /**
         * One compute step.
         *
         * @param outBox the output tile the step contributes to
         * @param loops the step's loop ranges (a box over the eight loop dims)
         * @param last whether the step completes its output tile
         * @param allocates the output tile's buffer when this is its first step, else -1
         * @param reads buffers read (the output tile's own buffer for later reduction steps included)
         * @param deps events it waits for
         * @param readBytes bytes the step reads from the buffer (operand regions, views resolved, and the partial
         *     sums of its output tile on later reduction steps)
         * @param writeBytes bytes the step writes to the buffer (its output tile, at the buffer's width)
         */
        void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last, int allocates,
                     int[] reads, int[] deps, OpKind.ComputeUnit unit, long cycles, long readBytes, long writeBytes);

        /** Store a completed output tile held in {@code buffer} to DRAM after compute event {@code dep}. */
        void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep);

        /** Free {@code buffer} (of operator {@code owner}) once every event in {@code deps} has finished. */
        void free(int task, String owner, String tensor, Box region, int buffer, int[] deps);
    }

    private final Network net;
    private final Hardware hw;
    private final CostModel cost;
    private final Map<Mapping, CostModel.StepTiming> timings = new java.util.concurrent.ConcurrentHashMap<>();

    public TileWalk(Network net, CostModel cost) {
        this.net = Objects.requireNonNull(net, "net");
        this.cost = Objects.requireNonNull(cost, "cost");
        this.hw = cost.hardware();
    }

    public CostModel costModel() {
        return cost;
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
        return walk(index, operators, mappings, visitor, Long.MAX_VALUE);
    }

    /**
     * As {@link #walk(int, List, Map, Visitor)}, giving up once the walk would make more than {@code maxEvents}
     * events, so that a caller that keeps every event finds out that a segment is too large without running out of
     * memory (ResNet-50's {@code --objective dram} plan on {@code soma-edge} once held 9.5 million tasks).
     *
     * @throws TooManyEvents when the walk would make more than {@code maxEvents} events (the visitor has then seen
     *     exactly {@code maxEvents} of them)
     */
    public List<String> walk(int index, List<String> operators, Map<String, Mapping> mappings, Visitor visitor,
                             long maxEvents) {
        Walk w = new Walk(index, operators, mappings, visitor, maxEvents);
        w.run();
        return w.operators;
    }

    /** A walk stopped at its event limit ({@link #walk(int, List, Map, Visitor, long)}). */
    public static final class TooManyEvents extends RuntimeException {
        private final long limit;

        TooManyEvents(int index, long limit) {
            super("segment " + index + " has more than " + limit + " tile events", null, false, false);
            this.limit = limit;
        }

        /** The limit the walk exceeded. */
        public long limit() {
            return limit;
        }
    }

    /** An output tile made on chip: its buffer and its last step (its box is its key in the tensor's index). */
    private record ProducedTile(int buffer, int lastTask) {
    }

    private static final class Slot {
        long indices = -1;
        String tensor;
        Box region;
        int buffer;
        int loadTask;
        /** The last step that read the current slice. */
        int lastUser = -1;
        /** Last readers of the slices before the current one, most recent last (at most D kept). */
        final java.util.ArrayDeque<Integer> previousUsers = new java.util.ArrayDeque<>();
    }

    private static final class OutTile {
        Box box;
        int buffer = -1;
        int stepsDone;
        int lastTask = -1;
    }

    private final class Walk {
        final int index;
        final List<String> operators;
        final Map<String, Mapping> mappings;
        final Visitor visitor;
        final Set<String> inSegment;
        final List<IntList> users = new ArrayList<>();
        final List<String> bufferTensor = new ArrayList<>();
        final List<Box> bufferRegion = new ArrayList<>();
        final List<String> bufferOwner = new ArrayList<>();
        final Map<String, BoxIndex<ProducedTile>> onChip = new HashMap<>();
        /** Whether a tensor is produced inside the segment, by name (asked at every step). */
        final Map<String, Boolean> madeHere = new HashMap<>();
        final Marks marks = new Marks();
        final long maxEvents;
        int tasks;

        Walk(int index, List<String> operators, Map<String, Mapping> mappings, Visitor visitor, long maxEvents) {
            this.index = index;
            this.maxEvents = maxEvents;
            List<String> sorted = new ArrayList<>(operators);
            sorted.sort(Comparator.comparingInt(net::topoIndex));
            this.operators = List.copyOf(sorted);
            this.mappings = mappings;
            this.visitor = visitor;
            this.inSegment = new HashSet<>(sorted);
        }

        /** The id of a new event: the walk's event count so far. */
        int nextEvent() {
            if (tasks >= maxEvents) {
                throw new TooManyEvents(index, maxEvents);
            }
            return tasks++;
        }

        void run() {
            for (String name : operators) {
                Operator op = net.operator(name);
                if (net.loopNest(name).isPresent()) {
                    addOperator(op, net.loopNest(name).get());
                }
            }
            for (int b = 0; b < users.size(); b++) {
                // users are recorded in creation order, so the list is sorted: drop the repeats
                IntList all = users.get(b);
                int[] deps = new int[all.size];
                int k = 0;
                for (int i = 0; i < all.size; i++) {
                    if (k == 0 || deps[k - 1] != all.a[i]) {
                        deps[k++] = all.a[i];
                    }
                }
                deps = k == deps.length ? deps : Arrays.copyOf(deps, k);
                visitor.free(nextEvent(), bufferOwner.get(b), bufferTensor.get(b), bufferRegion.get(b), b, deps);
            }
        }

        int newBuffer(String owner, String tensor, Box region, long bytes) {
            int id = users.size();
            users.add(new IntList());
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
            int depth = CostModel.prefetchDepth(m);
            CostModel.StepTiming timing = timings.computeIfAbsent(m, x -> cost.stepTiming(net, op, x));
            List<LoopDim> order = m.outerOrder();
            int[] orderDims = new int[order.size()];
            for (int j = 0; j < orderDims.length; j++) {
                orderDims[j] = order.get(j).ordinal();
            }
            int[] idx = new int[DIMS.length];
            Map<Integer, Slot> slots = new HashMap<>();
            // output tiles by their index over the non-reduction dims (a dense grid)
            long outTileCount = 1;
            for (LoopDim d : DIMS) {
                if (!d.isReduction()) {
                    outTileCount *= count[d.ordinal()];
                }
            }
            OutTile[] outTiles = new OutTile[Math.toIntExact(outTileCount)];
            int outTilesMade = 0;
            // stores of this operator's output tiles, in order: tile k waits for the store of tile k - depth
            IntList stores = new IntList();
            boolean outputSlots = needsDram && !consumedOnChip;
            List<Operand> reads = nest.reads();
            int[] relevant = new int[reads.size()];
            long[] cachedIndices = new long[reads.size()];
            long[] cachedBytes = new long[reads.size()];
            int[][] cachedDeps = new int[reads.size()][];
            int[][] cachedBuffers = new int[reads.size()][];
            Slot[][] cachedSlots = new Slot[reads.size()][];
            for (int r = 0; r < reads.size(); r++) {
                relevant[r] = reads.get(r).relevantMask();
                cachedIndices[r] = -1;
            }
            long total = 1;
            for (int c : count) {
                total *= c;
            }
            int[] lo = new int[DIMS.length];
            int[] hi = new int[DIMS.length];
            IntList deps = new IntList();
            IntList readBuffers = new IntList();
            List<Slot> touched = new ArrayList<>(reads.size());
            for (long step = 0; step < total; step++) {
                if (step > 0) {
                    for (int j = orderDims.length - 1; j >= 0; j--) {
                        int i = orderDims[j];
                        if (++idx[i] < count[i]) {
                            break;
                        }
                        idx[i] = 0;
                    }
                }
                int outKey = 0;
                for (LoopDim d : DIMS) {
                    int i = d.ordinal();
                    lo[i] = idx[i] * tile[i];
                    hi[i] = Math.min(bound[i], lo[i] + tile[i]);
                    if (!d.isReduction()) {
                        outKey = outKey * count[i] + idx[i];
                    }
                }
                // the step's loop ranges, made when a region has to be projected
                Map<LoopDim, AxisExpr.Range> loops = null;
                OutTile ot = outTiles[outKey];
                if (ot == null) {
                    loops = ranges(lo, hi, bound);
                    ot = new OutTile();
                    ot.box = nest.region(outOperand, out.shape(), loops);
                    outTiles[outKey] = ot;
                    outTilesMade++;
                }
                deps.clear();
                readBuffers.clear();
                touched.clear();
                long readBytes = 0;
                long outBytes = bytes(ot.box.elements(), outBytesPerElement);
                if (ot.stepsDone > 0) {
                    deps.add(ot.lastTask);
                    readBuffers.add(ot.buffer);
                    readBytes += outBytes;
                } else if (outputSlots) {
                    int k = outTilesMade - 1;
                    if (k >= depth && k - depth < stores.size) {
                        deps.add(stores.a[k - depth]);
                    }
                }
                for (int r = 0; r < reads.size(); r++) {
                    Operand operand = reads.get(r);
                    long indices = 0;
                    for (int d = 0; d < DIMS.length; d++) {
                        if ((relevant[r] >> d & 1) != 0) {
                            indices = indices * count[d] + idx[d];
                        }
                    }
                    if (cachedIndices[r] == indices) {
                        // same tile indices as the previous step: same regions, same slices, same producer tiles
                        deps.addAll(cachedDeps[r]);
                        readBuffers.addAll(cachedBuffers[r]);
                        readBytes += cachedBytes[r];
                        for (Slot s : cachedSlots[r]) {
                            touched.add(s);
                        }
                        continue;
                    }
                    int depsBefore = deps.size;
                    int buffersBefore = readBuffers.size;
                    int slotsBefore = touched.size();
                    long bytesBefore = readBytes;
                    Tensor t = net.tensor(operand.tensor());
                    if (loops == null) {
                        loops = ranges(lo, hi, bound);
                    }
                    Box region = nest.region(operand, t.shape(), loops);
                    if (!region.isEmpty()) {
                        List<TensorViews.Part> parts = operand.role() == Operand.Role.WEIGHT
                                ? List.of(new TensorViews.Part(t.name(), region))
                                : TensorViews.resolve(net, t.name(), region);
                        for (int p = 0; p < parts.size(); p++) {
                            TensorViews.Part part = parts.get(p);
                            Tensor physical = net.tensor(part.tensor());
                            readBytes += bytes(part.region().elements(), hw.bytesPerElement(physical.isWeight()));
                            BoxIndex<ProducedTile> produced = producedOnChip(part.tensor());
                            if (produced != null) {
                                List<ProducedTile> hits = produced.intersecting(part.region());
                                if (hits.isEmpty()) {
                                    throw new IllegalStateException(op.name() + ": no producer tile of "
                                            + part.tensor() + " covers " + part.region());
                                }
                                for (ProducedTile pt : hits) {
                                    deps.add(pt.lastTask());
                                    readBuffers.add(pt.buffer());
                                }
                                continue;
                            }
                            int key = r * 1024 + p;
                            Slot s = slots.get(key);
                            if (s == null || s.indices != indices || !s.region.equals(part.region())
                                    || !s.tensor.equals(part.tensor())) {
                                if (s == null) {
                                    s = new Slot();
                                    slots.put(key, s);
                                } else {
                                    s.previousUsers.addLast(s.lastUser);
                                    while (s.previousUsers.size() > depth) {
                                        s.previousUsers.removeFirst();
                                    }
                                }
                                // the slice `depth` loads back must be used up before this one loads in its place
                                int prefetchDep = s.previousUsers.size() == depth ? s.previousUsers.peekFirst() : -1;
                                long bytes = bytes(part.region().elements(), hw.bytesPerElement(physical.isWeight()));
                                s.indices = indices;
                                s.tensor = part.tensor();
                                s.region = part.region();
                                s.buffer = newBuffer(op.name(), part.tensor(), part.region(), bytes);
                                s.loadTask = nextEvent();
                                s.lastUser = -1;
                                users.get(s.buffer).add(s.loadTask);
                                visitor.load(s.loadTask, op.name(), part.tensor(), part.region(), s.buffer, bytes,
                                        prefetchDep, physical.isWeight());
                            }
                            touched.add(s);
                            deps.add(s.loadTask);
                            readBuffers.add(s.buffer);
                        }
                    }
                    cachedIndices[r] = indices;
                    cachedDeps[r] = Arrays.copyOfRange(deps.a, depsBefore, deps.size);
                    cachedBuffers[r] = Arrays.copyOfRange(readBuffers.a, buffersBefore, readBuffers.size);
                    cachedSlots[r] = touched.subList(slotsBefore, touched.size()).toArray(new Slot[0]);
                    cachedBytes[r] = readBytes - bytesBefore;
                }
                int alloc = -1;
                if (ot.stepsDone == 0) {
                    alloc = newBuffer(op.name(), out.name(), ot.box, outBytes);
                    ot.buffer = alloc;
                }
                int taskId = nextEvent();
                for (Slot s : touched) {
                    s.lastUser = taskId;
                }
                ot.stepsDone++;
                boolean last = ot.stepsDone == reductionSteps;
                long cycles = timing.stepCycles(lo, hi, readBytes + outBytes);
                int[] uniqueReads = dedupe(readBuffers, marks);
                visitor.compute(taskId, op.name(), out.name(), ot.box, new Box(lo, hi), last, alloc, uniqueReads,
                        dedupe(deps, marks), nest.unit(), cycles, readBytes, outBytes);
                for (int b : uniqueReads) {
                    IntList u = users.get(b);
                    if (u.size == 0 || u.a[u.size - 1] != taskId) {
                        u.add(taskId);
                    }
                }
                users.get(ot.buffer).add(taskId);
                ot.lastTask = taskId;
                if (last) {
                    if (needsDram) {
                        int store = nextEvent();
                        long bytes = bytes(ot.box.elements(), hw.dataWidths().activationBytes());
                        visitor.store(store, op.name(), out.name(), ot.box, ot.buffer, bytes, taskId);
                        users.get(ot.buffer).add(store);
                        stores.add(store);
                    }
                    if (consumedOnChip) {
                        onChip.computeIfAbsent(out.name(), k -> new BoxIndex<>())
                                .add(new ProducedTile(ot.buffer, taskId), ot.box);
                    }
                }
            }
        }

        /** The loop ranges of a step as the loop nest's projections take them. */
        private Map<LoopDim, AxisExpr.Range> ranges(int[] lo, int[] hi, int[] bound) {
            Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(LoopDim.class);
            for (LoopDim d : DIMS) {
                int i = d.ordinal();
                loops.put(d, new AxisExpr.Range(lo[i], hi[i], bound[i]));
            }
            return loops;
        }

        /** Producer tiles of a tensor made inside this segment, or null when it comes from DRAM. */
        BoxIndex<ProducedTile> producedOnChip(String tensor) {
            boolean here = madeHere.computeIfAbsent(tensor,
                    k -> net.producer(k).filter(p -> inSegment.contains(p.name())).isPresent());
            return here ? onChip.computeIfAbsent(tensor, k -> new BoxIndex<>()) : null;
        }
    }

    /** The distinct values of non-negative {@code xs}, first occurrences in order (marks in {@code seen}). */
    private static int[] dedupe(IntList xs, Marks seen) {
        int[] out = new int[xs.size];
        int k = 0;
        if (xs.size <= 16) {
            for (int i = 0; i < xs.size; i++) {
                int x = xs.a[i];
                boolean repeat = false;
                for (int j = 0; j < k && !repeat; j++) {
                    repeat = out[j] == x;
                }
                if (!repeat) {
                    out[k++] = x;
                }
            }
        } else {
            seen.next();
            for (int i = 0; i < xs.size; i++) {
                if (seen.mark(xs.a[i])) {
                    out[k++] = xs.a[i];
                }
            }
        }
        return k == out.length ? out : Arrays.copyOf(out, k);
    }

    /** A growable list of ints (the walk's dependency and user lists, without boxing). */
    private static final class IntList {
        int[] a = new int[8];
        int size;

        void add(int x) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = x;
        }

        void addAll(int[] xs) {
            if (size + xs.length > a.length) {
                a = Arrays.copyOf(a, Math.max(size + xs.length, a.length * 2));
            }
            System.arraycopy(xs, 0, a, size, xs.length);
            size += xs.length;
        }

        void clear() {
            size = 0;
        }
    }

    /** A set of small non-negative ints cleared in O(1): a stamp per value, a new stamp per use. */
    private static final class Marks {
        private int[] stamp = new int[1024];
        private int current;

        void next() {
            current++;
        }

        /** Marks {@code x}; false when it was already marked since the last {@link #next()}. */
        boolean mark(int x) {
            if (x >= stamp.length) {
                stamp = Arrays.copyOf(stamp, Math.max(x + 1, stamp.length * 2));
            }
            if (stamp[x] == current) {
                return false;
            }
            stamp[x] = current;
            return true;
        }
    }

    /** Bytes of {@code elements} elements of {@code bytesPerElement} bytes each, rounded up. */
    public static long bytes(long elements, double bytesPerElement) {
        return (long) Math.ceil(elements * bytesPerElement);
    }
}

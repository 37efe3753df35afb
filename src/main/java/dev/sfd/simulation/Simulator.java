package dev.sfd.simulation;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.Plan;
import dev.sfd.schedule.SegmentSchedule;
import dev.sfd.schedule.TaskKind;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Tensor;
import dev.sfd.workload.TensorRole;
import dev.sfd.workload.TensorViews;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Discrete-event simulator of a plan on a single-core accelerator (the one-core case of the hardware record): the
 * independent referee of every plan. It reads the network, the hardware record and the plan, and derives timing,
 * occupancy and energy itself ({@link MachineTiming}, {@link BufferLedger}, {@link EnergyMeter}); it does not call
 * the planner's cost model or its scheduling engine.
 *
 * <p><b>Execution</b>: the plan is a program. A segment's tasks issue in the plan's order: a task issues once every
 * earlier task has issued, every dependency has finished and a unit of its kind is free (each DMA engine, the PE
 * array, the vector unit; frees need none). Segments run one after another.
 *
 * <p><b>Checks</b> (every broken rule becomes a {@link Violation}; the replay continues): task ids are unique and
 * every dependency names an earlier task of the segment; a task's operator belongs to its segment. Every compute
 * step re-derives, from the loop nest and the layout views, the physical regions it reads and checks that live,
 * completely written buffers cover them; its loop ranges stay inside the loop bounds, keep whole the axes the
 * operator needs whole (softmax, normalisation), follow the mapping's tiles, and share no iteration point with
 * another step. Loads must find their data in DRAM and stay inside the tensor; every allocation is checked against
 * the capacity at the width of what the buffer holds (partial sums at accumulator width); a buffer is complete only
 * when written boxes cover it; frees must not hit a buffer in use. At the end every operator's iteration space must
 * be covered, every tensor needed by a later segment or as a network output must be in DRAM, and every computed
 * tensor must be read by someone (tensors no operator reads, e.g. unused split parts, are dead and exempt).
 */
public final class Simulator {
    private static final Logger LOGGER = LogManager.getLogger();
    private static final LoopDim[] DIMS = LoopDim.values();

    private final Network net;
    private final boolean recordSpans;

    public Simulator(Network net, boolean recordSpans) {
        this.net = Objects.requireNonNull(net, "net");
        this.recordSpans = recordSpans;
    }

    public SimulationResult run(Plan plan) {
        return new Run(plan).execute();
    }

    private record TileKey(String operator, Box outputBox) {
    }

    /** Reduction progress of one output tile. */
    private static final class TileProgress {
        final long reductionVolume;
        long doneVolume;

        TileProgress(long reductionVolume) {
            this.reductionVolume = reductionVolume;
        }
    }

    /** What a running task holds until it finishes. */
    private static final class Issued {
        long cycles;
        long busy;
        List<BufferLedger.Buf> using = List.of();
        BufferLedger.Buf target;
        long bytes;
        TileProgress tile;
        long reductionStep;
        Box outBox;
        boolean valid = true;
        boolean transfer;
    }

    private final class Run implements BufferLedger.Findings {
        final Plan plan;
        final Hardware hw;
        final int dmaEngines;
        final MachineTiming timing;
        final EnergyMeter energy;
        final BufferLedger ledger;
        final List<Violation> violations = new ArrayList<>();
        final Map<String, Coverage.BoxSet> dramWritten = new HashMap<>();
        final Map<String, Long> dramRead = new LinkedHashMap<>();
        final Map<String, Long> dramWrite = new LinkedHashMap<>();
        final Map<String, Coverage.BoxSet> steps = new HashMap<>();
        final Set<String> illegalMappings = new HashSet<>();
        final Map<TileKey, TileProgress> progress = new HashMap<>();
        final Map<String, Long> computedElements = new HashMap<>();
        final Set<String> readTensors = new HashSet<>();
        final Set<String> loadedTensors = new HashSet<>();
        final Map<String, Integer> segmentOf = new HashMap<>();
        final List<SimulationResult.Span> spans = new ArrayList<>();
        final List<SimulationResult.SegmentResult> segmentResults = new ArrayList<>();
        int segment = -1;
        long now;
        long events;
        long dramReadTotal;
        long dramWriteTotal;
        long busyPe;
        long busyVector;
        long busyDma;
        int activeTransfers;

        Run(Plan plan) {
            this.plan = plan;
            this.hw = plan.hardware();
            this.dmaEngines = Math.max(1, hw.dram().dmaEngines());
            this.timing = new MachineTiming(hw);
            this.energy = new EnergyMeter(hw);
            this.ledger = new BufferLedger(hw.globalBuffer().capacityBytes(), this);
        }

        SimulationResult execute() {
            checkSegments();
            for (SegmentSchedule seg : plan.segments()) {
                runSegment(seg);
            }
            new FinalChecks().run();
            Map<String, Long> busy = new LinkedHashMap<>();
            busy.put("PE_ARRAY", busyPe);
            busy.put("VECTOR", busyVector);
            busy.put("DMA", busyDma);
            Map<String, Double> util = new LinkedHashMap<>();
            util.put("PE_ARRAY", now == 0 ? 0 : (double) busyPe / now);
            util.put("VECTOR", now == 0 ? 0 : (double) busyVector / now);
            util.put("DMA", now == 0 ? 0 : (double) busyDma / ((double) now * dmaEngines));
            return new SimulationResult(now, energy.breakdown(now), dramReadTotal, dramWriteTotal, dramRead,
                    dramWrite, ledger.peak(), ledger.occupancyCycles(), ledger.occupancyBytes(), busy, util,
                    segmentResults, violations, events, spans);
        }

        @Override
        public void violation(Violation.Kind kind, String task, String tensor, String message) {
            Violation v = new Violation(kind, segment, task, tensor, now, message);
            violations.add(v);
            LOGGER.debug("{}", v);
        }

        void checkSegments() {
            for (SegmentSchedule seg : plan.segments()) {
                for (String op : seg.operators()) {
                    Integer prev = segmentOf.put(op, seg.index());
                    if (prev != null) {
                        violations.add(new Violation(Violation.Kind.MALFORMED, seg.index(), "", "", 0, "operator '"
                                + op + "' is in segments " + prev + " and " + seg.index()));
                    }
                }
            }
            for (var op : net.operators()) {
                if (!segmentOf.containsKey(op.name())) {
                    violations.add(new Violation(Violation.Kind.MALFORMED, -1, "", "", 0, "operator '" + op.name()
                            + "' is in no segment"));
                }
            }
        }

        // ------------------------------------------------------------------ one segment

        /**
         * Positions of the segment's tasks by id, after checking ids are unique, dependencies name earlier tasks
         * and operators belong to the segment.
         */
        Map<Integer, Integer> checkTasks(SegmentSchedule seg) {
            Map<Integer, Integer> position = new HashMap<>();
            Set<String> ops = new HashSet<>(seg.operators());
            List<TileTask> tasks = seg.tasks();
            for (int p = 0; p < tasks.size(); p++) {
                TileTask t = tasks.get(p);
                if (position.putIfAbsent(t.id(), p) != null) {
                    violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "task id " + t.id()
                            + " is used twice in the segment");
                }
                if (!ops.contains(t.operator())) {
                    violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "belongs to operator '" + t.operator()
                            + "', which is not in segment " + seg.index() + " (it is in "
                            + (segmentOf.containsKey(t.operator()) ? "segment " + segmentOf.get(t.operator())
                            : "no segment") + ")");
                }
            }
            for (int p = 0; p < tasks.size(); p++) {
                TileTask t = tasks.get(p);
                for (int d : t.deps()) {
                    Integer dp = position.get(d);
                    if (dp == null || dp >= p) {
                        violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "depends on task " + d + ", which "
                                + (dp == null ? "is not in the segment" : "comes later in the issue order"));
                    }
                }
            }
            return position;
        }

        void runSegment(SegmentSchedule seg) {
            segment = seg.index();
            List<TileTask> tasks = seg.tasks();
            int n = tasks.size();
            Map<Integer, Integer> position = checkTasks(seg);
            int[][] depPos = new int[n][];
            for (int p = 0; p < n; p++) {
                List<Integer> ds = tasks.get(p).deps();
                int[] a = new int[ds.size()];
                int k = 0;
                for (int d : ds) {
                    Integer dp = position.get(d);
                    if (dp != null && dp < p) {
                        a[k++] = dp;
                    }
                }
                depPos[p] = java.util.Arrays.copyOf(a, k);
            }
            byte[] state = new byte[n]; // 0 not issued, 1 running, 2 done
            ledger.beginSegment(seg.buffers());
            long start = now;
            long readBefore = dramReadTotal;
            long writeBefore = dramWriteTotal;
            double energyBefore = energy.dynamicPj();
            int dmaIdle = dmaEngines;
            boolean peIdle = true;
            boolean vecIdle = true;
            boolean[] dmaLane = new boolean[dmaEngines];
            // {time, task position, DMA lane, type}: type 1 releases the unit, type 0 completes the task
            PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                    : a[3] != b[3] ? Long.compare(b[3], a[3]) : Long.compare(a[1], b[1]));
            Issued[] runningCtx = new Issued[n];
            int pos = 0;
            while (pos < n || !running.isEmpty()) {
                boolean moved = true;
                while (moved) {
                    moved = false;
                    while (pos < n) {
                        TileTask t = tasks.get(pos);
                        boolean ready = true;
                        for (int d : depPos[pos]) {
                            if (state[d] != 2) {
                                ready = false;
                                break;
                            }
                        }
                        if (!ready) {
                            break;
                        }
                        String res = resourceOf(t);
                        if (res.equals("DMA") && dmaIdle == 0 || res.equals("PE_ARRAY") && !peIdle
                                || res.equals("VECTOR") && !vecIdle) {
                            break;
                        }
                        events++;
                        Issued issued = issue(seg, t);
                        state[pos] = 1;
                        int lane = -1;
                        switch (res) {
                            case "DMA" -> {
                                dmaIdle--;
                                for (int l = 0; l < dmaEngines; l++) {
                                    if (!dmaLane[l]) {
                                        dmaLane[l] = true;
                                        lane = l;
                                        break;
                                    }
                                }
                                busyDma += issued.busy;
                            }
                            case "PE_ARRAY" -> {
                                peIdle = false;
                                busyPe += issued.busy;
                            }
                            case "VECTOR" -> {
                                vecIdle = false;
                                busyVector += issued.busy;
                            }
                            default -> {
                            }
                        }
                        if (issued.transfer) {
                            activeTransfers++;
                        }
                        if (recordSpans && t.kind() != TaskKind.FREE) {
                            spans.add(new SimulationResult.Span(lane >= 0 ? "DMA" + lane : res, t.label(),
                                    seg.index(), now, now + issued.cycles));
                        }
                        if (LOGGER.isTraceEnabled()) {
                            LOGGER.trace("cycle ({}) segment ({}) start {} for ({}) cycles, occupancy ({}) bytes", now,
                                    seg.index(), t.label(), issued.cycles, ledger.occupancy());
                        }
                        runningCtx[pos] = issued;
                        running.add(new long[] {now + issued.cycles, pos, -1, 0});
                        if (!res.equals("NONE")) {
                            running.add(new long[] {now + issued.busy, pos, lane, 1});
                        }
                        pos++;
                    }
                    // events due now (zero-length tasks, releases) may let the next task issue at this instant
                    while (!running.isEmpty() && running.peek()[0] <= now) {
                        long[] ev = running.poll();
                        moved = true;
                        int p = (int) ev[1];
                        if (ev[3] == 1) {
                            String r = resourceOf(tasks.get(p));
                            if (ev[2] >= 0) {
                                dmaLane[(int) ev[2]] = false;
                                dmaIdle++;
                            } else if (r.equals("PE_ARRAY")) {
                                peIdle = true;
                            } else if (r.equals("VECTOR")) {
                                vecIdle = true;
                            }
                            if (runningCtx[p] != null && runningCtx[p].transfer) {
                                activeTransfers--;
                                runningCtx[p].transfer = false;
                            }
                        } else {
                            events++;
                            finish(tasks.get(p), runningCtx[p]);
                            if (runningCtx[p].transfer) {
                                activeTransfers--;
                            }
                            runningCtx[p] = null;
                            state[p] = 2;
                        }
                    }
                }
                if (running.isEmpty()) {
                    if (pos < n) {
                        violation(Violation.Kind.MALFORMED, tasks.get(pos).label(), tasks.get(pos).tensor(),
                                "can never issue: it waits for a task that cannot finish");
                    }
                    break;
                }
                now = running.peek()[0];
            }
            ledger.endSegment(now);
            double segmentEnergy = energy.dynamicPj() - energyBefore + energy.leakagePj(now - start);
            segmentResults.add(new SimulationResult.SegmentResult(seg.index(), start, now, ledger.segmentPeak(),
                    dramReadTotal - readBefore, dramWriteTotal - writeBefore, segmentEnergy));
        }

        /** Whether the stores so far cover {@code region} of {@code tensor} in DRAM. */
        boolean inDram(String tensor, Box region) {
            Coverage.BoxSet written = dramWritten.get(tensor);
            return written != null && written.covers(region);
        }

        String resourceOf(TileTask t) {
            return switch (t.kind()) {
                case LOAD, STORE -> "DMA";
                case FREE -> "NONE";
                case COMPUTE -> net.loopNest(t.operator()).map(nest -> switch (nest.unit()) {
                    case PE_ARRAY -> "PE_ARRAY";
                    case VECTOR -> "VECTOR";
                    case NONE -> "NONE";
                }).orElse("NONE");
            };
        }

        Issued issue(SegmentSchedule seg, TileTask t) {
            Issued is = new Issued();
            switch (t.kind()) {
                case LOAD -> issueLoad(t, is);
                case STORE -> issueStore(t, is);
                case COMPUTE -> issueCompute(t, is);
                case FREE -> {
                    if (t.allocates() >= 0) {
                        violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "a free allocates buffer "
                                + t.allocates());
                    }
                    for (int id : t.frees()) {
                        ledger.free(id, t, t.tensor(), now);
                    }
                }
            }
            for (BufferLedger.Buf b : is.using) {
                b.inUse++;
            }
            return is;
        }

        /** Whether {@code region} is a box inside {@code tensor}'s shape; a violation when not. */
        boolean inBounds(TileTask t, Tensor tensor, Box region) {
            List<Integer> shape = tensor.shape();
            boolean ok = region.rank() == shape.size();
            for (int a = 0; ok && a < region.rank(); a++) {
                ok = region.lo(a) >= 0 && region.hi(a) <= shape.get(a) && region.lo(a) < region.hi(a);
            }
            if (!ok) {
                violation(Violation.Kind.MALFORMED, t.label(), tensor.name(), "region " + region + " is not inside "
                        + tensor.name() + " of shape " + shape);
            }
            return ok;
        }

        long bytesOf(Tensor tensor, long elements) {
            return (long) Math.ceil(elements * hw.bytesPerElement(tensor.isWeight()));
        }

        void issueLoad(TileTask t, Issued is) {
            if (!net.tensors().containsKey(t.tensor())) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "loads unknown tensor");
                is.valid = false;
                return;
            }
            Tensor tensor = net.tensor(t.tensor());
            if (!inBounds(t, tensor, t.region())) {
                is.valid = false;
                return;
            }
            if (tensor.role() == TensorRole.ACTIVATION && !inDram(t.tensor(), t.region())) {
                violation(Violation.Kind.INPUT_NOT_READY, t.label(), t.tensor(), "loads " + t.region() + " of '"
                        + t.tensor() + "' before it was stored to DRAM");
            }
            is.bytes = bytesOf(tensor, t.region().elements());
            if (t.allocates() >= 0) {
                is.target = ledger.allocate(t.allocates(), is.bytes, t, now);
            }
            if (is.target == null || !is.target.tensor().equals(t.tensor()) || !is.target.region().contains(t.region())) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "loads into no buffer that holds "
                        + t.region());
                is.valid = false;
            }
            is.busy = timing.dmaBusyCycles(is.bytes);
            is.cycles = timing.dmaCycles(is.bytes);
            is.transfer = true;
        }

        void issueStore(TileTask t, Issued is) {
            if (!net.tensors().containsKey(t.tensor())) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "stores unknown tensor");
                is.valid = false;
                return;
            }
            Tensor tensor = net.tensor(t.tensor());
            if (!inBounds(t, tensor, t.region())) {
                is.valid = false;
                return;
            }
            if (t.allocates() >= 0) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "a store allocates buffer " + t.allocates());
            }
            List<BufferLedger.Buf> cover = ledger.cover(t, t.tensor(), t.region(), t.reads());
            if (cover == null) {
                is.valid = false;
            } else {
                is.using = cover;
            }
            is.bytes = (long) Math.ceil(t.region().elements() * hw.dataWidths().activationBytes());
            is.busy = timing.dmaBusyCycles(is.bytes);
            is.cycles = timing.dmaCycles(is.bytes);
            is.transfer = true;
        }

        void issueCompute(TileTask t, Issued is) {
            LoopNest nest = net.loopNest(t.operator()).orElse(null);
            Mapping mapping = plan.mappings().get(t.operator());
            if (nest == null || mapping == null) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), nest == null
                        ? "operator '" + t.operator() + "' has no loop nest" : "operator '" + t.operator()
                        + "' has no mapping");
                is.valid = false;
                return;
            }
            Box lb = t.loops();
            Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(LoopDim.class);
            long reductionVolume = 1;
            long reductionStep = 1;
            for (LoopDim d : DIMS) {
                int i = d.ordinal();
                int bound = nest.bound(d);
                if (lb.lo(i) < 0 || lb.hi(i) > bound || lb.lo(i) >= lb.hi(i)) {
                    violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "loop " + d + " range [" + lb.lo(i)
                            + ", " + lb.hi(i) + ") is outside [0, " + bound + ")");
                    is.valid = false;
                    return;
                }
                loops.put(d, new AxisExpr.Range(lb.lo(i), lb.hi(i), bound));
                if (d.isReduction()) {
                    reductionVolume *= bound;
                    reductionStep *= lb.hi(i) - lb.lo(i);
                }
            }
            checkStepShape(t, nest, mapping, lb);
            Coverage.BoxSet done = steps.computeIfAbsent(t.operator(), k -> new Coverage.BoxSet());
            List<Box> overlap = done.intersecting(lb);
            if (!overlap.isEmpty()) {
                violation(Violation.Kind.TILE_RUN_TWICE, t.label(), t.tensor(), "loop ranges " + lb + " of '"
                        + t.operator() + "' overlap a step already computed (" + overlap.get(0) + ")");
                is.valid = false;
            } else {
                done.add(lb);
            }
            List<BufferLedger.Buf> using = new ArrayList<>();
            long readBytes = 0;
            for (Operand operand : nest.reads()) {
                Tensor tensor = net.tensor(operand.tensor());
                Box region = nest.region(operand, tensor.shape(), loops);
                if (region.isEmpty()) {
                    continue;
                }
                List<TensorViews.Part> parts = operand.role() == Operand.Role.WEIGHT
                        ? List.of(new TensorViews.Part(tensor.name(), region))
                        : TensorViews.resolve(net, tensor.name(), region);
                for (TensorViews.Part part : parts) {
                    List<BufferLedger.Buf> cover = ledger.cover(t, part.tensor(), part.region(), t.reads());
                    if (cover != null) {
                        using.addAll(cover);
                    }
                    readTensors.add(part.tensor());
                    readBytes += bytesOf(net.tensor(part.tensor()), part.region().elements());
                }
            }
            Tensor out = net.tensor(nest.output().tensor());
            Box outBox = nest.region(nest.output(), out.shape(), loops);
            final long fullReduction = reductionVolume;
            TileProgress tp = progress.computeIfAbsent(new TileKey(t.operator(), outBox),
                    k -> new TileProgress(fullReduction));
            boolean accumulates = reductionStep < reductionVolume;
            long outBytes = (long) Math.ceil(outBox.elements() * (accumulates ? hw.dataWidths().accumulatorBytes()
                    : hw.dataWidths().activationBytes()));
            BufferLedger.Buf target = null;
            if (t.allocates() >= 0) {
                target = ledger.allocate(t.allocates(), outBytes, t, now);
                if (target != null && (!target.tensor().equals(out.name()) || !target.region().contains(outBox))) {
                    violation(Violation.Kind.MALFORMED, t.label(), out.name(), "allocates buffer "
                            + target.spec.id() + " which does not hold output tile " + outBox);
                    target = null;
                }
            } else {
                target = ledger.containing(out.name(), outBox);
                if (target == null) {
                    boolean wasFreed = ledger.wasFreed(out.name(), outBox);
                    violation(wasFreed ? Violation.Kind.FREED_WHILE_NEEDED : Violation.Kind.INPUT_NOT_READY,
                            t.label(), out.name(), wasFreed ? "the buffer of output tile " + outBox
                                    + " was freed before its last step" : "no buffer holds output tile " + outBox);
                }
            }
            long partialBytes = 0;
            if (tp.doneVolume > 0 && target != null) {
                using.add(target);
                partialBytes = outBytes;
            }
            is.using = using;
            is.target = target;
            is.tile = tp;
            is.reductionStep = reductionStep;
            is.outBox = outBox;
            checkMappingFits(t, mapping);
            long unitCycles = timing.unitCycles(nest, mapping, lb);
            is.cycles = timing.stepCycles(unitCycles, readBytes + partialBytes + outBytes, activeTransfers);
            is.busy = nest.unit() == OpKind.ComputeUnit.NONE ? 0 : is.cycles;
            long volume = lb.elements();
            if (nest.unit() == OpKind.ComputeUnit.PE_ARRAY) {
                energy.macs(volume);
            } else if (nest.unit() == OpKind.ComputeUnit.VECTOR) {
                energy.vectorOps((double) volume * nest.opsPerPoint());
            }
            energy.port(readBytes + partialBytes, outBytes);
        }

        /** A step keeps whole axes whole and follows the mapping's tiles. */
        void checkStepShape(TileTask t, LoopNest nest, Mapping mapping, Box lb) {
            for (LoopDim d : DIMS) {
                int i = d.ordinal();
                int bound = nest.bound(d);
                boolean whole = nest.wholeDims().contains(d);
                if (whole && (lb.lo(i) != 0 || lb.hi(i) != bound)) {
                    violation(Violation.Kind.ILLEGAL_STEP, t.label(), t.tensor(), "splits loop " + d + " of '"
                            + t.operator() + "' ([" + lb.lo(i) + ", " + lb.hi(i) + ") of " + bound
                            + "), which the operator needs whole");
                    return;
                }
                int tile = whole ? bound : Math.max(1, Math.min(mapping.tile(d), bound));
                if (lb.lo(i) % tile != 0 || lb.hi(i) != Math.min(bound, lb.lo(i) + tile)) {
                    violation(Violation.Kind.ILLEGAL_STEP, t.label(), t.tensor(), "loop " + d + " range [" + lb.lo(i)
                            + ", " + lb.hi(i) + ") does not follow the mapping's tile of " + d + " (" + tile + ")");
                    return;
                }
            }
        }

        /** The mapping's unrolling fits the PE array (a plan replayed on a smaller array than it was made for). */
        void checkMappingFits(TileTask t, Mapping mapping) {
            Mapping.SpatialUnroll u = mapping.spatial();
            if ((u.rowFactor() > hw.peArray().rows() || u.colFactor() > hw.peArray().cols())
                    && illegalMappings.add(t.operator())) {
                violation(Violation.Kind.MALFORMED, t.label(), t.tensor(), "the mapping of '" + t.operator()
                        + "' unrolls " + u + ", which does not fit the " + hw.peArray().rows() + "x"
                        + hw.peArray().cols() + " PE array of " + hw.name());
            }
        }

        void finish(TileTask t, Issued is) {
            for (BufferLedger.Buf b : is.using) {
                b.inUse--;
            }
            if (!is.valid) {
                return;
            }
            switch (t.kind()) {
                case LOAD -> {
                    if (is.target != null) {
                        ledger.written(is.target, t.region());
                    }
                    dramRead.merge(t.tensor(), is.bytes, Long::sum);
                    dramReadTotal += is.bytes;
                    loadedTensors.add(t.tensor());
                    energy.load(is.bytes);
                }
                case STORE -> {
                    dramWritten.computeIfAbsent(t.tensor(), k -> new Coverage.BoxSet()).add(t.region());
                    dramWrite.merge(t.tensor(), is.bytes, Long::sum);
                    dramWriteTotal += is.bytes;
                    energy.store(is.bytes);
                }
                case COMPUTE -> {
                    TileProgress tp = is.tile;
                    boolean wasDone = tp.doneVolume >= tp.reductionVolume;
                    tp.doneVolume += is.reductionStep;
                    if (!wasDone && tp.doneVolume >= tp.reductionVolume) {
                        computedElements.merge(t.operator(), is.outBox.elements(), Long::sum);
                        if (is.target != null) {
                            ledger.written(is.target, is.outBox);
                        }
                    }
                }
                case FREE -> {
                }
            }
        }

        // ------------------------------------------------------------------ whole plan

        /** Checks that need the whole plan: complete outputs, tensors in DRAM where needed, no dead work. */
        final class FinalChecks {
            void run() {
                segment = -1;
                for (var op : net.operators()) {
                    LoopNest nest = net.loopNest(op.name()).orElse(null);
                    if (nest == null) {
                        continue;
                    }
                    int seg = segmentOf.getOrDefault(op.name(), -1);
                    Tensor out = net.tensor(nest.output().tensor());
                    long done = computedElements.getOrDefault(op.name(), 0L);
                    Coverage.BoxSet s = steps.get(op.name());
                    long points = nest.points();
                    long covered = s == null ? 0 : s.volume();
                    if (done < out.elements() || covered < points) {
                        violations.add(new Violation(Violation.Kind.OUTPUT_NEVER_WRITTEN, seg, "", out.name(), now,
                                "operator '" + op.name() + "' computed (" + done + ") of (" + out.elements()
                                        + ") output elements and (" + covered + ") of (" + points
                                        + ") iteration points"));
                    }
                    List<dev.sfd.workload.Operator> consumers = TensorViews.computeConsumers(net, out.name());
                    boolean isOutput = TensorViews.reachesOutput(net, out.name());
                    boolean crosses = isOutput;
                    for (var c : consumers) {
                        if (segmentOf.getOrDefault(c.name(), -2) != seg) {
                            crosses = true;
                        }
                    }
                    if (crosses && !inDram(out.name(), out.fullBox())) {
                        violations.add(new Violation(Violation.Kind.OUTPUT_NEVER_WRITTEN, seg, "", out.name(), now,
                                "'" + out.name() + "' is needed in DRAM (" + (isOutput ? "network output"
                                        : "read by a later segment") + ") but was not completely stored"));
                    }
                    if (!isOutput && !consumers.isEmpty() && done > 0 && !readTensors.contains(out.name())) {
                        violations.add(new Violation(Violation.Kind.OUTPUT_NEVER_CONSUMED, seg, "", out.name(), now,
                                "'" + out.name() + "' was computed but no task ever read it"));
                    } else if (!isOutput && dramWritten.containsKey(out.name())
                            && !loadedTensors.contains(out.name())) {
                        violations.add(new Violation(Violation.Kind.OUTPUT_NEVER_CONSUMED, seg, "", out.name(), now,
                                "'" + out.name() + "' was stored to DRAM but never loaded back and is not a network "
                                        + "output"));
                    }
                }
            }
        }
    }
}

package dev.sfd.simulation;

import dev.sfd.cost.Mapping;
import dev.sfd.cost.TileCycleModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.schedule.BufferSpec;
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
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;
import dev.sfd.workload.TensorRole;
import dev.sfd.workload.TensorViews;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Discrete-event simulator of a plan on a single-core accelerator (the one-core case of the hardware record).
 *
 * <p><b>Resources</b> run concurrently: {@code dram.dmaEngines} DMA engines (each gets an equal share of the DRAM
 * bandwidth; a transfer takes the access latency plus its bytes at that share), the PE array and the vector
 * unit. <b>Issue</b>: a segment's tasks issue in schedule order; a task issues once every earlier task has
 * issued, every dependency that has already issued has finished, and a unit of its resource is idle. Segments
 * run one after another. Compute cycles come from the shared cost model, split over an output tile's reduction
 * steps in proportion to their reduction volume.
 *
 * <p><b>Checks</b> (every broken rule becomes a {@link Violation}; the replay continues): the simulator does not
 * trust the plan's buffer lists. For every compute step it re-derives, from the loop nest and the layout views,
 * the physical regions the step reads and checks that live, completely written buffers cover them; loads must
 * find their data in DRAM (a weight, a network input, or stored earlier); every allocation is checked against
 * the GLB capacity; frees must not hit a buffer in use; a compute step may run once; at the end every compute
 * operator's output must be complete, every tensor needed by a later segment or as a network output must be in
 * DRAM, and every computed tensor must be read by someone (tensors no operator reads, e.g. unused split parts,
 * are dead and exempt).
 */
public final class Simulator {
    private static final Logger LOGGER = LogManager.getLogger();
    private static final LoopDim[] DIMS = LoopDim.values();

    private final Network net;
    private final TileCycleModel cycleModel;
    private final boolean recordSpans;

    public Simulator(Network net, TileCycleModel cycleModel, boolean recordSpans) {
        this.net = Objects.requireNonNull(net, "net");
        this.cycleModel = Objects.requireNonNull(cycleModel, "cycleModel");
        this.recordSpans = recordSpans;
    }

    public SimulationResult run(Plan plan) {
        return new Run(plan).execute();
    }

    private record StepKey(String operator, Box loops) {
    }

    private record TileKey(String operator, Box outputBox) {
    }

    private static final class TileProgress {
        long doneVolume;
        long cycles = -1;
        final long reductionVolume;

        TileProgress(long reductionVolume) {
            this.reductionVolume = reductionVolume;
        }
    }

    /** One live buffer. */
    private static final class Buf {
        final BufferSpec spec;
        final long bytes;
        long writtenElements;
        boolean complete;
        int inUse;

        Buf(BufferSpec spec, long bytes) {
            this.spec = spec;
            this.bytes = bytes;
        }
    }

    private final class Run {
        final Plan plan;
        final Hardware hw;
        final long capacity;
        final int dmaEngines;
        final double dmaBytesPerCycle;
        final List<Violation> violations = new ArrayList<>();
        final Map<String, List<Box>> dramWritten = new HashMap<>();
        final Map<String, Long> dramRead = new LinkedHashMap<>();
        final Map<String, Long> dramWrite = new LinkedHashMap<>();
        final Set<StepKey> stepsRun = new HashSet<>();
        final Set<String> illegalMappings = new HashSet<>();
        final Map<TileKey, TileProgress> progress = new HashMap<>();
        final Map<String, Long> computedElements = new HashMap<>();
        final Set<String> readTensors = new HashSet<>();
        final Set<String> loadedTensors = new HashSet<>();
        final Map<String, Integer> segmentOf = new HashMap<>();
        final List<SimulationResult.Span> spans = new ArrayList<>();
        final List<SimulationResult.SegmentResult> segmentResults = new ArrayList<>();
        Buf[] currentBufs = new Buf[0];
        long[] occCycles = new long[1024];
        long[] occBytes = new long[1024];
        int occN;
        long occupancy;
        long peak;
        long now;
        long events;
        long dramReadTotal;
        long dramWriteTotal;
        double macPj;
        double vectorPj;
        double glbPj;
        double dramPj;
        long busyPe;
        long busyVector;
        long busyDma;

        Run(Plan plan) {
            this.plan = plan;
            this.hw = plan.hardware();
            this.capacity = hw.globalBuffer().capacityBytes();
            this.dmaEngines = Math.max(1, hw.dram().dmaEngines());
            this.dmaBytesPerCycle = hw.dram().bandwidthBytesPerCycle() / dmaEngines;
        }

        SimulationResult execute() {
            checkStructure();
            recordOccupancy();
            for (SegmentSchedule seg : plan.segments()) {
                runSegment(seg);
            }
            finalChecks();
            Map<String, Long> busy = new LinkedHashMap<>();
            busy.put("PE_ARRAY", busyPe);
            busy.put("VECTOR", busyVector);
            busy.put("DMA", busyDma);
            Map<String, Double> util = new LinkedHashMap<>();
            util.put("PE_ARRAY", now == 0 ? 0 : (double) busyPe / now);
            util.put("VECTOR", now == 0 ? 0 : (double) busyVector / now);
            util.put("DMA", now == 0 ? 0 : (double) busyDma / ((double) now * dmaEngines));
            EnergyBreakdown energy = new EnergyBreakdown(macPj, vectorPj, glbPj, dramPj,
                    hw.energy().leakagePjPerCycle() * now);
            return new SimulationResult(now, energy, dramReadTotal, dramWriteTotal, dramRead, dramWrite, peak,
                    Arrays.copyOf(occCycles, occN), Arrays.copyOf(occBytes, occN), busy, util, segmentResults,
                    violations, events, spans);
        }

        void violation(Violation.Kind kind, int segment, String task, String tensor, String message) {
            Violation v = new Violation(kind, segment, task, tensor, now, message);
            violations.add(v);
            LOGGER.debug("{}", v);
        }

        void checkStructure() {
            for (SegmentSchedule seg : plan.segments()) {
                for (String op : seg.operators()) {
                    Integer prev = segmentOf.put(op, seg.index());
                    if (prev != null) {
                        violation(Violation.Kind.MALFORMED, seg.index(), "", "", "operator '" + op
                                + "' is in segments " + prev + " and " + seg.index());
                    }
                }
            }
            for (Operator op : net.operators()) {
                if (!segmentOf.containsKey(op.name())) {
                    violation(Violation.Kind.MALFORMED, -1, "", "", "operator '" + op.name() + "' is in no segment");
                }
            }
        }

        void recordOccupancy() {
            if (occN > 0 && occCycles[occN - 1] == now) {
                occBytes[occN - 1] = occupancy;
                return;
            }
            if (occN == occCycles.length) {
                occCycles = Arrays.copyOf(occCycles, occN * 2);
                occBytes = Arrays.copyOf(occBytes, occN * 2);
            }
            occCycles[occN] = now;
            occBytes[occN] = occupancy;
            occN++;
        }

        // ------------------------------------------------------------------ one segment

        void runSegment(SegmentSchedule seg) {
            List<TileTask> tasks = seg.tasks();
            int n = tasks.size();
            int maxId = 0;
            for (TileTask t : tasks) {
                maxId = Math.max(maxId, t.id());
            }
            byte[] state = new byte[maxId + 1]; // 0 not issued, 1 running, 2 done
            Buf[] bufs = new Buf[seg.buffers().size()];
            currentBufs = bufs;
            Map<String, List<Buf>> live = new HashMap<>();
            Map<String, List<Box>> freed = new HashMap<>();
            long start = now;
            long segPeak = occupancy;
            long readBefore = dramReadTotal;
            long writeBefore = dramWriteTotal;
            double energyBefore = macPj + vectorPj + glbPj + dramPj;
            int dmaIdle = dmaEngines;
            boolean peIdle = true;
            boolean vecIdle = true;
            boolean[] dmaLane = new boolean[dmaEngines];
            // {time, task position, DMA lane, type}: type 1 releases the resource, type 0 completes the task
            PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                    : a[3] != b[3] ? Long.compare(b[3], a[3]) : Long.compare(a[1], b[1]));
            Object[] runningCtx = new Object[n];
            int pos = 0;
            while (pos < n || !running.isEmpty()) {
                boolean progress = true;
                while (progress) {
                    progress = false;
                    while (pos < n) {
                        TileTask t = tasks.get(pos);
                        if (!depsDone(t, state)) {
                            break;
                        }
                        String res = resourceOf(t);
                        if (res.equals("DMA") && dmaIdle == 0 || res.equals("PE_ARRAY") && !peIdle
                                || res.equals("VECTOR") && !vecIdle) {
                            break;
                        }
                        events++;
                        Issued issued = issue(seg, t, bufs, live, freed);
                        segPeak = Math.max(segPeak, occupancy);
                        state[t.id()] = 1;
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
                        if (recordSpans && t.kind() != TaskKind.FREE) {
                            spans.add(new SimulationResult.Span(lane >= 0 ? "DMA" + lane : res, t.label(), seg.index(),
                                    now, now + issued.cycles));
                        }
                        if (LOGGER.isTraceEnabled()) {
                            LOGGER.trace("cycle ({}) segment ({}) start {} for ({}) cycles, occupancy ({}) bytes", now,
                                    seg.index(), t.label(), issued.cycles, occupancy);
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
                        progress = true;
                        if (ev[3] == 1) {
                            String r = resourceOf(tasks.get((int) ev[1]));
                            if (ev[2] >= 0) {
                                dmaLane[(int) ev[2]] = false;
                                dmaIdle++;
                            } else if (r.equals("PE_ARRAY")) {
                                peIdle = true;
                            } else if (r.equals("VECTOR")) {
                                vecIdle = true;
                            }
                        } else {
                            events++;
                            TileTask t = tasks.get((int) ev[1]);
                            finish(seg, t, (Issued) runningCtx[(int) ev[1]], bufs, live);
                            runningCtx[(int) ev[1]] = null;
                            state[t.id()] = 2;
                        }
                    }
                }
                if (running.isEmpty()) {
                    break;
                }
                now = running.peek()[0];
            }
            for (Buf b : bufs) {
                if (b != null && live.getOrDefault(b.spec.tensor(), List.of()).contains(b)) {
                    violation(Violation.Kind.BUFFER_NEVER_FREED, seg.index(), "", b.spec.tensor(), "buffer "
                            + b.spec.id() + " (" + b.spec.region() + ", " + b.bytes + " bytes) is never freed");
                    occupancy -= b.bytes;
                }
            }
            recordOccupancy();
            double energy = macPj + vectorPj + glbPj + dramPj - energyBefore
                    + hw.energy().leakagePjPerCycle() * (now - start);
            segmentResults.add(new SimulationResult.SegmentResult(seg.index(), start, now, segPeak,
                    dramReadTotal - readBefore, dramWriteTotal - writeBefore, energy));
        }

        boolean depsDone(TileTask t, byte[] state) {
            for (int d : t.deps()) {
                if (d >= 0 && d < state.length && state[d] == 1) {
                    return false;
                }
            }
            return true;
        }

        String resourceOf(TileTask t) {
            return switch (t.kind()) {
                case LOAD, STORE -> "DMA";
                case FREE -> "NONE";
                case COMPUTE -> net.loopNest(t.operator()).map(n -> switch (n.unit()) {
                    case PE_ARRAY -> "PE_ARRAY";
                    case VECTOR -> "VECTOR";
                    case NONE -> "NONE";
                }).orElse("NONE");
            };
        }

        /** What a running task holds until it finishes. */
        final class Issued {
            long cycles;
            long busy;
            List<Buf> using = List.of();
            Buf target;
            long bytes;
            TileProgress tile;
            long stepVolume;
            boolean valid = true;
        }

        Issued issue(SegmentSchedule seg, TileTask t, Buf[] bufs, Map<String, List<Buf>> live,
                     Map<String, List<Box>> freed) {
            Issued is = new Issued();
            int s = seg.index();
            if (t.allocates() >= 0) {
                allocate(seg, t, bufs, live, is);
            }
            switch (t.kind()) {
                case LOAD -> issueLoad(s, t, bufs, is);
                case STORE -> issueStore(s, t, live, freed, is);
                case COMPUTE -> issueCompute(s, t, live, freed, is);
                case FREE -> issueFree(s, t, bufs, live, freed);
            }
            return is;
        }

        void allocate(SegmentSchedule seg, TileTask t, Buf[] bufs, Map<String, List<Buf>> live, Issued is) {
            int b = t.allocates();
            if (b >= bufs.length) {
                violation(Violation.Kind.MALFORMED, seg.index(), t.label(), t.tensor(), "allocates unknown buffer " + b);
                return;
            }
            if (bufs[b] != null) {
                violation(Violation.Kind.MALFORMED, seg.index(), t.label(), t.tensor(), "allocates buffer " + b
                        + " a second time");
                return;
            }
            BufferSpec spec = seg.buffers().get(b);
            if (!net.tensors().containsKey(spec.tensor())) {
                violation(Violation.Kind.MALFORMED, seg.index(), t.label(), spec.tensor(), "buffer " + b
                        + " holds unknown tensor '" + spec.tensor() + "'");
                return;
            }
            Tensor tensor = net.tensor(spec.tensor());
            long minimum = (long) Math.ceil(spec.region().elements() * hw.bytesPerElement(tensor.isWeight()));
            Buf buf = new Buf(spec, Math.max(spec.bytes(), minimum));
            bufs[b] = buf;
            live.computeIfAbsent(spec.tensor(), k -> new ArrayList<>()).add(buf);
            occupancy += buf.bytes;
            peak = Math.max(peak, occupancy);
            recordOccupancy();
            if (occupancy > capacity) {
                violation(Violation.Kind.GLB_OVERFLOW, seg.index(), t.label(), spec.tensor(), "allocating ("
                        + buf.bytes + ") bytes takes the global buffer to (" + occupancy + ") of (" + capacity + ") bytes");
            }
            is.target = buf;
        }

        void issueLoad(int s, TileTask t, Buf[] bufs, Issued is) {
            if (!net.tensors().containsKey(t.tensor())) {
                violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "loads unknown tensor");
                is.valid = false;
                return;
            }
            Tensor tensor = net.tensor(t.tensor());
            if (tensor.role() == TensorRole.ACTIVATION
                    && !covered(t.region(), dramWritten.getOrDefault(t.tensor(), List.of()))) {
                violation(Violation.Kind.INPUT_NOT_READY, s, t.label(), t.tensor(), "loads " + t.region()
                        + " of '" + t.tensor() + "' before it was stored to DRAM");
            }
            if (is.target == null || !is.target.spec.region().contains(t.region())) {
                violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "loads into no buffer that holds "
                        + t.region());
                is.valid = false;
            }
            is.bytes = (long) Math.ceil(t.region().elements() * hw.bytesPerElement(tensor.isWeight()));
            is.busy = (long) Math.ceil(is.bytes / dmaBytesPerCycle);
            is.cycles = hw.dram().latencyCycles() + is.busy;
        }

        void issueStore(int s, TileTask t, Map<String, List<Buf>> live, Map<String, List<Box>> freed, Issued is) {
            if (!net.tensors().containsKey(t.tensor())) {
                violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "stores unknown tensor");
                is.valid = false;
                return;
            }
            is.using = coverOrReport(s, t, t.tensor(), t.region(), live, freed);
            if (is.using == null) {
                is.valid = false;
                is.using = List.of();
            }
            for (Buf b : is.using) {
                b.inUse++;
            }
            is.bytes = (long) Math.ceil(t.region().elements() * hw.dataWidths().activationBytes());
            is.busy = (long) Math.ceil(is.bytes / dmaBytesPerCycle);
            is.cycles = hw.dram().latencyCycles() + is.busy;
        }

        void issueCompute(int s, TileTask t, Map<String, List<Buf>> live, Map<String, List<Box>> freed, Issued is) {
            LoopNest nest = net.loopNest(t.operator()).orElse(null);
            Mapping mapping = plan.mappings().get(t.operator());
            if (nest == null || mapping == null) {
                violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), nest == null
                        ? "operator '" + t.operator() + "' has no loop nest" : "operator '" + t.operator() + "' has no mapping");
                is.valid = false;
                return;
            }
            Operator op = net.operator(t.operator());
            Box lb = t.loops();
            Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(LoopDim.class);
            long stepVolume = 1;
            long reductionVolume = 1;
            long reductionStep = 1;
            for (LoopDim d : DIMS) {
                int i = d.ordinal();
                int bound = nest.bound(d);
                if (lb.lo(i) < 0 || lb.hi(i) > bound || lb.lo(i) >= lb.hi(i)) {
                    violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "loop " + d + " range [" + lb.lo(i)
                            + ", " + lb.hi(i) + ") is outside [0, " + bound + ")");
                    is.valid = false;
                    return;
                }
                loops.put(d, new AxisExpr.Range(lb.lo(i), lb.hi(i), bound));
                stepVolume *= lb.hi(i) - lb.lo(i);
                if (d.isReduction()) {
                    reductionVolume *= bound;
                    reductionStep *= lb.hi(i) - lb.lo(i);
                }
            }
            if (!stepsRun.add(new StepKey(t.operator(), lb))) {
                violation(Violation.Kind.TILE_RUN_TWICE, s, t.label(), t.tensor(), "loop ranges " + lb + " of '"
                        + t.operator() + "' were already computed");
                is.valid = false;
            }
            List<Buf> using = new ArrayList<>();
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
                    List<Buf> cover = coverOrReport(s, t, part.tensor(), part.region(), live, freed);
                    if (cover != null) {
                        using.addAll(cover);
                    }
                    readTensors.add(part.tensor());
                    readBytes += (long) Math.ceil(part.region().elements()
                            * hw.bytesPerElement(net.tensor(part.tensor()).isWeight()));
                }
            }
            Tensor out = net.tensor(nest.output().tensor());
            Box outBox = nest.region(nest.output(), out.shape(), loops);
            TileKey key = new TileKey(t.operator(), outBox);
            TileProgress tp = progress.get(key);
            if (tp == null) {
                tp = new TileProgress(reductionVolume);
                progress.put(key, tp);
            }
            if (tp.cycles < 0) {
                Map<LoopDim, AxisExpr.Range> full = new EnumMap<>(loops);
                for (LoopDim d : DIMS) {
                    if (d.isReduction()) {
                        full.put(d, AxisExpr.Range.full(nest.bound(d)));
                    }
                }
                try {
                    tp.cycles = cycleModel.tileComputeCycles(net, op, mapping, full);
                } catch (IllegalArgumentException illegal) {
                    // e.g. a plan replayed on a smaller PE array than it was made for
                    if (illegalMappings.add(t.operator())) {
                        violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "the mapping of '"
                                + t.operator() + "' is not legal on " + hw.name() + ": " + illegal.getMessage());
                    }
                    long volume = 1;
                    for (LoopDim d : DIMS) {
                        AxisExpr.Range r = full.get(d);
                        volume *= r.hi() - r.lo();
                    }
                    long rate = nest.unit() == OpKind.ComputeUnit.PE_ARRAY ? hw.peakMacsPerCycle()
                            : hw.peakVectorOpsPerCycle();
                    tp.cycles = (volume + rate - 1) / Math.max(1, rate);
                }
            }
            Buf target = is.target;
            if (target == null) {
                target = findContaining(live.get(out.name()), outBox);
                if (target == null) {
                    boolean wasFreed = covered(outBox, freed.getOrDefault(out.name(), List.of()));
                    violation(wasFreed ? Violation.Kind.FREED_WHILE_NEEDED : Violation.Kind.INPUT_NOT_READY, s,
                            t.label(), out.name(), wasFreed ? "the buffer of output tile " + outBox + " was freed before its last step"
                                    : "no buffer holds output tile " + outBox);
                }
            } else if (!target.spec.tensor().equals(out.name()) || !target.spec.region().contains(outBox)) {
                violation(Violation.Kind.MALFORMED, s, t.label(), out.name(), "allocates buffer "
                        + target.spec.id() + " which does not hold output tile " + outBox);
                target = null;
            }
            if (tp.doneVolume > 0 && target != null) {
                using.add(target);
            }
            for (Buf b : using) {
                b.inUse++;
            }
            is.using = using;
            is.target = target;
            is.tile = tp;
            is.stepVolume = reductionStep;
            long before = tp.cycles * tp.doneVolume / tp.reductionVolume;
            long after = tp.cycles * Math.min(tp.reductionVolume, tp.doneVolume + reductionStep) / tp.reductionVolume;
            is.cycles = Math.max(0, after - before);
            is.busy = is.cycles;
            if (nest.unit() == OpKind.ComputeUnit.PE_ARRAY) {
                macPj += stepVolume * hw.energy().macPj();
            } else if (nest.unit() == OpKind.ComputeUnit.VECTOR) {
                vectorPj += (double) stepVolume * nest.opsPerPoint() * hw.energy().vectorOpPj();
            }
            glbPj += readBytes * hw.globalBuffer().readEnergyPjPerByte();
        }

        void issueFree(int s, TileTask t, Buf[] bufs, Map<String, List<Buf>> live, Map<String, List<Box>> freed) {
            for (int id : t.frees()) {
                Buf b = id >= 0 && id < bufs.length ? bufs[id] : null;
                List<Buf> l = b == null ? null : live.get(b.spec.tensor());
                if (b == null || l == null || !l.remove(b)) {
                    violation(Violation.Kind.MALFORMED, s, t.label(), t.tensor(), "frees buffer " + id
                            + " which is not allocated");
                    continue;
                }
                if (b.inUse > 0) {
                    violation(Violation.Kind.FREED_WHILE_NEEDED, s, t.label(), b.spec.tensor(), "frees buffer " + id
                            + " (" + b.spec.region() + ") while " + b.inUse + " running task(s) use it");
                }
                occupancy -= b.bytes;
                freed.computeIfAbsent(b.spec.tensor(), k -> new ArrayList<>()).add(b.spec.region());
            }
            recordOccupancy();
        }

        void finish(SegmentSchedule seg, TileTask t, Issued is, Buf[] bufs, Map<String, List<Buf>> live) {
            for (Buf b : is.using) {
                b.inUse--;
            }
            switch (t.kind()) {
                case LOAD -> {
                    if (is.valid && is.target != null) {
                        is.target.writtenElements += t.region().elements();
                        is.target.complete = is.target.writtenElements >= is.target.spec.region().elements()
                                || is.target.spec.region().equals(t.region());
                        dramRead.merge(t.tensor(), is.bytes, Long::sum);
                        dramReadTotal += is.bytes;
                        loadedTensors.add(t.tensor());
                        dramPj += is.bytes * hw.dram().readEnergyPjPerByte();
                        glbPj += is.bytes * hw.globalBuffer().writeEnergyPjPerByte();
                    }
                }
                case STORE -> {
                    if (is.valid) {
                        dramWritten.computeIfAbsent(t.tensor(), k -> new ArrayList<>()).add(t.region());
                        dramWrite.merge(t.tensor(), is.bytes, Long::sum);
                        dramWriteTotal += is.bytes;
                        dramPj += is.bytes * hw.dram().writeEnergyPjPerByte();
                        glbPj += is.bytes * hw.globalBuffer().readEnergyPjPerByte();
                    }
                }
                case COMPUTE -> {
                    if (is.tile == null) {
                        return;
                    }
                    boolean wasDone = is.tile.doneVolume >= is.tile.reductionVolume;
                    if (is.valid) {
                        is.tile.doneVolume += is.stepVolume;
                    }
                    if (!wasDone && is.tile.doneVolume >= is.tile.reductionVolume) {
                        LoopNest nest = net.loopNest(t.operator()).orElseThrow();
                        Tensor out = net.tensor(nest.output().tensor());
                        Box outBox = nest.region(nest.output(), out.shape(), toLoops(nest, t.loops()));
                        computedElements.merge(t.operator(), outBox.elements(), Long::sum);
                        glbPj += outBox.elements() * hw.dataWidths().activationBytes()
                                * hw.globalBuffer().writeEnergyPjPerByte();
                        if (is.target != null) {
                            is.target.writtenElements += outBox.elements();
                            is.target.complete = is.target.writtenElements >= is.target.spec.region().elements();
                        }
                    }
                }
                case FREE -> {
                }
            }
        }

        Map<LoopDim, AxisExpr.Range> toLoops(LoopNest nest, Box lb) {
            Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(LoopDim.class);
            for (LoopDim d : DIMS) {
                loops.put(d, new AxisExpr.Range(lb.lo(d.ordinal()), lb.hi(d.ordinal()), nest.bound(d)));
            }
            return loops;
        }

        /** Live complete buffers of {@code tensor} covering {@code region}; null (and a violation) when none do. */
        List<Buf> coverOrReport(int s, TileTask t, String tensor, Box region, Map<String, List<Buf>> live,
                                Map<String, List<Box>> freed) {
            List<Buf> candidates = live.getOrDefault(tensor, List.of());
            // The buffers the task says it reads come first, so that its use of them is what the FREEs wait for.
            for (int id : t.reads()) {
                Buf b = id >= 0 && id < currentBufs.length ? currentBufs[id] : null;
                if (b != null && b.complete && b.spec.tensor().equals(tensor) && b.spec.region().contains(region)
                        && candidates.contains(b)) {
                    return List.of(b);
                }
            }
            List<Buf> hits = new ArrayList<>(2);
            List<Box> boxes = new ArrayList<>(2);
            for (Buf b : candidates) {
                if (b.complete && b.spec.region().intersects(region)) {
                    if (b.spec.region().contains(region)) {
                        return List.of(b);
                    }
                    hits.add(b);
                    boxes.add(b.spec.region());
                }
            }
            if (!hits.isEmpty() && covered(region, boxes)) {
                return hits;
            }
            List<Box> gone = freed.getOrDefault(tensor, List.of());
            List<Box> withFreed = new ArrayList<>(boxes);
            withFreed.addAll(gone);
            if (!gone.isEmpty() && covered(region, withFreed)) {
                violation(Violation.Kind.FREED_WHILE_NEEDED, s, t.label(), tensor, "needs " + region + " of '" + tensor
                        + "', which was freed from the global buffer before this task");
            } else {
                violation(Violation.Kind.INPUT_NOT_READY, s, t.label(), tensor, "needs " + region + " of '" + tensor
                        + "', which is not (completely) on chip");
            }
            return null;
        }

        Buf findContaining(List<Buf> bufs, Box box) {
            if (bufs == null) {
                return null;
            }
            for (Buf b : bufs) {
                if (b.spec.region().contains(box)) {
                    return b;
                }
            }
            return null;
        }

        // ------------------------------------------------------------------ whole plan

        void finalChecks() {
            now = Math.max(now, 0);
            for (Operator op : net.operators()) {
                Optional<LoopNest> nest = Optional.ofNullable(net.loopNest(op.name()).orElse(null));
                if (nest.isEmpty()) {
                    continue;
                }
                Tensor out = net.tensor(nest.get().output().tensor());
                long done = computedElements.getOrDefault(op.name(), 0L);
                if (done < out.elements()) {
                    violation(Violation.Kind.OUTPUT_NEVER_WRITTEN, segmentOf.getOrDefault(op.name(), -1), "", out.name(),
                            "operator '" + op.name() + "' computed (" + done + ") of (" + out.elements() + ") output elements");
                }
                List<Operator> consumers = TensorViews.computeConsumers(net, out.name());
                boolean isOutput = TensorViews.reachesOutput(net, out.name());
                int seg = segmentOf.getOrDefault(op.name(), -1);
                boolean crosses = isOutput;
                for (Operator c : consumers) {
                    if (segmentOf.getOrDefault(c.name(), -2) != seg) {
                        crosses = true;
                    }
                }
                if (crosses && !covered(out.fullBox(), dramWritten.getOrDefault(out.name(), List.of()))) {
                    violation(Violation.Kind.OUTPUT_NEVER_WRITTEN, seg, "", out.name(), "'" + out.name()
                            + "' is needed in DRAM (" + (isOutput ? "network output" : "read by a later segment")
                            + ") but was not completely stored");
                }
                if (!isOutput && !consumers.isEmpty() && done > 0 && !readTensors.contains(out.name())) {
                    violation(Violation.Kind.OUTPUT_NEVER_CONSUMED, seg, "", out.name(), "'" + out.name()
                            + "' was computed but no task ever read it");
                } else if (!isOutput && dramWritten.containsKey(out.name()) && !loadedTensors.contains(out.name())) {
                    violation(Violation.Kind.OUTPUT_NEVER_CONSUMED, seg, "", out.name(), "'" + out.name()
                            + "' was stored to DRAM but never loaded back and is not a network output");
                }
            }
        }
    }

    /** True when the union of {@code boxes} covers {@code need}. */
    static boolean covered(Box need, List<Box> boxes) {
        if (need.isEmpty()) {
            return true;
        }
        return covered(need, boxes, 0);
    }

    private static boolean covered(Box need, List<Box> boxes, int from) {
        for (int i = from; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (!b.intersects(need)) {
                continue;
            }
            if (b.contains(need)) {
                return true;
            }
            // need minus b: at most two slabs per axis, each recursively covered by the remaining boxes
            Box rest = need;
            for (int axis = 0; axis < need.rank(); axis++) {
                if (rest.lo(axis) < b.lo(axis)) {
                    if (!covered(rest.withAxis(axis, rest.lo(axis), b.lo(axis)), boxes, i + 1)) {
                        return false;
                    }
                    rest = rest.withAxis(axis, b.lo(axis), rest.hi(axis));
                }
                if (rest.hi(axis) > b.hi(axis)) {
                    if (!covered(rest.withAxis(axis, b.hi(axis), rest.hi(axis)), boxes, i + 1)) {
                        return false;
                    }
                    rest = rest.withAxis(axis, rest.lo(axis), b.hi(axis));
                }
            }
            return true;
        }
        return false;
    }
}

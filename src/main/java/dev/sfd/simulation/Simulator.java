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
 * <p><b>Execution</b>: the plan is a program. Tasks issue in the plan's order: a task issues once every earlier task
 * has issued, every dependency has finished and a unit of its kind is free (each DMA engine, the PE array, the
 * vector unit; frees need none). The order is the segments' tasks one segment after another, except a segment's
 * prefetched tasks ({@link SegmentSchedule.Prefetch}), which sit right after the named task of the previous segment
 * and also wait for the previous segment's tasks their waits name; every other task of a segment waits until every
 * task of the previous segment has finished. A segment's span runs from its first task's start to its last task's
 * end; spans of neighbours overlap by their prefetch.
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
            runPlan();
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

        /**
         * Per segment, its prefetched tasks in issue order, as {@code {position, host segment, place}} triples (the
         * place a position in the host's order), after checking each prefetch; a malformed one is a violation and
         * ignored (the segment runs without it): a prefetch of the first segment, a task the segment does not have
         * or listed twice, a prefetched task depending on a task not listed before it, a host that is not an earlier
         * segment, a place that names no task of its host or one of the host's own prefetched tasks, or places that
         * go back along the list.
         */
        int[][][] prefetchPlaces(List<SegmentSchedule> segs, List<Map<Integer, Integer>> positions) {
            int[][][] early = new int[segs.size()][][];
            boolean[][] isEarly = new boolean[segs.size()][];
            for (int k = 0; k < segs.size(); k++) {
                SegmentSchedule.Prefetch p = segs.get(k).prefetch();
                early[k] = new int[0][];
                if (p.any()) {
                    segment = k;
                    String problem = k == 0 ? "prefetches " + p.tasks().size() + " tasks but is the first segment"
                            : null;
                    int[][] mine = new int[p.tasks().size()][];
                    Set<Integer> listed = new HashSet<>();
                    int lastHost = -1;
                    int lastPlace = -1;
                    for (int i = 0; i < mine.length && problem == null; i++) {
                        int id = p.tasks().get(i);
                        int host = p.host(i, k);
                        Integer at = positions.get(k).get(id);
                        Integer after = host < 0 || host >= k ? null : positions.get(host).get(p.after().get(i));
                        if (at == null || listed.contains(id)) {
                            problem = "prefetches task " + id + ", which " + (at == null ? "is not in the segment"
                                    : "it lists twice");
                        } else if (host < 0 || host >= k) {
                            problem = "prefetches task " + id + " into segment " + host + ", not an earlier one";
                        } else if (after == null || isEarly[host][after]) {
                            problem = "prefetches after task " + p.after().get(i) + ", which is not one of segment "
                                    + host + "'s own tasks";
                        } else if (host < lastHost || host == lastHost && after < lastPlace) {
                            problem = "prefetches task " + id + " after task " + p.after().get(i) + " of segment "
                                    + host + ", earlier in the program than the place of the task listed before it";
                        } else {
                            for (int d : segs.get(k).tasks().get(at).deps()) {
                                if (!listed.contains(d)) {
                                    problem = "prefetches task " + id + ", which depends on task " + d
                                            + ", not prefetched before it";
                                    break;
                                }
                            }
                            mine[i] = new int[] {at, host, after};
                            listed.add(id);
                            lastHost = host;
                            lastPlace = after;
                        }
                    }
                    if (problem != null) {
                        violation(Violation.Kind.MALFORMED, "", "", problem);
                    } else {
                        early[k] = mine;
                    }
                }
                isEarly[k] = new boolean[segs.get(k).tasks().size()];
                for (int[] e : early[k]) {
                    isEarly[k][e[0]] = true;
                }
            }
            return early;
        }

        void runPlan() {
            List<SegmentSchedule> segs = plan.segments();
            int nSeg = segs.size();
            List<Map<Integer, Integer>> positions = new ArrayList<>();
            int[][][] depPos = new int[nSeg][][];
            for (SegmentSchedule seg : segs) {
                segment = seg.index();
                Map<Integer, Integer> position = checkTasks(seg);
                positions.add(position);
                List<TileTask> tasks = seg.tasks();
                int[][] dp = new int[tasks.size()][];
                for (int p = 0; p < tasks.size(); p++) {
                    List<Integer> ds = tasks.get(p).deps();
                    int[] x = new int[ds.size()];
                    int c = 0;
                    for (int d : ds) {
                        Integer q = position.get(d);
                        if (q != null && q < p) {
                            x[c++] = q;
                        }
                    }
                    dp[p] = java.util.Arrays.copyOf(x, c);
                }
                depPos[positions.size() - 1] = dp;
            }
            int[][][] early = prefetchPlaces(segs, positions);
            boolean[][] isEarly = new boolean[nSeg][];
            for (int k = 0; k < nSeg; k++) {
                isEarly[k] = new boolean[segs.get(k).tasks().size()];
                for (int[] e : early[k]) {
                    isEarly[k][e[0]] = true;
                }
            }
            // cross-segment waits of prefetched tasks: positions in the previous segment, for tasks placed there
            int[][][] waitPos = new int[nSeg][][];
            for (int k = 1; k < nSeg; k++) {
                waitPos[k] = new int[segs.get(k).tasks().size()][0];
                int[] hostOf = new int[segs.get(k).tasks().size()];
                for (int[] e : early[k]) {
                    hostOf[e[0]] = e[1];
                }
                segment = k;
                for (SegmentSchedule.Wait w : segs.get(k).prefetch().waits()) {
                    Integer at = positions.get(k).get(w.task());
                    Integer on = positions.get(k - 1).get(w.on());
                    if (at == null || !isEarly[k][at] || hostOf[at] != k - 1 || on == null) {
                        violation(Violation.Kind.MALFORMED, "", "", "prefetch wait [" + w.task() + ", " + w.on()
                                + "]: " + (at == null || !isEarly[k][at] ? "task " + w.task() + " is not one of the "
                                + "segment's prefetched tasks" : hostOf[at] != k - 1 ? "task " + w.task()
                                + " issues in segment " + hostOf[at] + ", before the previous segment"
                                : "segment " + (k - 1) + " has no task " + w.on()));
                        continue;
                    }
                    int[] old = waitPos[k][at];
                    waitPos[k][at] = java.util.Arrays.copyOf(old, old.length + 1);
                    waitPos[k][at][old.length] = on;
                }
            }
            // the issue order: each segment's own tasks, each followed by the later segments' prefetched tasks
            // placed after it (by segment, then as listed)
            Map<Long, List<long[]>> placedAfter = new HashMap<>();
            for (int k = 1; k < nSeg; k++) {
                for (int[] e : early[k]) {
                    placedAfter.computeIfAbsent(((long) e[1] << 32) | e[2], x -> new ArrayList<>())
                            .add(new long[] {k, e[0]});
                }
            }
            List<long[]> order = new ArrayList<>();
            for (int k = 0; k < nSeg; k++) {
                int n = segs.get(k).tasks().size();
                for (int p = 0; p < n; p++) {
                    if (isEarly[k][p]) {
                        continue;
                    }
                    order.add(new long[] {k, p});
                    List<long[]> after = placedAfter.get(((long) k << 32) | p);
                    if (after != null) {
                        order.addAll(after);
                    }
                }
            }
            byte[][] state = new byte[nSeg][]; // 0 not issued, 1 running, 2 done
            Issued[][] runningCtx = new Issued[nSeg][];
            int[] finished = new int[nSeg];
            boolean[] begun = new boolean[nSeg];
            boolean[] ended = new boolean[nSeg];
            long[] start = new long[nSeg];
            long[] end = new long[nSeg];
            long[] peaks = new long[nSeg];
            long[] reads = new long[nSeg];
            long[] writes = new long[nSeg];
            double[] dynamic = new double[nSeg];
            for (int k = 0; k < nSeg; k++) {
                state[k] = new byte[segs.get(k).tasks().size()];
                runningCtx[k] = new Issued[state[k].length];
            }
            int dmaIdle = dmaEngines;
            boolean peIdle = true;
            boolean vecIdle = true;
            boolean[] dmaLane = new boolean[dmaEngines];
            // {time, segment, task position, DMA lane, type}: type 1 releases the unit, type 0 completes the task
            PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                    : a[4] != b[4] ? Long.compare(b[4], a[4]) : a[1] != b[1] ? Long.compare(a[1], b[1])
                    : Long.compare(a[2], b[2]));
            int lastEnded = -1;
            int next = 0;
            boolean[] abandoned = new boolean[nSeg];
            while (true) {
                boolean moved = true;
                while (moved) {
                    moved = false;
                    // segments whose every task is done end, in order (a segment ends after the previous one)
                    while (lastEnded + 1 < nSeg && finished[lastEnded + 1] == state[lastEnded + 1].length) {
                        int k = ++lastEnded;
                        segment = k;
                        if (!begun[k]) {
                            begun[k] = true;
                            start[k] = now;
                            ledger.beginSegment(k, segs.get(k).buffers());
                        }
                        end[k] = now;
                        peaks[k] = ledger.endSegment(k, now);
                        ended[k] = true;
                        moved = true;
                    }
                    while (next < order.size()) {
                        int k = (int) order.get(next)[0];
                        int pos = (int) order.get(next)[1];
                        if (abandoned[k]) {
                            next++;
                            continue;
                        }
                        SegmentSchedule seg = segs.get(k);
                        TileTask t = seg.tasks().get(pos);
                        boolean prefetched = isEarly[k][pos];
                        boolean ready = prefetched || k == 0 || ended[k - 1];
                        if (ready && prefetched) {
                            for (int w : waitPos[k][pos]) {
                                ready &= state[k - 1][w] == 2;
                            }
                        }
                        for (int d : depPos[k][pos]) {
                            if (!ready || state[k][d] != 2) {
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
                        segment = k;
                        if (!begun[k]) {
                            begun[k] = true;
                            start[k] = now;
                            ledger.beginSegment(k, seg.buffers());
                        }
                        ledger.use(k);
                        events++;
                        double before = energy.dynamicPj();
                        Issued issued = issue(seg, t);
                        dynamic[k] += energy.dynamicPj() - before;
                        state[k][pos] = 1;
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
                        runningCtx[k][pos] = issued;
                        running.add(new long[] {now + issued.cycles, k, pos, -1, 0});
                        if (!res.equals("NONE")) {
                            running.add(new long[] {now + issued.busy, k, pos, lane, 1});
                        }
                        next++;
                    }
                    // events due now (zero-length tasks, releases) may let the next task issue at this instant
                    while (!running.isEmpty() && running.peek()[0] <= now) {
                        long[] ev = running.poll();
                        moved = true;
                        int k = (int) ev[1];
                        int p = (int) ev[2];
                        TileTask t = segs.get(k).tasks().get(p);
                        if (ev[4] == 1) {
                            String r = resourceOf(t);
                            if (ev[3] >= 0) {
                                dmaLane[(int) ev[3]] = false;
                                dmaIdle++;
                            } else if (r.equals("PE_ARRAY")) {
                                peIdle = true;
                            } else if (r.equals("VECTOR")) {
                                vecIdle = true;
                            }
                            if (runningCtx[k][p] != null && runningCtx[k][p].transfer) {
                                activeTransfers--;
                                runningCtx[k][p].transfer = false;
                            }
                        } else {
                            events++;
                            segment = k;
                            ledger.use(k);
                            long r0 = dramReadTotal;
                            long w0 = dramWriteTotal;
                            double before = energy.dynamicPj();
                            finish(t, runningCtx[k][p]);
                            dynamic[k] += energy.dynamicPj() - before;
                            reads[k] += dramReadTotal - r0;
                            writes[k] += dramWriteTotal - w0;
                            if (runningCtx[k][p].transfer) {
                                activeTransfers--;
                            }
                            runningCtx[k][p] = null;
                            state[k][p] = 2;
                            finished[k]++;
                        }
                    }
                }
                if (running.isEmpty()) {
                    if (next < order.size()) {
                        int k = (int) order.get(next)[0];
                        TileTask t = segs.get(k).tasks().get((int) order.get(next)[1]);
                        segment = k;
                        violation(Violation.Kind.MALFORMED, t.label(), t.tensor(),
                                "can never issue: it waits for a task that cannot finish");
                        // the rest of that segment never runs; later segments still do
                        abandoned[k] = true;
                        finished[k] = state[k].length;
                        continue;
                    }
                    break;
                }
                now = running.peek()[0];
            }
            long previousEnd = 0;
            for (int k = 0; k < nSeg; k++) {
                double leakage = energy.leakagePj(Math.max(0, end[k] - previousEnd));
                segmentResults.add(new SimulationResult.SegmentResult(k, Math.min(start[k], end[k]), end[k],
                        Math.min(previousEnd, end[k]), peaks[k], reads[k], writes[k], dynamic[k] + leakage));
                previousEnd = Math.max(previousEnd, end[k]);
            }
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

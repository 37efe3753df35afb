package dev.sfd.segmentation.cpsat;

import dev.sfd.common.Interruption;
import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpModelProto;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverResponse;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearArgument;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentationModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CP-SAT formulation of a {@link SegmentationModel}: which segment each operator joins and which option it
 * uses, scored exactly as {@link SegmentationModel#evaluate(List)} scores.
 *
 * <p><b>Variables.</b> {@code seg[v]} in {@code [lo(v), hi(v)]} (segment index, segments run in index order),
 * channelled to {@code in[v][s]}; {@code opt[v][o]} (exactly one per operator); {@code same[t][c]} (tensor
 * {@code t}'s producer and consumer {@code c} share a segment), {@code onChip[t]} (some consumer shares it),
 * {@code leaves[t]} (stored to DRAM), {@code load[t][s]} (segment {@code s} reads {@code t} from DRAM),
 * {@code used[s]} (segment {@code s} is non-empty).
 *
 * <p><b>Exactness.</b> Every quantity the evaluator sums is an integer here, and every Boolean is tied to its
 * meaning in both directions (equivalences, not one-sided bounds), so each feasible assignment's objective is
 * the evaluator's figure, not a bound on it:
 * <ul>
 *   <li>Per operator: buffer {@code buf[v]} = option bytes + on-chip bytes and producer windows of its tensors
 *       that stay on chip + consumer windows of tensors it reads in their producer's segment; DRAM
 *       {@code dram[v]} = option weights + bytes of tensors it stores. Segment sums use
 *       {@code inSeg[v][s] = in[v][s] ? x[v] : 0}.</li>
 *   <li>Loads: {@code load[t][s] <=> (OR_c in[c][s]) AND NOT in[p][s]} counts each consumer segment once.</li>
 *   <li>Memory cycles: the bandwidth is taken as a rational {@code num / den} equal to the double (up to
 *       {@code den <= 10^6}); {@code num * mem[s] >= den * dram[s]} and
 *       {@code num * mem[s] <= den * dram[s] + num - 1} make {@code mem[s] = ceil(dram[s] / bandwidth)}
 *       exactly, so {@code lat[s] = max(compute[s], mem[s])} (addMaxEquality) plus the overhead per used
 *       segment is the evaluator's latency.</li>
 *   <li>Energy is in units of {@code 1 / energyScale} pJ: each option's energy and the DRAM pJ per byte are
 *       rounded once; exact when they are multiples of {@code 1 / energyScale} (integers: scale 1).</li>
 * </ul>
 *
 * <p><b>Convexity.</b> {@code seg[p] <= seg[c]} for every tensor edge: segments in index order are then an
 * execution order, which is exactly the evaluator's legality rule; any convex segmentation of the DAG (not only
 * contiguous runs of the given topological order) is reachable when the domains are full.
 */
final class CpSatSegmentationModel {
    private static final long BANDWIDTH_MAX_DENOMINATOR = 1_000_000;

    /** Segment-index domain per operator: full ({@code 0..n-1}) or a band around a reference plan. */
    record Domains(int segments, int[] lo, int[] hi, boolean full) {
        static Domains full(int n) {
            int[] lo = new int[n];
            int[] hi = new int[n];
            java.util.Arrays.fill(hi, n - 1);
            return new Domains(n, lo, hi, true);
        }

        /** {@code seg[v]} within {@code band} of the reference plan's index; room for {@code band} extra segments. */
        static Domains band(int n, List<SegmentationModel.Part> reference, int band) {
            int segments = Math.min(n, reference.size() + band);
            int[] lo = new int[n];
            int[] hi = new int[n];
            for (int s = 0; s < reference.size(); s++) {
                for (int v : reference.get(s).operators()) {
                    lo[v] = Math.max(0, s - band);
                    hi[v] = Math.min(segments - 1, s + band);
                }
            }
            boolean full = segments == n && java.util.Arrays.stream(lo).allMatch(l -> l == 0)
                    && java.util.Arrays.stream(hi).allMatch(h -> h == n - 1);
            return new Domains(segments, lo, hi, full);
        }
    }

    /** A decoded solution with the solver's figures (objective in model units, see {@link #objectiveUnits()}). */
    record Solution(List<SegmentationModel.Part> parts, long objective, double bound, CpSolverStatus status) {
    }

    /** What the solve ended with: a solution, or none (infeasible / time out) and the status. */
    record Outcome(Optional<Solution> solution, CpSolverStatus status, long wallMillis) {
    }

    private final SegmentationModel m;
    private final Objective objective;
    private final Domains domains;
    private final int n;
    private final CpModel model = new CpModel();
    private final long bandwidthNum;
    private final long bandwidthDen;
    private final long energyScale;
    private final long dramEnergyScaled;

    private final BoolVar[][] opt;
    private final IntVar[] seg;
    /** {@code in[v][s - lo(v)]}. */
    private final BoolVar[][] in;
    private final BoolVar[] used;
    private final BoolVar[][] same;
    private final BoolVar[] onChip;
    private final BoolVar[] leaves;
    /** Loads per tensor: segment index -> literal, for segments some consumer can be in. */
    private final List<java.util.Map<Integer, BoolVar>> load = new ArrayList<>();
    private final IntVar[] bufferOf;
    private final IntVar[] dramOf;
    private LinearExpr objectiveExpr;

    CpSatSegmentationModel(SegmentationModel m, Objective objective, Domains domains) {
        this.m = m;
        this.objective = objective;
        this.domains = domains;
        this.n = m.operators().size();
        long[] bw = rational(m.dramBytesPerCycle());
        this.bandwidthNum = bw[0];
        this.bandwidthDen = bw[1];
        this.energyScale = energyScale(m);
        this.dramEnergyScaled = Math.round(m.dramEnergyPjPerByte() * energyScale);
        int tensors = m.tensors().size();
        opt = new BoolVar[n][];
        seg = new IntVar[n];
        in = new BoolVar[n][];
        used = new BoolVar[domains.segments()];
        same = new BoolVar[tensors][];
        onChip = new BoolVar[tensors];
        leaves = new BoolVar[tensors];
        bufferOf = new IntVar[n];
        dramOf = new IntVar[n];
        addOptionChoice();
        addSegmentMembership();
        addConvexity();
        addSymmetryBreaking();
        addTensorPlacement();
        addBufferCapacity();
        addDramTraffic();
        addObjective();
    }

    // ------------------------------------------------------------------ constraint families

    /** {@code opt[v][o]}: exactly one option per operator. */
    private void addOptionChoice() {
        for (int v = 0; v < n; v++) {
            int k = m.operators().get(v).options().size();
            opt[v] = new BoolVar[k];
            for (int o = 0; o < k; o++) {
                opt[v][o] = model.newBoolVar("opt[" + name(v) + "][" + o + "]");
            }
            model.addExactlyOne(opt[v]);
        }
    }

    /** {@code seg[v] = sum s * in[v][s]}, one segment each; {@code used[s] <=> OR_v in[v][s]}. */
    private void addSegmentMembership() {
        List<List<Literal>> members = new ArrayList<>();
        for (int s = 0; s < domains.segments(); s++) {
            members.add(new ArrayList<>());
            used[s] = model.newBoolVar("used[" + s + "]");
        }
        for (int v = 0; v < n; v++) {
            int lo = domains.lo()[v];
            int hi = domains.hi()[v];
            seg[v] = model.newIntVar(lo, hi, "seg[" + name(v) + "]");
            in[v] = new BoolVar[hi - lo + 1];
            LinearExprBuilder index = LinearExpr.newBuilder();
            for (int s = lo; s <= hi; s++) {
                BoolVar b = model.newBoolVar("in[" + name(v) + "][" + s + "]");
                in[v][s - lo] = b;
                index.addTerm(b, s);
                members.get(s).add(b);
                model.addImplication(b, used[s]);
            }
            model.addExactlyOne(in[v]);
            model.addEquality(seg[v], index);
        }
        for (int s = 0; s < domains.segments(); s++) {
            List<Literal> clause = new ArrayList<>(members.get(s));
            clause.add(used[s].not());
            model.addBoolOr(clause);
        }
    }

    /** Every tensor flows forward: {@code seg[producer] <= seg[consumer]}. */
    private void addConvexity() {
        for (SegmentationModel.TensorEdge t : m.tensors()) {
            if (t.producer() < 0) {
                continue;
            }
            for (int c : t.consumers()) {
                model.addLessOrEqual(seg[t.producer()], seg[c]);
            }
        }
    }

    /**
     * Full model only: segment indices are used in order ({@code used[s] >= used[s+1]}); any solution can be
     * renumbered so. (Pinning the first operator to segment 0 is not valid for a DAG: a source operator may
     * have to follow an independent branch whose segment it shares a consumer with.) The banded model keeps
     * every index, since renumbering may leave the band.
     */
    private void addSymmetryBreaking() {
        if (!domains.full()) {
            return;
        }
        for (int s = 0; s + 1 < domains.segments(); s++) {
            model.addImplication(used[s + 1], used[s]);
        }
    }

    /**
     * {@code same[t][c] <=> seg[c] == seg[p]} (else {@code seg[c] > seg[p]} by convexity);
     * {@code onChip[t] <=> OR_c same[t][c]}; {@code leaves[t] <=> networkOutput OR OR_c NOT same[t][c]}.
     */
    private void addTensorPlacement() {
        for (int ti = 0; ti < m.tensors().size(); ti++) {
            SegmentationModel.TensorEdge t = m.tensors().get(ti);
            if (t.producer() < 0) {
                continue;
            }
            int p = t.producer();
            same[ti] = new BoolVar[t.consumers().size()];
            List<Literal> anySame = new ArrayList<>();
            List<Literal> anyApart = new ArrayList<>();
            onChip[ti] = model.newBoolVar("onChip[" + t.name() + "]");
            leaves[ti] = model.newBoolVar("leaves[" + t.name() + "]");
            for (int i = 0; i < t.consumers().size(); i++) {
                int c = t.consumers().get(i);
                BoolVar b = model.newBoolVar("same[" + t.name() + "][" + name(c) + "]");
                same[ti][i] = b;
                model.addEquality(seg[c], seg[p]).onlyEnforceIf(b);
                model.addGreaterOrEqual(seg[c], LinearExpr.affine(seg[p], 1, 1)).onlyEnforceIf(b.not());
                model.addImplication(b, onChip[ti]);
                model.addImplication(b.not(), leaves[ti]);
                anySame.add(b);
                anyApart.add(b.not());
            }
            anySame.add(onChip[ti].not());
            model.addBoolOr(anySame);
            if (t.networkOutput()) {
                model.addEquality(leaves[ti], 1);
            } else {
                anyApart.add(leaves[ti].not());
                model.addBoolOr(anyApart);
            }
        }
    }

    /**
     * {@code buf[v]} = option bytes + (on-chip bytes + producer window) of each tensor it produces that stays
     * on chip + its consumer window of each tensor it reads in the producer's segment; per segment
     * {@code sum_v inSeg(buf[v]) <= capacity}.
     */
    private void addBufferCapacity() {
        List<List<LinearArgument>> terms = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            terms.add(new ArrayList<>());
            terms.get(v).add(optionSum(v, SegmentationModel.Option::bufferBytes));
        }
        for (int ti = 0; ti < m.tensors().size(); ti++) {
            SegmentationModel.TensorEdge t = m.tensors().get(ti);
            if (t.producer() < 0) {
                continue;
            }
            int p = t.producer();
            long[] pw = new long[opt[p].length];
            for (int o = 0; o < pw.length; o++) {
                pw[o] = t.onChipBytes() + t.producerWindowBytes(o);
            }
            terms.get(p).add(guarded("window[" + t.name() + "][" + name(p) + "]", LinearExpr.weightedSum(opt[p], pw),
                    min(pw), max(pw), onChip[ti]));
            for (int i = 0; i < t.consumers().size(); i++) {
                int c = t.consumers().get(i);
                long[] cw = new long[opt[c].length];
                for (int o = 0; o < cw.length; o++) {
                    cw[o] = t.consumerWindowBytes(i, o);
                }
                if (max(cw) == 0) {
                    continue;
                }
                terms.get(c).add(guarded("window[" + t.name() + "][" + name(c) + "]",
                        LinearExpr.weightedSum(opt[c], cw), min(cw), max(cw), same[ti][i]));
            }
        }
        for (int v = 0; v < n; v++) {
            bufferOf[v] = model.newIntVar(0, m.capacityBytes(), "buf[" + name(v) + "]");
            model.addEquality(bufferOf[v], LinearExpr.sum(terms.get(v).toArray(new LinearArgument[0])));
        }
        for (int s = 0; s < domains.segments(); s++) {
            LinearExprBuilder sum = LinearExpr.newBuilder();
            for (int v = 0; v < n; v++) {
                if (s >= domains.lo()[v] && s <= domains.hi()[v]) {
                    sum.add(inSegment("buf", v, s, bufferOf[v], 0, m.capacityBytes()));
                }
            }
            model.addLessOrEqual(sum, m.capacityBytes());
        }
    }

    /**
     * {@code dram[v]} = option weight bytes + bytes of each tensor it produces that leaves the segment;
     * {@code load[t][s] <=> (OR_c in[c][s]) AND NOT in[p][s]}.
     */
    private void addDramTraffic() {
        List<LinearExprBuilder> dram = new ArrayList<>();
        long[] dramUb = new long[n];
        for (int v = 0; v < n; v++) {
            dram.add(LinearExpr.newBuilder().add(optionSum(v, SegmentationModel.Option::weightDramBytes)));
            dramUb[v] = m.operators().get(v).options().stream().mapToLong(SegmentationModel.Option::weightDramBytes)
                    .max().orElse(0);
        }
        for (int ti = 0; ti < m.tensors().size(); ti++) {
            SegmentationModel.TensorEdge t = m.tensors().get(ti);
            int p = t.producer();
            if (p >= 0) {
                dram.get(p).addTerm(leaves[ti], t.bytes());
                dramUb[p] += t.bytes();
            }
            java.util.Map<Integer, BoolVar> loads = new java.util.TreeMap<>();
            for (int c : t.consumers()) {
                for (int s = domains.lo()[c]; s <= domains.hi()[c]; s++) {
                    loads.computeIfAbsent(s, k -> model.newBoolVar("load[" + t.name() + "][" + k + "]"));
                }
            }
            for (var e : loads.entrySet()) {
                int s = e.getKey();
                BoolVar l = e.getValue();
                List<Literal> someConsumerHere = new ArrayList<>();
                someConsumerHere.add(l.not());
                Optional<BoolVar> producerHere = p >= 0 ? member(p, s) : Optional.empty();
                for (int c : t.consumers()) {
                    Optional<BoolVar> ch = member(c, s);
                    if (ch.isEmpty()) {
                        continue;
                    }
                    someConsumerHere.add(ch.get());
                    if (producerHere.isPresent()) {
                        model.addBoolOr(new Literal[] {ch.get().not(), producerHere.get(), l});
                    } else {
                        model.addImplication(ch.get(), l);
                    }
                }
                model.addBoolOr(someConsumerHere);
                producerHere.ifPresent(ph -> model.addImplication(l, ph.not()));
            }
            load.add(loads);
        }
        for (int v = 0; v < n; v++) {
            dramOf[v] = model.newIntVar(0, dramUb[v], "dram[" + name(v) + "]");
            model.addEquality(dramOf[v], dram.get(v));
        }
    }

    /** The objective, built per {@link Objective} from the quantities above. */
    private void addObjective() {
        LinearExprBuilder total = LinearExpr.newBuilder();
        switch (objective) {
            case DRAM -> total.add(totalDram());
            case ENERGY -> {
                for (int v = 0; v < n; v++) {
                    List<SegmentationModel.Option> os = m.operators().get(v).options();
                    for (int o = 0; o < os.size(); o++) {
                        total.addTerm(opt[v][o], Math.round(os.get(o).computeEnergyPj() * energyScale));
                    }
                }
                total.addTerm(totalDram(), dramEnergyScaled);
            }
            case LATENCY -> addLatency(total);
            default -> throw new IllegalStateException(objective.toString());
        }
        objectiveExpr = total.build();
        model.minimize(objectiveExpr);
    }

    /**
     * Per segment: {@code compute[s] = sum inSeg(compute[v])}, {@code dram[s] = sum inSeg(dram[v]) + loads},
     * {@code mem[s] = ceil(dram[s] / bandwidth)}, {@code lat[s] = max(compute[s], mem[s])}; total
     * {@code sum lat[s] + overhead * sum used[s]}.
     */
    private void addLatency(LinearExprBuilder total) {
        LinearExprBuilder computeOfAllSegments = LinearExpr.newBuilder();
        LinearExprBuilder dramOfAllSegments = LinearExpr.newBuilder();
        for (int s = 0; s < domains.segments(); s++) {
            LinearExprBuilder compute = LinearExpr.newBuilder();
            LinearExprBuilder dram = LinearExpr.newBuilder();
            long computeUb = 0;
            long dramUb = 0;
            for (int v = 0; v < n; v++) {
                if (s < domains.lo()[v] || s > domains.hi()[v]) {
                    continue;
                }
                List<SegmentationModel.Option> os = m.operators().get(v).options();
                long cMin = os.stream().mapToLong(SegmentationModel.Option::computeCycles).min().orElse(0);
                long cMax = os.stream().mapToLong(SegmentationModel.Option::computeCycles).max().orElse(0);
                if (cMax > 0) {
                    compute.add(inSegment("compute", v, s, optionSum(v, SegmentationModel.Option::computeCycles),
                            cMin, cMax));
                }
                if (dramOf[v].getDomain().max() > 0) {
                    dram.add(inSegment("dram", v, s, dramOf[v], 0, dramOf[v].getDomain().max()));
                }
                computeUb += cMax;
                dramUb += dramOf[v].getDomain().max();
            }
            for (int ti = 0; ti < m.tensors().size(); ti++) {
                BoolVar l = load.get(ti).get(s);
                if (l != null) {
                    dram.addTerm(l, m.tensors().get(ti).bytes());
                    dramUb += m.tensors().get(ti).bytes();
                }
            }
            LinearExpr computeExpr = compute.build();
            LinearExpr dramExpr = dram.build();
            computeOfAllSegments.add(computeExpr);
            dramOfAllSegments.add(dramExpr);
            long memUb = ceilDiv(Math.multiplyExact(dramUb, bandwidthDen), bandwidthNum);
            IntVar mem = model.newIntVar(0, memUb, "mem[" + s + "]");
            LinearExpr dramScaled = LinearExpr.term(dramExpr, bandwidthDen);
            model.addGreaterOrEqual(LinearExpr.term(mem, bandwidthNum), dramScaled);
            model.addLessOrEqual(LinearExpr.term(mem, bandwidthNum),
                    LinearExpr.newBuilder().add(dramScaled).add(bandwidthNum - 1));
            IntVar lat = model.newIntVar(0, Math.max(computeUb, memUb), "lat[" + s + "]");
            model.addMaxEquality(lat, new LinearArgument[] {computeExpr, mem});
            total.add(lat);
            total.addTerm(used[s], m.segmentOverheadCycles());
        }
        addRedundantTotals(computeOfAllSegments, dramOfAllSegments);
    }

    /**
     * Redundant: the segments' compute and DRAM bytes add up to the network's. Implied by the membership
     * constraints, but the LP relaxation of the guarded per-segment terms does not see it; with it the bound
     * is at least {@code max(sum compute, sum dram / bandwidth)} instead of near zero.
     */
    private void addRedundantTotals(LinearExprBuilder computeOfAllSegments, LinearExprBuilder dramOfAllSegments) {
        LinearExprBuilder compute = LinearExpr.newBuilder();
        for (int v = 0; v < n; v++) {
            compute.add(optionSum(v, SegmentationModel.Option::computeCycles));
        }
        model.addEquality(computeOfAllSegments, compute);
        model.addEquality(dramOfAllSegments, totalDram());
    }

    // ------------------------------------------------------------------ solving

    /**
     * Gives CP-SAT {@code parts} (segment {@code k} = index {@code k}) as a complete hint, and bounds the
     * objective by its value. The hint's derived variables come from a short solve with the plan's membership
     * and options assumed, so every variable is hinted consistently.
     *
     * @return the plan's objective in model units, or empty when the plan does not fit the domains
     */
    Optional<Long> warmStart(List<SegmentationModel.Part> parts, int seed) {
        List<Literal> assumed = new ArrayList<>();
        for (int s = 0; s < parts.size(); s++) {
            SegmentationModel.Part part = parts.get(s);
            for (int k = 0; k < part.operators().size(); k++) {
                int v = part.operators().get(k);
                Optional<BoolVar> b = member(v, s);
                if (b.isEmpty()) {
                    return Optional.empty();
                }
                assumed.add(b.get());
                assumed.add(opt[v][part.choices().get(k)]);
            }
        }
        model.addAssumptions(assumed.toArray(new Literal[0]));
        CpSolver solver = new CpSolver();
        solver.getParameters().setNumWorkers(1).setRandomSeed(seed).setMaxTimeInSeconds(30);
        CpSolverStatus status = Interruption.solve(solver, model);
        model.clearAssumptions();
        if (status != CpSolverStatus.OPTIMAL && status != CpSolverStatus.FEASIBLE) {
            return Optional.empty();
        }
        CpSolverResponse r = solver.response();
        CpModelProto.Builder proto = model.getBuilder();
        var hint = proto.getSolutionHintBuilder().clear();
        for (int i = 0; i < proto.getVariablesCount(); i++) {
            hint.addVars(i).addValues(r.getSolution(i));
        }
        long value = Math.round(solver.objectiveValue());
        model.addLessOrEqual(objectiveExpr, value);
        return Optional.of(value);
    }

    Outcome solve(int workers, int seed, double timeLimitSeconds, boolean logSearch) {
        CpSolver solver = new CpSolver();
        solver.getParameters().setNumWorkers(workers).setRandomSeed(seed).setMaxTimeInSeconds(timeLimitSeconds)
                .setLogSearchProgress(logSearch);
        long start = System.nanoTime();
        CpSolverStatus status = Interruption.solve(solver, model);
        long wall = (System.nanoTime() - start) / 1_000_000;
        if (status != CpSolverStatus.OPTIMAL && status != CpSolverStatus.FEASIBLE) {
            return new Outcome(Optional.empty(), status, wall);
        }
        int[] segOf = new int[n];
        int[] choice = new int[n];
        for (int v = 0; v < n; v++) {
            segOf[v] = (int) solver.value(seg[v]);
            for (int o = 0; o < opt[v].length; o++) {
                if (solver.booleanValue(opt[v][o])) {
                    choice[v] = o;
                }
            }
        }
        return new Outcome(Optional.of(new Solution(decode(segOf, choice), Math.round(solver.objectiveValue()),
                solver.bestObjectiveBound(), status)), status, wall);
    }

    /** Segments in index order (empty ones dropped), operators ascending inside each. */
    private List<SegmentationModel.Part> decode(int[] segOf, int[] choice) {
        List<SegmentationModel.Part> parts = new ArrayList<>();
        for (int s = 0; s < domains.segments(); s++) {
            List<Integer> ops = new ArrayList<>();
            List<Integer> ch = new ArrayList<>();
            for (int v = 0; v < n; v++) {
                if (segOf[v] == s) {
                    ops.add(v);
                    ch.add(choice[v]);
                }
            }
            if (!ops.isEmpty()) {
                parts.add(new SegmentationModel.Part(ops, ch));
            }
        }
        return parts;
    }

    /** The objective of an evaluation in model units (energy scaled and rounded as the model does). */
    long objectiveUnits(SegmentationModel.Evaluation e, List<SegmentationModel.Part> parts) {
        return switch (objective) {
            case LATENCY -> e.latencyCycles();
            case DRAM -> e.dramBytes();
            case ENERGY -> {
                long units = Math.multiplyExact(e.dramBytes(), dramEnergyScaled);
                for (SegmentationModel.Part p : parts) {
                    for (int k = 0; k < p.operators().size(); k++) {
                        units += Math.round(m.operators().get(p.operators().get(k)).options()
                                .get(p.choices().get(k)).computeEnergyPj() * energyScale);
                    }
                }
                yield units;
            }
        };
    }

    /** Largest difference between scaled-and-rounded energy and the evaluator's (0 when the scale is exact). */
    double energyRoundingPj(long dramBytes) {
        double worst = Math.abs(dramEnergyScaled - m.dramEnergyPjPerByte() * energyScale) * dramBytes;
        for (SegmentationModel.OperatorNode op : m.operators()) {
            double w = 0;
            for (SegmentationModel.Option o : op.options()) {
                w = Math.max(w, Math.abs(Math.round(o.computeEnergyPj() * energyScale)
                        - o.computeEnergyPj() * energyScale));
            }
            worst += w;
        }
        return worst / energyScale;
    }

    long energyScale() {
        return energyScale;
    }

    boolean fullSpace() {
        return domains.full();
    }

    int variableCount() {
        return model.getBuilder().getVariablesCount();
    }

    int constraintCount() {
        return model.getBuilder().getConstraintsCount();
    }

    // ------------------------------------------------------------------ helpers

    private String name(int v) {
        return m.operators().get(v).name();
    }

    private Optional<BoolVar> member(int v, int s) {
        int lo = domains.lo()[v];
        if (s < lo || s > domains.hi()[v]) {
            return Optional.empty();
        }
        return Optional.of(in[v][s - lo]);
    }

    private LinearExpr optionSum(int v, java.util.function.ToLongFunction<SegmentationModel.Option> f) {
        List<SegmentationModel.Option> os = m.operators().get(v).options();
        long[] c = new long[os.size()];
        for (int o = 0; o < c.length; o++) {
            c[o] = f.applyAsLong(os.get(o));
        }
        return LinearExpr.weightedSum(opt[v], c);
    }

    /** {@code g = lit ? expr : 0} as a new variable ({@code expr} within {@code [lb, ub]}). */
    private IntVar guarded(String name, LinearArgument expr, long lb, long ub, Literal lit) {
        IntVar g = model.newIntVar(Math.min(0, lb), Math.max(0, ub), name);
        model.addEquality(g, expr).onlyEnforceIf(lit);
        model.addEquality(g, 0).onlyEnforceIf(lit.not());
        return g;
    }

    /** {@code what[v][s] = in[v][s] ? expr : 0}. */
    private IntVar inSegment(String what, int v, int s, LinearArgument expr, long lb, long ub) {
        return guarded(what + "[" + name(v) + "][" + s + "]", expr, lb, ub, member(v, s).orElseThrow());
    }

    private LinearExpr totalDram() {
        LinearExprBuilder b = LinearExpr.newBuilder();
        for (int v = 0; v < n; v++) {
            b.add(dramOf[v]);
        }
        for (int ti = 0; ti < m.tensors().size(); ti++) {
            for (BoolVar l : load.get(ti).values()) {
                b.addTerm(l, m.tensors().get(ti).bytes());
            }
        }
        return b.build();
    }

    private static long min(long[] a) {
        return java.util.Arrays.stream(a).min().orElse(0);
    }

    private static long max(long[] a) {
        return java.util.Arrays.stream(a).max().orElse(0);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** {@code {num, den}} with {@code num / den == x} exactly in double, smallest {@code den <= 10^6}. */
    static long[] rational(double x) {
        for (long den = 1; den <= BANDWIDTH_MAX_DENOMINATOR; den++) {
            double scaled = x * den;
            long num = Math.round(scaled);
            if (num > 0 && (double) num / den == x) {
                return new long[] {num, den};
            }
        }
        throw new IllegalArgumentException("DRAM bandwidth (" + x + " bytes/cycle) is no fraction with a "
                + "denominator <= " + BANDWIDTH_MAX_DENOMINATOR + "; the CP-SAT segmenter needs it rational");
    }

    /** Smallest of 1, 10, ..., 1000 that makes every energy figure an integer; 1000 (rounded) otherwise. */
    static long energyScale(SegmentationModel m) {
        for (long step = 1; step <= 1000; step *= 10) {
            final long scale = step;
            if (integral(m.dramEnergyPjPerByte() * scale) && m.operators().stream().flatMap(op -> op.options().stream())
                    .allMatch(o -> integral(o.computeEnergyPj() * scale))) {
                return scale;
            }
        }
        return 1000;
    }

    private static boolean integral(double x) {
        return x == Math.rint(x);
    }
}

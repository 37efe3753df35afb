package dev.sfd.mapping.cpsat;

import dev.sfd.common.Interruption;
import com.google.ortools.sat.BoolVar;
import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import com.google.ortools.sat.Literal;
import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntToLongFunction;

/**
 * The CP-SAT model of one layer's mapping under a footprint budget: an exact linearisation of the cost model
 * over the {@link MappingSpace}. Boolean choice per candidate tile size, spatial option and loop order; tile
 * counts, steps, window sweeps and scaled (resampling) extents are linear in those Booleans (or table lookups); products use
 * {@code addMultiplicationEquality}, ceilings {@code addDivisionEquality}. Objective: latency, then DRAM bytes
 * and footprint (a second solve with the latency fixed). In general the two phases cannot be one weighted
 * objective: the weights would be about (DRAM bytes up to 1e9) x (budget up to 1e6) per cycle, with latencies up
 * to 1e10 — beyond CP-SAT's 2^62 objective range. When the relaxation narrows the latency to a known range they
 * usually can ({@link #minimizeWeighted}), and one solve does.
 *
 * <p>Optionally guided by a {@link TileRelaxation}: a latency lower bound, an incumbent (complete hint and upper
 * bound) and a table of the tile combinations that can still beat the incumbent; all three keep every optimum.
 */
final class MappingModel {
    private static final Logger LOGGER = LogManager.getLogger();

    /** A model quantity with its upper bound (every quantity is >= 0). */
    private record Q(IntVar v, long ub) {
    }

    private static final long LIMIT = 1L << 52;

    private final MappingSpace space;
    private final LayerShape s;
    private final CostModel cost;
    private final long budgetBytes;
    private final String name;
    private final CpModel model = new CpModel();
    private int tableRows = -1;

    private final int[][] cand = new int[LayerShape.DIMS][];
    private final BoolVar[][] x = new BoolVar[LayerShape.DIMS][];
    private final Q[] t = new Q[LayerShape.DIMS];
    private final Q[] n = new Q[LayerShape.DIMS];
    private final LinearExpr[] idx = new LinearExpr[LayerShape.DIMS];
    private final Literal[] tiled = new Literal[LayerShape.DIMS];
    private BoolVar[] y;
    private BoolVar[] z;
    private BoolVar db;
    /** PE-array or vector-unit cycles. */
    private Q unitCompute;
    /** max(unit cycles, buffer-port cycles). */
    private Q compute;
    private Q tiles;
    private Literal reductionTiled;
    /** Per input or weight operand: slices loaded, DRAM bytes read, sweep elements. */
    private final List<Q> loadsOf = new ArrayList<>();
    private final List<Q> readOf = new ArrayList<>();
    private final List<Q> sweepOf = new ArrayList<>();
    private final List<Literal> tiledGroupOf = new ArrayList<>();
    private final List<Q> tileBytes = new ArrayList<>();
    private Q footprint;
    private Q dram;
    private Q latency;

    MappingModel(MappingSpace space, long budgetBytes) {
        this.space = space;
        this.s = space.shape();
        this.cost = space.model();
        this.budgetBytes = budgetBytes;
        this.name = s.operator();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            cand[d] = space.candidates(d);
        }
        addTileChoice();
        addContiguousTiles();
        addSpatialChoiceAndCompute();
        addFootprint();
        addDramTraffic();
        addNoPartialSumsAcrossOutputTiles();
        addPortBound();
        addLatency();
    }

    // ---------------------------------------------------------------- helpers

    private Q constant(long c) {
        return new Q(model.newConstant(c), c);
    }

    private Q equalTo(String label, LinearExpr e, long ub) {
        check(ub, label);
        IntVar v = model.newIntVar(0, ub, label);
        model.addEquality(v, e);
        return new Q(v, ub);
    }

    private static void check(long ub, String label) {
        if (ub < 0 || ub > LIMIT) {
            throw new ArithmeticException("CP-SAT bound of " + label + " out of range: " + ub);
        }
    }

    private static long mul(long a, long b) {
        return Math.multiplyExact(a, b);
    }

    private Q product(String label, List<Q> factors) {
        Q acc = null;
        for (Q f : factors) {
            if (acc == null) {
                acc = f;
                continue;
            }
            long ub = mul(acc.ub(), f.ub());
            check(ub, label);
            IntVar v = model.newIntVar(0, ub, label);
            model.addMultiplicationEquality(v, acc.v(), f.v());
            acc = new Q(v, ub);
        }
        return acc == null ? constant(1) : acc;
    }

    /** ceil((q * mul + add) / den) — with add = den - 1 this is ceil(q * mul / den). */
    private Q ceilDiv(String label, Q q, long mul, long den) {
        if (den == 1) {
            return mul == 1 ? q : equalTo(label, LinearExpr.term(q.v(), mul), mul(q.ub(), mul));
        }
        long numUb = mul(q.ub(), mul) + den - 1;
        Q num = equalTo(label + ".num", LinearExpr.affine(q.v(), mul, den - 1), numUb);
        long ub = numUb / den;
        IntVar v = model.newIntVar(0, ub, label);
        model.addDivisionEquality(v, num.v(), model.newConstant(den));
        return new Q(v, ub);
    }

    private BoolVar bool(String label) {
        return model.newBoolVar(label);
    }

    /** b == OR(lits); false when the list is empty. */
    private Literal or(String label, List<Literal> lits) {
        if (lits.isEmpty()) {
            return model.trueLiteral().not();
        }
        if (lits.size() == 1) {
            return lits.get(0);
        }
        BoolVar b = bool(label);
        for (Literal l : lits) {
            model.addImplication(l, b);
        }
        List<Literal> clause = new ArrayList<>(lits);
        clause.add(b.not());
        model.addBoolOr(clause);
        return b;
    }

    private String dimName(int d) {
        return LoopDim.values()[d].name();
    }

    // ---------------------------------------------------------------- constraint families

    private void addTileChoice() {
        for (int d = 0; d < LayerShape.DIMS; d++) {
            int b = s.bound(d);
            int[] c = cand[d];
            if (c.length == 1) {
                t[d] = constant(c[0]);
                n[d] = constant((b + c[0] - 1) / c[0]);
                idx[d] = LinearExpr.constant(0);
                tiled[d] = n[d].ub() > 1 ? model.trueLiteral() : model.trueLiteral().not();
                continue;
            }
            x[d] = new BoolVar[c.length];
            LinearExprBuilder te = LinearExpr.newBuilder();
            LinearExprBuilder ne = LinearExpr.newBuilder();
            LinearExprBuilder ie = LinearExpr.newBuilder();
            List<Literal> multi = new ArrayList<>();
            long nMax = 0;
            for (int i = 0; i < c.length; i++) {
                x[d][i] = bool("tile[" + name + "][" + dimName(d) + "]=" + c[i]);
                long cnt = (b + c[i] - 1) / c[i];
                te.addTerm(x[d][i], c[i]);
                ne.addTerm(x[d][i], cnt);
                ie.addTerm(x[d][i], i);
                nMax = Math.max(nMax, cnt);
                if (cnt > 1) {
                    multi.add(x[d][i]);
                }
            }
            model.addExactlyOne(x[d]);
            t[d] = equalTo("t[" + dimName(d) + "]", te.build(), c[c.length - 1]);
            n[d] = equalTo("n[" + dimName(d) + "]", ne.build(), nMax);
            idx[d] = ie.build();
            tiled[d] = or("tiled[" + dimName(d) + "]", multi);
        }
        List<Q> counts = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if (n[d].ub() > 1) {
                counts.add(n[d]);
            }
        }
        tiles = product("tiles", counts);
    }

    /** {@link LayerShape#contiguous}: on a product axis, a split inner dim needs tiles of one in the dims outside it. */
    private void addContiguousTiles() {
        for (int i = 0; i < s.operandCount(); i++) {
            for (int[] dims : s.productAxes(i)) {
                for (int j = 1; j < dims.length; j++) {
                    int inner = dims[j];
                    if (x[inner] == null) {
                        continue; // one candidate: the whole dim (or a dim kept whole)
                    }
                    for (int k = 0; k < j; k++) {
                        int outer = dims[k];
                        int[] c = cand[outer];
                        for (int a = 0; a < c.length; a++) {
                            if (c[a] <= 1) {
                                continue;
                            }
                            Literal bigOuter = x[outer] == null ? model.trueLiteral() : x[outer][a];
                            for (int b = 0; b < cand[inner].length; b++) {
                                if (cand[inner][b] < s.bound(inner)) {
                                    model.addBoolOr(new Literal[] {bigOuter.not(), x[inner][b].not()});
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private void addSpatialChoiceAndCompute() {
        db = bool("doubleBuffered[" + name + "]");
        if (s.unit() == OpKind.ComputeUnit.NONE) {
            unitCompute = constant(0);
            y = new BoolVar[] {bool("pair0")};
            model.addEquality(y[0], 1);
            return;
        }
        List<int[]> pairs = space.pairs();
        y = new BoolVar[pairs.size()];
        for (int p = 0; p < y.length; p++) {
            y[p] = bool("unroll[" + name + "]=" + dimName(pairs.get(p)[0]) + "x" + dimName(pairs.get(p)[1]));
        }
        model.addExactlyOne(y);
        if (s.unit() == OpKind.ComputeUnit.VECTOR) {
            List<Q> ts = new ArrayList<>();
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if (t[d].ub() > 1) {
                    ts.add(t[d]);
                }
            }
            Q points = product("tilePoints", ts);
            Q perTile = ceilDiv("tileVectorCycles", points, s.opsPerPoint(),
                    space.model().hardware().vectorUnit().opsPerCycle());
            unitCompute = product("unitCycles", List.of(tiles, perTile));
            return;
        }
        int rows = cost.hardware().peArray().rows();
        int cols = cost.hardware().peArray().cols();
        List<Q> steps = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            int b = s.bound(d);
            if (b == 1) {
                continue;
            }
            int lanes = d == LoopDim.C.ordinal() ? cost.macsPerPe() : 1;
            LinearExprBuilder row = LinearExpr.newBuilder();
            LinearExprBuilder col = LinearExpr.newBuilder();
            boolean anyRole = false;
            for (int p = 0; p < pairs.size(); p++) {
                if (pairs.get(p)[0] == d) {
                    row.addTerm(y[p], 1);
                    anyRole = true;
                }
                if (pairs.get(p)[1] == d) {
                    col.addTerm(y[p], 1);
                    anyRole = true;
                }
            }
            int[] c = cand[d];
            if (!anyRole && c.length == 1) {
                steps.add(constant(cost.peSteps(b, c[0], lanes)));
                continue;
            }
            LinearExpr[] roleExpr = {
                LinearExpr.affine(LinearExpr.newBuilder().add(row.build()).add(col.build()).build(), -1, 1),
                row.build(), col.build()};
            LinearExprBuilder sd = LinearExpr.newBuilder();
            LinearExprBuilder[] perRole = {LinearExpr.newBuilder(), LinearExpr.newBuilder(), LinearExpr.newBuilder()};
            long ub = 0;
            for (int i = 0; i < c.length; i++) {
                LinearExprBuilder perCand = LinearExpr.newBuilder();
                for (int r = 0; r < 3; r++) {
                    int factor = (r == 0 ? 1 : Math.min(r == 1 ? rows : cols, c[i])) * lanes;
                    long st = cost.peSteps(b, c[i], factor);
                    BoolVar w = bool("w[" + dimName(d) + "][" + c[i] + "][" + r + "]");
                    perCand.addTerm(w, 1);
                    perRole[r].addTerm(w, 1);
                    sd.addTerm(w, st);
                    ub = Math.max(ub, st);
                }
                if (x[d] == null) {
                    model.addEquality(perCand.build(), 1);
                } else {
                    model.addEquality(perCand.build(), x[d][i]);
                }
            }
            for (int r = 0; r < 3; r++) {
                model.addEquality(perRole[r].build(), roleExpr[r]);
            }
            steps.add(equalTo("steps[" + dimName(d) + "]", sd.build(), ub));
        }
        unitCompute = product("unitCycles", steps);
    }

    private int bitsOf(int i) {
        var dw = cost.hardware().dataWidths();
        return s.role(i) == Operand.Role.WEIGHT ? dw.weightBits() : dw.activationBits();
    }

    private Q tileElements(int i) {
        List<Q> factors = new ArrayList<>();
        java.util.Set<Integer> clipped = new java.util.HashSet<>();
        for (int[] c : s.clippedProductAxes(i)) {
            clipped.add(c[1]);
            factors.add(perCandidate("clippedTile[" + s.tensor(i) + "][" + c[0] + "]", c[1],
                    tile -> Math.min(tile, c[2])));
        }
        for (int[] dims : s.productAxes(i)) {
            for (int d : dims) {
                if (t[d].ub() > 1 && !clipped.contains(d)) {
                    factors.add(t[d]);
                }
            }
        }
        for (int[] w : s.windowAxes(i)) {
            int[] sd = s.windowStrideDilation(i, w[0]);
            long ub = (long) (t[w[1]].ub() - 1) * sd[0] + (long) (t[w[2]].ub() - 1) * sd[1] + 1;
            LinearExpr e = LinearExpr.newBuilder().addTerm(t[w[1]].v(), sd[0]).addTerm(t[w[2]].v(), sd[1])
                    .add(1 - sd[0] - sd[1]).build();
            factors.add(equalTo("window[" + s.tensor(i) + "][" + w[0] + "]", e, ub));
        }
        for (int[] sc : s.scaledAxes(i)) {
            factors.add(perCandidate("scaled[" + s.tensor(i) + "][" + sc[0] + "]", sc[1],
                    tOut -> s.scaledTileExtent(i, sc[0], tOut)));
        }
        if (s.fixedElements(i) > 1) {
            factors.add(constant(s.fixedElements(i)));
        }
        return product("tileElems[" + s.tensor(i) + "]", factors);
    }

    private void addFootprint() {
        int out = s.operandCount() - 1;
        List<Literal> redTiled = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((s.reductionMask() >> d & 1) != 0 && n[d].ub() > 1) {
                redTiled.add(tiled[d]);
            }
        }
        reductionTiled = or("reductionTiled", redTiled);
        var dw = cost.hardware().dataWidths();
        LinearExprBuilder fp = LinearExpr.newBuilder();
        for (int i = 0; i < s.operandCount(); i++) {
            Q elems = tileElements(i);
            Q bytes;
            if (i == out) {
                Q act = ceilDiv("outTileBytesAct", elems, dw.activationBits(), 8);
                Q acc = ceilDiv("outTileBytesAcc", elems, dw.accumulatorBits(), 8);
                IntVar v = model.newIntVar(0, Math.max(act.ub(), acc.ub()), "tileBytes[" + s.tensor(i) + "]");
                model.addEquality(v, acc.v()).onlyEnforceIf(reductionTiled);
                model.addEquality(v, act.v()).onlyEnforceIf(reductionTiled.not());
                bytes = new Q(v, Math.max(act.ub(), acc.ub()));
            } else {
                bytes = ceilDiv("tileBytes[" + s.tensor(i) + "]", elems, bitsOf(i), 8);
            }
            tileBytes.add(bytes);
            List<Literal> rel = new ArrayList<>();
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((s.relevantMask(i) >> d & 1) != 0 && n[d].ub() > 1) {
                    rel.add(tiled[d]);
                }
            }
            Literal streamed = or("streamed[" + s.tensor(i) + "]", rel);
            BoolVar doubled = bool("doubled[" + s.tensor(i) + "]");
            model.addImplication(doubled, db);
            model.addImplication(doubled, streamed);
            model.addBoolOr(new Literal[] {db.not(), streamed.not(), doubled});
            IntVar extra = model.newIntVar(0, bytes.ub(), "extra[" + s.tensor(i) + "]");
            model.addEquality(extra, bytes.v()).onlyEnforceIf(doubled);
            model.addEquality(extra, 0).onlyEnforceIf(doubled.not());
            fp.add(bytes.v()).add(extra);
        }
        footprint = equalTo("footprint[" + name + "]", fp.build(), budgetBytes);
    }

    private void addDramTraffic() {
        int[] groups = space.groupMasks();
        z = new BoolVar[space.orderCount()];
        for (int o = 0; o < z.length; o++) {
            z[o] = bool("order[" + name + "]=" + o);
        }
        model.addExactlyOne(z);
        Q[] nGroup = new Q[groups.length];
        Literal[] tiledGroup = new Literal[groups.length];
        for (int g = 0; g < groups.length; g++) {
            List<Q> ns = new ArrayList<>();
            List<Literal> ts = new ArrayList<>();
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((groups[g] >> d & 1) != 0 && n[d].ub() > 1) {
                    ns.add(n[d]);
                    ts.add(tiled[d]);
                }
            }
            nGroup[g] = product("nGroup" + g, ns);
            tiledGroup[g] = or("tiledGroup" + g, ts);
        }
        for (int g = 0; g < groups.length; g++) {
            tiledGroupOf.add(tiledGroup[g]);
        }
        var dw = cost.hardware().dataWidths();
        int out = s.operandCount() - 1;
        LinearExprBuilder bytes = LinearExpr.newBuilder();
        long bytesUb = 0;
        for (int i = 0; i < out; i++) {
            int rel = s.relevantMask(i);
            List<Q> factors = new ArrayList<>();
            for (int g = 0; g < groups.length; g++) {
                if ((groups[g] & rel) != 0 || nGroup[g].ub() <= 1) {
                    continue;
                }
                BoolVar act = bool("refetch[" + s.tensor(i) + "][g" + g + "]");
                for (int o = 0; o < z.length; o++) {
                    int[] perm = space.groupOrder(o);
                    int pos = 0;
                    while (perm[pos] != g) {
                        pos++;
                    }
                    List<Literal> below = new ArrayList<>();
                    for (int q = pos + 1; q < perm.length; q++) {
                        if ((groups[perm[q]] & rel) != 0) {
                            below.add(tiledGroup[perm[q]]);
                            model.addBoolOr(new Literal[] {z[o].not(), tiledGroup[perm[q]].not(), act});
                        }
                    }
                    List<Literal> clause = new ArrayList<>(below);
                    clause.add(z[o].not());
                    clause.add(act.not());
                    model.addBoolOr(clause);
                }
                IntVar f = model.newIntVar(1, Math.max(1, nGroup[g].ub()), "fetchFactor[" + s.tensor(i) + "][g" + g + "]");
                model.addEquality(f, nGroup[g].v()).onlyEnforceIf(act);
                model.addEquality(f, 1).onlyEnforceIf(act.not());
                factors.add(new Q(f, Math.max(1, nGroup[g].ub())));
            }
            Q fetches = product("fetches[" + s.tensor(i) + "]", factors);
            List<Q> sliceFactors = new ArrayList<>(factors);
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((rel >> d & 1) != 0 && n[d].ub() > 1) {
                    sliceFactors.add(n[d]);
                }
            }
            loadsOf.add(product("loads[" + s.tensor(i) + "]", sliceFactors));
            List<Q> sweepFactors = new ArrayList<>();
            sweepFactors.add(constant(s.productAxesElements(i)));
            for (int[] c : s.clippedProductAxes(i)) {
                sweepFactors.add(perCandidate("clippedSweep[" + s.tensor(i) + "][" + c[0] + "]", c[1],
                        tile -> s.clippedSweep(c[2], c[1], tile)));
            }
            for (int[] w : s.windowAxes(i)) {
                int dOut = w[1];
                int dF = w[2];
                int nf = cand[dF].length;
                long[] table = new long[cand[dOut].length * nf];
                long ub = 0;
                for (int a = 0; a < cand[dOut].length; a++) {
                    for (int b = 0; b < nf; b++) {
                        table[a * nf + b] = s.windowSweep(i, w[0], cand[dOut][a], cand[dF][b]);
                        ub = Math.max(ub, table[a * nf + b]);
                    }
                }
                if (table.length == 1) {
                    sweepFactors.add(constant(table[0]));
                    continue;
                }
                IntVar v = model.newIntVar(0, ub, "sweep[" + s.tensor(i) + "][" + w[0] + "]");
                LinearExpr index = LinearExpr.newBuilder().add(LinearExpr.term(asVar(idx[dOut], cand[dOut].length), nf))
                        .add(idx[dF]).build();
                IntVar indexVar = model.newIntVar(0, table.length - 1, "sweepIndex[" + s.tensor(i) + "][" + w[0] + "]");
                model.addEquality(indexVar, index);
                model.addElement(indexVar, table, v);
                sweepFactors.add(new Q(v, ub));
            }
            final int operand = i;
            for (int[] sc : s.scaledAxes(i)) {
                int axis = sc[0];
                sweepFactors.add(perCandidate("scaledSweep[" + s.tensor(i) + "][" + axis + "]", sc[1],
                        tOut -> s.scaledSweep(operand, axis, tOut)));
            }
            Q sweepElems = product("sweepElems[" + s.tensor(i) + "]", sweepFactors);
            sweepOf.add(sweepElems);
            Q sweepBytes = ceilDiv("sweepBytes[" + s.tensor(i) + "]", sweepElems, bitsOf(i), 8);
            Q read = product("read[" + s.tensor(i) + "]", List.of(fetches, sweepBytes));
            readOf.add(read);
            bytes.add(read.v());
            bytesUb = Math.addExact(bytesUb, read.ub());
        }
        // The output is written once: no order may carry partial sums across output tiles (below).
        long fin = (s.sweepElements(out, boundsAsTiles()) * dw.activationBits() + 7) / 8;
        bytes.add(fin);
        bytesUb = Math.addExact(bytesUb, fin);
        dram = equalTo("dramBytes[" + name + "]", bytes.build(), bytesUb);
    }

    /**
     * Orders that would hold partial sums across output tiles are not in the space
     * ({@link CostModel#splitsReductionAcrossOutputTiles}): no tiled reduction group may sit above a tiled output
     * group.
     */
    private void addNoPartialSumsAcrossOutputTiles() {
        int[] groups = space.groupMasks();
        int outMask = s.relevantMask(s.operandCount() - 1);
        for (int o = 0; o < z.length; o++) {
            int[] perm = space.groupOrder(o);
            for (int p = 0; p < perm.length; p++) {
                if ((groups[perm[p]] & outMask) != 0) {
                    continue; // an output group: not a reduction
                }
                for (int q = p + 1; q < perm.length; q++) {
                    if ((groups[perm[q]] & outMask) != 0) {
                        model.addBoolOr(new Literal[] {z[o].not(), tiledGroupOf.get(perm[p]).not(),
                                tiledGroupOf.get(perm[q]).not()});
                    }
                }
            }
        }
    }

    /**
     * Compute cycles = max(unit cycles, buffer-port cycles): every step reads its input regions (one sweep of the
     * dims an operand depends on per tile of the dims it does not) and writes its output tile, at accumulator
     * width when the reduction is split, reading partial sums back on later reduction steps.
     */
    private void addPortBound() {
        var dw = cost.hardware().dataWidths();
        int out = s.operandCount() - 1;
        LinearExprBuilder port = LinearExpr.newBuilder();
        long portUb = 0;
        for (int i = 0; i < out; i++) {
            List<Q> factors = new ArrayList<>();
            factors.add(sweepOf.get(i));
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((s.relevantMask(i) >> d & 1) == 0 && n[d].ub() > 1) {
                    factors.add(n[d]);
                }
            }
            Q elems = product("glbElems[" + s.tensor(i) + "]", factors);
            Q b = ceilDiv("glbBytes[" + s.tensor(i) + "]", elems, bitsOf(i), 8);
            port.add(b.v());
            portUb = Math.addExact(portUb, b.ub());
        }
        List<Q> red = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((s.reductionMask() >> d & 1) != 0 && n[d].ub() > 1) {
                red.add(n[d]);
            }
        }
        Q nRed = product("reductionSteps", red);
        long outElems = s.sweepElements(out, boundsAsTiles());
        Q steps = equalTo("outSteps", LinearExpr.term(nRed.v(), outElems), mul(nRed.ub(), outElems));
        Q act = ceilDiv("outWriteAct", steps, dw.activationBits(), 8);
        Q acc = ceilDiv("outWriteAcc", steps, dw.accumulatorBits(), 8);
        IntVar write = model.newIntVar(0, Math.max(act.ub(), acc.ub()), "outWriteBytes");
        model.addEquality(write, acc.v()).onlyEnforceIf(reductionTiled);
        model.addEquality(write, act.v()).onlyEnforceIf(reductionTiled.not());
        Q partialSteps = equalTo("partialSteps", LinearExpr.affine(nRed.v(), outElems, -outElems),
                mul(nRed.ub(), outElems));
        Q partial = ceilDiv("partialReadBytes", partialSteps, dw.accumulatorBits(), 8);
        port.add(write).add(partial.v());
        portUb = Math.addExact(portUb, Math.addExact(Math.max(act.ub(), acc.ub()), partial.ub()));
        Q portBytes = equalTo("portBytes[" + name + "]", port.build(), portUb);
        Q portCycles = ceilDiv("portCycles", portBytes, CostModel.BANDWIDTH_SCALE, cost.portMilliBytesPerCycle());
        if (s.unit() == OpKind.ComputeUnit.NONE) {
            compute = constant(0);
            return;
        }
        long ub = Math.max(unitCompute.ub(), portCycles.ub());
        IntVar c = model.newIntVar(0, ub, "compute[" + name + "]");
        model.addMaxEquality(c, new IntVar[] {unitCompute.v(), portCycles.v()});
        compute = new Q(c, ub);
    }

    /** A quantity that depends on the tile size of dim {@code d} only: linear in the candidate Booleans. */
    private Q perCandidate(String label, int d, IntToLongFunction value) {
        int[] c = cand[d];
        if (c.length == 1) {
            return constant(value.applyAsLong(c[0]));
        }
        LinearExprBuilder e = LinearExpr.newBuilder();
        long ub = 0;
        for (int k = 0; k < c.length; k++) {
            long v = value.applyAsLong(c[k]);
            e.addTerm(x[d][k], v);
            ub = Math.max(ub, v);
        }
        return equalTo(label, e.build(), ub);
    }

    private IntVar asVar(LinearExpr e, int count) {
        IntVar v = model.newIntVar(0, Math.max(0, count - 1), "idx");
        model.addEquality(v, e);
        return v;
    }

    private int[] boundsAsTiles() {
        int[] b = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            b[d] = s.bound(d);
        }
        return b;
    }

    /**
     * latency = pipe + 2 DRAM latencies + first loads + last store; pipe = max(compute, steady DRAM, maxHops x DRAM
     * latency + ceil((compute + steady DRAM) / depth)), steady DRAM = max(0, DRAM cycles - first loads - last
     * store), maxHops = max over operands of (transfers - 1) / depth, depth 2 double-buffered, else 1.
     */
    private void addLatency() {
        long bwm = cost.bandwidthMilliBytesPerCycle();
        long scale = CostModel.BANDWIDTH_SCALE;
        long lat = cost.hardware().dram().latencyCycles();
        Q dramCycles = ceilDiv("dramCycles", dram, scale, bwm);
        int out = s.operandCount() - 1;
        LinearExprBuilder first = LinearExpr.newBuilder();
        long firstUb = 0;
        for (int i = 0; i < out; i++) {
            first.add(tileBytes.get(i).v());
            firstUb += tileBytes.get(i).ub();
        }
        Q firstLoad = equalTo("firstLoadBytes", first.build(), firstUb);
        Q loadCycles = ceilDiv("firstLoadCycles", firstLoad, scale, bwm);
        Q outElems = tileElements(out);
        Q storeBytes = ceilDiv("lastStoreBytes", outElems, cost.hardware().dataWidths().activationBits(), 8);
        Q storeCycles = ceilDiv("lastStoreCycles", storeBytes, scale, bwm);
        // steady DRAM traffic: what the fill and drain do not move
        long sdUb = dramCycles.ub();
        IntVar sdRaw = model.newIntVar(-loadCycles.ub() - storeCycles.ub(), sdUb, "steadyDramRaw");
        model.addEquality(sdRaw, LinearExpr.newBuilder().add(dramCycles.v()).addTerm(loadCycles.v(), -1)
                .addTerm(storeCycles.v(), -1).build());
        IntVar sd = model.newIntVar(0, sdUb, "steadyDram");
        model.addMaxEquality(sd, new com.google.ortools.sat.LinearArgument[] {sdRaw, LinearExpr.constant(0)});
        long shareUb = Math.addExact(compute.ub(), sdUb);
        Q both = equalTo("computePlusSteadyDram", LinearExpr.newBuilder().add(compute.v()).add(sd).build(), shareUb);
        Q half = ceilDiv("computePlusSteadyDramHalf", both, 1, 2);
        IntVar share = model.newIntVar(0, shareUb, "sharePerDepth");
        model.addEquality(share, half.v()).onlyEnforceIf(db);
        model.addEquality(share, both.v()).onlyEnforceIf(db.not());
        // DRAM latencies on the longest slice chain: (transfers - 1) / depth
        List<Q> transfers = new ArrayList<>(loadsOf);
        List<Q> outSlices = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if ((s.relevantMask(out) >> d & 1) != 0 && n[d].ub() > 1) {
                outSlices.add(n[d]);
            }
        }
        transfers.add(product("stores", outSlices));
        List<IntVar> hopVars = new ArrayList<>();
        long hopsUb = 0;
        for (int c = 0; c < transfers.size(); c++) {
            Q tr = transfers.get(c);
            long ubm1 = Math.max(0, tr.ub() - 1);
            IntVar minus = model.newIntVar(0, ubm1, "transfersLess1_" + c);
            model.addEquality(LinearExpr.affine(minus, 1, 1), tr.v());
            IntVar halfHops = model.newIntVar(0, ubm1 / 2, "hopsDouble_" + c);
            model.addDivisionEquality(halfHops, minus, model.newConstant(2));
            IntVar hops = model.newIntVar(0, ubm1, "hops_" + c);
            model.addEquality(hops, halfHops).onlyEnforceIf(db);
            model.addEquality(hops, minus).onlyEnforceIf(db.not());
            hopVars.add(hops);
            hopsUb = Math.max(hopsUb, ubm1);
        }
        IntVar maxHops = model.newIntVar(0, hopsUb, "maxHops");
        model.addMaxEquality(maxHops, hopVars.toArray(new IntVar[0]));
        long chainUb = Math.addExact(mul(hopsUb, lat), shareUb);
        check(chainUb, "chain");
        IntVar chain = model.newIntVar(0, chainUb, "chain");
        model.addEquality(chain, LinearExpr.newBuilder().addTerm(maxHops, lat).add(share).build());
        long pipeUb = Math.max(Math.max(compute.ub(), sdUb), chainUb);
        IntVar pipe = model.newIntVar(0, pipeUb, "pipe");
        model.addMaxEquality(pipe, new IntVar[] {compute.v(), sd, chain});
        long ub = Math.addExact(Math.addExact(pipeUb, 2 * lat), loadCycles.ub() + storeCycles.ub());
        check(ub, "latency");
        IntVar l = model.newIntVar(0, ub, "latency[" + name + "]");
        model.addEquality(l, LinearExpr.newBuilder().add(pipe).add(2 * lat).add(loadCycles.v()).add(storeCycles.v())
                .build());
        latency = new Q(l, ub);
    }

    // ---------------------------------------------------------------- solve and decode

    /** A decoded solution with the model's own figures (to be checked against the cost model). */
    record Solution(int[] tile, int pair, int order, boolean doubleBuffered, long latencyCycles, long dramBytes,
                    long footprintBytes, boolean optimal, double wallSeconds) {
    }

    /** Most table rows of a relaxation restriction (keeps the model small); with more, no table is added. */
    private static final int MAX_TABLE_ROWS = 20_000;
    /** Fastest relaxation entries evaluated exactly (all orders) for the incumbent: a few ms per budget. */
    private static final int INCUMBENT_ENTRIES = 2048;

    /**
     * Solves with the optional guides, none of which removes an optimum:
     *
     * <ul>
     *   <li>{@code larger}: the solution of a larger budget. When it was proven optimal its latency is a lower
     *       bound (a smaller budget only removes mappings); its choices are the hint when there is no incumbent
     *       (it may not fit this budget; CP-SAT repairs what it can).</li>
     *   <li>{@code relaxation}: its lower bound for this budget; an incumbent from its fastest entries (complete
     *       hint, and its latency as an upper bound); and the table of tile combinations whose relaxed latency is
     *       at most the incumbent's — in the second phase, at most the optimum latency.</li>
     * </ul>
     */
    Optional<Solution> solve(CpSatSettings settings, Optional<Solution> larger, Optional<TileRelaxation> relaxation) {
        Optional<Solution> incumbent = relaxation.flatMap(this::incumbent);
        if (incumbent.isPresent()) {
            hint(incumbent.get());
            model.addLessOrEqual(latency.v(), incumbent.get().latencyCycles());
            restrictTiles(relaxation.get(), incumbent.get().latencyCycles());
        } else {
            larger.ifPresent(this::hint);
        }
        long lower = relaxation.map(r -> r.lowerBound(budgetBytes)).orElse(0L);
        if (larger.isPresent() && larger.get().optimal()) {
            lower = Math.max(lower, larger.get().latencyCycles());
        }
        if (lower > 0 && lower != Long.MAX_VALUE) {
            model.addGreaterOrEqual(latency.v(), lower);
        }
        LOGGER.debug("CP-SAT ({}) budget ({} bytes): latency in [{}, {}], ({}) tile rows allowed (-1: no table)", name,
                budgetBytes, lower, incumbent.map(Solution::latencyCycles).orElse(latency.ub()), tableRows);
        CpSolver solver = new CpSolver();
        solver.getParameters().setNumWorkers(settings.workers()).setRandomSeed(settings.seed())
                .setMaxTimeInSeconds(settings.timeLimitSecondsPerSolve()).setLogSearchProgress(settings.logSearch())
                .setLinearizationLevel(settings.linearizationLevel());
        if (incumbent.isPresent() && lower != Long.MAX_VALUE
                && minimizeWeighted(Math.max(0, lower), incumbent.get().latencyCycles())) {
            CpSolverStatus st = Interruption.solve(solver, model);
            logPhase("latency, DRAM bytes, footprint", solver, st);
            if (st == CpSolverStatus.UNKNOWN) {
                // out of time before CP-SAT confirmed anything (a loaded machine): the incumbent is a checked mapping
                LOGGER.debug("CP-SAT ({}) budget ({} bytes): no answer in time, keeping the incumbent", name,
                        budgetBytes);
                return incumbent;
            }
            if (st != CpSolverStatus.OPTIMAL && st != CpSolverStatus.FEASIBLE) {
                throw new IllegalStateException("CP-SAT lost the incumbent of " + name + ": " + st);
            }
            return Optional.of(decode(solver, st == CpSolverStatus.OPTIMAL, solver.wallTime()));
        }
        model.minimize(latency.v());
        CpSolverStatus st1 = Interruption.solve(solver, model);
        logPhase("latency", solver, st1);
        if (st1 != CpSolverStatus.OPTIMAL && st1 != CpSolverStatus.FEASIBLE) {
            return Optional.empty();
        }
        double wall = solver.wallTime();
        long bestLatency = solver.value(latency.v());
        boolean optimal = st1 == CpSolverStatus.OPTIMAL;
        hintAll(solver);
        long dramFound = solver.value(dram.v());
        model.addLessOrEqual(latency.v(), bestLatency);
        if (relaxation.isPresent()) {
            restrictTiles(relaxation.get(), bestLatency);
        }
        IntVar dram2 = model.newIntVar(0, dramFound, "dramBound");
        model.addEquality(dram2, dram.v());
        model.minimize(LinearExpr.newBuilder().addTerm(dram2, budgetBytes + 1).add(footprint.v()).build());
        CpSolverStatus st2 = Interruption.solve(solver, model);
        logPhase("DRAM bytes + footprint", solver, st2);
        if (st2 != CpSolverStatus.OPTIMAL && st2 != CpSolverStatus.FEASIBLE) {
            throw new IllegalStateException("CP-SAT lost the solution of " + name + " in the second phase: " + st2);
        }
        optimal &= st2 == CpSolverStatus.OPTIMAL;
        wall += solver.wallTime();
        return Optional.of(decode(solver, optimal, wall));
    }

    /**
     * One exact weighted objective instead of two phases, when the latency is known to lie in [lower, upper] and
     * the weights fit: {@code (latency - lower)·Wl + dram·Wd + footprint} with {@code Wd = budget + 1} (above any
     * footprint) and {@code Wl = (dramCap + 1)·Wd} (above any DRAM-and-footprint term). {@code dramCap} comes from
     * {@code dramCycles <= latency <= upper} in both buffering modes, so {@code dram <= upper·bandwidth}; it is
     * added as a constraint, which removes no solution. Returns false (model unchanged) when the objective could
     * exceed 2^60.
     */
    private boolean minimizeWeighted(long lower, long upper) {
        long wd = budgetBytes + 1;
        long dramCap;
        long wl;
        long max;
        try {
            dramCap = Math.multiplyExact(upper, cost.bandwidthMilliBytesPerCycle()) / CostModel.BANDWIDTH_SCALE;
            wl = Math.multiplyExact(Math.addExact(dramCap, 1), wd);
            max = Math.addExact(Math.multiplyExact(upper - lower, wl), Math.multiplyExact(dramCap, wd) + budgetBytes);
        } catch (ArithmeticException e) {
            return false;
        }
        if (max > 1L << 60) {
            return false;
        }
        IntVar excess = model.newIntVar(0, upper - lower, "latencyAboveLowerBound");
        model.addEquality(LinearExpr.affine(excess, 1, lower), latency.v());
        IntVar bytes = model.newIntVar(0, dramCap, "dramInRange");
        model.addEquality(bytes, dram.v());
        model.minimize(LinearExpr.newBuilder().addTerm(excess, wl).addTerm(bytes, wd).add(footprint.v()).build());
        return true;
    }

    private Solution decode(CpSolver solver, boolean optimal, double wall) {
        int[] tile = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            tile[d] = (int) solver.value(t[d].v());
        }
        int pair = 0;
        for (int p = 0; p < y.length; p++) {
            if (solver.booleanValue(y[p])) {
                pair = p;
            }
        }
        int order = 0;
        for (int o = 0; o < z.length; o++) {
            if (solver.booleanValue(z[o])) {
                order = o;
            }
        }
        return new Solution(tile, pair, order, solver.booleanValue(db), solver.value(latency.v()),
                solver.value(dram.v()), solver.value(footprint.v()), optimal, wall);
    }

    private void logPhase(String phase, CpSolver solver, CpSolverStatus status) {
        LOGGER.debug("CP-SAT ({}) budget ({} bytes) phase ({}): ({}) in ({} ms), ({} branches, {} conflicts)", name,
                budgetBytes, phase, status, Math.round(solver.wallTime() * 1000), solver.numBranches(),
                solver.numConflicts());
    }

    /**
     * A feasible mapping from the relaxation's fastest tile combinations within the budget (at most
     * {@link #INCUMBENT_ENTRIES}): {@link #enumerate}'s best.
     */
    private Optional<Solution> incumbent(TileRelaxation relaxation) {
        return enumerate(space, budgetBytes, relaxation, INCUMBENT_ENTRIES).best();
    }

    /**
     * The best mapping found by {@link #enumerate}, and whether it is the budget's optimum: empty and proven when no
     * mapping fits the budget.
     */
    record Enumerated(Optional<Solution> best, boolean proven) {
    }

    /**
     * Evaluates the relaxation's tile combinations within the budget, fastest relaxed latency first, at most
     * {@code maxEntries}, each with its fastest spatial option and every legal loop order, by the cost model; keeps
     * the best (latency, DRAM bytes, footprint). It stops at the first combination whose relaxed latency exceeds the
     * best latency found: that bound holds for every loop order and spatial option ({@link TileRelaxation}), so no
     * mapping left out is as fast, and the best is the budget's optimum ({@link Enumerated#proven}); so it is when
     * every combination within the budget was evaluated. The spatial option only changes the unit cycles, and the
     * cost model's latency never falls when they rise, so the fastest option loses nothing. When the enumeration
     * stops at {@code maxEntries} first, the best is only feasible.
     */
    static Enumerated enumerate(MappingSpace space, long budgetBytes, TileRelaxation relaxation, int maxEntries) {
        long start = System.nanoTime();
        LayerShape s = space.shape();
        CostModel cost = space.model();
        Solution best = null;
        List<int[]> orders = space.orders();
        List<TileRelaxation.Entry> entries = relaxation.fastest(budgetBytes, maxEntries + 1);
        boolean proven = entries.size() <= maxEntries;
        int[] tile = new int[LayerShape.DIMS];
        for (int k = 0; k < entries.size(); k++) {
            TileRelaxation.Entry e = entries.get(k);
            if (best != null && e.latencyLowerBound() > best.latencyCycles()) {
                proven = true;
                break;
            }
            if (k == maxEntries) {
                break;
            }
            for (int d = 0; d < LayerShape.DIMS; d++) {
                tile[d] = space.candidates(d)[e.index()[d]];
            }
            int pair = 0;
            long fastest = Long.MAX_VALUE;
            for (int p = 0; p < space.pairCount(); p++) {
                long c = cost.unitCycles(s, tile, space.unroll(tile, p));
                if (c < fastest) {
                    fastest = c;
                    pair = p;
                }
            }
            int[] unroll = space.unroll(tile, pair);
            for (int o = 0; o < orders.size(); o++) {
                if (CostModel.splitsReductionAcrossOutputTiles(s, orders.get(o), tile)) {
                    continue;
                }
                CostModel.Figures f = cost.figures(s, tile, unroll, orders.get(o), e.doubleBuffered());
                if (f.footprintBytes() <= budgetBytes && (best == null || f.latencyCycles() < best.latencyCycles()
                        || f.latencyCycles() == best.latencyCycles() && (f.dramBytes() < best.dramBytes()
                        || f.dramBytes() == best.dramBytes() && f.footprintBytes() < best.footprintBytes()))) {
                    best = new Solution(tile.clone(), pair, o, e.doubleBuffered(), f.latencyCycles(), f.dramBytes(),
                            f.footprintBytes(), false, 0);
                }
            }
        }
        if (best == null) {
            proven = false; // nothing fits by the relaxation's figures: CP-SAT decides
        } else if (proven) {
            best = new Solution(best.tile(), best.pair(), best.order(), best.doubleBuffered(), best.latencyCycles(),
                    best.dramBytes(), best.footprintBytes(), true, (System.nanoTime() - start) / 1e9);
        }
        return new Enumerated(Optional.ofNullable(best), proven);
    }

    /**
     * Allows only the (tile combination, buffering) pairs whose relaxed latency is at most the cap: every other
     * mapping is slower than the cap whatever its loop order, so no optimum is lost.
     */
    private void restrictTiles(TileRelaxation relaxation, long latencyCap) {
        List<TileRelaxation.Entry> rows = relaxation.within(budgetBytes, latencyCap, MAX_TABLE_ROWS);
        if (rows.isEmpty()) {
            return;
        }
        tableRows = rows.size();
        List<Integer> dims = new ArrayList<>();
        List<IntVar> vars = new ArrayList<>();
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if (x[d] != null) {
                dims.add(d);
                vars.add(asVar(idx[d], cand[d].length));
            }
        }
        vars.add(db);
        var table = model.addAllowedAssignments(vars);
        for (TileRelaxation.Entry e : rows) {
            int[] tuple = new int[vars.size()];
            for (int k = 0; k < dims.size(); k++) {
                tuple[k] = e.index()[dims.get(k)];
            }
            tuple[dims.size()] = e.doubleBuffered() ? 1 : 0;
            table.addTuple(tuple);
        }
    }

    private void hint(Solution larger) {
        for (int d = 0; d < LayerShape.DIMS; d++) {
            if (x[d] != null) {
                for (int i = 0; i < x[d].length; i++) {
                    model.addHint(x[d][i], cand[d][i] == larger.tile()[d]);
                }
            }
        }
        for (int p = 0; p < y.length; p++) {
            model.addHint(y[p], p == larger.pair());
        }
        for (int o = 0; o < z.length; o++) {
            model.addHint(z[o], o == larger.order());
        }
        model.addHint(db, larger.doubleBuffered());
    }

    private void hintAll(CpSolver solver) {
        model.clearHints();
        for (BoolVar[] xs : x) {
            if (xs != null) {
                for (BoolVar b : xs) {
                    model.addHint(b, solver.booleanValue(b));
                }
            }
        }
        for (BoolVar b : y) {
            model.addHint(b, solver.booleanValue(b));
        }
        for (BoolVar b : z) {
            model.addHint(b, solver.booleanValue(b));
        }
        model.addHint(db, solver.booleanValue(db));
    }
}

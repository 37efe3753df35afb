package dev.sfd.mapping.cpsat;

import dev.sfd.common.OrToolsNatives;
import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MappingChoice;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.Optimality;
import dev.sfd.mapping.ParetoFront;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Maps a layer with the CP-SAT {@link MappingModel}: one solve per budget, budgets in geometric steps from the
 * smallest footprint of the space to the GLB capacity, largest first (a solution that also fits a smaller budget
 * is optimal there too, so that solve is skipped). The cost model is the truth: every decoded mapping is
 * re-evaluated and must reproduce the model's figures exactly.
 *
 * <p>Speed-ups that keep every optimum (see {@link CpSatSettings}): no LP relaxation by default; each budget starts
 * from the next larger budget's solution; and one {@link TileRelaxation} per layer, shared by all its budgets,
 * bounds the latency and drops tile combinations that cannot beat an incumbent. Before a budget is solved, the
 * relaxation's tile combinations are evaluated exactly, fastest bound first, up to
 * {@link CpSatSettings#enumerationLimit()} of them: when the bound of the next one exceeds the best latency found, the
 * best is proven optimal ({@link MappingModel#enumerate}) and CP-SAT is not called for that budget.
 */
public final class CpSatMapper implements Mapper {
    private static final Logger LOGGER = LogManager.getLogger();

    private final CpSatSettings settings;

    public CpSatMapper(CpSatSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        OrToolsNatives.ensureLoaded();
    }

    @Override
    public String name() {
        return "cpsat";
    }

    public CpSatSettings settings() {
        return settings;
    }

    @Override
    public NetworkMapping mapNetwork(Network net, Hardware hw) {
        return NetworkMapper.map(this, net, hw, settings.threads());
    }

    @Override
    public ParetoFront front(Network net, Operator op, Hardware hw) {
        long start = System.nanoTime();
        MappingSpace space = space(net, op, hw);
        long cap = hw.globalBuffer().capacityBytes();
        long min = space.requireFits(op.name(), cap);
        TreeSet<Long> budgets = new TreeSet<>();
        int k = settings.frontBudgets();
        for (int j = 0; j < k; j++) {
            double b = k == 1 ? cap : min * Math.pow((double) cap / min, (double) j / (k - 1));
            budgets.add(Math.min(cap, Math.max(min, (long) Math.floor(b))));
        }
        budgets.add(cap);
        Optional<TileRelaxation> relaxation = relaxation(space, op.name());
        List<MappingChoice> found = new ArrayList<>();
        Optional<MappingModel.Solution> previous = Optional.empty();
        int solves = 0;
        int enumerated = 0;
        for (long b : budgets.descendingSet()) {
            if (previous.isPresent() && previous.get().footprintBytes() <= b) {
                continue;
            }
            Optional<MappingModel.Solution> sol = proven(space, b, relaxation);
            if (sol.isPresent()) {
                enumerated++;
            } else {
                sol = new MappingModel(space, b).solve(settings, settings.warmStart() ? previous : Optional.empty(),
                        relaxation);
                solves++;
            }
            if (sol.isEmpty()) {
                break;
            }
            previous = sol;
            found.add(decode(space, op.name(), b, sol.get()));
        }
        if (relaxation.isPresent()) {
            for (long b : budgets) {
                fewestCompute(space, op.name(), b, relaxation.get()).ifPresent(found::add);
            }
        }
        ParetoFront f = ParetoFront.of(op.name(), name(), found, min, (System.nanoTime() - start) / 1_000_000);
        LOGGER.debug("CP-SAT front of ({}): ({} points) from ({}) solves and ({}) budgets proven by enumeration in "
                + "({} ms)", op.name(), f.points().size(), solves, enumerated, f.solveMillis());
        return f;
    }

    /** Tile combinations looked at per budget for the fewest compute cycles. */
    private static final int COMPUTE_ENTRIES = 64;

    /**
     * Among the {@link #COMPUTE_ENTRIES} smallest tile combinations (with their buffering) that reach the fewest
     * compute cycles within a budget, and their legal loop orders: the mapping with the fewest exposed cycles (what a
     * fused segment that hides the layer's other DRAM traffic pays: a single-buffered weight's slice transfers stay
     * between its steps), then the fewest DRAM bytes, then the smallest footprint. The relaxation lists every tile
     * combination with its exact compute cycles, so no solve is needed.
     */
    private Optional<MappingChoice> fewestCompute(MappingSpace space, String operator, long budgetBytes,
                                                  TileRelaxation relaxation) {
        CostModel model = space.model();
        int[][] cand = new int[LayerShape.DIMS][];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            cand[d] = space.candidates(d);
        }
        Mapping best = null;
        CostModel.Figures bestFig = null;
        for (TileRelaxation.Entry e : relaxation.fewestCompute(budgetBytes, COMPUTE_ENTRIES)) {
            int[] tile = new int[LayerShape.DIMS];
            for (int d = 0; d < LayerShape.DIMS; d++) {
                tile[d] = cand[d][e.index()[d]];
            }
            for (int o = 0; o < space.orderCount(); o++) {
                if (!space.legal(tile, o)) {
                    continue;
                }
                CostModel.Figures f = model.figures(space.shape(), tile, space.unroll(tile, e.pair()),
                        space.orders().get(o), e.doubleBuffered());
                if (f.footprintBytes() <= budgetBytes && (bestFig == null || fewerExposed(f, bestFig))) {
                    best = space.mapping(operator, tile, e.pair(), o, e.doubleBuffered());
                    bestFig = f;
                }
            }
        }
        return best == null ? Optional.empty()
                : Optional.of(new MappingChoice(best, model.evaluate(space.shape(), best), Optimality.FEASIBLE));
    }

    /** Fewer exposed cycles, then fewer DRAM bytes, then a smaller footprint. */
    private static boolean fewerExposed(CostModel.Figures f, CostModel.Figures g) {
        if (f.exposedCycles() != g.exposedCycles()) {
            return f.exposedCycles() < g.exposedCycles();
        }
        return f.dramBytes() < g.dramBytes() || f.dramBytes() == g.dramBytes() && f.footprintBytes() < g.footprintBytes();
    }

    @Override
    public Optional<MappingChoice> best(Network net, Operator op, Hardware hw, long budgetBytes) {
        MappingSpace space = space(net, op, hw);
        if (space.minFootprintBytes() > budgetBytes) {
            return Optional.empty();
        }
        return solve(space, op.name(), budgetBytes);
    }

    /** Solves one budget; the model's predicted figures, for tests. */
    Optional<MappingModel.Solution> solveRaw(MappingSpace space, long budgetBytes) {
        Optional<TileRelaxation> relaxation = relaxation(space, space.shape().operator());
        Optional<MappingModel.Solution> sol = proven(space, budgetBytes, relaxation);
        return sol.isPresent() ? sol
                : new MappingModel(space, budgetBytes).solve(settings, Optional.empty(), relaxation);
    }

    /**
     * The budget's optimum when the relaxation's enumeration ({@link MappingModel#enumerate}) proves it within
     * {@link CpSatSettings#enumerationLimit()} tile combinations; empty when it does not (then CP-SAT solves).
     */
    private Optional<MappingModel.Solution> proven(MappingSpace space, long budgetBytes,
                                                   Optional<TileRelaxation> relaxation) {
        if (relaxation.isEmpty() || settings.enumerationLimit() <= 0) {
            return Optional.empty();
        }
        MappingModel.Enumerated e = MappingModel.enumerate(space, budgetBytes, relaxation.get(),
                settings.enumerationLimit());
        return e.proven() ? e.best() : Optional.empty();
    }

    private Optional<TileRelaxation> relaxation(MappingSpace space, String operator) {
        if (!settings.tileRelaxation()) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        TileRelaxation r = new TileRelaxation(space);
        LOGGER.debug("Tile relaxation of ({}): ({} entries) in ({} ms)", operator, r.size(),
                (System.nanoTime() - start) / 1_000_000);
        return Optional.of(r);
    }

    private Optional<MappingChoice> solve(MappingSpace space, String operator, long budgetBytes) {
        Optional<MappingModel.Solution> sol = solveRaw(space, budgetBytes);
        if (sol.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(decode(space, operator, budgetBytes, sol.get()));
    }

    /** The mapping of a solution, checked against the cost model. */
    private MappingChoice decode(MappingSpace space, String operator, long budgetBytes, MappingModel.Solution s) {
        Mapping m = space.mapping(operator, s.tile(), s.pair(), s.order(), s.doubleBuffered());
        CostModel model = space.model();
        var cost = model.evaluate(space.shape(), m);
        if (cost.latencyCycles() != s.latencyCycles() || cost.dramBytes() != s.dramBytes()
                || cost.footprintBytes() != s.footprintBytes()) {
            throw new IllegalStateException("CP-SAT model of " + operator + " disagrees with the cost model: model ("
                    + s.latencyCycles() + " cycles, " + s.dramBytes() + " DRAM bytes, " + s.footprintBytes()
                    + " bytes) vs cost model (" + cost.latencyCycles() + ", " + cost.dramBytes() + ", "
                    + cost.footprintBytes() + ") for " + m);
        }
        LOGGER.debug("CP-SAT ({}) budget ({} bytes): ({} cycles, {} DRAM bytes, {} bytes) {} in ({} s)", operator,
                budgetBytes, s.latencyCycles(), s.dramBytes(), s.footprintBytes(),
                s.optimal() ? "OPTIMAL" : "FEASIBLE", s.wallSeconds());
        return new MappingChoice(m, cost, s.optimal() ? Optimality.OPTIMAL : Optimality.FEASIBLE);
    }

    MappingSpace space(Network net, Operator op, Hardware hw) {
        LayerShape shape = LayerShape.of(net, op).orElseThrow(() -> new IllegalArgumentException(
                "operator '" + op.name() + "' is a layout operator: it has no loop nest and needs no mapping"));
        return new MappingSpace(shape, new CostModel(hw), settings.spaceOptions());
    }
}

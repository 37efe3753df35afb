package dev.sfd.mapping;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * The "heuristic DSE" baseline: random sampling of the {@link MappingSpace} followed by greedy hill climbing
 * (one tile size one step up or down, or another spatial option, order or buffering) from the point fastest alone
 * and from the point with the fewest compute cycles, within a fixed number of cost-model evaluations; the front
 * keeps every non-dominated point seen. Seeded: the same layer always gets the same result.
 */
public final class HeuristicMapper implements Mapper {
    private static final Logger LOGGER = LogManager.getLogger();

    private final MappingSpace.Options options;
    private final int evaluations;
    private final long seed;

    /**
     * @param evaluations cost-model evaluations per search (half random, half greedy)
     * @param seed random seed (combined with the layer's shape key)
     */
    public HeuristicMapper(MappingSpace.Options options, int evaluations, long seed) {
        this.options = Objects.requireNonNull(options, "options");
        if (evaluations < 2) {
            throw new IllegalArgumentException("evaluations must be >= 2: " + evaluations);
        }
        this.evaluations = evaluations;
        this.seed = seed;
    }

    public HeuristicMapper() {
        this(MappingSpace.Options.DEFAULT, 2000, 42);
    }

    @Override
    public String name() {
        return "heuristic";
    }

    @Override
    public ParetoFront front(Network net, Operator op, Hardware hw) {
        long start = System.nanoTime();
        MappingSpace space = space(net, op, hw);
        long cap = hw.globalBuffer().capacityBytes();
        long min = space.requireFits(op.name(), cap);
        ParetoFront f = ParetoFront.of(op.name(), name(), search(space, op.name(), cap), min,
                (System.nanoTime() - start) / 1_000_000);
        LOGGER.debug("Heuristic front of ({}): ({} points) in ({} ms)", op.name(), f.points().size(), f.solveMillis());
        return f;
    }

    @Override
    public Optional<MappingChoice> best(Network net, Operator op, Hardware hw, long budgetBytes) {
        MappingSpace space = space(net, op, hw);
        if (space.minFootprintBytes() > budgetBytes) {
            return Optional.empty();
        }
        return search(space, op.name(), budgetBytes).stream().min(MappingChoice::compareObjective);
    }

    private MappingSpace space(Network net, Operator op, Hardware hw) {
        LayerShape shape = LayerShape.of(net, op).orElseThrow(() -> new IllegalArgumentException(
                "operator '" + op.name() + "' is a layout operator: it has no loop nest and needs no mapping"));
        return new MappingSpace(shape, new CostModel(hw), options);
    }

    /** A point of the space by candidate indices. */
    private record Point(int[] idx, int pair, int order, boolean db) {
    }

    private List<MappingChoice> search(MappingSpace space, String operator, long budgetBytes) {
        Random rnd = new Random(seed ^ space.shape().key().hashCode());
        int[][] cand = new int[LayerShape.DIMS][];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            cand[d] = space.candidates(d);
        }
        List<Point> kept = new ArrayList<>();
        // The smallest mapping always fits when anything does.
        int[] smallest = new int[LayerShape.DIMS];
        Point start = new Point(smallest, 0, space.firstLegalOrder(tiles(cand, new Point(smallest, 0, 0, false))),
                false);
        kept.add(start);
        Point bestLatency = start;
        CostModel.Figures bestLatencyFig = eval(space, cand, start);
        Point bestCompute = start;
        CostModel.Figures bestComputeFig = bestLatencyFig;
        int used = 1;
        // half random samples, then greedy climbs from the fastest point alone and from the fastest compute
        for (; used < evaluations; used++) {
            boolean random = used < evaluations / 2;
            boolean climbCompute = !random && used >= evaluations * 3 / 4;
            Point p;
            if (random) {
                int[] idx = new int[LayerShape.DIMS];
                for (int d = 0; d < LayerShape.DIMS; d++) {
                    idx[d] = rnd.nextInt(cand[d].length);
                }
                p = new Point(idx, rnd.nextInt(space.pairCount()), rnd.nextInt(space.orderCount()), rnd.nextBoolean());
            } else {
                p = neighbour(climbCompute ? bestCompute : bestLatency, cand, space, rnd);
            }
            CostModel.Figures f = eval(space, cand, p);
            if (f == null || f.footprintBytes() > budgetBytes) {
                continue;
            }
            kept.add(p);
            if (betterLatency(f, bestLatencyFig)) {
                bestLatency = p;
                bestLatencyFig = f;
            }
            if (betterCompute(f, bestComputeFig)) {
                bestCompute = p;
                bestComputeFig = f;
            }
        }
        List<MappingChoice> out = new ArrayList<>();
        for (Point p : kept) {
            int[] t = tiles(cand, p);
            var m = space.mapping(operator, t, p.pair(), p.order(), p.db());
            out.add(new MappingChoice(m, space.model().evaluate(space.shape(), m), Optimality.SAMPLED));
        }
        return ParetoFront.of(operator, name(), out, 0, 0).points();
    }

    private static boolean betterLatency(CostModel.Figures a, CostModel.Figures b) {
        if (a.latencyCycles() != b.latencyCycles()) {
            return a.latencyCycles() < b.latencyCycles();
        }
        if (a.dramBytes() != b.dramBytes()) {
            return a.dramBytes() < b.dramBytes();
        }
        return a.footprintBytes() < b.footprintBytes();
    }

    /** Fewer compute cycles (what a fused segment that hides the DRAM traffic pays), then DRAM bytes, footprint. */
    private static boolean betterCompute(CostModel.Figures a, CostModel.Figures b) {
        if (a.computeCycles() != b.computeCycles()) {
            return a.computeCycles() < b.computeCycles();
        }
        if (a.dramBytes() != b.dramBytes()) {
            return a.dramBytes() < b.dramBytes();
        }
        return a.footprintBytes() < b.footprintBytes();
    }

    private static Point neighbour(Point p, int[][] cand, MappingSpace space, Random rnd) {
        int[] idx = p.idx().clone();
        int pair = p.pair();
        int order = p.order();
        boolean db = p.db();
        switch (rnd.nextInt(4)) {
            case 0, 1 -> {
                int d = rnd.nextInt(LayerShape.DIMS);
                idx[d] = Math.max(0, Math.min(cand[d].length - 1, idx[d] + (rnd.nextBoolean() ? 1 : -1)));
            }
            case 2 -> {
                pair = rnd.nextInt(space.pairCount());
                order = rnd.nextInt(space.orderCount());
            }
            default -> db = !db;
        }
        return new Point(idx, pair, order, db);
    }

    private static int[] tiles(int[][] cand, Point p) {
        int[] t = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            t[d] = cand[d][p.idx()[d]];
        }
        return t;
    }

    /** The point's figures, or null when its order is not legal for its tiles. */
    private static CostModel.Figures eval(MappingSpace space, int[][] cand, Point p) {
        int[] t = tiles(cand, p);
        if (!space.legal(t, p.order())) {
            return null;
        }
        return space.model().figures(space.shape(), t, space.unroll(t, p.pair()), space.orders().get(p.order()), p.db());
    }
}

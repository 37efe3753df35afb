package dev.sfd.mapping;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reference mapper: visits every point of the {@link MappingSpace}. Because the spatial option changes only
 * the compute cycles (never footprint or DRAM bytes), each tile combination keeps its fastest spatial option;
 * every (tiles, order, buffering) point is then evaluated with the cost model. The front is exact.
 */
public final class ExhaustiveMapper implements Mapper {
    private static final Logger LOGGER = LogManager.getLogger();

    private final MappingSpace.Options options;

    public ExhaustiveMapper(MappingSpace.Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public ExhaustiveMapper() {
        this(MappingSpace.Options.DEFAULT);
    }

    @Override
    public String name() {
        return "exhaustive";
    }

    @Override
    public ParetoFront front(Network net, Operator op, Hardware hw) {
        long start = System.nanoTime();
        MappingSpace space = space(net, op, hw);
        long cap = hw.globalBuffer().capacityBytes();
        long min = space.requireFits(op.name(), cap);
        List<MappingChoice> all = search(space, op.name(), cap);
        ParetoFront f = ParetoFront.of(op.name(), name(), all, min, (System.nanoTime() - start) / 1_000_000);
        LOGGER.debug("Exhaustive front of ({}): ({} points) over ({}) space points in ({} ms)", op.name(),
                f.points().size(), (long) space.size(), f.solveMillis());
        return f;
    }

    @Override
    public Optional<MappingChoice> best(Network net, Operator op, Hardware hw, long budgetBytes) {
        MappingSpace space = space(net, op, hw);
        return search(space, op.name(), budgetBytes).stream().min(MappingChoice::compareObjective);
    }

    private MappingSpace space(Network net, Operator op, Hardware hw) {
        LayerShape shape = LayerShape.of(net, op).orElseThrow(() -> new IllegalArgumentException(
                "operator '" + op.name() + "' is a layout operator: it has no loop nest and needs no mapping"));
        return new MappingSpace(shape, new CostModel(hw), options);
    }

    /** Evaluates the whole space; returns the non-dominated points within the budget as mapping choices. */
    private List<MappingChoice> search(MappingSpace space, String operator, long budgetBytes) {
        Points pts = new Points();
        int[] tile = new int[LayerShape.DIMS];
        enumerate(space, 0, tile, budgetBytes, pts);
        // Pareto filter on the raw figures, then materialise only the survivors.
        Integer[] idx = new Integer[pts.size];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.<Integer>comparingLong(i -> pts.fp[i]).thenComparingLong(i -> pts.lat[i])
                .thenComparingLong(i -> pts.dram[i]).thenComparingLong(i -> pts.compute[i]));
        List<Integer> kept = new ArrayList<>();
        for (int i : idx) {
            boolean dominated = false;
            for (int k : kept) {
                if (pts.lat[k] <= pts.lat[i] && pts.dram[k] <= pts.dram[i] && pts.compute[k] <= pts.compute[i]) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                kept.add(i);
            }
        }
        List<MappingChoice> out = new ArrayList<>();
        CostModel model = space.model();
        for (int i : kept) {
            int[] t = pts.tiles.get(i);
            var mapping = space.mapping(operator, t, pts.pair[i], pts.order[i], pts.db[i]);
            out.add(new MappingChoice(mapping, model.evaluate(space.shape(), mapping), Optimality.EXHAUSTIVE));
        }
        return out;
    }

    private void enumerate(MappingSpace space, int d, int[] tile, long budgetBytes, Points pts) {
        if (d == LayerShape.DIMS) {
            evaluateTiles(space, tile, budgetBytes, pts);
            return;
        }
        for (int c : space.candidates(d)) {
            tile[d] = c;
            enumerate(space, d + 1, tile, budgetBytes, pts);
        }
    }

    private void evaluateTiles(MappingSpace space, int[] tile, long budgetBytes, Points pts) {
        CostModel model = space.model();
        LayerShape shape = space.shape();
        int bestPair = 0;
        long bestCompute = Long.MAX_VALUE;
        for (int p = 0; p < space.pairCount(); p++) {
            long c = model.unitCycles(shape, tile, space.unroll(tile, p));
            if (c < bestCompute) {
                bestCompute = c;
                bestPair = p;
            }
        }
        int[] u = space.unroll(tile, bestPair);
        List<int[]> orders = space.orders();
        int[] copy = null;
        for (int o = 0; o < orders.size(); o++) {
            if (!space.legal(tile, o)) {
                continue;
            }
            for (boolean db : new boolean[] {false, true}) {
                CostModel.Figures f = model.figures(shape, tile, u, orders.get(o), db);
                if (f.footprintBytes() <= budgetBytes) {
                    if (copy == null) {
                        copy = tile.clone();
                    }
                    pts.add(f, copy, bestPair, o, db);
                }
            }
        }
    }

    /** Growable columns of evaluated points. */
    private static final class Points {
        long[] fp = new long[1024];
        long[] lat = new long[1024];
        long[] dram = new long[1024];
        long[] compute = new long[1024];
        int[] pair = new int[1024];
        int[] order = new int[1024];
        boolean[] db = new boolean[1024];
        final List<int[]> tiles = new ArrayList<>();
        int size;

        void add(CostModel.Figures f, int[] t, int p, int o, boolean d) {
            if (size == fp.length) {
                int n = size * 2;
                fp = Arrays.copyOf(fp, n);
                lat = Arrays.copyOf(lat, n);
                dram = Arrays.copyOf(dram, n);
                compute = Arrays.copyOf(compute, n);
                pair = Arrays.copyOf(pair, n);
                order = Arrays.copyOf(order, n);
                db = Arrays.copyOf(db, n);
            }
            fp[size] = f.footprintBytes();
            lat[size] = f.latencyCycles();
            dram[size] = f.dramBytes();
            compute[size] = f.computeCycles();
            pair[size] = p;
            order[size] = o;
            db[size] = d;
            tiles.add(t);
            size++;
        }
    }
}

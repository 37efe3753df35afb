package dev.sfd.mapping.cpsat;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LayerShape;
import dev.sfd.mapping.MappingSpace;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An order-free relaxation of the cost model over the tile candidates of a {@link MappingSpace}, built once per
 * layer and shared by every budget of its front. For each tile combination and buffering it knows the exact
 * footprint and a latency that no loop order can beat: the fastest spatial option's compute cycles, and DRAM
 * traffic with every operand fetched once and no partial-sum spill (fetches >= 1 for every order). So
 *
 * <ul>
 *   <li>{@link #lowerBound(long)} is a valid lower bound of the optimum latency under a budget, and</li>
 *   <li>{@link #within(long, long)} lists every tile combination that can reach a latency at most a cap: a
 *       mapping outside the list is slower than the cap whatever its order, so the CP-SAT model may exclude it
 *       without losing any optimum.</li>
 * </ul>
 *
 * The CP-SAT search still chooses every loop order, spatial option and buffering and proves optimality; the
 * relaxation only tells it early which tile combinations cannot matter.
 */
final class TileRelaxation {
    /** One tile combination (candidate index per dim) with one buffering. */
    record Entry(int[] index, boolean doubleBuffered, long footprintBytes, long latencyLowerBound, long computeCycles,
                 int pair) {
    }

    private final List<Entry> byLatency;

    TileRelaxation(MappingSpace space) {
        List<Entry> entries = new ArrayList<>();
        int[][] cand = new int[LayerShape.DIMS][];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            cand[d] = space.candidates(d);
        }
        enumerate(space, cand, 0, new int[LayerShape.DIMS], entries);
        entries.sort(Comparator.comparingLong(Entry::latencyLowerBound).thenComparingLong(Entry::footprintBytes));
        this.byLatency = List.copyOf(entries);
    }

    private static void enumerate(MappingSpace space, int[][] cand, int d, int[] index, List<Entry> out) {
        if (d == LayerShape.DIMS) {
            add(space, cand, index, out);
            return;
        }
        for (int i = 0; i < cand[d].length; i++) {
            index[d] = i;
            enumerate(space, cand, d + 1, index, out);
        }
    }

    private static void add(MappingSpace space, int[][] cand, int[] index, List<Entry> entries) {
        LayerShape s = space.shape();
        CostModel model = space.model();
        int[] tile = new int[LayerShape.DIMS];
        for (int d = 0; d < LayerShape.DIMS; d++) {
            tile[d] = cand[d][index[d]];
        }
        if (!s.contiguous(tile)) {
            return;
        }
        long unit = Long.MAX_VALUE;
        int pair = 0;
        for (int p = 0; p < space.pairCount(); p++) {
            long c = model.unitCycles(s, tile, space.unroll(tile, p));
            if (c < unit) {
                unit = c;
                pair = p;
            }
        }
        long compute = s.unit() == OpKind.ComputeUnit.NONE ? 0
                : Math.max(unit, model.portCycles(model.portBytes(s, tile)));
        long[] n = new long[LayerShape.DIMS];
        int tiledMask = 0;
        for (int d = 0; d < LayerShape.DIMS; d++) {
            n[d] = (s.bound(d) + tile[d] - 1) / tile[d];
            if (n[d] > 1) {
                tiledMask |= 1 << d;
            }
        }
        var dw = model.hardware().dataWidths();
        boolean reductionTiled = (tiledMask & s.reductionMask()) != 0;
        int out = s.operandCount() - 1;
        long lat = model.hardware().dram().latencyCycles();
        long single = 0;
        long doubled = 0;
        long firstLoad = 0;
        long dramMin = 0;
        long[] slices = new long[s.operandCount()];
        for (int i = 0; i < s.operandCount(); i++) {
            int bits = s.role(i) == Operand.Role.WEIGHT ? dw.weightBits()
                    : i == out && reductionTiled ? dw.accumulatorBits() : dw.activationBits();
            long tileBytes = (s.tileElements(i, tile) * bits + 7) / 8;
            boolean streamed = (s.relevantMask(i) & tiledMask) != 0;
            single += tileBytes;
            doubled += streamed ? 2 * tileBytes : tileBytes;
            long sweep = s.sweepElements(i, tile);
            slices[i] = 1;
            for (int d = 0; d < LayerShape.DIMS; d++) {
                if ((s.relevantMask(i) >> d & 1) != 0) {
                    slices[i] *= n[d];
                }
            }
            if (i == out) {
                dramMin += (sweep * dw.activationBits() + 7) / 8;
            } else {
                firstLoad += tileBytes;
                dramMin += (sweep * bits + 7) / 8;
            }
        }
        long lastStore = (s.tileElements(out, tile) * dw.activationBits() + 7) / 8;
        // the cost model's latency with every operand fetched once (no order fetches less): a lower bound
        long fillDrain = model.transferCycles(firstLoad) + model.transferCycles(lastStore);
        long steadyDram = Math.max(0, model.transferCycles(dramMin) - fillDrain);
        long maxSlices = 1;
        for (int i = 0; i < s.operandCount(); i++) {
            maxSlices = Math.max(maxSlices, slices[i]);
        }
        long pipeSingle = Math.max(Math.max(compute, steadyDram), (maxSlices - 1) * lat + compute + steadyDram);
        long pipeDouble = Math.max(Math.max(compute, steadyDram),
                (maxSlices - 1) / 2 * lat + (compute + steadyDram + 1) / 2);
        long fill = 2 * lat + fillDrain;
        int[] idx = index.clone();
        entries.add(new Entry(idx, false, single, pipeSingle + fill, compute, pair));
        entries.add(new Entry(idx, true, doubled, pipeDouble + fill, compute, pair));
    }

    /** A lower bound of the latency of every mapping within the budget; empty space: Long.MAX_VALUE. */
    long lowerBound(long budgetBytes) {
        for (Entry e : byLatency) {
            if (e.footprintBytes() <= budgetBytes) {
                return e.latencyLowerBound();
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Every (tile combination, buffering) within the budget whose latency bound is at most the cap, fastest first;
     * empty when there are more than {@code maxEntries} (then the caller goes without the restriction).
     */
    List<Entry> within(long budgetBytes, long latencyCap, int maxEntries) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byLatency) {
            if (e.latencyLowerBound() > latencyCap) {
                break;
            }
            if (e.footprintBytes() <= budgetBytes) {
                if (out.size() == maxEntries) {
                    return List.of();
                }
                out.add(e);
            }
        }
        return out;
    }

    /** The fastest entries (by latency bound) within the budget, at most {@code count}. */
    List<Entry> fastest(long budgetBytes, int count) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : byLatency) {
            if (out.size() == count) {
                break;
            }
            if (e.footprintBytes() <= budgetBytes) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * The entries within the budget with the fewest compute cycles (exact: compute cycles depend on the tiles and the
     * spatial option only, and each entry has its fastest option), at most {@code count}, smallest footprint first.
     */
    List<Entry> fewestCompute(long budgetBytes, int count) {
        long best = Long.MAX_VALUE;
        for (Entry e : byLatency) {
            if (e.footprintBytes() <= budgetBytes) {
                best = Math.min(best, e.computeCycles());
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : byLatency) {
            if (e.footprintBytes() <= budgetBytes && e.computeCycles() == best) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(Entry::footprintBytes));
        return out.size() > count ? out.subList(0, count) : out;
    }

    int size() {
        return byLatency.size();
    }
}

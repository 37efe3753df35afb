package dev.sfd.segmentation.dp;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.Segmenter;
import dev.sfd.segmentation.SegmenterSettings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact segmentation of the model's topological order into contiguous segments.
 *
 * <p><b>Method.</b> A contiguous range of a topological order is always convex, and under the model every
 * cost term of a segment (buffer, compute, DRAM loads and stores, energy) depends only on which operators it
 * holds and their options. So the total is a sum over segments and
 * {@code best[j] = min_i best[i] + seg(i, j)} is exact. {@code seg(i, j)} is itself an optimisation: pick one
 * option per operator to minimise the segment's objective (for latency
 * {@code max(sum compute, (sum weight bytes + boundary bytes) / bandwidth)}) subject to
 * {@code sum buffer bytes <= capacity}, where the option-dependent line-buffer windows of internal tensors are
 * folded into the option that causes them (the model makes them additive). It is solved by a Pareto-set DP
 * over the segment's operators: a state is a partial choice summarised by (buffer bytes, compute cycles,
 * weight bytes) — (buffer, energy) or (buffer, DRAM bytes) for the other objectives — and a state is dropped
 * when it overflows the capacity or another state is no worse in every coordinate. Dominance keeps it exact:
 * the objective is monotone in every coordinate.
 *
 * <p><b>Complexity.</b> With {@code n} operators, segments of at most {@code L} operators, at most {@code k}
 * options per operator and at most {@code S} Pareto states, the DP evaluates {@code O(n L)} segments at
 * {@code O(L k S log S)} each: {@code O(n L^2 k S log S)} time and {@code O(L S)} memory. Because buffer use
 * only grows when a segment grows, the scan over segment starts stops at the first infeasible one, so
 * {@code L} is in practice the longest segment that fits. The answer is optimal for the order when no
 * segment was cut short by {@link SegmenterSettings#maxSegmentLength()} and no state set was thinned to
 * {@link #MAX_STATES}; otherwise the status is FEASIBLE.
 */
public final class DpSegmenter implements Segmenter {
    private static final Logger LOGGER = LogManager.getLogger();

    /** Pareto states kept per operator inside one segment before thinning (never reached in tests). */
    static final int MAX_STATES = 2048;

    @Override
    public String name() {
        return "dp";
    }

    @Override
    public Segmentation segment(SegmentationModel model, SegmenterSettings settings) {
        long start = System.nanoTime();
        Run run = new Run(model, settings);
        Segmentation s = run.solve(start);
        LOGGER.debug("DP segmented ({}) operators into ({}) segments, status ({}), in ({} ms)",
                model.operators().size(), s.parts().size(), s.status(), s.wallMillis());
        return s;
    }

    /** The best options of one segment and its objective value. */
    record SegmentChoice(double value, int[] choices) {
    }

    /** One DP run over one model. */
    static final class Run {
        private final SegmentationModel model;
        private final SegmenterSettings settings;
        private final Objective objective;
        private final int n;
        /** Tensor indexes touching each operator (produced or consumed). */
        private final int[][] touching;
        private boolean approximate;

        Run(SegmentationModel model, SegmenterSettings settings) {
            this.model = model;
            this.settings = settings;
            this.objective = settings.objective();
            this.n = model.operators().size();
            List<List<Integer>> t = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                t.add(new ArrayList<>());
            }
            for (int ti = 0; ti < model.tensors().size(); ti++) {
                SegmentationModel.TensorEdge e = model.tensors().get(ti);
                if (e.producer() >= 0) {
                    t.get(e.producer()).add(ti);
                }
                for (int c : e.consumers()) {
                    if (!t.get(c).contains(ti)) {
                        t.get(c).add(ti);
                    }
                }
            }
            touching = new int[n][];
            for (int i = 0; i < n; i++) {
                touching[i] = t.get(i).stream().mapToInt(Integer::intValue).toArray();
            }
        }

        Segmentation solve(long startNanos) {
            double[] best = new double[n + 1];
            int[] from = new int[n + 1];
            int[][] choiceOf = new int[n + 1][];
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            best[0] = 0;
            int maxLen = settings.maxSegmentLength();
            for (int j = 1; j <= n; j++) {
                for (int i = j - 1; i >= 0; i--) {
                    if (j - i > maxLen) {
                        approximate = true;
                        break;
                    }
                    if (Double.isInfinite(best[i])) {
                        continue;
                    }
                    SegmentChoice sc = segment(i, j, best[j] - best[i]);
                    if (sc == null) {
                        break; // buffer use only grows with the segment: longer ones do not fit either
                    }
                    if (sc.choices() != null && best[i] + sc.value() < best[j]) {
                        best[j] = best[i] + sc.value();
                        from[j] = i;
                        choiceOf[j] = sc.choices();
                    }
                }
            }
            long wallMillis = (System.nanoTime() - startNanos) / 1_000_000;
            if (Double.isInfinite(best[n])) {
                return Segmentation.infeasible("dp", whyInfeasible(), wallMillis);
            }
            List<SegmentationModel.Part> parts = new ArrayList<>();
            for (int j = n; j > 0; j = from[j]) {
                int i = from[j];
                List<Integer> ops = new ArrayList<>();
                List<Integer> ch = new ArrayList<>();
                for (int k = i; k < j; k++) {
                    ops.add(k);
                    ch.add(choiceOf[j][k - i]);
                }
                parts.add(new SegmentationModel.Part(ops, ch));
            }
            java.util.Collections.reverse(parts);
            SegmentationModel.Evaluation ev = model.evaluate(parts);
            return new Segmentation(parts, ev, approximate ? Segmentation.Status.FEASIBLE : Segmentation.Status.OPTIMAL,
                    approximate ? Double.NaN : 0.0, "dp", wallMillis);
        }

        private String whyInfeasible() {
            for (int i = 0; i < n; i++) {
                if (segment(i, i + 1, Double.POSITIVE_INFINITY) == null) {
                    SegmentationModel.OperatorNode op = model.operators().get(i);
                    long min = op.options().stream().mapToLong(SegmentationModel.Option::bufferBytes).min().orElse(0);
                    return "operator " + op.name() + " needs at least " + min + " buffer bytes alone > capacity "
                            + model.capacityBytes();
                }
            }
            return "no segmentation fits";
        }

        /**
         * Best options for segment {@code [i, j)} of the order, or null when no choice fits the buffer. A
         * segment that cannot score below {@code budget} comes back with null choices (value infinite): the
         * caller already has something at least as good.
         */
        SegmentChoice segment(int i, int j, double budget) {
            int len = j - i;
            long boundaryBytes = 0;
            long fixedBuffer = 0;
            long[][] extra = new long[len][];
            for (int k = 0; k < len; k++) {
                extra[k] = new long[model.operators().get(i + k).options().size()];
            }
            java.util.BitSet seen = new java.util.BitSet();
            for (int op = i; op < j; op++) {
                for (int ti : touching[op]) {
                    if (seen.get(ti)) {
                        continue;
                    }
                    seen.set(ti);
                    SegmentationModel.TensorEdge t = model.tensors().get(ti);
                    boolean producerIn = t.producer() >= i && t.producer() < j;
                    boolean anyIn = false;
                    boolean anyOut = false;
                    for (int c : t.consumers()) {
                        if (c >= i && c < j) {
                            anyIn = true;
                        } else {
                            anyOut = true;
                        }
                    }
                    if (producerIn) {
                        if (anyIn) {
                            fixedBuffer += t.onChipBytes();
                            long[] pe = extra[t.producer() - i];
                            for (int o = 0; o < pe.length; o++) {
                                pe[o] += t.producerWindowBytes(o);
                            }
                            for (int ci = 0; ci < t.consumers().size(); ci++) {
                                int c = t.consumers().get(ci);
                                if (c >= i && c < j) {
                                    long[] ce = extra[c - i];
                                    for (int o = 0; o < ce.length; o++) {
                                        ce[o] += t.consumerWindowBytes(ci, o);
                                    }
                                }
                            }
                        }
                        if (anyOut || t.networkOutput()) {
                            boundaryBytes += t.bytes();
                        }
                    } else if (anyIn) {
                        boundaryBytes += t.bytes();
                    }
                }
            }
            long capacity = model.capacityBytes() - fixedBuffer;
            if (capacity < 0) {
                return null;
            }
            return chooseOptions(i, len, extra, capacity, boundaryBytes, budget);
        }

        /** The Pareto-set DP over the options of the segment's operators. */
        private SegmentChoice chooseOptions(int i, int len, long[][] extra, long capacity, long boundaryBytes,
                                            double budget) {
            // Lower bounds of what the remaining operators add (each at its own cheapest), and the
            // smallest-buffer choice, which decides feasibility exactly and gives a first upper bound.
            long[] restBuf = new long[len + 1];
            long[] restCompute = new long[len + 1];
            long[] restWeight = new long[len + 1];
            double[] restEnergy = new double[len + 1];
            long greedyCompute = 0;
            long greedyWeight = 0;
            double greedyEnergy = 0;
            for (int k = len - 1; k >= 0; k--) {
                List<SegmentationModel.Option> opts = model.operators().get(i + k).options();
                long mb = Long.MAX_VALUE;
                long mc = Long.MAX_VALUE;
                long mw = Long.MAX_VALUE;
                double me = Double.MAX_VALUE;
                int argMinBuf = 0;
                for (int o = 0; o < opts.size(); o++) {
                    SegmentationModel.Option op = opts.get(o);
                    long b = op.bufferBytes() + extra[k][o];
                    if (b < mb) {
                        mb = b;
                        argMinBuf = o;
                    }
                    mc = Math.min(mc, op.computeCycles());
                    mw = Math.min(mw, op.weightDramBytes());
                    me = Math.min(me, op.computeEnergyPj());
                }
                restBuf[k] = restBuf[k + 1] + mb;
                restCompute[k] = restCompute[k + 1] + mc;
                restWeight[k] = restWeight[k + 1] + mw;
                restEnergy[k] = restEnergy[k + 1] + me;
                SegmentationModel.Option g = opts.get(argMinBuf);
                greedyCompute += g.computeCycles();
                greedyWeight += g.weightDramBytes();
                greedyEnergy += g.computeEnergyPj();
            }
            if (restBuf[0] > capacity) {
                return null;
            }
            if (value(restCompute[0], restWeight[0] + boundaryBytes, restEnergy[0]) >= budget) {
                return new SegmentChoice(Double.POSITIVE_INFINITY, null);
            }
            double bound = Math.min(budget, value(greedyCompute, greedyWeight + boundaryBytes, greedyEnergy)
                    * (1 + 1e-12) + 1e-9);
            List<States> layers = new ArrayList<>(len + 1);
            States cur = new States(1);
            cur.add(0, 0, 0, 0, -1, -1);
            layers.add(cur);
            double e = model.dramEnergyPjPerByte();
            for (int k = 0; k < len; k++) {
                List<SegmentationModel.Option> opts = model.operators().get(i + k).options();
                States next = new States(cur.size * opts.size());
                for (int s = 0; s < cur.size; s++) {
                    for (int o = 0; o < opts.size(); o++) {
                        SegmentationModel.Option op = opts.get(o);
                        long buf = cur.buf[s] + op.bufferBytes() + extra[k][o];
                        if (buf + restBuf[k + 1] > capacity) {
                            continue;
                        }
                        long c = cur.compute[s] + op.computeCycles();
                        long w = cur.weight[s] + op.weightDramBytes();
                        double en = cur.energy[s] + op.computeEnergyPj();
                        if (value(c + restCompute[k + 1], w + restWeight[k + 1] + boundaryBytes,
                                en + restEnergy[k + 1]) > bound) {
                            continue; // cannot beat the smallest-buffer choice or the caller's budget
                        }
                        next.add(buf, c, w, en, s, o);
                    }
                }
                if (next.size == 0) {
                    return new SegmentChoice(Double.POSITIVE_INFINITY, null);
                }
                cur = next.pareto(objective, e, this);
                layers.add(cur);
            }
            int bestState = -1;
            double bestValue = Double.POSITIVE_INFINITY;
            for (int s = 0; s < cur.size; s++) {
                double v = value(cur.compute[s], cur.weight[s] + boundaryBytes, cur.energy[s]);
                if (v < bestValue) {
                    bestValue = v;
                    bestState = s;
                }
            }
            if (bestState < 0 || bestValue >= budget) {
                return new SegmentChoice(Double.POSITIVE_INFINITY, null);
            }
            int[] choices = new int[len];
            int s = bestState;
            for (int k = len; k > 0; k--) {
                States l = layers.get(k);
                choices[k - 1] = l.option[s];
                s = l.parent[s];
            }
            return new SegmentChoice(bestValue, choices);
        }

        /** The segment's objective value, computed exactly as the model's evaluator does. */
        private double value(long compute, long dramBytes, double energy) {
            return switch (objective) {
                case LATENCY -> Math.max(compute, (long) Math.ceil(dramBytes / model.dramBytesPerCycle()))
                        + model.segmentOverheadCycles();
                case ENERGY -> energy + dramBytes * model.dramEnergyPjPerByte();
                case DRAM -> dramBytes;
            };
        }

        void markApproximate() {
            approximate = true;
        }
    }

    /** A growable set of partial choices (struct of arrays). */
    static final class States {
        long[] buf;
        long[] compute;
        long[] weight;
        double[] energy;
        int[] parent;
        int[] option;
        int size;

        States(int capacity) {
            int c = Math.max(1, capacity);
            buf = new long[c];
            compute = new long[c];
            weight = new long[c];
            energy = new double[c];
            parent = new int[c];
            option = new int[c];
        }

        void add(long b, long c, long w, double e, int p, int o) {
            if (size == buf.length) {
                int nc = size * 2;
                buf = Arrays.copyOf(buf, nc);
                compute = Arrays.copyOf(compute, nc);
                weight = Arrays.copyOf(weight, nc);
                energy = Arrays.copyOf(energy, nc);
                parent = Arrays.copyOf(parent, nc);
                option = Arrays.copyOf(option, nc);
            }
            buf[size] = b;
            compute[size] = c;
            weight[size] = w;
            energy[size] = e;
            parent[size] = p;
            option[size] = o;
            size++;
        }

        /**
         * The non-dominated states: sorted by buffer bytes, a state survives when no state with less or equal
         * buffer is no worse in the objective's other coordinates (a staircase over the two of them).
         */
        States pareto(Objective objective, double dramEnergyPjPerByte, Run run) {
            Integer[] idx = new Integer[size];
            double[] x = new double[size];
            double[] y = new double[size];
            for (int s = 0; s < size; s++) {
                idx[s] = s;
                switch (objective) {
                    case LATENCY -> {
                        x[s] = compute[s];
                        y[s] = weight[s];
                    }
                    case ENERGY -> {
                        x[s] = 0;
                        y[s] = energy[s] + weight[s] * dramEnergyPjPerByte;
                    }
                    case DRAM -> {
                        x[s] = 0;
                        y[s] = weight[s];
                    }
                    default -> throw new IllegalStateException();
                }
            }
            Arrays.sort(idx, (a, b) -> {
                int cmp = Long.compare(buf[a], buf[b]);
                if (cmp != 0) {
                    return cmp;
                }
                cmp = Double.compare(x[a], x[b]);
                return cmp != 0 ? cmp : Double.compare(y[a], y[b]);
            });
            TreeMap<Double, Double> stair = new TreeMap<>(); // x ascending, y strictly descending
            States out = new States(size);
            for (int s : idx) {
                Map.Entry<Double, Double> f = stair.floorEntry(x[s]);
                if (f != null && f.getValue() <= y[s]) {
                    continue;
                }
                out.add(buf[s], compute[s], weight[s], energy[s], parent[s], option[s]);
                stair.put(x[s], y[s]);
                Map.Entry<Double, Double> h = stair.higherEntry(x[s]);
                while (h != null && h.getValue() >= y[s]) {
                    stair.remove(h.getKey());
                    h = stair.higherEntry(x[s]);
                }
            }
            if (out.size > MAX_STATES) {
                run.markApproximate();
                return out.thin(MAX_STATES);
            }
            return out;
        }

        /** Keeps every {@code size / keep}-th state (sorted by buffer), the smallest-buffer one included. */
        private States thin(int keep) {
            States t = new States(keep);
            double step = (double) size / keep;
            for (int k = 0; k < keep; k++) {
                int s = (int) (k * step);
                t.add(buf[s], compute[s], weight[s], energy[s], parent[s], option[s]);
            }
            return t;
        }
    }
}

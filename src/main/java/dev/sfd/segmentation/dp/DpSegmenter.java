package dev.sfd.segmentation.dp;

import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.SegmentPricer;
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
    /**
     * Segments priced for moves around the best priced path per segment priced for the search proper. Measured at a
     * fixed work budget of 2,000,000 tile events (benchmarks/README.md): 3 against 0 gave ResNet-50 on `soma-edge`
     * -6.0 %, MobileNet-V2 on `edge` -4.1 %, ResNet-50 on `edge` +1.0 %, BERT-base on `edge` +0.1 %, ResNet-18 and
     * VGG-16 unchanged; 1 gave about half the gains.
     */
    static final int MOVES_PER_SEARCH_PRICING = 3;

    /** How far a priced run lets the model's footprint exceed the buffer before a candidate is not even priced. */
    static final long PRICED_FOOTPRINT_SLACK = 8;

    /** The cuts {@code 0 < ... < end} of the path that {@code via} (each end's best start) leads back from. */
    static int[] cutsFrom(int[] via, int end) {
        return cutsFrom(via, 0, end);
    }

    /**
     * The cuts {@code a < ... < c} of the path that {@code via} leads back from: {@code via[j - a]} is the start of the
     * last segment of the best path over {@code [a, j)}.
     */
    static int[] cutsFrom(int[] via, int a, int c) {
        List<Integer> cuts = new ArrayList<>();
        for (int j = c; j > a; j = via[j - a]) {
            cuts.add(j);
        }
        cuts.add(a);
        java.util.Collections.reverse(cuts);
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** What a segment {@code [i, j)} adds to a path; infinite when the path may not use it. */
    interface SegmentValue {
        double of(int i, int j);
    }

    /**
     * The cheapest paths over {@code [a, c)} made of segments of at most {@code maxLen} operators: returns
     * {@code best} with {@code best[j - a]} the least sum of values over {@code [a, j)} (infinite when no path of
     * finite values covers it) and fills {@code via[j - a]} with the start of that path's last segment. A tie goes to
     * the earliest start (the longest last segment).
     */
    static double[] cheapest(int a, int c, int maxLen, SegmentValue value, int[] via) {
        double[] best = new double[c - a + 1];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        for (int j = a + 1; j <= c; j++) {
            for (int i = Math.max(a, j - maxLen); i < j; i++) {
                if (Double.isInfinite(best[i - a])) {
                    continue;
                }
                double v = best[i - a] + value.of(i, j);
                if (v < best[j - a]) {
                    best[j - a] = v;
                    via[j - a] = i;
                }
            }
        }
        return best;
    }

    private static long saturatingTimes(long a, long b) {
        long r = a * b;
        return a != 0 && (r / a != b || r < 0) ? Long.MAX_VALUE : r;
    }

    /** Pareto states kept per operator inside one segment before thinning (never reached in tests). */
    static final int MAX_STATES = 2048;
    /**
     * Pareto states kept per operator when the DP prices segments: there the option choice is the rule that gives
     * each candidate segment its options (the price, not this search, decides), so a thinner search keeps candidate
     * generation fast without touching the optimality of the priced answer.
     */
    static final int MAX_STATES_PRICED = 64;

    private final SegmentPricer pricer;

    /** The exact DP over the additive model. */
    public DpSegmenter() {
        this.pricer = null;
    }

    /**
     * The exact DP over the priced model (for the pricer's {@linkplain SegmentPricer#objective objective}; another
     * objective uses the additive model): each
     * candidate segment is priced by {@code pricer} with the options the additive model picks for it at
     * {@link #PRICED_FOOTPRINT_SLACK} times the buffer, those it picks at the real buffer, and the pricer's
     * {@linkplain SegmentPricer#alternatives alternatives}, and costs the cheapest; the pricer judges fit.
     */
    public DpSegmenter(SegmentPricer pricer) {
        this.pricer = java.util.Objects.requireNonNull(pricer, "pricer");
    }

    @Override
    public String name() {
        return "dp";
    }

    @Override
    public Segmentation segment(SegmentationModel model, SegmenterSettings settings) {
        long start = System.nanoTime();
        Segmentation s;
        if (pricer != null && pricer.objective() == settings.objective()) {
            // The pricer walks each segment in the real buffer and prices one that does not fit as infinite: it is
            // the judge of fit. The model's footprint adds every operator's stand-alone tiles and holds fused
            // intermediates whole, up to 7x the walk's peak on fused transformer blocks, so it only bounds the
            // candidates (at PRICED_FOOTPRINT_SLACK x the capacity) and proposes options.
            Run run = new Run(model.withCapacityBytes(saturatingTimes(model.capacityBytes(), PRICED_FOOTPRINT_SLACK)),
                    settings);
            run.strict = new Run(model, settings);
            run.strict.maxStates = MAX_STATES_PRICED;
            s = run.solvePriced(start, pricer);
        } else {
            s = new Run(model, settings).solve(start);
        }
        LOGGER.debug("DP segmented ({}) operators into ({}) segments, status ({}), in ({} ms)",
                model.operators().size(), s.parts().size(), s.status(), s.wallMillis());
        return s;
    }

    /** The best options of one segment, its objective value and its DRAM bytes (weights and boundary tensors). */
    record SegmentChoice(double value, int[] choices, long dramBytes) {
    }

    /**
     * A candidate segment [from, to) of the order with its options, the other option choices the pricer asked to try
     * ({@link SegmentPricer#alternatives}), and the bound no price of any of them goes below.
     */
    private record Candidate(int from, int to, int[] choices, double bound, List<int[]> others) {
        Candidate(int from, int to, int[] choices, double bound) {
            this(from, to, choices, bound, List.of());
        }

        /** The candidate priced with {@code chosen} (one of its choices) and nothing else to try. */
        Candidate settle(int[] chosen) {
            return new Candidate(from, to, chosen, bound);
        }

        List<Integer> operators() {
            List<Integer> ops = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                ops.add(k);
            }
            return ops;
        }

        List<Integer> choiceList() {
            List<Integer> l = new ArrayList<>(choices.length);
            for (int c : choices) {
                l.add(c);
            }
            return l;
        }
    }

    /** One DP run over one model. */
    static final class Run {
        /** Where candidate segments get the other option choices to price (the priced run's pricer). */
        private SegmentPricer alternatives;
        /** A priced run's twin over the model at the real capacity, whose option choice is also priced. */
        private Run strict;
        private final SegmentationModel model;
        private final SegmenterSettings settings;
        private final Objective objective;
        private final int n;
        /** Tensor indexes touching each operator (produced or consumed). */
        private final int[][] touching;
        private boolean approximate;
        /**
         * A priced run's least DRAM bytes of the tensors crossing each segment's boundary,
         * {@code [from][to - from]} ({@link #leastBoundaries}); null in a run that does not price.
         */
        private long[][] leastBoundary;
        /** A priced run's prefix sums of each operator's {@linkplain SegmentPricer#fixedEnergyPj fixed energy}. */
        private double[] fixedPrefix;
        /** Whether this run prices segments (then the option search is thinner, see {@link #MAX_STATES_PRICED}). */
        boolean priced;
        int maxStates = MAX_STATES;

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

        /**
         * The exact DP over the priced model, with lazy evaluation on three levels. Every candidate segment [i, j)
         * is worth, from cheapest to dearest to know: a floor from each operator's least busy option (prefix sums);
         * the lower bound of its price with the options the additive model picks for it ({@link #segment});
         * its price. The DP over the best-known value of every candidate picks a path; each segment of the path moves
         * one level up (an infeasible segment drops out, and so do the longer ones that contain it); repeat until the
         * path is priced throughout. Then no segmentation beats it: every other one is worth at least its
         * floor-bound-or-price sum. At the time limit, or at the work budget, the best fully priced path is returned
         * (FEASIBLE, with the gap to the last DP's value); every single-operator segment is priced first, so one
         * exists unless an operator prices infinite alone: then the run goes on past its limits until a fused segment
         * around it is priced (or the search converges).
         */
        Segmentation solvePriced(long startNanos, SegmentPricer pricer) {
            long workStart = pricer.work();
            priced = true;
            alternatives = pricer;
            maxStates = MAX_STATES_PRICED;
            int maxLen = settings.maxSegmentLength();
            long[] pePrefix = new long[n + 1];
            long[] vecPrefix = new long[n + 1];
            for (int k = 0; k < n; k++) {
                long pe = Long.MAX_VALUE;
                long vec = Long.MAX_VALUE;
                for (SegmentationModel.Option o : model.operators().get(k).options()) {
                    if (o.vectorUnit()) {
                        vec = Math.min(vec, o.busyCycles());
                    } else {
                        pe = Math.min(pe, o.busyCycles());
                    }
                }
                pePrefix[k + 1] = pePrefix[k] + (pe == Long.MAX_VALUE ? 0 : pe);
                vecPrefix[k + 1] = vecPrefix[k] + (vec == Long.MAX_VALUE ? 0 : vec);
            }
            leastBoundary = leastBoundaries(pricer, maxLen + 1);
            fixedPrefix = new double[n + 1];
            for (int k = 0; k < n; k++) {
                fixedPrefix[k + 1] = fixedPrefix[k] + pricer.fixedEnergyPj(model, k);
            }
            long[] weightPrefix = new long[n + 1];
            for (int k = 0; k < n; k++) {
                long w = Long.MAX_VALUE;
                for (SegmentationModel.Option o : model.operators().get(k).options()) {
                    w = Math.min(w, o.weightDramBytes());
                }
                weightPrefix[k + 1] = weightPrefix[k] + w;
            }
            // minStart[j]: segments [i, j) with i < minStart[j] do not fit; maxEnd[i] likewise for the end
            int[] minStart = new int[n + 1];
            int[] maxEnd = new int[n + 1];
            Arrays.fill(maxEnd, n);
            Map<Long, Candidate> known = new java.util.HashMap<>();
            Map<Long, Double> prices = new java.util.HashMap<>();
            // every operator alone: the additive choice, its best mapping alone (option 0) and, when neither
            // schedules, the largest option that fits (fewest tile events), so a priced plan always exists and is
            // never worse than layer by layer
            Candidate[] single = new Candidate[n];
            double[] singlePrice = new double[n];
            for (int j = 1; j <= n; j++) {
                single[j - 1] = choose(j - 1, j);
                if (single[j - 1] == null) {
                    return Segmentation.infeasible("dp", whyInfeasible(), (System.nanoTime() - startNanos) / 1_000_000);
                }
            }
            double[] first = pricer.priceAll(java.util.Arrays.stream(single).map(Candidate::operators).toList(),
                    java.util.Arrays.stream(single).map(Candidate::choiceList).toList());
            System.arraycopy(first, 0, singlePrice, 0, n);
            priceInto(pricer, single, singlePrice, this::alone);
            for (int k = 0; k < n; k++) {
                if (!Double.isInfinite(singlePrice[k])) {
                    continue;
                }
                Candidate alt = largestFitting(single[k]);
                if (alt != null) {
                    double q = pricer.price(alt.operators(), alt.choiceList());
                    if (q < singlePrice[k]) {
                        single[k] = alt;
                        singlePrice[k] = q;
                    }
                }
            }
            for (int j = 1; j <= n; j++) {
                known.put(key(j - 1, j), single[j - 1]);
                prices.put(key(j - 1, j), singlePrice[j - 1]);
            }
            long singlesMillis = (System.nanoTime() - startNanos) / 1_000_000;
            long deadline = startNanos + (long) (settings.timeLimitSeconds() * 1e9);
            java.util.function.BooleanSupplier stop = () -> System.nanoTime() > deadline
                    || settings.workBudget() > 0 && pricer.work() - workStart >= settings.workBudget();
            seedGreedy(pricer, known, prices, singlePrice, minStart, maxEnd, maxLen, stop);
            boolean converged = false;
            double bound = Double.NaN;
            int rounds = 0;
            int movesPriced = 0;
            int searchPriced = 0;
            int[] path = null;
            while (true) {
                rounds++;
                int[] via = new int[n + 1];
                SegmentValue worth = (i, j) -> fits(i, j, minStart, maxEnd, maxLen)
                        ? value(i, j, prices, known, pePrefix, vecPrefix, weightPrefix) : Double.POSITIVE_INFINITY;
                double[] best = cheapest(0, n, maxLen, worth, via);
                if (Double.isInfinite(best[n])) {
                    return noPricedPath(best, startNanos);
                }
                path = cutsFrom(via, n);
                bound = best[n];
                boolean allPriced = true;
                for (int s = 0; s + 1 < path.length; s++) {
                    long k = key(path[s], path[s + 1]);
                    if (!prices.containsKey(k)) {
                        allPriced = false;
                        break;
                    }
                }
                if (allPriced) {
                    converged = true;
                    break;
                }
                // a run stopped by its limits returns the best fully priced path, so it goes on until one exists: an
                // operator that prices infinite alone is covered only once a fused segment around it is priced
                if (stop.getAsBoolean() && pricedPath(prices, maxLen) != null) {
                    break;
                }
                List<Candidate> toPrice = new ArrayList<>();
                List<int[]> toChoose = new ArrayList<>();
                for (int s = 0; s + 1 < path.length; s++) {
                    long k = key(path[s], path[s + 1]);
                    if (prices.containsKey(k)) {
                        continue;
                    }
                    Candidate c = known.get(k);
                    if (c == null) {
                        toChoose.add(new int[] {path[s], path[s + 1]});
                    } else {
                        toPrice.add(c);
                    }
                }
                List<Candidate> chosen = chooseAll(toChoose);
                for (int t = 0; t < chosen.size(); t++) {
                    int i = toChoose.get(t)[0];
                    int j = toChoose.get(t)[1];
                    if (chosen.get(t) == null) {
                        unfit(i, j, minStart, maxEnd);
                    } else {
                        known.put(key(i, j), chosen.get(t));
                    }
                }
                searchPriced += toPrice.size();
                if (movesPriced < MOVES_PER_SEARCH_PRICING * searchPriced) {
                    // a share of the pricing for the search, which alone can prove its answer optimal
                    List<Candidate> moves = incumbentMoves(prices, known, minStart, maxEnd, maxLen, pePrefix,
                            vecPrefix, weightPrefix, toPrice);
                    movesPriced += moves.size();
                    toPrice.addAll(moves);
                }
                double[] fresh = new double[toPrice.size()];
                List<Candidate> settled = priceCandidates(pricer, toPrice, fresh);
                for (int t = 0; t < fresh.length; t++) {
                    Candidate c = settled.get(t);
                    known.put(key(c.from(), c.to()), c);
                    prices.put(key(c.from(), c.to()), fresh[t]);
                    if (LOGGER.isTraceEnabled()) {
                        LOGGER.trace("priced [{}, {}) options {}: bound ({}) price ({}) ratio ({})", c.from(), c.to(),
                                Arrays.toString(c.choices()), (long) c.bound(), fresh[t], fresh[t] / c.bound());
                    }
                }
            }
            if (!converged) {
                path = pricedPath(prices, maxLen);
            } else if (n > maxLen) {
                // a longer segment than the DP looks at might fit: then the answer is optimal among short ones only
                for (int j = maxLen + 1; j <= n && !approximate; j++) {
                    if (j - maxLen - 1 >= minStart[j] && choose(j - maxLen - 1, j) != null) {
                        approximate = true;
                    }
                }
            }
            long wallMillis = (System.nanoTime() - startNanos) / 1_000_000;
            List<SegmentationModel.Part> parts = new ArrayList<>();
            double value = 0;
            for (int s = 0; s + 1 < path.length; s++) {
                Candidate c = known.get(key(path[s], path[s + 1]));
                parts.add(new SegmentationModel.Part(c.operators(), c.choiceList()));
                value += prices.get(key(path[s], path[s + 1]));
            }
            LOGGER.debug("DP priced ({}) segments ({} for moves around the best priced path), bounded ({}), "
                    + "in ({}) rounds: priced ({}), converged ({}); operators alone in ({} ms), option choices in "
                    + "({} ms), ({}) tile events of pricing work", prices.size(), movesPriced, known.size(), rounds,
                    (long) value, converged, singlesMillis, chooseNanosTotal.get() / 1_000_000,
                    pricer.work() - workStart);
            // the pricer judged fit (a segment that does not fit prices infinite); the model's footprint, which holds
            // fused intermediates whole, would reject a priced alternative choice it never proposed
            SegmentationModel.Evaluation ev = model.withCapacityBytes(Long.MAX_VALUE).evaluate(parts);
            boolean optimal = converged && !approximate;
            double gap = optimal ? 0.0 : Double.isNaN(bound) ? Double.NaN : Math.max(0, (value - bound) / value);
            return new Segmentation(parts, ev, optimal ? Segmentation.Status.OPTIMAL : Segmentation.Status.FEASIBLE,
                    gap, "dp", wallMillis, value);
        }

        private final java.util.concurrent.atomic.AtomicLong chooseNanosTotal = new java.util.concurrent.atomic.AtomicLong();

        /** {@link #choose} of every [i, j) given, on the settings' workers; nulls where a segment does not fit. */
        private List<Candidate> chooseAll(List<int[]> segments) {
            if (segments.size() < 2 || settings.workers() < 2) {
                return segments.stream().map(x -> choose(x[0], x[1])).toList();
            }
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(
                    Math.min(settings.workers(), segments.size()));
            try {
                return pool.submit(() -> segments.parallelStream().map(x -> java.util.Optional.ofNullable(
                        choose(x[0], x[1]))).toList()).get().stream().map(o -> o.orElse(null)).toList();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }

        /** The additive model's options of segment [i, j) and the bound of its price; null when it does not fit. */
        private Candidate choose(int i, int j) {
            long t0 = System.nanoTime();
            SegmentChoice sc = segment(i, j, Double.POSITIVE_INFINITY);
            chooseNanosTotal.addAndGet(System.nanoTime() - t0);
            if (sc == null || sc.choices() == null) {
                return null;
            }
            List<Integer> ops = new ArrayList<>();
            List<Integer> ch = new ArrayList<>();
            for (int k = i; k < j; k++) {
                ops.add(k);
                ch.add(sc.choices()[k - i]);
            }
            long boundary = leastBoundary != null ? leastBoundary[i][j - i] : sc.dramBytes() - weightBytes(ops, ch);
            double bound = boundOf(ops, ch, boundary + weightBytes(ops, ch));
            List<int[]> others = new ArrayList<>();
            if (alternatives != null) {
                List<List<Integer>> alts = new ArrayList<>(alternatives.alternatives(ops, ch));
                Candidate tight = strict == null || j - i < 2 ? null : strict.choose(i, j);
                if (tight != null && !Arrays.equals(tight.choices(), sc.choices())) {
                    alts.add(tight.choiceList());
                }
                for (List<Integer> alt : alts) {
                    if (alt.equals(ch) || others.stream().anyMatch(o -> Arrays.equals(o,
                            alt.stream().mapToInt(Integer::intValue).toArray()))) {
                        continue;
                    }
                    others.add(alt.stream().mapToInt(Integer::intValue).toArray());
                    bound = Math.min(bound, boundOf(ops, alt, boundary + weightBytes(ops, alt)));
                }
            }
            return new Candidate(i, j, sc.choices(), bound, others);
        }

        private long weightBytes(List<Integer> ops, List<Integer> choices) {
            long w = 0;
            for (int k = 0; k < ops.size(); k++) {
                w += model.operators().get(ops.get(k)).options().get(choices.get(k)).weightDramBytes();
            }
            return w;
        }

        /**
         * Prices every candidate with each of its choices at once; returns each candidate settled on its cheapest
         * choice, and its price in {@code out}.
         */
        private List<Candidate> priceCandidates(SegmentPricer pricer, List<Candidate> cands, double[] out) {
            List<List<Integer>> ops = new ArrayList<>();
            List<List<Integer>> chs = new ArrayList<>();
            for (Candidate c : cands) {
                ops.add(c.operators());
                chs.add(c.choiceList());
                for (int[] o : c.others()) {
                    ops.add(c.operators());
                    chs.add(Arrays.stream(o).boxed().toList());
                }
            }
            double[] p = pricer.priceAll(ops, chs);
            List<Candidate> settled = new ArrayList<>(cands.size());
            int at = 0;
            for (int t = 0; t < cands.size(); t++) {
                Candidate c = cands.get(t);
                int[] best = c.choices();
                double price = p[at++];
                for (int[] o : c.others()) {
                    double q = p[at++];
                    if (q < price) {
                        price = q;
                        best = o;
                    }
                }
                out[t] = price;
                settled.add(c.settle(best));
            }
            return settled;
        }

        /** Segment [i, j) does not fit the buffer: neither does any segment containing it. */
        private void unfit(int i, int j, int[] minStart, int[] maxEnd) {
            for (int jj = j; jj <= n; jj++) {
                minStart[jj] = Math.max(minStart[jj], i + 1);
            }
            for (int ii = 0; ii <= i; ii++) {
                maxEnd[ii] = Math.min(maxEnd[ii], j - 1);
            }
        }

        /**
         * Prices a greedy path before the search: each segment grows along the order while the longer segment
         * prices at most the shorter one plus the next operator alone (at a tie too: a layout view prices 0 alone and
         * 0 more in a segment, and a segment that stops at one cannot reach the operators past it). The search's
         * answer does not change (a price is a price, whoever asked for it), but a run stopped by its time limit
         * returns a path at least that good instead of one made of whatever the search had priced, and the exact
         * prices tighten the search's values.
         */
        private void seedGreedy(SegmentPricer pricer, Map<Long, Candidate> known, Map<Long, Double> prices,
                                double[] singlePrice, int[] minStart, int[] maxEnd, int maxLen,
                                java.util.function.BooleanSupplier stop) {
            long t0 = System.nanoTime();
            double total = 0;
            int segments = 0;
            int i = 0;
            while (i < n && !stop.getAsBoolean()) {
                int j = i + 1;
                double current = prices.get(key(i, j));
                while (j < n && fits(i, j + 1, minStart, maxEnd, maxLen) && !stop.getAsBoolean()) {
                    long k = key(i, j + 1);
                    Candidate c = known.get(k);
                    if (c == null) {
                        c = choose(i, j + 1);
                        if (c == null) {
                            unfit(i, j + 1, minStart, maxEnd);
                            break;
                        }
                        known.put(k, c);
                    }
                    Double p = prices.get(k);
                    if (p == null && !(c.bound() <= current + singlePrice[j])) {
                        break; // no price of it can match: not worth pricing here
                    }
                    if (p == null) {
                        double[] one = new double[1];
                        known.put(k, priceCandidates(pricer, List.of(c), one).get(0));
                        p = one[0];
                        prices.put(k, p);
                    }
                    if (Double.isInfinite(p) || !(p <= current + singlePrice[j])) {
                        break; // (a tie of two infinities is no reason to grow: fuzz seed 8159)
                    }
                    current = p;
                    j++;
                }
                total += current;
                segments++;
                i = j;
            }
            LOGGER.debug("DP greedy seed: ({}) segments to operator ({}) of ({}), priced ({}), in ({} ms)", segments, i, n,
                    (long) total, (System.nanoTime() - t0) / 1_000_000);
        }

        /**
         * No option choice of [i, j) prices below this, for the same reasons as {@link SegmentPricer#bound}: for
         * latency its least busy unit work between two DRAM latencies, and the least DRAM traffic any choice has (its
         * boundary tensors as the pricer counts them at the least, each operator's weights as its lightest option
         * reads them) at the DRAM's bandwidth after one latency; for DRAM that traffic; for energy the operators'
         * fixed energy and that traffic's least energy. It is at most the bound of any choice of the segment, so the
         * search's values only rise as it learns more.
         */
        private double floor(long[] pePrefix, long[] vecPrefix, long[] weightPrefix, int i, int j) {
            return alternatives.bound(model, pePrefix[j] - pePrefix[i], vecPrefix[j] - vecPrefix[i],
                    leastBoundary[i][j - i] + weightPrefix[j] - weightPrefix[i], fixedPrefix[j] - fixedPrefix[i]);
        }

        /**
         * The bound of a segment's price with the given options ({@link SegmentPricer#bound}, in the priced run's
         * objective); in a run that does not price (the strict twin proposing options), the latency bound, which only
         * ranks its proposals.
         */
        private double boundOf(List<Integer> ops, List<Integer> choices, long dramBytes) {
            return alternatives != null ? alternatives.bound(model, ops, choices, dramBytes)
                    : SegmentPricer.lowerBound(model, ops, choices, dramBytes);
        }

        /**
         * {@code [i][len]}: the least DRAM bytes the tensors crossing the boundary of segment [i, i + len) cost it,
         * for len up to {@code maxLen}: each tensor loaded in for its most demanding consumer inside
         * ({@link SegmentPricer#leastLoadBytes}), each one leaving stored ({@link SegmentPricer#leastStoreBytes}), as
         * {@link #segment} decides what crosses. Built by growing each segment one operator at a time; only the
         * tensors the new operator touches change.
         */
        private long[][] leastBoundaries(SegmentPricer pricer, int maxLen) {
            List<SegmentationModel.TensorEdge> tensors = model.tensors();
            long[] store = new long[tensors.size()];
            long[][] load = new long[tensors.size()][];
            for (int ti = 0; ti < tensors.size(); ti++) {
                store[ti] = pricer.leastStoreBytes(model, ti);
                List<Integer> consumers = tensors.get(ti).consumers();
                load[ti] = new long[consumers.size()];
                for (int c = 0; c < consumers.size(); c++) {
                    load[ti][c] = pricer.leastLoadBytes(model, ti, consumers.get(c));
                }
            }
            long[] crossing = new long[tensors.size()];
            long[][] out = new long[n][];
            for (int i = 0; i < n; i++) {
                int top = Math.min(n, i + maxLen);
                out[i] = new long[top - i + 1];
                long sum = 0;
                java.util.Arrays.fill(crossing, 0);
                for (int j = i + 1; j <= top; j++) {
                    for (int ti : touching[j - 1]) {
                        SegmentationModel.TensorEdge t = tensors.get(ti);
                        long now = 0;
                        if (t.producer() >= i && t.producer() < j) {
                            boolean leaves = t.networkOutput();
                            for (int c : t.consumers()) {
                                leaves |= c < i || c >= j;
                            }
                            now = leaves ? store[ti] : 0;
                        } else {
                            for (int c = 0; c < t.consumers().size(); c++) {
                                int op = t.consumers().get(c);
                                if (op >= i && op < j) {
                                    now = Math.max(now, load[ti][c]);
                                }
                            }
                        }
                        sum += now - crossing[ti];
                        crossing[ti] = now;
                    }
                    out[i][j - i] = sum;
                }
            }
            return out;
        }

        /**
         * The answer when no path of finite prices covers the order: the first operator no priced segment reaches
         * prices infinite alone (none of its options fits the buffer at tile level) and every fused segment over it
         * prices infinite too. An infeasible answer, so the planner falls back to its other plans.
         */
        private Segmentation noPricedPath(double[] best, long startNanos) {
            int end = 1;
            while (end < n && !Double.isInfinite(best[end])) {
                end++;
            }
            String op = model.operators().get(end - 1).name();
            String why = "no priced segmentation: operator " + op + " does not fit the buffer at tile level with any of"
                    + " its options, alone or fused";
            LOGGER.debug(why);
            return Segmentation.infeasible("dp", why, (System.nanoTime() - startNanos) / 1_000_000);
        }

        /**
         * The best fully priced path's neighbourhood, for a run that may stop at its time limit: for each two adjacent
         * segments [a, b) [b, c) of that path, the segments over [a, c) worth least (price, else bound, else floor;
         * one segment, two at another cut, or more), when that is below the pair's prices; the unpriced segments of
         * the most promising moves, as many as the workers price at once, none already in {@code pending}. Segments
         * that hold one priced infinite are left out ({@link #pricedUnfitEnds}). The search proper only prices
         * segments of the path its bounds say is best, and on a large network it rarely gets through; these prices
         * are what lets the answer at the limit improve on the greedy seed. The exact answer does not change (a price
         * is a price, whoever asked for it).
         */
        private List<Candidate> incumbentMoves(Map<Long, Double> prices, Map<Long, Candidate> known, int[] minStart,
                                               int[] maxEnd, int maxLen, long[] pePrefix, long[] vecPrefix,
                                               long[] weightPrefix, List<Candidate> pending) {
            int[] path = pricedPath(prices, maxLen);
            if (path == null) {
                return List.of();
            }
            record Move(int[] cuts, double gain) {
            }
            int[] unfitEnd = pricedUnfitEnds(prices);
            SegmentValue worth = (i, j) -> fits(i, j, minStart, maxEnd, maxLen) && unfitEnd[i] > j
                    ? value(i, j, prices, known, pePrefix, vecPrefix, weightPrefix) : Double.POSITIVE_INFINITY;
            int[] via = new int[n + 1];
            List<Move> moves = new ArrayList<>();
            for (int s = 0; s + 2 < path.length; s++) {
                int a = path[s];
                int c = path[s + 2];
                double pair = prices.get(key(a, path[s + 1])) + prices.get(key(path[s + 1], c));
                double v = cheapest(a, c, maxLen, worth, via)[c - a];
                if (v < pair) {
                    moves.add(new Move(cutsFrom(via, a, c), pair - v));
                }
            }
            moves.sort(java.util.Comparator.comparingDouble(Move::gain).reversed()
                    .thenComparingInt(m -> m.cuts()[0]));
            List<Candidate> out = new ArrayList<>();
            for (Move m : moves) {
                for (int t = 0; t + 1 < m.cuts().length && out.size() < Math.max(1, settings.workers()); t++) {
                    int from = m.cuts()[t];
                    int to = m.cuts()[t + 1];
                    long k = key(from, to);
                    if (prices.containsKey(k) || pending.stream().anyMatch(p -> p.from() == from && p.to() == to)
                            || out.stream().anyMatch(p -> p.from() == from && p.to() == to)) {
                        continue;
                    }
                    Candidate c = known.get(k);
                    if (c == null) {
                        c = choose(from, to);
                        if (c == null) {
                            unfit(from, to, minStart, maxEnd);
                            continue;
                        }
                        known.put(k, c);
                    }
                    out.add(c);
                }
            }
            return out;
        }

        /**
         * {@code [i]}: the least end {@code j} of a segment {@code [i', j)} with {@code i' >= i} that priced infinite
         * ({@code n + 1} when none): a segment {@code [i, j')} with {@code j' >= j} holds it, and such a segment is not
         * worth a move (a heuristic for the moves only: the search proper prices what its bounds ask for).
         * MobileNet-V2 on {@code edge} at a fixed budget: 159 of 345 segments priced came out infinite, 183 of 344
         * without it.
         */
        private int[] pricedUnfitEnds(Map<Long, Double> prices) {
            int[] end = new int[n + 2];
            Arrays.fill(end, n + 1);
            for (Map.Entry<Long, Double> e : prices.entrySet()) {
                if (Double.isInfinite(e.getValue())) {
                    int from = (int) (e.getKey() / (n + 1));
                    int to = (int) (e.getKey() % (n + 1));
                    end[from] = Math.min(end[from], to);
                }
            }
            for (int i = n - 1; i >= 0; i--) {
                end[i] = Math.min(end[i], end[i + 1]);
            }
            return end;
        }

        /** Whether segment [i, j) is within the longest segment and not known to misfit. */
        private boolean fits(int i, int j, int[] minStart, int[] maxEnd, int maxLen) {
            return j - i <= maxLen && maxEnd[i] >= j && minStart[j] <= i;
        }

        /** What the search knows segment [i, j) is worth: its price, else its bound, else its floor. */
        private double value(int i, int j, Map<Long, Double> prices, Map<Long, Candidate> known, long[] pePrefix,
                             long[] vecPrefix, long[] weightPrefix) {
            Double p = prices.get(key(i, j));
            if (p != null) {
                return p;
            }
            Candidate c = known.get(key(i, j));
            return c != null ? c.bound() : floor(pePrefix, vecPrefix, weightPrefix, i, j);
        }

        /** The cheapest path over segments priced finite, or null when none covers every operator. */
        private int[] pricedPath(Map<Long, Double> priced, int maxLen) {
            int[] via = new int[n + 1];
            double[] best = cheapest(0, n, maxLen, (i, j) -> priced.getOrDefault(key(i, j), Double.POSITIVE_INFINITY),
                    via);
            return Double.isInfinite(best[n]) ? null : cutsFrom(via, n);
        }

        /** Prices {@code alternative(cands[k])} for every k at once and keeps it where it is cheaper. */
        private void priceInto(SegmentPricer pricer, Candidate[] cands, double[] prices,
                               java.util.function.UnaryOperator<Candidate> alternative) {
            List<Integer> idx = new ArrayList<>();
            List<Candidate> alts = new ArrayList<>();
            for (int k = 0; k < cands.length; k++) {
                Candidate alt = alternative.apply(cands[k]);
                if (alt != null) {
                    idx.add(k);
                    alts.add(alt);
                }
            }
            double[] p = pricer.priceAll(alts.stream().map(Candidate::operators).toList(),
                    alts.stream().map(Candidate::choiceList).toList());
            for (int t = 0; t < p.length; t++) {
                int k = idx.get(t);
                if (p[t] < prices[k]) {
                    cands[k] = alts.get(t);
                    prices[k] = p[t];
                }
            }
        }

        /** The single-operator candidate with option 0, or null when it is {@code c}. */
        private Candidate alone(Candidate c) {
            return c.choices()[0] == 0 || model.operators().get(c.from()).options().get(0).bufferBytes()
                    > model.capacityBytes() ? null : new Candidate(c.from(), c.to(), new int[] {0}, c.bound());
        }

        /** The single-operator candidate with the largest option that fits the buffer, or null when it is {@code c}. */
        private Candidate largestFitting(Candidate c) {
            List<SegmentationModel.Option> opts = model.operators().get(c.from()).options();
            int best = -1;
            for (int o = 0; o < opts.size(); o++) {
                long b = opts.get(o).bufferBytes();
                if (b <= model.capacityBytes() && (best < 0 || b > opts.get(best).bufferBytes())) {
                    best = o;
                }
            }
            if (best < 0 || best == c.choices()[0]) {
                return null;
            }
            return new Candidate(c.from(), c.to(), new int[] {best}, c.bound());
        }

        private long key(int from, int to) {
            return (long) from * (n + 1) + to;
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
                return new SegmentChoice(Double.POSITIVE_INFINITY, null, 0);
            }
            double incumbent = Math.min(value(greedyCompute, greedyWeight + boundaryBytes, greedyEnergy),
                    swapGreedy(i, len, extra, capacity, boundaryBytes));
            double bound = Math.min(budget, incumbent * (1 + 1e-12) + 1e-9);
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
                    return new SegmentChoice(Double.POSITIVE_INFINITY, null, 0);
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
                return new SegmentChoice(Double.POSITIVE_INFINITY, null, 0);
            }
            int[] choices = new int[len];
            int s = bestState;
            for (int k = len; k > 0; k--) {
                States l = layers.get(k);
                choices[k - 1] = l.option[s];
                s = l.parent[s];
            }
            return new SegmentChoice(bestValue, choices, cur.weight[bestState] + boundaryBytes);
        }

        /**
         * A quick feasible choice, for an upper bound that prunes the exact search: every operator at its best option
         * for the objective, then, while the buffer overflows, the swap to a smaller option that costs the least
         * objective per byte saved. Its value, or infinity when it cannot fit.
         */
        private double swapGreedy(int i, int len, long[][] extra, long capacity, long boundaryBytes) {
            int[] pick = new int[len];
            long buf = 0;
            long compute = 0;
            long weight = 0;
            double energy = 0;
            double bw = model.dramBytesPerCycle();
            for (int k = 0; k < len; k++) {
                List<SegmentationModel.Option> opts = model.operators().get(i + k).options();
                int best = 0;
                for (int o = 1; o < opts.size(); o++) {
                    if (marginal(opts.get(o), bw) < marginal(opts.get(best), bw)
                            || marginal(opts.get(o), bw) == marginal(opts.get(best), bw)
                            && opts.get(o).bufferBytes() + extra[k][o] < opts.get(best).bufferBytes() + extra[k][best]) {
                        best = o;
                    }
                }
                pick[k] = best;
                SegmentationModel.Option o = opts.get(best);
                buf += o.bufferBytes() + extra[k][best];
                compute += o.computeCycles();
                weight += o.weightDramBytes();
                energy += o.computeEnergyPj();
            }
            while (buf > capacity) {
                int bestK = -1;
                int bestO = -1;
                double bestRate = Double.POSITIVE_INFINITY;
                for (int k = 0; k < len; k++) {
                    List<SegmentationModel.Option> opts = model.operators().get(i + k).options();
                    SegmentationModel.Option cur = opts.get(pick[k]);
                    long curBuf = cur.bufferBytes() + extra[k][pick[k]];
                    for (int o = 0; o < opts.size(); o++) {
                        long saved = curBuf - (opts.get(o).bufferBytes() + extra[k][o]);
                        if (saved <= 0) {
                            continue;
                        }
                        double rate = Math.max(0, marginal(opts.get(o), bw) - marginal(cur, bw)) / saved;
                        if (rate < bestRate) {
                            bestRate = rate;
                            bestK = k;
                            bestO = o;
                        }
                    }
                }
                if (bestK < 0) {
                    return Double.POSITIVE_INFINITY;
                }
                List<SegmentationModel.Option> opts = model.operators().get(i + bestK).options();
                SegmentationModel.Option from = opts.get(pick[bestK]);
                SegmentationModel.Option to = opts.get(bestO);
                buf += to.bufferBytes() + extra[bestK][bestO] - from.bufferBytes() - extra[bestK][pick[bestK]];
                compute += to.computeCycles() - from.computeCycles();
                weight += to.weightDramBytes() - from.weightDramBytes();
                energy += to.computeEnergyPj() - from.computeEnergyPj();
                pick[bestK] = bestO;
            }
            return value(compute, weight + boundaryBytes, energy);
        }

        /** One option's contribution to the objective, as if it were the segment alone (for the greedy only). */
        private double marginal(SegmentationModel.Option o, double bw) {
            return switch (objective) {
                case LATENCY -> o.computeCycles() + o.weightDramBytes() / bw;
                case ENERGY -> o.computeEnergyPj() + o.weightDramBytes() * model.dramEnergyPjPerByte()
                        + Objective.TIE_PER_CYCLE * o.computeCycles();
                case DRAM -> o.weightDramBytes() + Objective.TIE_PER_CYCLE * o.computeCycles();
            };
        }

        /** The segment's objective value, computed exactly as the model's evaluator does. */
        private double value(long compute, long dramBytes, double energy) {
            long latency = Math.max(compute, (long) Math.ceil(dramBytes / model.dramBytesPerCycle()))
                    + model.segmentOverheadCycles();
            return objective.value(latency, dramBytes, energy + dramBytes * model.dramEnergyPjPerByte());
        }

        void markApproximate() {
            approximate = true;
        }
    }

    /** A growable set of partial choices (struct of arrays). */
    static final class States {
        /** Runs of equal buffer bytes up to this long are insertion-sorted. */
        private static final int INSERTION_SORT_MAX = 32;
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
         * The states in the order (buffer bytes, {@code x}, {@code y}, index), all ascending: buffer bytes and index
         * packed into one primitive key for the bulk of the sort (the pareto step's main cost when it sorted boxed
         * indices), then each run of equal buffer bytes by {@code x} and {@code y}, ties kept in index order.
         */
        int[] sortedByBuffer(double[] x, double[] y) {
            int[] idx = new int[size];
            long maxBuf = 0;
            long minBuf = 0;
            for (int s = 0; s < size; s++) {
                maxBuf = Math.max(maxBuf, buf[s]);
                minBuf = Math.min(minBuf, buf[s]);
            }
            java.util.Comparator<Integer> byXy = java.util.Comparator.<Integer>comparingDouble(s -> x[s])
                    .thenComparingDouble(s -> y[s]);
            int indexBits = 32 - Integer.numberOfLeadingZeros(Math.max(1, size));
            if (minBuf < 0 || maxBuf >= 1L << (63 - indexBits)) {
                Integer[] boxed = new Integer[size];
                Arrays.setAll(boxed, s -> s);
                Arrays.sort(boxed, java.util.Comparator.<Integer>comparingLong(s -> buf[s]).thenComparing(byXy));
                Arrays.setAll(idx, s -> boxed[s]);
                return idx;
            }
            long[] keys = new long[size];
            for (int s = 0; s < size; s++) {
                keys[s] = buf[s] << indexBits | s;
            }
            Arrays.sort(keys);
            long mask = (1L << indexBits) - 1;
            for (int s = 0; s < size; s++) {
                idx[s] = (int) (keys[s] & mask);
            }
            for (int from = 0; from < size; ) {
                int to = from + 1;
                while (to < size && buf[idx[to]] == buf[idx[from]]) {
                    to++;
                }
                if (to - from > INSERTION_SORT_MAX) {
                    Integer[] run = new Integer[to - from];
                    for (int a = from; a < to; a++) {
                        run[a - from] = idx[a];
                    }
                    Arrays.sort(run, byXy); // stable: equal (x, y) stay in index order
                    for (int a = from; a < to; a++) {
                        idx[a] = run[a - from];
                    }
                    from = to;
                    continue;
                }
                // insertion sort of the run (stable: equal (x, y) stay in index order)
                for (int a = from + 1; a < to; a++) {
                    int v = idx[a];
                    int b = a - 1;
                    while (b >= from && (Double.compare(x[idx[b]], x[v]) > 0
                            || Double.compare(x[idx[b]], x[v]) == 0 && Double.compare(y[idx[b]], y[v]) > 0)) {
                        idx[b + 1] = idx[b];
                        b--;
                    }
                    idx[b + 1] = v;
                }
                from = to;
            }
            return idx;
        }

        /**
         * The non-dominated states: sorted by buffer bytes, a state survives when no state with less or equal
         * buffer is no worse in the objective's other coordinates (a staircase over the two of them).
         */
        States pareto(Objective objective, double dramEnergyPjPerByte, Run run) {
            double[] x = new double[size];
            double[] y = new double[size];
            for (int s = 0; s < size; s++) {
                switch (objective) {
                    case LATENCY, DRAM -> { // DRAM bytes, then latency for ties: both rise with either coordinate
                        x[s] = compute[s];
                        y[s] = weight[s];
                    }
                    case ENERGY -> { // energy, then latency for ties
                        x[s] = compute[s];
                        y[s] = energy[s] + weight[s] * dramEnergyPjPerByte;
                    }
                    default -> throw new IllegalStateException();
                }
            }
            int[] idx = sortedByBuffer(x, y);
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
            if (out.size > run.maxStates) {
                if (!run.priced) {
                    run.markApproximate();
                }
                return out.thin(run.maxStates);
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

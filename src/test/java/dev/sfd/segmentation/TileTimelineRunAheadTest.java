package dev.sfd.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sfd.segmentation.TileTimeline.RunAhead;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The timeline engine's run-ahead policies on hand-made events whose schedules are worked out by hand, and against a
 * brute-force replay of every order on small random segments.
 */
class TileTimelineRunAheadTest {
    private static final int[] NONE = new int[0];

    /**
     * Operator A streams its weights in four slices (10 cycles each, prefetch depth 2: slice 2 waits for the step on
     * slice 0) and computes 100 cycles per slice; operator B loads one 300-cycle weight and computes 10 cycles after
     * A's last step. Under the depth bound the DMA takes B's weight while A's third slice waits for its bound, and
     * A's last two slices then wait behind it: w0 0-10, w1 10-20, B 20-320, w2 320-330, w3 330-340, steps 10-110,
     * 110-210, 330-430, 430-530, B's step 530-540. With weights running ahead: w0..w3 by 40, B 40-340, A's steps
     * 10-410, B's step 410-420.
     */
    private static TileTimeline twoOperators() {
        TileTimeline t = new TileTimeline();
        for (int b = 0; b < 4; b++) {
            t.buffer(b, 10);
        }
        t.buffer(4, 300);
        int w0 = t.event(TileTimeline.DMA, 10, 10, 0, NONE, NONE, 0);
        int w1 = t.event(TileTimeline.DMA, 10, 10, 1, NONE, NONE, 0);
        int c0 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w0}, 0);
        int c1 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w1}, 0);
        int w2 = t.event(TileTimeline.DMA, 10, 10, 2, NONE, new int[] {c0}, 0);
        t.depthBound(w2, true);
        int c2 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w2, c1}, 0);
        int w3 = t.event(TileTimeline.DMA, 10, 10, 3, NONE, new int[] {c1}, 0);
        t.depthBound(w3, true);
        int c3 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w3, c2}, 0);
        int wb = t.event(TileTimeline.DMA, 300, 300, 4, NONE, NONE, 1);
        t.event(TileTimeline.PE, 10, 10, -1, NONE, new int[] {c3, wb}, 1);
        return t;
    }

    @Test
    void weightsRunningAheadKeepTheDmaBusyAndTheBestPolicyTakesThem() {
        TileTimeline t = twoOperators();
        TileTimeline.Result depth = t.schedule(1000, 1, RunAhead.DEPTH);
        TileTimeline.Result weights = t.schedule(1000, 1, RunAhead.WEIGHTS);
        assertEquals(540, depth.makespan());
        assertEquals(420, weights.makespan());
        assertEquals(RunAhead.WEIGHTS, weights.runAhead());
        assertTrue(t.dropsMore(RunAhead.WEIGHTS));
        assertFalse(t.dropsMore(RunAhead.ALL), "no activation slice is bounded");
        TileTimeline.Result best = t.scheduleBest(1000, 1);
        assertEquals(420, best.makespan());
        assertEquals(RunAhead.WEIGHTS, best.runAhead());
        assertEquals(340, weights.peakBytes(), "every slice and B's weight on chip at once (nothing is freed)");
    }

    /**
     * Three activation slices of 10 cycles, depth 2, steps of 100 cycles in a chain: the third slice loads at 110
     * under the depth bound and at 20 without it, long before the step at 210 needs it. Both orders take 310 cycles,
     * and the tie goes to the depth bound (fewer slices on chip).
     */
    @Test
    void aPolicyThatGainsNothingLosesTheTieToTheDepthBound() {
        TileTimeline t = new TileTimeline();
        for (int b = 0; b < 3; b++) {
            t.buffer(b, 10);
        }
        int w0 = t.event(TileTimeline.DMA, 10, 10, 0, NONE, NONE, 0);
        int w1 = t.event(TileTimeline.DMA, 10, 10, 1, NONE, NONE, 0);
        int c0 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w0}, 0);
        int c1 = t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w1, c0}, 0);
        int w2 = t.event(TileTimeline.DMA, 10, 10, 2, NONE, new int[] {c0}, 0);
        t.depthBound(w2, false);
        t.event(TileTimeline.PE, 100, 100, -1, NONE, new int[] {w2, c1}, 0);
        assertTrue(t.dropsMore(RunAhead.ALL));
        assertFalse(t.dropsMore(RunAhead.WEIGHTS));
        TileTimeline.Result all = t.schedule(100, 1, RunAhead.ALL);
        assertEquals(310, all.makespan());
        assertEquals(30, all.peakBytes(), "the third slice loads before the first is used up");
        TileTimeline.Result best = t.scheduleBest(100, 1);
        assertEquals(310, best.makespan());
        assertEquals(RunAhead.DEPTH, best.runAhead());
    }

    @Test
    void onlyTransfersTakeADepthBound() {
        TileTimeline t = new TileTimeline();
        int c = t.event(TileTimeline.PE, 10, 10, -1, NONE, NONE, 0);
        assertThrows(IllegalArgumentException.class, () -> t.depthBound(c, true));
        assertThrows(IllegalArgumentException.class, () -> t.depthBound(c + 1, true));
    }

    /**
     * Brute-force twin: on small random segments (one DMA engine, a PE array, a second slice per operator bounded by
     * the step on the first), under each policy the engine's order keeps exactly the dependencies the policy keeps and
     * fits the buffer, its makespan is the replay of that order by the in-order rule restated here, and no order is
     * faster than the best of all valid orders found by enumeration.
     */
    @Test
    void underEachPolicyTheEngineOrderIsValidTimedAsAReplayAndNeverBeatsTheBruteForceOptimum() {
        Random rnd = new Random(20261201);
        double worstGap = 0;
        int scheduled = 0;
        for (int trial = 0; trial < 60; trial++) {
            Case c = randomCase(rnd);
            for (RunAhead p : RunAhead.values()) {
                TileTimeline.Result r = c.timeline.schedule(c.capacity, 1, p);
                long optimum = c.bruteForce(p);
                if (!r.feasible()) {
                    continue;
                }
                scheduled++;
                String at = "trial " + trial + " " + p;
                assertTrue(c.valid(r.order(), p), at + ": order breaks a kept dependency or the buffer");
                assertEquals(c.replay(r.order(), p), r.makespan(), at);
                assertTrue(r.makespan() >= optimum, at + ": engine " + r.makespan() + " beats the optimum " + optimum);
                worstGap = Math.max(worstGap, (r.makespan() - optimum) / (double) optimum);
            }
        }
        System.out.printf("run-ahead twin: %d schedules, worst gap to the brute-force optimum %.1f%%%n", scheduled,
                100 * worstGap);
        assertTrue(scheduled >= 150, scheduled + " of 180 schedules fit");
    }

    /**
     * The consumers-first order and the moves of freed loads into the DMA's idle time ({@link TileTimeline#hoist}),
     * against the same brute force: the consumers-first order is valid, timed as its replay and never below the
     * optimum, and from every feasible engine order (each policy's, and the consumers-first one), towards every policy that frees more loads, the moved order keeps exactly the
     * target policy's dependencies and fits the buffer (by construction: it must never lose a feasible order), is
     * timed as its replay, and never beats the optimum. On these cases moving loads must also pay somewhere: in some
     * case {@link TileTimeline#scheduleBest} is faster than every policy's engine order.
     */
    @Test
    void loadsMovedIntoIdleDmaTimeKeepTheOrderValidAndSometimesBeatEveryEngineOrder() {
        Random rnd = new Random(20261202);
        int moved = 0;
        int better = 0;
        for (int trial = 0; trial < 60; trial++) {
            Case c = randomCase(rnd);
            long engineBest = Long.MAX_VALUE;
            for (int variant = 0; variant < 4; variant++) {
                RunAhead from = variant < 3 ? RunAhead.values()[variant] : RunAhead.DEPTH;
                TileTimeline.Result base = c.timeline.schedule(c.capacity, 1, from, variant == 3);
                if (!base.feasible()) {
                    continue;
                }
                assertTrue(c.valid(base.order(), from), "trial " + trial + " variant " + variant);
                assertEquals(c.replay(base.order(), from), base.makespan(), "trial " + trial + " variant " + variant);
                assertTrue(base.makespan() >= c.bruteForce(from), "trial " + trial + " variant " + variant);
                engineBest = Math.min(engineBest, base.makespan());
                for (RunAhead to : RunAhead.values()) {
                    if (to.ordinal() <= from.ordinal()) {
                        continue;
                    }
                    TileTimeline.Result r = c.timeline.hoist(base, c.capacity, 1, to);
                    String at = "trial " + trial + " variant " + variant + " -> " + to;
                    assertTrue(r.feasible(), at);
                    assertEquals(to, r.runAhead(), at);
                    assertTrue(c.valid(r.order(), to), at + ": order breaks a kept dependency or the buffer");
                    assertEquals(c.replay(r.order(), to), r.makespan(), at);
                    assertTrue(r.makespan() >= c.bruteForce(to), at + ": beats the optimum");
                    moved++;
                }
            }
            TileTimeline.Result best = c.timeline.scheduleBest(c.capacity, 1);
            if (best.feasible()) {
                assertTrue(c.valid(best.order(), best.runAhead()), "trial " + trial);
                assertEquals(c.replay(best.order(), best.runAhead()), best.makespan(), "trial " + trial);
                if (best.makespan() < engineBest) {
                    better++;
                }
            }
        }
        System.out.printf("moved loads: %d moved orders checked, %d of 60 cases faster than every engine order%n",
                moved, better);
        assertTrue(moved >= 100, moved + " moved orders");
        assertTrue(better > 0, "moving loads never beat the engine's orders");
    }

    /**
     * A load that fits is found however deep in the DMA's queue it sits: 80 large tiles (10 bytes) queued before 12
     * small ones (1 byte) in a 25-byte buffer, each large step far longer than its load. After two large loads the next
     * 64 queued ones (more than the engine
     * looks at before searching) do not fit, and the first small load must be the DMA's third transfer; the order
     * stays valid and is timed as its replay. Then the same on random walks of 150 tiles in three sizes over two
     * fused operators (weights or activations streamed two slices deep), under every policy: the search by need must
     * keep every order valid.
     */
    @Test
    void aLoadThatFitsIsFoundBehindMoreQueuedLoadsThanTheEngineLooksAhead() {
        Case c = new Case();
        int[] smallLoads = new int[12];
        int[] largeLoads = new int[80];
        for (int i = 0; i < largeLoads.length + smallLoads.length; i++) {
            boolean large = i < largeLoads.length;
            int b = c.buffer(large ? 10 : 1);
            int load = c.event(TileTimeline.DMA, large ? 100 : 10, b, NONE, NONE, 0);
            int step = c.event(TileTimeline.PE, large ? 1000 : 10, -1, NONE, new int[] {load}, 0);
            c.event(TileTimeline.NONE, 0, -1, new int[] {b}, new int[] {step}, 0);
            if (large) {
                largeLoads[i] = load;
            } else {
                smallLoads[i - largeLoads.length] = load;
            }
        }
        c.capacity = 25;
        TileTimeline.Result r = c.timeline.schedule(c.capacity, 1, RunAhead.DEPTH);
        assertTrue(r.feasible());
        assertTrue(c.valid(r.order(), RunAhead.DEPTH));
        assertEquals(c.replay(r.order(), RunAhead.DEPTH), r.makespan());
        int[] dma = java.util.Arrays.stream(r.order()).filter(t -> c.units.get(t) == TileTimeline.DMA).toArray();
        assertEquals(largeLoads[0], dma[0]);
        assertEquals(largeLoads[1], dma[1]);
        assertEquals(smallLoads[0], dma[2], "the first small load waits behind large loads that do not fit");

        Random rnd = new Random(20261203);
        int[] sizes = {1, 4, 9};
        int scheduled = 0;
        for (int trial = 0; trial < 20; trial++) {
            Case w = new Case();
            int[] producerSteps = new int[150];
            for (int o = 0; o < 2; o++) {
                int[] steps = new int[150];
                for (int s = 0; s < steps.length; s++) {
                    int b = w.buffer(sizes[rnd.nextInt(sizes.length)]);
                    int load = w.event(TileTimeline.DMA, 1 + rnd.nextInt(30), b, NONE,
                            s >= 2 ? new int[] {steps[s - 2]} : NONE, o);
                    if (s >= 2) {
                        w.bound(load, o == 0);
                    }
                    int[] on = s == 0 ? new int[] {load} : new int[] {load, steps[s - 1]};
                    if (o == 1) {
                        on = java.util.Arrays.copyOf(on, on.length + 1);
                        on[on.length - 1] = producerSteps[s];
                    }
                    steps[s] = w.event(TileTimeline.PE, 1 + rnd.nextInt(30), -1, NONE, on, o);
                    w.event(TileTimeline.NONE, 0, -1, new int[] {b}, new int[] {steps[s]}, o);
                }
                producerSteps = steps;
            }
            w.capacity = 36 + rnd.nextInt(30);
            for (RunAhead p : RunAhead.values()) {
                TileTimeline.Result x = w.timeline.schedule(w.capacity, 1, p);
                String at = "trial " + trial + " " + p;
                if (!x.feasible()) {
                    assertNotEquals(RunAhead.DEPTH, p, at + ": the depth bound always fits two slices per operator");
                    continue;
                }
                scheduled++;
                assertTrue(w.valid(x.order(), p), at + ": order breaks a kept dependency or the buffer");
                assertEquals(w.replay(x.order(), p), x.makespan(), at);
            }
        }
        assertTrue(scheduled >= 40, scheduled + " of 60 schedules fit");
    }

    /** A random segment: operators in a chain, each streaming its weight in slices and reading the previous one. */
    private static final class Case {
        final TileTimeline timeline = new TileTimeline();
        final java.util.List<int[]> deps = new java.util.ArrayList<>();
        final java.util.List<Byte> slices = new java.util.ArrayList<>();
        final java.util.List<Byte> units = new java.util.ArrayList<>();
        final java.util.List<Long> durations = new java.util.ArrayList<>();
        final java.util.List<Long> allocs = new java.util.ArrayList<>();
        final java.util.List<int[]> frees = new java.util.ArrayList<>();
        final java.util.List<Long> bufferBytes = new java.util.ArrayList<>();
        long capacity;

        int buffer(long bytes) {
            int id = bufferBytes.size();
            bufferBytes.add(bytes);
            timeline.buffer(id, bytes);
            return id;
        }

        int event(byte unit, long cycles, int alloc, int[] freed, int[] on, int rank) {
            int id = timeline.event(unit, cycles, cycles, alloc, freed, on, rank);
            deps.add(on);
            slices.add(TileTimeline.FIXED);
            units.add(unit);
            durations.add(cycles);
            allocs.add(alloc < 0 ? 0 : bufferBytes.get(alloc));
            frees.add(freed);
            return id;
        }

        void bound(int event, boolean weight) {
            timeline.depthBound(event, weight);
            slices.set(event, weight ? TileTimeline.WEIGHT_SLICE : TileTimeline.OTHER_SLICE);
        }

        int[] depsUnder(int t, RunAhead p) {
            return p.drops(slices.get(t)) ? NONE : deps.get(t);
        }

        /** Makespan of issuing {@code order} in order: the engine's timing rule, restated. */
        long replay(int[] order, RunAhead p) {
            long[] end = new long[deps.size()];
            long previousStart = 0;
            long dmaFree = 0;
            long peFree = 0;
            long makespan = 0;
            for (int t : order) {
                long start = previousStart;
                for (int d : depsUnder(t, p)) {
                    start = Math.max(start, end[d]);
                }
                if (units.get(t) == TileTimeline.DMA) {
                    start = Math.max(start, dmaFree);
                    dmaFree = start + durations.get(t);
                } else if (units.get(t) == TileTimeline.PE) {
                    start = Math.max(start, peFree);
                    peFree = start + durations.get(t);
                }
                previousStart = start;
                end[t] = start + durations.get(t);
                makespan = Math.max(makespan, end[t]);
            }
            return makespan;
        }

        /** Whether {@code order} has every event once, after the dependencies the policy keeps, within the buffer. */
        boolean valid(int[] order, RunAhead p) {
            boolean[] placed = new boolean[deps.size()];
            long occupancy = 0;
            for (int t : order) {
                for (int d : depsUnder(t, p)) {
                    if (!placed[d]) {
                        return false;
                    }
                }
                if (placed[t] || occupancy + allocs.get(t) > capacity) {
                    return false;
                }
                placed[t] = true;
                occupancy += allocs.get(t);
                for (int b : frees.get(t)) {
                    occupancy -= bufferBytes.get(b);
                }
            }
            return order.length == deps.size();
        }

        /** The least makespan over every order that respects the policy's dependencies and fits the buffer. */
        long bruteForce(RunAhead p) {
            long[] best = {Long.MAX_VALUE};
            search(new int[deps.size()], 0, new boolean[deps.size()], 0, p, best);
            return best[0];
        }

        private void search(int[] order, int k, boolean[] placed, long occupancy, RunAhead p, long[] best) {
            if (k == order.length) {
                best[0] = Math.min(best[0], replay(order, p));
                return;
            }
            for (int t = 0; t < order.length; t++) {
                if (placed[t]) {
                    continue;
                }
                boolean ready = true;
                for (int d : depsUnder(t, p)) {
                    ready &= placed[d];
                }
                long released = 0;
                for (int b : frees.get(t)) {
                    released += bufferBytes.get(b);
                }
                long after = occupancy + allocs.get(t) - released;
                if (!ready || occupancy + allocs.get(t) > capacity) {
                    continue;
                }
                placed[t] = true;
                order[k] = t;
                search(order, k + 1, placed, after, p, best);
                placed[t] = false;
            }
        }
    }

    /**
     * Two operators of two slices each (the second slice of each bounded by the step on the first, depth 1), weight
     * or activation slices at random, a chain of steps, each slice freed after its step: 12 events.
     */
    private static Case randomCase(Random rnd) {
        Case c = new Case();
        int ops = 2;
        int previous = -1;
        long total = 0;
        long largest = 0;
        for (int o = 0; o < ops; o++) {
            boolean weight = rnd.nextBoolean();
            int steps = 2;
            int prevStep = -1;
            for (int s = 0; s < steps; s++) {
                long bytes = 1 + rnd.nextInt(4);
                total += bytes;
                largest = Math.max(largest, bytes);
                int b = c.buffer(bytes);
                int load = c.event(TileTimeline.DMA, 5 + rnd.nextInt(40), b, NONE,
                        prevStep >= 0 ? new int[] {prevStep} : NONE, o);
                if (prevStep >= 0) {
                    c.bound(load, weight);
                }
                int[] on = previous >= 0 && prevStep < 0 ? new int[] {load, previous}
                        : prevStep >= 0 ? new int[] {load, prevStep} : new int[] {load};
                int step = c.event(TileTimeline.PE, 5 + rnd.nextInt(40), -1, NONE, on, o);
                c.event(TileTimeline.NONE, 0, -1, new int[] {b}, new int[] {step}, o);
                prevStep = step;
            }
            previous = prevStep;
        }
        c.capacity = largest * 2 + rnd.nextInt((int) Math.max(1, total - largest * 2 + 1));
        return c;
    }
}

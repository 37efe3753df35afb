package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.impl.heuristic.selector.move.factory.MoveIteratorFactory;

/**
 * Generates {@link RefitMove}s: flip one cut (merge two segments or split one) or shift a boundary by
 * 1..{@code maxShift}, then re-choose the options of every segment the change touches with
 * {@link SegmentRefitter}; one move in four instead re-segments a window of about {@code windowSize} operators
 * (whole segments) exactly by a small DP. Random selection only. {@code maxShift} and {@code windowSize} come
 * from the solver XML ({@code moveIteratorFactoryCustomProperties}).
 */
public class RefitMoveIteratorFactory implements MoveIteratorFactory<SegmentationPlan, RefitMove> {

    private int maxShift = 4;
    private int windowSize = 12;
    private SegmentRefitter refitter;

    public void setMaxShift(String maxShift) {
        this.maxShift = Integer.parseInt(maxShift);
        if (this.maxShift < 1) {
            throw new IllegalArgumentException("maxShift (" + maxShift + ") must be >= 1");
        }
    }

    public void setWindowSize(String windowSize) {
        this.windowSize = Integer.parseInt(windowSize);
        if (this.windowSize < 2) {
            throw new IllegalArgumentException("windowSize (" + windowSize + ") must be >= 2");
        }
    }

    @Override
    public void phaseStarted(ScoreDirector<SegmentationPlan> scoreDirector) {
        refitter = new SegmentRefitter(scoreDirector.getWorkingSolution());
    }

    @Override
    public void phaseEnded(ScoreDirector<SegmentationPlan> scoreDirector) {
        refitter = null;
    }

    @Override
    public long getSize(ScoreDirector<SegmentationPlan> scoreDirector) {
        return (long) scoreDirector.getWorkingSolution().getSlots().size() * (1 + 2L * maxShift);
    }

    @Override
    public Iterator<RefitMove> createOriginalMoveIterator(ScoreDirector<SegmentationPlan> scoreDirector) {
        throw new UnsupportedOperationException("RefitMoveIteratorFactory supports random selection only");
    }

    @Override
    public Iterator<RefitMove> createRandomMoveIterator(ScoreDirector<SegmentationPlan> scoreDirector,
                                                        Random random) {
        List<OperatorSlot> slots = scoreDirector.getWorkingSolution().getSlots();
        SegmentRefitter current = refitter != null ? refitter : new SegmentRefitter(scoreDirector.getWorkingSolution());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return slots.size() > 1;
            }

            @Override
            public RefitMove next() {
                if (random.nextInt(4) == 0) {
                    return resegmented(slots, current, slots.get(random.nextInt(slots.size())), windowSize);
                }
                OperatorSlot slot = slots.get(1 + random.nextInt(slots.size() - 1));
                List<OperatorSlot> cutSlots = new ArrayList<>(2);
                List<Boolean> cuts = new ArrayList<>(2);
                if (random.nextBoolean() || !slot.startsSegment()) {
                    cutSlots.add(slot);
                    cuts.add(!slot.startsSegment());
                } else {
                    int shift = 1 + random.nextInt(maxShift);
                    int target = slot.getPosition() + (random.nextBoolean() ? shift : -shift);
                    target = Math.max(1, Math.min(slots.size() - 1, target));
                    OperatorSlot to = slots.get(target);
                    cutSlots.add(slot);
                    cuts.add(Boolean.FALSE);
                    if (to != slot && !to.startsSegment()) {
                        cutSlots.add(to);
                        cuts.add(Boolean.TRUE);
                    }
                }
                return refitted(slots, current, cutSlots, cuts);
            }
        };
    }

    private static RefitMove refitted(List<OperatorSlot> slots, SegmentRefitter refitter,
                                      List<OperatorSlot> cutSlots, List<Boolean> cuts) {
        int lo = Integer.MAX_VALUE;
        int hi = -1;
        for (OperatorSlot s : cutSlots) {
            lo = Math.min(lo, s.getPosition());
            hi = Math.max(hi, s.getPosition());
        }
        // The touched region: from the segment holding lo - 1 to the end of the segment holding hi.
        int first = slots.get(lo - 1).getSegmentStart();
        int last = hi;
        while (last + 1 < slots.size() && !startsAfterMove(slots.get(last + 1), cutSlots, cuts)) {
            last++;
        }
        List<OperatorSlot> optionSlots = new ArrayList<>(last - first + 1);
        List<Integer> options = new ArrayList<>(last - first + 1);
        int segmentStart = first;
        for (int p = first + 1; p <= last + 1; p++) {
            if (p == last + 1 || startsAfterMove(slots.get(p), cutSlots, cuts)) {
                int[] choice = refitter.refit(segmentStart, p - 1);
                for (int k = 0; k < choice.length; k++) {
                    optionSlots.add(slots.get(segmentStart + k));
                    options.add(choice[k]);
                }
                segmentStart = p;
            }
        }
        return new RefitMove(cutSlots, cuts, optionSlots, options);
    }

    /**
     * Re-segments a window of whole segments around {@code slot} exactly: a DP over the window's positions,
     * each candidate segment priced by {@link SegmentRefitter#fit}. A large-neighbourhood move; when nothing in
     * the window fits, it keeps the current cuts (and the move is not doable).
     */
    private static RefitMove resegmented(List<OperatorSlot> slots, SegmentRefitter refitter, OperatorSlot slot,
                                         int windowSize) {
        int first = slot.getSegmentStart();
        int last = first;
        while (last + 1 < slots.size() && (last + 1 - first < windowSize || !slots.get(last + 1).startsSegment())) {
            last++;
            if (last - first + 1 >= 4 * windowSize) {
                break;
            }
        }
        while (last + 1 < slots.size() && !slots.get(last + 1).startsSegment() && last - first + 1 < 4 * windowSize) {
            last++;
        }
        if (last + 1 < slots.size() && !slots.get(last + 1).startsSegment()) {
            return new RefitMove(List.of(), List.of(), List.of(), List.of());
        }
        int length = last - first + 1;
        long[] bestLatency = new long[length + 1];
        double[] bestEnergy = new double[length + 1];
        int[] from = new int[length + 1];
        SegmentRefitter.Fit[] fits = new SegmentRefitter.Fit[length + 1];
        java.util.Arrays.fill(bestLatency, Long.MAX_VALUE);
        bestLatency[0] = 0;
        for (int end = 1; end <= length; end++) {
            for (int start = end - 1; start >= 0 && end - start <= 2 * windowSize; start--) {
                if (bestLatency[start] == Long.MAX_VALUE) {
                    continue;
                }
                SegmentRefitter.Fit fit = refitter.fit(first + start, first + end - 1);
                if (!fit.fits()) {
                    break;
                }
                long latency = bestLatency[start] + fit.latencyCycles();
                double energy = bestEnergy[start] + fit.energyPj();
                if (latency < bestLatency[end] || latency == bestLatency[end] && energy < bestEnergy[end]) {
                    bestLatency[end] = latency;
                    bestEnergy[end] = energy;
                    from[end] = start;
                    fits[end] = fit;
                }
            }
        }
        if (bestLatency[length] == Long.MAX_VALUE) {
            return new RefitMove(List.of(), List.of(), List.of(), List.of());
        }
        Boolean[] cutAt = new Boolean[length];
        Integer[] optionAt = new Integer[length];
        java.util.Arrays.fill(cutAt, Boolean.FALSE);
        for (int end = length; end > 0; end = from[end]) {
            cutAt[from[end]] = Boolean.TRUE;
            for (int k = 0; k < end - from[end]; k++) {
                optionAt[from[end] + k] = fits[end].choice()[k];
            }
        }
        List<OperatorSlot> cutSlots = new ArrayList<>();
        List<Boolean> cuts = new ArrayList<>();
        List<OperatorSlot> optionSlots = new ArrayList<>();
        List<Integer> options = new ArrayList<>();
        for (int k = 0; k < length; k++) {
            OperatorSlot s = slots.get(first + k);
            if (s.getPrevious() != null) {
                cutSlots.add(s);
                cuts.add(cutAt[k]);
            }
            optionSlots.add(s);
            options.add(optionAt[k]);
        }
        return new RefitMove(cutSlots, cuts, optionSlots, options);
    }

    private static boolean startsAfterMove(OperatorSlot slot, List<OperatorSlot> cutSlots, List<Boolean> cuts) {
        int i = cutSlots.indexOf(slot);
        return i >= 0 ? cuts.get(i) : slot.startsSegment();
    }
}

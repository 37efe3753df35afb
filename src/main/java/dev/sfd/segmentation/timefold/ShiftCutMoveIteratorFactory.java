package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.impl.heuristic.selector.move.factory.MoveIteratorFactory;

/**
 * Generates {@link ShiftCutMove}s: a random segment boundary moves by 1..{@code maxShift} operators either way.
 * {@code maxShift} is set from the solver XML ({@code moveIteratorFactoryCustomProperties}).
 */
public class ShiftCutMoveIteratorFactory implements MoveIteratorFactory<SegmentationPlan, ShiftCutMove> {

    private int maxShift = 4;

    public void setMaxShift(String maxShift) {
        this.maxShift = Integer.parseInt(maxShift);
        if (this.maxShift < 1) {
            throw new IllegalArgumentException("maxShift (" + maxShift + ") must be >= 1");
        }
    }

    @Override
    public long getSize(ScoreDirector<SegmentationPlan> scoreDirector) {
        return (long) scoreDirector.getWorkingSolution().getSlots().size() * 2 * maxShift;
    }

    @Override
    public Iterator<ShiftCutMove> createOriginalMoveIterator(ScoreDirector<SegmentationPlan> scoreDirector) {
        List<OperatorSlot> slots = scoreDirector.getWorkingSolution().getSlots();
        List<ShiftCutMove> moves = new ArrayList<>();
        for (OperatorSlot from : slots) {
            if (from.getPrevious() == null || !Boolean.TRUE.equals(from.getCutBefore())) {
                continue;
            }
            for (int shift = -maxShift; shift <= maxShift; shift++) {
                int target = from.getPosition() + shift;
                if (shift != 0 && target >= 1 && target < slots.size()) {
                    moves.add(new ShiftCutMove(from, slots.get(target)));
                }
            }
        }
        return moves.iterator();
    }

    @Override
    public Iterator<ShiftCutMove> createRandomMoveIterator(ScoreDirector<SegmentationPlan> scoreDirector,
                                                           Random random) {
        List<OperatorSlot> slots = scoreDirector.getWorkingSolution().getSlots();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return slots.size() > 2;
            }

            @Override
            public ShiftCutMove next() {
                // A random operator's segment boundary: its own segment's start, or the next segment's.
                OperatorSlot slot = slots.get(1 + random.nextInt(slots.size() - 1));
                Integer start = slot.getSegmentStart();
                OperatorSlot from = slots.get(start == null ? slot.getPosition() : start);
                if (from.getPosition() == 0) {
                    from = slot;
                }
                int shift = 1 + random.nextInt(maxShift);
                int target = from.getPosition() + (random.nextBoolean() ? shift : -shift);
                target = Math.max(1, Math.min(slots.size() - 1, target));
                return new ShiftCutMove(from, slots.get(target));
            }
        };
    }
}

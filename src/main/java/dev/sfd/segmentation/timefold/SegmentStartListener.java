package dev.sfd.segmentation.timefold;

import ai.timefold.solver.core.api.domain.variable.VariableListener;
import ai.timefold.solver.core.api.score.director.ScoreDirector;

/**
 * Keeps {@link OperatorSlot#getSegmentStart()} right when a cut changes: the changed slot and every later slot
 * up to the next segment start take the start of the segment they now belong to. The walk stops at the next
 * cut, so a move touches one or two segments, never the whole order.
 */
public class SegmentStartListener implements VariableListener<SegmentationPlan, OperatorSlot> {

    static final String SEGMENT_START = "segmentStart";

    @Override
    public void beforeEntityAdded(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        // Nothing to do before.
    }

    @Override
    public void afterEntityAdded(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        update(scoreDirector, slot);
    }

    @Override
    public void beforeVariableChanged(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        // Nothing to do before.
    }

    @Override
    public void afterVariableChanged(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        update(scoreDirector, slot);
    }

    @Override
    public void beforeEntityRemoved(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        // Nothing to do before.
    }

    @Override
    public void afterEntityRemoved(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        // Entities are never removed during solving.
    }

    private static void update(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot) {
        int start = startOf(slot);
        set(scoreDirector, slot, start);
        for (OperatorSlot s = slot.getNext(); s != null && !s.startsSegment(); s = s.getNext()) {
            set(scoreDirector, s, start);
        }
    }

    private static int startOf(OperatorSlot slot) {
        if (slot.startsSegment()) {
            return slot.getPosition();
        }
        Integer previousStart = slot.getPrevious().getSegmentStart();
        return previousStart != null ? previousStart : recompute(slot.getPrevious());
    }

    private static int recompute(OperatorSlot slot) {
        OperatorSlot s = slot;
        while (!s.startsSegment()) {
            s = s.getPrevious();
        }
        return s.getPosition();
    }

    private static void set(ScoreDirector<SegmentationPlan> scoreDirector, OperatorSlot slot, int start) {
        Integer old = slot.getSegmentStart();
        if (old != null && old == start) {
            return;
        }
        scoreDirector.beforeVariableChanged(slot, SEGMENT_START);
        slot.setSegmentStart(start);
        scoreDirector.afterVariableChanged(slot, SEGMENT_START);
    }
}

package dev.sfd.segmentation.timefold;

import java.util.Collection;
import java.util.List;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.impl.heuristic.move.AbstractSimplifiedMove;
import ai.timefold.solver.core.impl.heuristic.move.Move;

/**
 * Moves one segment boundary a few operators earlier or later: the cut before {@code from} goes away and a cut
 * appears before {@code to}. One change move cannot do this without passing through a merged (often
 * overflowing) or split (slower) plan, so this is the move that fine-tunes segment lengths.
 */
final class ShiftCutMove extends AbstractSimplifiedMove<SegmentationPlan> {

    static final String CUT_BEFORE = "cutBefore";

    private final OperatorSlot from;
    private final OperatorSlot to;

    ShiftCutMove(OperatorSlot from, OperatorSlot to) {
        this.from = from;
        this.to = to;
    }

    @Override
    public boolean isMoveDoable(ScoreDirector<SegmentationPlan> scoreDirector) {
        return from != to && from.getPrevious() != null && to.getPrevious() != null
                && Boolean.TRUE.equals(from.getCutBefore()) && Boolean.FALSE.equals(to.getCutBefore());
    }

    @Override
    protected void doMoveOnGenuineVariables(ScoreDirector<SegmentationPlan> scoreDirector) {
        scoreDirector.beforeVariableChanged(from, CUT_BEFORE);
        from.setCutBefore(Boolean.FALSE);
        scoreDirector.afterVariableChanged(from, CUT_BEFORE);
        scoreDirector.beforeVariableChanged(to, CUT_BEFORE);
        to.setCutBefore(Boolean.TRUE);
        scoreDirector.afterVariableChanged(to, CUT_BEFORE);
    }

    @Override
    public Move<SegmentationPlan> rebase(ScoreDirector<SegmentationPlan> destinationScoreDirector) {
        return new ShiftCutMove(destinationScoreDirector.lookUpWorkingObject(from),
                destinationScoreDirector.lookUpWorkingObject(to));
    }

    @Override
    public Collection<?> getPlanningEntities() {
        return List.of(from, to);
    }

    @Override
    public Collection<?> getPlanningValues() {
        return List.of(Boolean.FALSE, Boolean.TRUE);
    }

    @Override
    public String getSimpleMoveTypeDescription() {
        return "ShiftCutMove(cutBefore)";
    }

    @Override
    public String toString() {
        return "cut " + from.getName() + " -> " + to.getName();
    }
}

package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import ai.timefold.solver.core.api.score.director.ScoreDirector;
import ai.timefold.solver.core.impl.heuristic.move.AbstractSimplifiedMove;
import ai.timefold.solver.core.impl.heuristic.move.Move;

/** Changes some cuts and, in the same move, the options of the operators in the segments those cuts touch. */
final class RefitMove extends AbstractSimplifiedMove<SegmentationPlan> {

    private static final String OPTION = "option";

    private final List<OperatorSlot> cutSlots;
    private final List<Boolean> cuts;
    private final List<OperatorSlot> optionSlots;
    private final List<Integer> options;

    RefitMove(List<OperatorSlot> cutSlots, List<Boolean> cuts, List<OperatorSlot> optionSlots, List<Integer> options) {
        this.cutSlots = cutSlots;
        this.cuts = cuts;
        this.optionSlots = optionSlots;
        this.options = options;
    }

    @Override
    public boolean isMoveDoable(ScoreDirector<SegmentationPlan> scoreDirector) {
        for (int i = 0; i < cutSlots.size(); i++) {
            if (!cuts.get(i).equals(cutSlots.get(i).getCutBefore())) {
                return true;
            }
        }
        for (int i = 0; i < optionSlots.size(); i++) {
            if (!options.get(i).equals(optionSlots.get(i).getOption())) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doMoveOnGenuineVariables(ScoreDirector<SegmentationPlan> scoreDirector) {
        for (int i = 0; i < cutSlots.size(); i++) {
            OperatorSlot slot = cutSlots.get(i);
            if (!cuts.get(i).equals(slot.getCutBefore())) {
                scoreDirector.beforeVariableChanged(slot, ShiftCutMove.CUT_BEFORE);
                slot.setCutBefore(cuts.get(i));
                scoreDirector.afterVariableChanged(slot, ShiftCutMove.CUT_BEFORE);
            }
        }
        for (int i = 0; i < optionSlots.size(); i++) {
            OperatorSlot slot = optionSlots.get(i);
            if (!options.get(i).equals(slot.getOption())) {
                scoreDirector.beforeVariableChanged(slot, OPTION);
                slot.setOption(options.get(i));
                scoreDirector.afterVariableChanged(slot, OPTION);
            }
        }
    }

    @Override
    public Move<SegmentationPlan> rebase(ScoreDirector<SegmentationPlan> destination) {
        return new RefitMove(cutSlots.stream().map(destination::lookUpWorkingObject).toList(), cuts,
                optionSlots.stream().map(destination::lookUpWorkingObject).toList(), options);
    }

    @Override
    public Collection<?> getPlanningEntities() {
        List<OperatorSlot> all = new ArrayList<>(cutSlots);
        all.addAll(optionSlots);
        return all;
    }

    @Override
    public Collection<?> getPlanningValues() {
        List<Object> all = new ArrayList<>(cuts);
        all.addAll(options);
        return all;
    }

    @Override
    public String getSimpleMoveTypeDescription() {
        return "RefitMove(cutBefore, option)";
    }

    @Override
    public String toString() {
        return "refit cuts " + cutSlots + " -> " + cuts + ", options of " + optionSlots.size() + " operators";
    }
}

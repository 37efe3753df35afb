package dev.sfd.segmentation.timefold;

import java.util.List;

import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.lookup.PlanningId;
import ai.timefold.solver.core.api.domain.valuerange.CountableValueRange;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeFactory;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.domain.variable.PlanningVariable;
import ai.timefold.solver.core.api.domain.variable.ShadowVariable;

import dev.sfd.segmentation.SegmentationModel;

/**
 * One operator at one position of the execution order. Genuine variables: {@code cutBefore} (this operator
 * starts a new segment) and {@code option} (index into its mapping options). Shadow variable:
 * {@code segmentStart}, the position of the first operator of its segment, which names the segment.
 *
 * <p>Segments are contiguous runs of the execution order, so moving one cut only renames the segment of the
 * operators up to the next cut: that keeps score updates local even with thousands of operators.
 */
@PlanningEntity
public class OperatorSlot {

    @PlanningId
    private int position;
    private int operatorIndex;
    private String name;
    private List<SegmentationModel.Option> options;
    /** The slot one position earlier in the execution order, or null for the first. */
    private OperatorSlot previous;
    /** The slot one position later, or null for the last. */
    private OperatorSlot next;

    @PlanningVariable(valueRangeProviderRefs = "cutValues")
    private Boolean cutBefore;

    @PlanningVariable(valueRangeProviderRefs = "optionRange")
    private Integer option;

    @ShadowVariable(variableListenerClass = SegmentStartListener.class, sourceVariableName = "cutBefore")
    private Integer segmentStart;

    /** For Timefold's cloning. */
    public OperatorSlot() {
    }

    public OperatorSlot(int position, int operatorIndex, String name, List<SegmentationModel.Option> options) {
        this.position = position;
        this.operatorIndex = operatorIndex;
        this.name = name;
        this.options = List.copyOf(options);
    }

    @ValueRangeProvider(id = "optionRange")
    public CountableValueRange<Integer> optionRange() {
        return ValueRangeFactory.createIntValueRange(0, options.size());
    }

    /** Whether this slot starts a segment: the first slot always does, an unassigned slot is alone. */
    public boolean startsSegment() {
        return previous == null || cutBefore == null || cutBefore;
    }

    /** The chosen option, or {@link SegmentationModel.Option#NONE} while unassigned. */
    public SegmentationModel.Option chosenOption() {
        return option == null ? SegmentationModel.Option.NONE : options.get(option);
    }

    public int getPosition() {
        return position;
    }

    public int getOperatorIndex() {
        return operatorIndex;
    }

    public String getName() {
        return name;
    }

    public List<SegmentationModel.Option> getOptions() {
        return options;
    }

    public OperatorSlot getPrevious() {
        return previous;
    }

    public void setPrevious(OperatorSlot previous) {
        this.previous = previous;
    }

    public OperatorSlot getNext() {
        return next;
    }

    public void setNext(OperatorSlot next) {
        this.next = next;
    }

    public Boolean getCutBefore() {
        return cutBefore;
    }

    public void setCutBefore(Boolean cutBefore) {
        this.cutBefore = cutBefore;
    }

    public Integer getOption() {
        return option;
    }

    public void setOption(Integer option) {
        this.option = option;
    }

    public Integer getSegmentStart() {
        return segmentStart;
    }

    public void setSegmentStart(Integer segmentStart) {
        this.segmentStart = segmentStart;
    }

    @Override
    public String toString() {
        return name + "@" + position + (startsSegment() ? "|" : "") + "[" + option + "]";
    }
}

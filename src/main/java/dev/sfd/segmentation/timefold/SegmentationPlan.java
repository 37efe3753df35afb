package dev.sfd.segmentation.timefold;

import java.util.List;

import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.solution.ProblemFactCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.ProblemFactProperty;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;

/**
 * The Timefold planning solution: one {@link OperatorSlot} per operator in execution order plus the tensor
 * facts derived from the {@link dev.sfd.segmentation.SegmentationModel}. Score: hard = buffer overflow bytes and
 * backward tensor flows, medium = latency cycles, soft = energy in femtojoules.
 */
@PlanningSolution
public class SegmentationPlan {

    private static final List<Boolean> CUT_VALUES = List.of(Boolean.FALSE, Boolean.TRUE);

    @PlanningEntityCollectionProperty
    private List<OperatorSlot> slots;
    @ProblemFactCollectionProperty
    private List<TensorLink> links;
    @ProblemFactCollectionProperty
    private List<TensorAnchor> anchors;
    @ProblemFactProperty
    private SegmentParameters parameters;
    @PlanningScore
    private HardMediumSoftLongScore score;

    /** For Timefold's cloning. */
    public SegmentationPlan() {
    }

    public SegmentationPlan(List<OperatorSlot> slots, List<TensorLink> links, List<TensorAnchor> anchors,
                            SegmentParameters parameters) {
        this.slots = slots;
        this.links = links;
        this.anchors = anchors;
        this.parameters = parameters;
    }

    /** Joining the previous segment first, so that a tie keeps operators fused. */
    @ValueRangeProvider(id = "cutValues")
    public List<Boolean> cutValues() {
        return CUT_VALUES;
    }

    public List<OperatorSlot> getSlots() {
        return slots;
    }

    public List<TensorLink> getLinks() {
        return links;
    }

    public List<TensorAnchor> getAnchors() {
        return anchors;
    }

    public SegmentParameters getParameters() {
        return parameters;
    }

    public HardMediumSoftLongScore getScore() {
        return score;
    }

    public void setScore(HardMediumSoftLongScore score) {
        this.score = score;
    }
}

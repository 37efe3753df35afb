package dev.sfd.segmentation.timefold;

import java.time.Duration;
import java.util.List;

import dev.sfd.segmentation.SegmentationModel;

/**
 * The Timefold segmenter's answer, in plain records.
 *
 * @param parts segments in execution order, each with its operators and their chosen options
 * @param evaluation the model's reference scoring of {@code parts}
 * @param score Timefold's score ({@code hard/medium/soft}: overflow bytes and backward flows / latency cycles /
 *              energy fJ), as text
 * @param feasible whether the plan is legal (zero hard score and the reference evaluation agrees)
 * @param solveTime wall time of the solve
 * @param status {@code "FEASIBLE"} or {@code "INFEASIBLE"}; never {@code "OPTIMAL"}: local search proves no
 *               bound, so a feasible plan is only the best one found within the limits
 * @param config the solver configuration used
 */
public record TimefoldSegmentation(List<SegmentationModel.Part> parts, SegmentationModel.Evaluation evaluation,
                                   String score, boolean feasible, Duration solveTime, String status,
                                   String config) {

    public TimefoldSegmentation {
        parts = List.copyOf(parts);
    }
}

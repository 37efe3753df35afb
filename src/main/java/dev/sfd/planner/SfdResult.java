package dev.sfd.planner;

import dev.sfd.schedule.Plan;
import dev.sfd.segmentation.SegmentAnalyzer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the SFD planner did besides the plan: the layer-by-layer plan it compared against, the segmenter runs,
 * the scheduler's repairs, whether it fell back to layer by layer, and time per stage.
 *
 * @param plan the plan to report (the layer-by-layer one when {@code fallback} is set)
 * @param layerwise the layer-by-layer plan made from the same mapper fronts
 * @param solverRequested the {@code --solver} choice
 * @param solverUsed the solver whose segmentation the plan starts from
 * @param solverStatus its status
 * @param solverGap its gap (NaN when unknown)
 * @param runs every segmenter run
 * @param modelSegments segments of the segmenter's answer (before repairs)
 * @param prediction the segmenter's figures for that answer (before repairs)
 * @param repairs segments the scheduler could not run as the segmenter said, and what was done
 * @param fallback why the layer-by-layer plan is reported instead, or empty
 * @param stageMillis wall time per stage (mapping, layerwise, segmentation, scheduling, analysis)
 * @param analyses the tile-level prediction ({@link SegmentAnalyzer}) of each segment of {@code plan}, in order
 *     (empty until {@link #withAnalyses} fills it)
 */
public record SfdResult(Plan plan, Plan layerwise, String solverRequested, String solverUsed, String solverStatus,
                        double solverGap, List<SolverRun> runs, int modelSegments, Prediction prediction,
                        List<Repair> repairs, String fallback, Map<String, Long> stageMillis,
                        List<SegmentAnalyzer.Analysis> analyses) {
    public SfdResult {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(layerwise, "layerwise");
        runs = List.copyOf(runs);
        Objects.requireNonNull(prediction, "prediction");
        repairs = List.copyOf(repairs);
        Objects.requireNonNull(fallback, "fallback");
        stageMillis = Collections.unmodifiableMap(new LinkedHashMap<>(stageMillis));
        analyses = List.copyOf(analyses);
        if (!analyses.isEmpty() && analyses.size() != plan.segments().size()) {
            throw new IllegalArgumentException("one analysis per segment: " + analyses.size() + " for "
                    + plan.segments().size());
        }
    }

    /**
     * What the segmenter said of the plan it returned, before any repair.
     *
     * @param latencyCycles its latency: the priced (tile-level) latency when the segmenter priced its segments,
     *     else the additive model's
     * @param additiveLatencyCycles the additive model's latency of the same plan
     * @param energyPj its energy (tile level when priced, else the additive model's)
     * @param dramBytes its DRAM bytes (tile level when priced, else the additive model's)
     * @param segments its segments' operators, in order
     * @param segmentCycles the predicted cycles of each of those segments
     * @param priced whether the figures are tile-level prices (the timeline engine) or the additive model's
     */
    public record Prediction(long latencyCycles, long additiveLatencyCycles, double energyPj, long dramBytes,
                             List<List<String>> segments, List<Long> segmentCycles, boolean priced) {
        public Prediction {
            segments = segments.stream().map(List::copyOf).toList();
            segmentCycles = List.copyOf(segmentCycles);
        }

        /** The predicted cycles of a segment with exactly these operators, when the segmenter returned it. */
        public java.util.Optional<Long> cyclesOf(List<String> operators) {
            int i = segments.indexOf(operators);
            return i < 0 ? java.util.Optional.empty() : java.util.Optional.of(segmentCycles.get(i));
        }
    }

    /**
     * One fused segment the scheduler had to change.
     *
     * @param operators the segment's operators
     * @param reason "infeasible: ..." (no tile order fits the buffer) or "slower: ..." than layer by layer
     * @param result the segments it became (operator counts)
     */
    public record Repair(List<String> operators, String reason, List<Integer> result) {
        public Repair {
            operators = List.copyOf(operators);
            result = List.copyOf(result);
        }
    }

    public boolean fellBack() {
        return !fallback.isEmpty();
    }

    /** This result with the layer-by-layer plan reported instead, for {@code why}. */
    public SfdResult withFallback(String why) {
        Plan relabelled = new Plan(layerwise.network(), layerwise.hardware(), plan.planner(), "LAYERWISE_FALLBACK",
                layerwise.mappings(), layerwise.segments());
        return new SfdResult(relabelled, layerwise, solverRequested, solverUsed, solverStatus, solverGap, runs,
                modelSegments, prediction, repairs, why, stageMillis, List.of());
    }

    /** This result with the analyses of its plan's segments, and the time they took as stage "analysis". */
    public SfdResult withAnalyses(List<SegmentAnalyzer.Analysis> perSegment, long millis) {
        Map<String, Long> stages = new LinkedHashMap<>(stageMillis);
        stages.put("analysis", millis);
        return new SfdResult(plan, layerwise, solverRequested, solverUsed, solverStatus, solverGap, runs,
                modelSegments, prediction, repairs, fallback, stages, perSegment);
    }

    /** Sum of the analysed segments' predicted cycles (0 when not analysed). */
    public long analysedCycles() {
        return analyses.stream().mapToLong(SegmentAnalyzer.Analysis::cycles).sum();
    }
}

package dev.sfd.segmentation.timefold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmentationModelBuilder;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

/**
 * The Timefold segmenter on a model built from a real zoo network (mapper fronts, window terms included), the
 * way {@link dev.sfd.segmentation.FusionPlanner} builds it: legal under the reference scoring, scored exactly
 * like it, and close to the exact DP.
 */
class TimefoldZooTest {

    @Test
    void resnet18OnEdgeIsLegalAndWithinTenPercentOfTheDp() {
        Network net = NetworkCatalog.resolve("resnet18");
        Hardware hw = HardwareCatalog.resolve("edge");
        SegmentationModel model = new SegmentationModelBuilder(net, hw)
                .build(NetworkMapper.map(new HeuristicMapper(), net, hw, 2)).model();

        Segmentation dp = new DpSegmenter().segment(model, SegmenterSettings.defaults());
        assertTrue(dp.feasible(), dp.evaluation().problem());
        TimefoldSegmentation tf = TimefoldSegmenter.solve(model, TimefoldSettings.fast()
                .withTimeLimit(Duration.ofSeconds(8)).withUnimprovedTimeLimit(Duration.ofSeconds(2)));

        SegmentationModel.Evaluation evaluation = model.evaluate(tf.parts());
        assertTrue(evaluation.legal(), evaluation.problem());
        assertTrue(tf.feasible(), tf.score());
        assertEquals(evaluation.latencyCycles(), -HardMediumSoftLongScore.parseScore(tf.score()).mediumScore());
        long dpLatency = dp.evaluation().latencyCycles();
        System.out.printf("resnet18/edge: Timefold %d cycles (%d segments) vs DP %d cycles (%d segments): %+.2f%%%n",
                evaluation.latencyCycles(), tf.parts().size(), dpLatency, dp.parts().size(),
                100.0 * (evaluation.latencyCycles() - dpLatency) / dpLatency);
        assertTrue(evaluation.latencyCycles() <= dpLatency * 1.10,
                "Timefold " + evaluation.latencyCycles() + " vs DP " + dpLatency);
    }
}

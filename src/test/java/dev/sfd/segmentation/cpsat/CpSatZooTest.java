package dev.sfd.segmentation.cpsat;

import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpSatZooTest {

    @Test
    void resnet18OnEdgeWithWarmStartIsLegalAndNoWorseThanDp() {
        FusionPlan p = new FusionPlanner().plan(NetworkCatalog.resolve("resnet18"), HardwareCatalog.resolve("edge"),
                SegmenterSettings.defaults());
        SegmentationModel m = p.input().model();
        SegmenterSettings settings = new SegmenterSettings(Objective.LATENCY, 8, 2, 7, 96);
        Segmentation dp = new DpSegmenter().segment(m, settings);
        Segmentation cp = new CpSatSegmenter(CpSatSegmenterSettings.DEFAULT).segment(m, settings);
        assertTrue(cp.feasible(), cp.evaluation().problem());
        assertNotEquals(Segmentation.Status.INFEASIBLE, cp.status());
        assertTrue(cp.evaluation().latencyCycles() <= dp.evaluation().latencyCycles(),
                cp.evaluation().latencyCycles() + " > DP " + dp.evaluation().latencyCycles());
        Set<Integer> seen = new HashSet<>();
        cp.parts().forEach(part -> part.operators().forEach(op -> assertTrue(seen.add(op), "operator " + op)));
        assertEquals(m.operators().size(), seen.size());
        for (SegmentationModel.PartCost c : cp.evaluation().parts()) {
            assertTrue(c.fits(m.capacityBytes()));
        }
    }
}

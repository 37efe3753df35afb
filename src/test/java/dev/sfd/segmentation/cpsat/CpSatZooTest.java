package dev.sfd.segmentation.cpsat;

import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CP-SAT on a real network's model without the DP's warm start: what it returns is legal, and what it claims holds.
 * Its space (every convex segmentation) contains the DP's (contiguous ones), so a proven optimum is no worse than
 * the DP's answer, and a reported gap is a bound the DP's answer must respect. Neither follows from a warm start:
 * cold, CP-SAT has to find and prove it.
 */
class CpSatZooTest {

    /** ResNet-18's stem and first two basic blocks at full resolution (resnet18.yaml, first 13 operators). */
    static final String RESNET18_HEAD = """
            format: sfd-network/1
            name: resnet18-head
            batch: 1
            inputs:
              - {name: image, shape: [1, 3, 224, 224]}
            outputs: [layer1.1.relu_out]
            operators:
              - {name: conv1, op: conv, inputs: [image], channels: 64, kernel: 7, stride: 2, padding: 3}
              - {name: relu, op: relu, inputs: [conv1]}
              - {name: maxpool, op: maxpool, inputs: [relu], kernel: 3, stride: 2, padding: 1}
              - {name: layer1.0.conv1, op: conv, inputs: [maxpool], channels: 64, kernel: 3, padding: 1}
              - {name: layer1.0.relu1, op: relu, inputs: [layer1.0.conv1]}
              - {name: layer1.0.conv2, op: conv, inputs: [layer1.0.relu1], channels: 64, kernel: 3, padding: 1}
              - {name: layer1.0.add, op: add, inputs: [layer1.0.conv2, maxpool]}
              - {name: layer1.0.relu_out, op: relu, inputs: [layer1.0.add]}
              - {name: layer1.1.conv1, op: conv, inputs: [layer1.0.relu_out], channels: 64, kernel: 3, padding: 1}
              - {name: layer1.1.relu1, op: relu, inputs: [layer1.1.conv1]}
              - {name: layer1.1.conv2, op: conv, inputs: [layer1.1.relu1], channels: 64, kernel: 3, padding: 1}
              - {name: layer1.1.add, op: add, inputs: [layer1.1.conv2, layer1.0.relu_out]}
              - {name: layer1.1.relu_out, op: relu, inputs: [layer1.1.add]}
            """;

    @Test
    void resnet18HeadOnEdgeColdStartIsLegalAndItsBoundHolds() {
        FusionPlan p = new FusionPlanner().plan(NetworkReader.parse("resnet18-head.yaml", RESNET18_HEAD, null),
                HardwareCatalog.resolve("edge"), SegmenterSettings.defaults());
        SegmentationModel m = p.input().model();
        SegmenterSettings settings = new SegmenterSettings(Objective.LATENCY, 20, 2, 7, 96);
        Segmentation dp = new DpSegmenter().segment(m, settings);
        Segmentation cp = new CpSatSegmenter(CpSatSegmenterSettings.DEFAULT.withWarmStart(false)).segment(m, settings);
        assertTrue(cp.feasible(), () -> "cold CP-SAT found nothing in 20 s: " + cp.evaluation().problem());
        Set<Integer> seen = new HashSet<>();
        cp.parts().forEach(part -> part.operators().forEach(op -> assertTrue(seen.add(op), "operator " + op)));
        assertEquals(m.operators().size(), seen.size());
        for (SegmentationModel.PartCost c : cp.evaluation().parts()) {
            assertTrue(c.fits(m.capacityBytes()));
        }
        double cpLatency = cp.evaluation().latencyCycles();
        double dpLatency = dp.evaluation().latencyCycles();
        System.out.printf("resnet18 head/edge cold CP-SAT: %s, latency %.0f (gap %.4f) vs DP %.0f%n", cp.status(), cpLatency,
                cp.gap(), dpLatency);
        if (cp.status() == Segmentation.Status.OPTIMAL) {
            assertTrue(cpLatency <= dpLatency, cpLatency + " > DP " + dpLatency + " although proven optimal");
        } else {
            assertTrue(Double.isFinite(cp.gap()), "a full-space run reports its gap");
            // the bound cpLatency * (1 - gap) is below every convex segmentation, the DP's included
            assertTrue(dpLatency >= cpLatency * (1 - cp.gap()) - 1e-6 * dpLatency, () -> "DP " + dpLatency
                    + " below CP-SAT's bound " + cpLatency * (1 - cp.gap()));
        }
    }
}

package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group-whole options {@link SegmentationModelBuilder} adds to grouped convolutions. Network: MobileNet-V2's
 * {@code features.2} head on {@code edge}, {@code x[1, 16, 112, 112]} -> 1x1 expand to 96 channels -> relu6 -> 3x3
 * depthwise, stride 2 (96 groups), mapped by the CP-SAT mapper as the planner maps it. Every point of the
 * depthwise layer's front walks one group per step today (alone the layer is DRAM-bound: more groups per tile save
 * nothing); fused after the expand, whose tiles hold all 96 channels, that walk issues a step, a weight load and a
 * store per group: 77,973 cycles at the segment's best option choice without the group-whole options, 52,430 with
 * them.
 */
class GroupWholeOptionsTest {
    static final Network NET = NetworkReader.parse("expand-depthwise.yaml", """
            format: sfd-network/1
            name: expand-depthwise
            batch: 1
            inputs:
              - {name: x, shape: [1, 16, 112, 112]}
            outputs: [dw]
            operators:
              - {name: expand, op: conv, inputs: [x], channels: 96, kernel: 1}
              - {name: act, op: relu6, inputs: [expand]}
              - {name: dw, op: conv, inputs: [act], channels: 96, kernel: 3, stride: 2, padding: 1, groups: 96}
            """, null);

    @Test
    void aDepthwiseConvolutionFusedAfterItsExpandWalksAllGroupsPerStep() {
        Hardware hw = HardwareCatalog.resolve("edge");
        SegmentationInput input = new SegmentationModelBuilder(NET, hw).build(
                NetworkMapper.map(new CpSatMapper(CpSatSettings.DEFAULT.withWorkers(1)), NET, hw, 1));
        int dw = NET.operators().indexOf(NET.operator("dw"));
        assertTrue(input.mappings().get(dw).stream().anyMatch(m -> m.tile(LoopDim.G) == 96),
                "no option walks all groups: " + input.mappings().get(dw));
        // the ungrouped operators get none
        for (int k = 0; k < NET.operators().size(); k++) {
            if (k != dw) {
                assertFalse(input.mappings().get(k).stream().anyMatch(m -> m.tile(LoopDim.G) > 1));
            }
        }
        // the fused segment at its best option choice (the relu6 on the option matched to the expand's), over the
        // depthwise options that walk all groups per step and over those that walk fewer: at least a fifth faster
        TilePricer pricer = new TilePricer(NET, new CostModel(hw), input, 10_000, 1);
        List<Integer> segment = List.of(0, 1, 2);
        double whole = Double.POSITIVE_INFINITY;
        double fewer = Double.POSITIVE_INFINITY;
        for (int o = 0; o < input.mappings().get(0).size(); o++) {
            int act = input.alignedOption(1, 0, o).orElseThrow();
            for (int d = 0; d < input.mappings().get(dw).size(); d++) {
                double price = pricer.price(segment, List.of(o, act, d));
                if (input.mappings().get(dw).get(d).tile(LoopDim.G) == 96) {
                    whole = Math.min(whole, price);
                } else {
                    fewer = Math.min(fewer, price);
                }
            }
        }
        assertTrue(whole <= 0.8 * fewer, whole + " cycles against " + fewer);
    }
}

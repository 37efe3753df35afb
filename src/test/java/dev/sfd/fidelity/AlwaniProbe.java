package dev.sfd.fidelity;

import dev.sfd.cost.Mapping;
import dev.sfd.segmentation.*;
import dev.sfd.workload.LoopDim;

public final class AlwaniProbe {
    public static void main(String[] a) {
        var net = AlwaniVggCase.network();
        var hw = AlwaniVggCase.hardware();
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults().withObjective(Objective.DRAM));
        System.out.println(p.segments());
        var in = p.input();
        for (int i = 0; i < in.operators().size(); i++) {
            var node = in.model().operators().get(i);
            for (int o = 0; o < node.options().size(); o++) {
                var m = in.mapping(i, o);
                System.out.println(node.name() + " " + node.options().get(o) + " " + m.map(x -> x.tile() + " " + x.outerOrder() + " db=" + x.doubleBuffered()).orElse(""));
            }
        }
        for (var t : in.model().tensors()) System.out.println(t.name() + " bytes " + t.bytes() + " held " + t.onChipBytes() + " prod " + t.producerWindowBytes() + " cons " + t.consumerWindowBytes());
    }
}

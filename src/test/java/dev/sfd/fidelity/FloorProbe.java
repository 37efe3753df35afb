package dev.sfd.fidelity;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.*;
import dev.sfd.segmentation.*;
import dev.sfd.workload.io.NetworkCatalog;

public final class FloorProbe {
    public static void main(String[] a) {
        var net = NetworkCatalog.resolve(a[0]);
        var hw = HardwareCatalog.resolve("edge");
        var nm = NetworkMapper.map(new HeuristicMapper(), net, hw, 2);
        var in = new SegmentationModelBuilder(net, hw).build(nm);
        var cm = new CostModel(hw);
        var lw = FusionPlanner.layerwise(in.model(), Objective.LATENCY);
        var parts = lw.parts();
        int k = 0;
        for (int i = 0; i < in.operators().size() && k < 400; i++) {
            var node = in.model().operators().get(i);
            for (int o = 0; o < node.options().size(); o++) {
                var m = in.mapping(i, o);
                if (m.isEmpty()) continue;
                var c = cm.evaluate(net, in.operators().get(i), m.get());
                if (node.options().get(o).computeCycles() > 2 * c.latencyCycles()) {
                    k++;
                    if (k < 15) System.out.println(node.name() + " opt " + o + " floor " + node.options().get(o).computeCycles() + " compute " + c.computeCycles() + " lat " + c.latencyCycles() + " tiles " + c.tiles() + " " + m.get());
                }
            }
        }
        System.out.println("layerwise model " + lw.latencyCycles());
    }
}

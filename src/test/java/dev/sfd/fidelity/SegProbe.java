package dev.sfd.fidelity;

import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.segmentation.*;
import dev.sfd.workload.io.NetworkCatalog;

public final class SegProbe {
    public static void main(String[] a) {
        var net = NetworkCatalog.resolve(a[0]);
        var hw = HardwareCatalog.resolve("edge");
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
        int s = Integer.parseInt(a[1]);
        System.out.println(p.segmentation().evaluation().parts().get(s));
        var part = p.segmentation().parts().get(s);
        for (int k = 0; k < part.operators().size(); k++) {
            int op = part.operators().get(k);
            System.out.println(p.input().model().operators().get(op).name() + " " + p.input().model().operators().get(op).options().get(part.choices().get(k)) + " " + p.input().mapping(op, part.choices().get(k)).orElse(null));
        }
    }
}

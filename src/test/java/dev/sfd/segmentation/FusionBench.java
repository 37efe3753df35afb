package dev.sfd.segmentation;

import dev.sfd.cost.LowerBounds;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

import java.util.Locale;

/**
 * Records the SFD planner's model figures for benchmarks/README.md:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.sfd.segmentation.FusionBench edge,cloud}.
 */
public final class FusionBench {
    private FusionBench() {
    }

    public static void main(String[] args) {
        String[] hws = args.length > 0 ? args[0].split(",") : new String[] {"edge", "cloud"};
        String[] nets = args.length > 1 ? args[1].split(",") : NetworkCatalog.ZOO.toArray(new String[0]);
        System.out.println("| network | hw | ops | segments | longest | latency / bound | speedup vs layerwise (model) "
                + "| DRAM / compulsory | solver | status | wall s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (String hwName : hws) {
            Hardware hw = HardwareCatalog.resolve(hwName);
            for (String netName : nets) {
                Network net = NetworkCatalog.resolve(netName);
                long t0 = System.nanoTime();
                FusionPlan p;
                try {
                    p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
                } catch (RuntimeException e) {
                    System.out.printf("| %s | %s | failed: %s |%n", netName, hwName, e.getMessage());
                    continue;
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                LowerBounds.LowerBound lb = LowerBounds.of(net, hw);
                SegmentationModel.Evaluation e = p.segmentation().evaluation();
                int longest = p.segments().stream().mapToInt(java.util.List::size).max().orElse(0);
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %.2f | %.2fx | %.2f | %s | %s | %.1f |%n",
                        netName, hwName, net.operators().size(), p.segments().size(), longest,
                        (double) e.latencyCycles() / lb.latencyCycles(),
                        (double) p.layerwise().latencyCycles() / e.latencyCycles(),
                        (double) e.dramBytes() / lb.compulsoryBytes(), p.segmentation().solver(),
                        p.segmentation().status(), wall);
            }
        }
        alwani();
    }

    /** The fused-layer CNN case: feature-map DRAM bytes, layer by layer vs fused. */
    static void alwani() {
        Network net = AlwaniVggCase.network();
        Hardware hw = AlwaniVggCase.hardware();
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults().withObjective(Objective.DRAM));
        SegmentationModel m = p.input().model();
        long fusedFm = featureMapBytes(m, p.segmentation());
        SegmentationModel.Evaluation lw = FusionPlanner.layerwise(m, Objective.DRAM);
        long lwFm = lw.dramBytes() - weightBytes(m, FusionPlanner.singletons(m, Objective.DRAM));
        System.out.printf(Locale.ROOT, "Alwani VGG-19 conv1_1..conv3_1, 362 KB, 32-bit: feature-map DRAM bytes "
                        + "layer-by-layer %.1f MB, fused %.1f MB in %d segments %s (paper: 77 MB -> 3.6 MB)%n",
                lwFm / 1e6, fusedFm / 1e6, p.segments().size(), p.segments());
    }

    static long featureMapBytes(SegmentationModel m, Segmentation s) {
        return s.evaluation().dramBytes() - weightBytes(m, s.parts());
    }

    static long weightBytes(SegmentationModel m, java.util.List<SegmentationModel.Part> parts) {
        long w = 0;
        for (SegmentationModel.Part p : parts) {
            for (int k = 0; k < p.operators().size(); k++) {
                w += m.operators().get(p.operators().get(k)).options().get(p.choices().get(k)).weightDramBytes();
            }
        }
        return w;
    }
}

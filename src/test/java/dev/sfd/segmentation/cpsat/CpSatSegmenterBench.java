package dev.sfd.segmentation.cpsat;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.segmentation.FusionPlan;
import dev.sfd.segmentation.FusionPlanner;
import dev.sfd.segmentation.Objective;
import dev.sfd.segmentation.Segmentation;
import dev.sfd.segmentation.SegmentationModel;
import dev.sfd.segmentation.SegmenterSettings;
import dev.sfd.segmentation.dp.DpSegmenter;
import dev.sfd.workload.io.NetworkCatalog;

import java.util.Locale;

/**
 * CP-SAT vs DP on zoo models for benchmarks/README.md:
 * {@code java -cp target/classes:target/test-classes:<deps> dev.sfd.segmentation.cpsat.CpSatSegmenterBench
 * edge resnet18,mobilenet_v2 30}.
 */
public final class CpSatSegmenterBench {
    private CpSatSegmenterBench() {
    }

    public static void main(String[] args) {
        String hwName = args.length > 0 ? args[0] : "edge";
        String[] nets = args.length > 1 ? args[1].split(",") : new String[] {"resnet18", "mobilenet_v2"};
        double limit = args.length > 2 ? Double.parseDouble(args[2]) : 30;
        Hardware hw = HardwareCatalog.resolve(hwName);
        CpSatSegmenterSettings file = CpSatSegmenterSettings.read(CpSatSegmenterSettings.DEFAULT_FILE);
        SegmenterSettings settings = new SegmenterSettings(Objective.LATENCY, limit, 2, 7, 96);
        System.out.println("| network | ops | solver | model | latency (cycles) | vs DP | segments | status | gap "
                + "| wall s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String netName : nets) {
            FusionPlan p = new FusionPlanner().plan(NetworkCatalog.resolve(netName), hw, SegmenterSettings.defaults());
            SegmentationModel m = p.input().model();
            int n = m.operators().size();
            Segmentation dp = new DpSegmenter().segment(m, settings);
            row(netName, n, "dp", "contiguous", dp, dp);
            row(netName, n, "cpsat", "banded (band " + file.band() + ")",
                    new CpSatSegmenter(file.withFullModelMaxOperators(0)).segment(m, settings), dp);
            row(netName, n, "cpsat", "full",
                    new CpSatSegmenter(file.withFullModelMaxOperators(Integer.MAX_VALUE)).segment(m, settings), dp);
        }
    }

    private static void row(String net, int n, String solver, String model, Segmentation s, Segmentation dp) {
        System.out.printf(Locale.ROOT, "| %s | %d | %s | %s | %,d | %.4f | %d | %s | %s | %.1f |%n", net, n, solver,
                model, s.evaluation().latencyCycles(),
                (double) s.evaluation().latencyCycles() / dp.evaluation().latencyCycles(), s.parts().size(),
                s.status(), Double.isNaN(s.gap()) ? "—" : String.format(Locale.ROOT, "%.4f", s.gap()),
                s.wallMillis() / 1000.0);
    }
}

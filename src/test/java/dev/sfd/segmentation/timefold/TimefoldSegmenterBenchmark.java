package dev.sfd.segmentation.timefold;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import dev.sfd.segmentation.SegmentationModel;

/**
 * Score vs. time of the fast and thorough configs on synthetic transformer stacks (the figures in
 * benchmarks/README.md, section "Timefold segmenter"). Arguments: layer counts (default 12 78 156).
 */
public final class TimefoldSegmenterBenchmark {
    private TimefoldSegmenterBenchmark() {
    }

    public static void main(String[] args) {
        int[] layers = args.length == 0 ? new int[] {12, 78, 156}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("| layers | operators | config | status | latency (cycles) | vs. all-alone | energy (uJ) | segments | solve (s) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int l : layers) {
            SegmentationModel model = SyntheticModels.transformer(l, 2026);
            List<SegmentationModel.Part> alone = IntStream.range(0, model.operators().size())
                    .mapToObj(i -> new SegmentationModel.Part(List.of(i), List.of(0))).toList();
            long aloneLatency = model.evaluate(alone).latencyCycles();
            for (String config : List.of("fast", "thorough")) {
                TimefoldSegmentation r = TimefoldSegmenter.solve(model, TimefoldSettings.of(config), Optional.empty());
                System.out.printf("| %d | %d | %s | %s | %,d | %.3f | %.1f | %d | %.1f |%n", l,
                        model.operators().size(), config, r.status(), r.evaluation().latencyCycles(),
                        (double) r.evaluation().latencyCycles() / aloneLatency, r.evaluation().energyPj() / 1e6,
                        r.parts().size(), r.solveTime().toMillis() / 1000.0);
            }
        }
    }
}

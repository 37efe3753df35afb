package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TilePricer#structureKey}: segments with the same key get the same analysis when each is walked on its own
 * (so sharing one is exact), the pricer returns exactly that analysis, and the key does share segments of repeated
 * blocks, transformer layers with their layout views included.
 */
class TilePricerStructureTest {
    private static final Hardware EDGE = HardwareCatalog.resolve("edge");

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "bert_base", "gpt2_small"})
    void segmentsWithOneKeyHaveOneAnalysis(String name) {
        Network net = NetworkCatalog.resolve(name);
        CostModel cost = new CostModel(EDGE);
        SegmentationInput input = new SegmentationModelBuilder(net, EDGE)
                .build(NetworkMapper.map(new HeuristicMapper(), net, EDGE, 2));
        TilePricer pricer = new TilePricer(net, cost, input, 20_000, 1);
        SegmentAnalyzer analyzer = new SegmentAnalyzer(new TileWalk(net, cost));
        int n = Math.min(input.operators().size(), 60);
        Random random = new Random(11);
        Map<List<Object>, SegmentAnalyzer.Analysis> byKey = new HashMap<>();
        int shared = 0;
        int sharedThroughViews = 0;
        // every segment of up to 3 operators, in two option variants; then longer ones (up to 12), one per start,
        // which reach a transformer's matmuls through the layout views between them
        for (int len = 1; len <= 4; len++) {
            for (int i = 0; i + Math.min(len, 3) <= n; i++) {
                for (int variant = 0; variant < (len <= 3 ? 2 : 1); variant++) {
                    int size = len <= 3 ? len : 4 + random.nextInt(9);
                    if (i + size > n) {
                        continue;
                    }
                    List<Integer> ops = new ArrayList<>();
                    List<Integer> choices = new ArrayList<>();
                    for (int k = i; k < i + size; k++) {
                        ops.add(k);
                        choices.add(variant == 0 ? 0 : smallWalkOption(net, cost, input, k, random));
                    }
                    List<Object> key = pricer.structureKey(ops, choices);
                    assertTrue(key != null, "no key for segment " + ops);
                    Optional<SegmentAnalyzer.Analysis> priced = pricer.analysis(ops, choices);
                    if (priced.isEmpty()) {
                        continue; // beyond the pricer's event limit
                    }
                    SegmentAnalyzer.Analysis alone = analyze(analyzer, input, ops, choices);
                    assertEquals(alone, priced.get(), "pricer on segment " + ops + " options " + choices);
                    SegmentAnalyzer.Analysis first = byKey.putIfAbsent(key, alone);
                    if (first != null) {
                        shared++;
                        sharedThroughViews += touchesView(net, input, ops) ? 1 : 0;
                        assertEquals(first, alone, "segment " + ops + " options " + choices);
                    }
                }
            }
        }
        assertTrue(shared > 10, "only " + shared + " segments shared a key");
        assertTrue(pricer.shared() > 0);
        if (!name.equals("resnet18")) {
            assertTrue(sharedThroughViews > 10,
                    "only " + sharedThroughViews + " segments touching a view shared a key");
        }
    }

    /**
     * The pricer's work counts each distinct walk once: asking again, or for a structurally identical segment, adds
     * nothing, and the total does not depend on the order the prices were asked in nor on the workers.
     */
    @org.junit.jupiter.api.Test
    void workCountsEachWalkOnceWhateverTheOrder() {
        Network net = NetworkCatalog.resolve("bert_base");
        CostModel cost = new CostModel(EDGE);
        SegmentationInput input = new SegmentationModelBuilder(net, EDGE)
                .build(NetworkMapper.map(new HeuristicMapper(), net, EDGE, 2));
        List<List<Integer>> segments = new ArrayList<>();
        List<List<Integer>> choices = new ArrayList<>();
        for (int i = 0; i + 2 <= Math.min(input.operators().size(), 80); i++) {
            segments.add(List.of(i, i + 1));
            choices.add(List.of(0, 0));
        }
        TilePricer inOrder = new TilePricer(net, cost, input, 20_000, 1);
        for (int k = 0; k < segments.size(); k++) {
            inOrder.price(segments.get(k), choices.get(k));
        }
        long once = inOrder.work();
        for (int k = 0; k < segments.size(); k++) {
            inOrder.price(segments.get(k), choices.get(k));
        }
        assertEquals(once, inOrder.work(), "asking again counted again");
        assertTrue(inOrder.shared() > 0, "no structurally identical segment among them");
        long walked = 0;
        for (int k = 0; k < segments.size(); k++) {
            walked += Math.max(1, inOrder.analysis(segments.get(k), choices.get(k)).orElseThrow().tasks());
        }
        assertTrue(once < walked, "shared walks counted again: " + once + " of " + walked);
        List<List<Integer>> reversed = new ArrayList<>(segments);
        java.util.Collections.reverse(reversed);
        TilePricer twoWorkers = new TilePricer(net, cost, input, 20_000, 2);
        twoWorkers.priceAll(reversed, choices);
        assertEquals(once, twoWorkers.work());
    }

    /** Whether the segment holds a layout view or one of its operators reads a view's output. */
    private static boolean touchesView(Network net, SegmentationInput input, List<Integer> ops) {
        for (int k : ops) {
            dev.sfd.workload.Operator op = input.operators().get(k);
            if (net.loopNest(op.name()).isEmpty()) {
                return true;
            }
            for (String in : op.inputs()) {
                if (net.producer(in).filter(p -> net.loopNest(p.name()).isEmpty()).isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A random option of operator k whose walk is small (few tiles), else option 0. */
    private static int smallWalkOption(Network net, CostModel cost, SegmentationInput input, int k, Random random) {
        List<Integer> small = new ArrayList<>();
        int options = input.model().operators().get(k).options().size();
        for (int o = 0; o < options; o++) {
            Optional<Mapping> m = input.mapping(k, o);
            if (m.isPresent() && cost.evaluate(net, input.operators().get(k), m.get()).tiles() <= 2_000) {
                small.add(o);
            }
        }
        return small.isEmpty() ? 0 : small.get(random.nextInt(small.size()));
    }

    private static SegmentAnalyzer.Analysis analyze(SegmentAnalyzer analyzer, SegmentationInput input,
                                                    List<Integer> ops, List<Integer> choices) {
        List<String> names = new ArrayList<>();
        Map<String, Mapping> mappings = new HashMap<>();
        for (int k = 0; k < ops.size(); k++) {
            names.add(input.operators().get(ops.get(k)).name());
            input.mapping(ops.get(k), choices.get(k)).ifPresent(m -> mappings.put(m.operator(), m));
        }
        return analyzer.analyze(0, names, mappings);
    }
}

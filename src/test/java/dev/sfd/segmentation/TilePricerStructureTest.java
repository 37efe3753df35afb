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
 * blocks.
 */
class TilePricerStructureTest {
    private static final Hardware EDGE = HardwareCatalog.resolve("edge");

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "bert_base"})
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
        int views = 0;
        for (int len = 1; len <= 3; len++) {
            for (int i = 0; i + len <= n; i++) {
                for (int variant = 0; variant < 2; variant++) {
                    List<Integer> ops = new ArrayList<>();
                    List<Integer> choices = new ArrayList<>();
                    for (int k = i; k < i + len; k++) {
                        ops.add(k);
                        choices.add(variant == 0 ? 0 : smallWalkOption(net, cost, input, k, random));
                    }
                    List<Object> key = pricer.structureKey(ops, choices);
                    if (key == null) {
                        views++;
                        continue;
                    }
                    Optional<SegmentAnalyzer.Analysis> priced = pricer.analysis(ops, choices);
                    if (priced.isEmpty()) {
                        continue; // beyond the pricer's event limit
                    }
                    SegmentAnalyzer.Analysis alone = analyze(analyzer, input, ops, choices);
                    assertEquals(alone, priced.get(), "pricer on segment " + ops + " options " + choices);
                    SegmentAnalyzer.Analysis first = byKey.putIfAbsent(key, alone);
                    if (first != null) {
                        shared++;
                        assertEquals(first, alone, "segment " + ops + " options " + choices);
                    }
                }
            }
        }
        assertTrue(shared > 10, "only " + shared + " segments shared a key");
        assertTrue(pricer.shared() > 0);
        if (name.equals("bert_base")) {
            assertTrue(views > 0, "no segment touching a view");
        }
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

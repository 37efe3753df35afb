package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The options {@link SegmentationModelBuilder} adds to elementwise operators (softmax and normalisations included),
 * matched to each option of a producer: the first output tile of the matched option is the producer option's first
 * output tile, widened to the axes the operator needs whole (computed here from the loop nests' regions, not from the
 * builder's tile arithmetic), every producer option that fits has one, and
 * {@link SegmentationInput#alignedChoices} moves the consumer onto it.
 */
class MatchedOptionsTest {
    private static final Set<OpKind> KINDS = EnumSet.of(OpKind.ELEMENTWISE, OpKind.SOFTMAX, OpKind.LAYERNORM,
            OpKind.BATCHNORM);

    @ParameterizedTest
    @CsvSource({"resnet18,edge", "mobilenet_v2,edge", "gpt2_small,edge", "resnet50,cloud"})
    void elementwiseConsumersWalkTheirProducersTiles(String network, String hardware) {
        Network net = NetworkCatalog.resolve(network);
        Hardware hw = HardwareCatalog.resolve(hardware);
        SegmentationInput input = new SegmentationModelBuilder(net, hw)
                .build(NetworkMapper.map(new HeuristicMapper(), net, hw, 2));
        CostModel cost = new CostModel(hw);
        long capacity = hw.globalBuffer().capacityBytes();
        int pairs = 0;
        int matched = 0;
        for (int k = 0; k < input.operators().size(); k++) {
            Operator op = input.operators().get(k);
            if (!KINDS.contains(op.kind())) {
                continue;
            }
            for (String in : op.inputs()) {
                Optional<Operator> producer = net.producer(in);
                if (producer.isEmpty() || net.loopNest(producer.get().name()).isEmpty()
                        || !net.tensor(in).shape().equals(net.tensor(op.output()).shape())) {
                    continue;
                }
                int p = input.operators().indexOf(producer.get());
                for (int o = 0; o < input.mappings().get(p).size(); o++) {
                    Mapping pm = input.mappings().get(p).get(o);
                    Integer match = input.matches().get(List.of(k, p, o));
                    pairs++;
                    if (match == null) {
                        continue;
                    }
                    matched++;
                    Mapping cm = input.mappings().get(k).get(match);
                    assertEquals(widened(net, op, firstOutputTile(net, producer.get(), pm)),
                            firstOutputTile(net, op, cm),
                            network + ": " + op.name() + " option " + match + " against " + producer.get().name()
                                    + " option " + o);
                    assertTrue(cost.evaluate(net, op, cm).footprintBytes() <= capacity);
                    List<Integer> aligned = input.alignedChoices(List.of(p, k), List.of(o, 0));
                    assertEquals(List.of(o, match), aligned);
                }
            }
        }
        assertTrue(pairs > 0, network + " has no elementwise consumer of a compute operator");
        // a matched option is left out only when it overflows the buffer; that is rare on these presets
        assertTrue(matched >= 0.9 * pairs, network + ": " + matched + " of " + pairs + " producer options matched");
    }

    /** A region of the operator's output with every axis that the operator's loop nest needs whole made whole. */
    private static Box widened(Network net, Operator op, Box region) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        List<Integer> shape = net.tensor(op.output()).shape();
        Box out = region;
        for (int a = 0; a < shape.size(); a++) {
            for (LoopDim d : nest.outputAxes().get(a)) {
                if (nest.wholeDims().contains(d)) {
                    out = out.withAxis(a, 0, shape.get(a));
                }
            }
        }
        return out;
    }

    /** The output region of an operator's first tile (every loop at its first tile, reductions whole). */
    private static Box firstOutputTile(Network net, Operator op, Mapping m) {
        LoopNest nest = net.loopNest(op.name()).orElseThrow();
        Map<LoopDim, AxisExpr.Range> loops = new EnumMap<>(nest.fullRanges());
        for (LoopDim d : LoopDim.values()) {
            int bound = nest.bound(d);
            loops.put(d, new AxisExpr.Range(0, Math.min(bound, m.tile(d)), bound));
        }
        return nest.region(nest.output(), net.tensor(op.output()).shape(), loops);
    }
}

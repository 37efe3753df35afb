package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SegmentPricer#lowerBound} holds for the real pricer: the priced DP calls a path optimal when no other path's
 * bounds (or, for segments it has not looked at, floors below those bounds) sum below it, so a tile-level price
 * under the bound of its own segment would make that claim false. Random contiguous segments of zoo networks, with
 * random option choices, priced by {@link TilePricer}, against the bound of the model's DRAM bytes for the same part;
 * and the DRAM bytes and energy of their walks against the bounds of the DRAM and energy objectives' prices.
 */
class PricerBoundTest {
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"resnet18, edge", "resnet18, soma-edge", "resnet50, cloud", "mobilenet_v2, edge", "vgg16, soma-edge",
        "bert_base, soma-edge", "gpt2_small, cloud", "vit_b16, edge"})
    void noPriceIsBelowItsBound(String network, String hardware) {
        Hardware hw = HardwareCatalog.resolve(hardware);
        Network net = NetworkCatalog.resolve(network);
        CostModel cost = new CostModel(hw);
        SegmentationInput input = new SegmentationModelBuilder(net, hw)
                .build(NetworkMapper.map(new HeuristicMapper(), net, hw, 2));
        SegmentationModel model = input.model();
        TilePricer pricer = new TilePricer(net, cost, input, 6_000, 2);
        int n = model.operators().size();
        Random random = new Random(network.hashCode() * 31L + hardware.hashCode());
        int priced = 0;
        int tight = 0;
        int exactDram = 0;
        double worstEnergy = 0;
        for (int trial = 0; trial < 100; trial++) {
            int len = 1 + random.nextInt(Math.min(8, n));
            int i = random.nextInt(n - len + 1);
            List<Integer> ops = new ArrayList<>();
            List<Integer> choices = new ArrayList<>();
            for (int k = i; k < i + len; k++) {
                ops.add(k);
                choices.add(random.nextInt(3) == 0 ? 0 : smallWalkOption(net, cost, input, k, random));
            }
            double price = pricer.price(ops, choices);
            if (Double.isInfinite(price)) {
                continue; // beyond the pricer's event limit or the buffer: no price to bound
            }
            priced++;
            long dram = leastDramBytes(model, pricer, ops, choices);
            double bound = SegmentPricer.lowerBound(model, ops, choices, dram);
            assertTrue(price >= bound, network + " on " + hardware + ": segment " + ops + " options " + choices
                    + " priced " + price + " below its bound " + bound + " (model DRAM bytes " + dram + ")");
            if (price <= 1.2 * bound) {
                tight++;
            }
            // the DRAM objective's bound is those bytes themselves; the energy objective's, the operators' fixed
            // energy and those bytes' least energy
            SegmentAnalyzer.Analysis a = pricer.analysis(ops, choices).orElseThrow();
            assertTrue(a.dramBytes() >= dram, network + " on " + hardware + ": segment " + ops + " options " + choices
                    + " moves " + a.dramBytes() + " DRAM bytes, below its bound " + dram);
            if (a.dramBytes() == dram) {
                exactDram++;
            }
            double fixed = 0;
            for (int op : ops) {
                fixed += pricer.fixedEnergyPj(model, op);
            }
            double energyBound = fixed + dram * pricer.leastPjPerDramByte();
            // the walk and the bound add the same figures in another order: a relative 1e-12 of rounding
            assertTrue(a.energyPj() >= energyBound * (1 - 1e-12), network + " on " + hardware + ": segment " + ops
                    + " options " + choices + " spends " + a.energyPj() + " pJ, below its bound " + energyBound);
            if (a.energyPj() > 0) { // layout views alone spend nothing
                worstEnergy = Math.max(worstEnergy, energyBound / a.energyPj());
            }
        }
        System.out.printf("%s on %s: energy bound up to %.3f of a walk's energy%n", network, hardware, worstEnergy);
        assertTrue(worstEnergy > 0.5, "the energy bound is below half of every walk's energy: it says little");
        assertTrue(priced >= 25, "only " + priced + " of 100 segments priced");
        assertTrue(tight > 0, "no price within 1.2x of its bound: the check says little");
        assertTrue(exactDram > 0, "no segment moves exactly its least DRAM bytes: the DRAM check says little");
    }

    /** A random option of operator k whose walk is small (few tiles), else option 0. */
    private static int smallWalkOption(Network net, CostModel cost, SegmentationInput input, int k, Random random) {
        List<Integer> small = new ArrayList<>();
        int options = input.model().operators().get(k).options().size();
        for (int o = 0; o < options; o++) {
            java.util.Optional<dev.sfd.cost.Mapping> m = input.mapping(k, o);
            if (m.isPresent() && cost.evaluate(net, input.operators().get(k), m.get()).tiles() <= 1_500) {
                small.add(o);
            }
        }
        return small.isEmpty() ? 0 : small.get(random.nextInt(small.size()));
    }

    /**
     * The least DRAM bytes of segment [ops] with {@code choices} as the priced DP counts them: its options' weights,
     * each tensor stored when it leaves the segment and loaded, for its most demanding consumer inside, when it
     * comes in (the pricer's {@link SegmentPricer#leastStoreBytes} and {@link SegmentPricer#leastLoadBytes}).
     */
    private static long leastDramBytes(SegmentationModel model, SegmentPricer pricer, List<Integer> ops,
                                       List<Integer> choices) {
        long bytes = 0;
        for (int k = 0; k < ops.size(); k++) {
            bytes += model.operators().get(ops.get(k)).options().get(choices.get(k)).weightDramBytes();
        }
        for (int t = 0; t < model.tensors().size(); t++) {
            SegmentationModel.TensorEdge e = model.tensors().get(t);
            if (ops.contains(e.producer())) {
                if (e.networkOutput() || !ops.containsAll(e.consumers())) {
                    bytes += pricer.leastStoreBytes(model, t);
                }
                continue;
            }
            long load = 0;
            for (int c : e.consumers()) {
                if (ops.contains(c)) {
                    load = Math.max(load, pricer.leastLoadBytes(model, t, c));
                }
            }
            bytes += load;
        }
        return bytes;
    }
}

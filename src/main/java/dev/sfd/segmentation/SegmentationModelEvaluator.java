package dev.sfd.segmentation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The reference scoring of {@link SegmentationModel}: straightforward, used by every solver's tests. */
final class SegmentationModelEvaluator {
    private SegmentationModelEvaluator() {
    }

    static SegmentationModel.Evaluation evaluate(SegmentationModel m, List<SegmentationModel.Part> parts) {
        int n = m.operators().size();
        int[] segmentOf = new int[n];
        int[] choice = new int[n];
        Arrays.fill(segmentOf, -1);
        String problem = null;
        for (int s = 0; s < parts.size(); s++) {
            SegmentationModel.Part p = parts.get(s);
            for (int i = 0; i < p.operators().size(); i++) {
                int op = p.operators().get(i);
                if (op < 0 || op >= n) {
                    return illegal("operator index " + op + " out of range");
                }
                if (segmentOf[op] >= 0) {
                    return illegal("operator " + m.operators().get(op).name() + " is in two segments");
                }
                segmentOf[op] = s;
                int c = p.choices().get(i);
                if (c < 0 || c >= m.operators().get(op).options().size()) {
                    return illegal("operator " + m.operators().get(op).name() + " has no option " + c);
                }
                choice[op] = c;
            }
        }
        for (int op = 0; op < n; op++) {
            if (segmentOf[op] < 0) {
                return illegal("operator " + m.operators().get(op).name() + " is in no segment");
            }
        }
        long[] buffer = new long[parts.size()];
        long[] compute = new long[parts.size()];
        long[] dram = new long[parts.size()];
        double[] energy = new double[parts.size()];
        for (int op = 0; op < n; op++) {
            SegmentationModel.Option o = m.operators().get(op).options().get(choice[op]);
            int s = segmentOf[op];
            buffer[s] += o.bufferBytes();
            compute[s] += o.computeCycles();
            dram[s] += o.weightDramBytes();
            energy[s] += o.computeEnergyPj();
        }
        for (SegmentationModel.TensorEdge t : m.tensors()) {
            int ps = t.producer() < 0 ? -1 : segmentOf[t.producer()];
            Set<Integer> consumerSegments = new HashSet<>();
            for (int c : t.consumers()) {
                int cs = segmentOf[c];
                if (ps >= 0 && cs < ps) {
                    problem = "tensor " + t.name() + " flows from segment " + ps + " back to segment " + cs;
                }
                consumerSegments.add(cs);
            }
            boolean leaves = t.networkOutput();
            for (int cs : consumerSegments) {
                if (cs != ps) {
                    leaves = true;
                    dram[cs] += t.bytes();
                }
            }
            if (ps >= 0) {
                if (leaves) {
                    dram[ps] += t.bytes();
                }
                if (consumerSegments.contains(ps)) {
                    buffer[ps] += t.onChipBytes() + t.producerWindowBytes(choice[t.producer()]);
                    for (int i = 0; i < t.consumers().size(); i++) {
                        int c = t.consumers().get(i);
                        if (segmentOf[c] == ps) {
                            buffer[ps] += t.consumerWindowBytes(i, choice[c]);
                        }
                    }
                }
            }
        }
        if (problem != null) {
            return illegal(problem);
        }
        List<SegmentationModel.PartCost> costs = new ArrayList<>();
        long latency = 0;
        long dramTotal = 0;
        double energyTotal = 0;
        boolean fits = true;
        for (int s = 0; s < parts.size(); s++) {
            long memoryCycles = (long) Math.ceil(dram[s] / m.dramBytesPerCycle());
            long l = Math.max(compute[s], memoryCycles) + m.segmentOverheadCycles();
            double e = energy[s] + dram[s] * m.dramEnergyPjPerByte();
            costs.add(new SegmentationModel.PartCost(buffer[s], compute[s], dram[s], l, e));
            latency += l;
            dramTotal += dram[s];
            energyTotal += e;
            if (buffer[s] > m.capacityBytes()) {
                fits = false;
                problem = "segment " + s + " needs " + buffer[s] + " bytes > capacity " + m.capacityBytes();
            }
        }
        return new SegmentationModel.Evaluation(costs, latency, dramTotal, energyTotal, fits, problem);
    }

    private static SegmentationModel.Evaluation illegal(String why) {
        return new SegmentationModel.Evaluation(List.of(), Long.MAX_VALUE, Long.MAX_VALUE, Double.MAX_VALUE, false, why);
    }
}

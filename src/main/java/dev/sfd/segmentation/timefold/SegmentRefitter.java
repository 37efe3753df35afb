package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.List;

import dev.sfd.segmentation.SegmentationModel;

/**
 * Re-chooses the mapping options of one contiguous segment: start from every operator's smallest buffer, then
 * keep applying the single option change that lowers the segment's (latency, energy) most while it still fits.
 * Used by {@link RefitMoveIteratorFactory} so that a merge comes with the option downgrades that make it fit and
 * a split with the upgrades its freed buffer allows — one move instead of a hard-score wall.
 */
final class SegmentRefitter {

    static final int EXHAUSTIVE_LIMIT = 256;

    private final List<OperatorSlot> slots;
    private final SegmentParameters parameters;
    private final List<List<TensorLink>> linksFrom;
    private final List<List<TensorLink>> linksTo;
    private final long[] anchoredBytes;

    SegmentRefitter(SegmentationPlan plan) {
        this.slots = plan.getSlots();
        this.parameters = plan.getParameters();
        int n = slots.size();
        linksFrom = new ArrayList<>(n);
        linksTo = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            linksFrom.add(new ArrayList<>());
            linksTo.add(new ArrayList<>());
        }
        for (TensorLink link : plan.getLinks()) {
            linksFrom.get(link.fromPosition()).add(link);
            linksTo.get(link.toPosition()).add(link);
        }
        anchoredBytes = new long[n];
        for (TensorAnchor anchor : plan.getAnchors()) {
            anchoredBytes[anchor.position()] += anchor.bytes();
        }
    }

    /** A segment's refitted options and figures; {@code fits} false when even the smallest options overflow. */
    record Fit(int[] choice, long latencyCycles, double energyPj, boolean fits) {
    }

    /** Options for the operators at positions {@code first..last}, as one segment. */
    int[] refit(int first, int last) {
        return fit(first, last).choice();
    }

    /**
     * Best options for positions {@code first..last} as one segment: exhaustive when the segment has at most
     * {@value #EXHAUSTIVE_LIMIT} option combinations, greedy otherwise.
     */
    Fit fit(int first, int last) {
        long fixedDram = 0;
        long onChip = 0;
        for (int p = first; p <= last; p++) {
            fixedDram += anchoredBytes[p];
            for (TensorLink link : linksFrom.get(p)) {
                boolean inside = link.toPosition() >= first && link.toPosition() <= last;
                if (link.kind() == TensorLink.Kind.STORE && !inside) {
                    fixedDram += link.bytes();
                } else if (link.kind() == TensorLink.Kind.ON_CHIP && inside) {
                    onChip += link.bytes();
                }
            }
            for (TensorLink link : linksTo.get(p)) {
                if (link.kind() == TensorLink.Kind.LOAD && link.fromPosition() < first) {
                    fixedDram += link.bytes();
                }
            }
        }
        int length = last - first + 1;
        long[][] bufferOf = optionBuffers(first, last);
        int[] choice = new int[length];
        long buffer = onChip;
        long compute = 0;
        long dram = fixedDram;
        double energy = 0;
        for (int k = 0; k < length; k++) {
            List<SegmentationModel.Option> options = slots.get(first + k).getOptions();
            for (int o = 1; o < options.size(); o++) {
                if (bufferOf[k][o] < bufferOf[k][choice[k]]) {
                    choice[k] = o;
                }
            }
            SegmentationModel.Option o = options.get(choice[k]);
            buffer += bufferOf[k][choice[k]];
            compute += o.computeCycles();
            dram += o.weightDramBytes();
            energy += energyPj(o);
        }
        if (buffer > parameters.capacityBytes()) {
            return new Fit(choice, parameters.latencyCycles(compute, dram), energy + fixedDram * parameters.dramEnergyPjPerByte(), false);
        }
        long combinations = 1;
        for (int k = 0; k < length && combinations <= EXHAUSTIVE_LIMIT; k++) {
            combinations *= slots.get(first + k).getOptions().size();
        }
        if (combinations <= EXHAUSTIVE_LIMIT) {
            return exhaustive(first, length, fixedDram, onChip, bufferOf);
        }
        for (int round = 0; round < 4 * length; round++) {
            long latency = parameters.latencyCycles(compute, dram);
            int bestK = -1;
            int bestO = -1;
            long bestLatency = latency;
            double bestEnergy = energy;
            for (int k = 0; k < length; k++) {
                List<SegmentationModel.Option> options = slots.get(first + k).getOptions();
                SegmentationModel.Option current = options.get(choice[k]);
                for (int o = 0; o < options.size(); o++) {
                    SegmentationModel.Option candidate = options.get(o);
                    long newBuffer = buffer - bufferOf[k][choice[k]] + bufferOf[k][o];
                    if (o == choice[k] || newBuffer > parameters.capacityBytes()) {
                        continue;
                    }
                    long newLatency = parameters.latencyCycles(
                            compute - current.computeCycles() + candidate.computeCycles(),
                            dram - current.weightDramBytes() + candidate.weightDramBytes());
                    double newEnergy = energy - energyPj(current) + energyPj(candidate);
                    if (newLatency < bestLatency || newLatency == bestLatency && newEnergy < bestEnergy - 1e-9) {
                        bestK = k;
                        bestO = o;
                        bestLatency = newLatency;
                        bestEnergy = newEnergy;
                    }
                }
            }
            if (bestK < 0) {
                break;
            }
            SegmentationModel.Option current = slots.get(first + bestK).getOptions().get(choice[bestK]);
            SegmentationModel.Option chosen = slots.get(first + bestK).getOptions().get(bestO);
            buffer += bufferOf[bestK][bestO] - bufferOf[bestK][choice[bestK]];
            compute += chosen.computeCycles() - current.computeCycles();
            dram += chosen.weightDramBytes() - current.weightDramBytes();
            energy = bestEnergy;
            choice[bestK] = bestO;
        }
        return new Fit(choice, parameters.latencyCycles(compute, dram),
                energy + fixedDram * parameters.dramEnergyPjPerByte(), true);
    }

    private Fit exhaustive(int first, int length, long fixedDram, long onChip, long[][] bufferOf) {
        int[] choice = new int[length];
        int[] best = null;
        long bestLatency = Long.MAX_VALUE;
        double bestEnergy = Double.MAX_VALUE;
        while (true) {
            long buffer = onChip;
            long compute = 0;
            long dram = fixedDram;
            double energy = 0;
            for (int k = 0; k < length; k++) {
                SegmentationModel.Option o = slots.get(first + k).getOptions().get(choice[k]);
                buffer += bufferOf[k][choice[k]];
                compute += o.computeCycles();
                dram += o.weightDramBytes();
                energy += energyPj(o);
            }
            long latency = parameters.latencyCycles(compute, dram);
            if (buffer <= parameters.capacityBytes()
                    && (latency < bestLatency || latency == bestLatency && energy < bestEnergy - 1e-9)) {
                best = choice.clone();
                bestLatency = latency;
                bestEnergy = energy;
            }
            int k = 0;
            while (k < length && ++choice[k] == slots.get(first + k).getOptions().size()) {
                choice[k] = 0;
                k++;
            }
            if (k == length) {
                break;
            }
        }
        return new Fit(best, bestLatency, bestEnergy + fixedDram * parameters.dramEnergyPjPerByte(), true);
    }

    /**
     * Buffer bytes each option of each operator in {@code first..last} adds when those positions form one
     * segment: the option's own working set plus the window terms that depend on it — as producer of a tensor
     * whose first consumer is inside (ON_CHIP), and as a consumer whose producer is inside (CONSUMER_WINDOW).
     * The model's buffer use is additive in these, so a segment's buffer is the constant on-chip bytes plus one
     * entry per operator.
     */
    long[][] optionBuffers(int first, int last) {
        int length = last - first + 1;
        long[][] bufferOf = new long[length][];
        for (int k = 0; k < length; k++) {
            int p = first + k;
            List<SegmentationModel.Option> options = slots.get(p).getOptions();
            long[] b = new long[options.size()];
            for (int o = 0; o < b.length; o++) {
                b[o] = options.get(o).bufferBytes();
            }
            for (TensorLink link : linksFrom.get(p)) {
                if (link.kind() == TensorLink.Kind.ON_CHIP && link.toPosition() <= last) {
                    for (int o = 0; o < b.length; o++) {
                        b[o] += link.optionBytes(o);
                    }
                }
            }
            for (TensorLink link : linksTo.get(p)) {
                if (link.kind() == TensorLink.Kind.CONSUMER_WINDOW && link.fromPosition() >= first) {
                    for (int o = 0; o < b.length; o++) {
                        b[o] += link.optionBytes(o);
                    }
                }
            }
            bufferOf[k] = b;
        }
        return bufferOf;
    }

    private double energyPj(SegmentationModel.Option o) {
        return o.computeEnergyPj() + o.weightDramBytes() * parameters.dramEnergyPjPerByte();
    }
}

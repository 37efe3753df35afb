package dev.sfd.cost;

import dev.sfd.hardware.Hardware;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Physical limits that no plan can beat (DESIGN.md §3 "Lower bounds").
 *
 * <ul>
 *   <li>Compute bound: the MAC work on the PE array and the vector work on the vector unit. The two units run
 *       concurrently, so the bound is the larger of {@code ceil(MACs / peak MACs per cycle)} and
 *       {@code ceil(vector ops / vector ops per cycle)}, not their sum (a sum would not be a bound for a plan
 *       that overlaps them).</li>
 *   <li>Traffic bound: compulsory DRAM bytes (every weight, network input and network output once; an
 *       embedding reads only its looked-up rows) over the DRAM bandwidth.</li>
 *   <li>Latency bound: the larger of the two.</li>
 * </ul>
 */
public final class LowerBounds {
    private LowerBounds() {
    }

    /**
     * @param macCycles PE-array cycles at peak
     * @param vectorCycles vector-unit cycles at peak
     * @param computeCycles max of the two
     * @param compulsoryBytes bytes that must cross the DRAM interface at least once
     * @param trafficCycles compulsory bytes over the DRAM bandwidth
     * @param latencyCycles max of compute and traffic cycles
     */
    public record LowerBound(long macCycles, long vectorCycles, long computeCycles, long compulsoryBytes,
                             long trafficCycles, long latencyCycles) {
        public boolean memoryBound() {
            return trafficCycles > computeCycles;
        }
    }

    /** The bound of the whole network. */
    public static LowerBound of(Network net, Hardware hw) {
        long macs = net.totalMacs();
        long vector = net.totalVectorOps();
        // Each weight tensor once, as much of it as its most demanding reader needs (a table shared by an
        // embedding lookup and a full matmul, as in GPT-2's tied head, is read whole once).
        Map<String, Long> weightElements = new HashMap<>();
        for (Operator op : net.operators()) {
            for (String w : op.weights()) {
                weightElements.merge(w, weightElementsRead(net, op, w), Math::max);
            }
        }
        long bytes = 0;
        for (long elements : weightElements.values()) {
            bytes += (long) Math.ceil(elements * hw.dataWidths().weightBytes());
        }
        for (String in : net.inputs()) {
            bytes += activationBytes(net.tensor(in), hw);
        }
        for (String out : net.outputs()) {
            bytes += activationBytes(net.tensor(out), hw);
        }
        return bound(macs, vector, bytes, hw);
    }

    /**
     * The bound of one operator running alone: its own work, and its weights, inputs and outputs crossing
     * DRAM once (layout operators: zero).
     */
    public static LowerBound ofOperator(Network net, Operator op, Hardware hw) {
        if (op.kind().isLayout()) {
            return new LowerBound(0, 0, 0, 0, 0, 0);
        }
        long bytes = 0;
        for (String w : new LinkedHashSet<>(op.weights())) {
            bytes += (long) Math.ceil(weightElementsRead(net, op, w) * hw.dataWidths().weightBytes());
        }
        for (String in : new LinkedHashSet<>(op.inputs())) {
            bytes += activationBytes(net.tensor(in), hw);
        }
        for (String out : op.outputs()) {
            bytes += activationBytes(net.tensor(out), hw);
        }
        return bound(net.macs(op), net.vectorOps(op), bytes, hw);
    }

    /** Elements of weight {@code w} that {@code op} needs: all of it, or the looked-up rows of an embedding. */
    public static long weightElementsRead(Network net, Operator op, String w) {
        Tensor t = net.tensor(w);
        if (op.kind() == OpKind.EMBEDDING) {
            return Math.min(t.elements(), net.weightElementsRead(op));
        }
        return t.elements();
    }

    public static long activationBytes(Tensor t, Hardware hw) {
        return (long) Math.ceil(t.elements() * hw.dataWidths().activationBytes());
    }

    private static LowerBound bound(long macs, long vectorOps, long bytes, Hardware hw) {
        long macCycles = ceilDiv(macs, hw.peakMacsPerCycle());
        long vectorCycles = ceilDiv(vectorOps, hw.peakVectorOpsPerCycle());
        long compute = Math.max(macCycles, vectorCycles);
        long traffic = (long) Math.ceil(bytes / hw.dram().bandwidthBytesPerCycle());
        return new LowerBound(macCycles, vectorCycles, compute, bytes, traffic, Math.max(compute, traffic));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

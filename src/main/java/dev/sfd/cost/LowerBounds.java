package dev.sfd.cost;

import dev.sfd.hardware.Hardware;
import dev.sfd.workload.AxisExpr;
import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;
import dev.sfd.workload.LoopNest;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.Operand;
import dev.sfd.workload.Operator;
import dev.sfd.workload.Tensor;
import dev.sfd.workload.TensorViews;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Physical limits that no plan can beat (DESIGN.md §3 "Lower bounds").
 *
 * <ul>
 *   <li>Compute bound: the MAC work on the PE array and the vector work on the vector unit. The two units run
 *       concurrently, so the bound is the larger of {@code ceil(MACs / peak MACs per cycle)} and
 *       {@code ceil(vector ops / vector ops per cycle)}, not their sum (a sum would not be a bound for a plan
 *       that overlaps them).</li>
 *   <li>Traffic bound: compulsory DRAM bytes over the DRAM bandwidth: every weight once (an embedding only its
 *       looked-up rows), of every network input the elements some compute operator reads (a strided window that
 *       skips rows, or leaves the last ones unread, reads fewer than all; an input that only layout views pass to an
 *       output is read by nobody), and of every network output the elements a compute operator produces (an output
 *       that is a view of a network input moves no data).</li>
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
     * @param utilisationComputeCycles the larger of the PE-array and vector-unit sums of every layer's fewest unit
     *     cycles over all its mappings ({@link CostModel#bestUnitCycles}): compute at the best utilisation each layer
     *     can reach, not at the array's peak
     * @param utilisationLatencyCycles max of that and the traffic cycles: the utilisation-aware bound
     */
    public record LowerBound(long macCycles, long vectorCycles, long computeCycles, long compulsoryBytes,
                             long trafficCycles, long latencyCycles, long utilisationComputeCycles,
                             long utilisationLatencyCycles) {
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
        double act = hw.dataWidths().activationBytes();
        for (String in : net.inputs()) {
            bytes += (long) Math.ceil(inputElementsRead(net, in) * act);
        }
        // Outputs: the computed data they alias, each computed tensor's part counted once.
        Map<String, List<Box>> written = new LinkedHashMap<>();
        for (String out : net.outputs()) {
            for (TensorViews.Part part : TensorViews.resolve(net, out, Box.full(net.tensor(out).shape()))) {
                if (net.producer(part.tensor()).isPresent()) {
                    written.computeIfAbsent(part.tensor(), k -> new ArrayList<>()).add(part.region());
                }
            }
        }
        for (List<Box> boxes : written.values()) {
            bytes += (long) Math.ceil(unionElements(boxes) * act);
        }
        long pe = 0;
        long vec = 0;
        CostModel cost = new CostModel(hw);
        for (Operator op : net.operators()) {
            java.util.Optional<LayerShape> shape = LayerShape.of(net, op);
            if (shape.isPresent() && shape.get().unit() == dev.sfd.workload.OpKind.ComputeUnit.PE_ARRAY) {
                pe += cost.bestUnitCycles(shape.get());
            } else if (shape.isPresent() && shape.get().unit() == dev.sfd.workload.OpKind.ComputeUnit.VECTOR) {
                vec += cost.bestUnitCycles(shape.get());
            }
        }
        return bound(macs, vector, bytes, hw, Math.max(pe, vec));
    }

    /**
     * Elements of network input {@code in} that some compute operator reads, directly or through layout views: the
     * union of the regions its readers need for their whole outputs. A window that skips indices (stride above its
     * reach, or rows past the last window position) or a downsampling reads only the indices some tap lands on; such a reader behind
     * a view is counted by its largest axis alone (still a bound, since a reshape reorders what it reads).
     */
    static long inputElementsRead(Network net, String in) {
        List<Box> boxes = new ArrayList<>();
        long sparse = 0;
        for (Operator c : TensorViews.computeConsumers(net, in)) {
            LoopNest nest = net.loopNest(c.name()).orElseThrow();
            for (int i = 0; i < c.inputs().size() && i < nest.reads().size(); i++) {
                Operand operand = nest.reads().get(i);
                if (operand.role() == Operand.Role.WEIGHT) {
                    continue;
                }
                Tensor t = net.tensor(c.inputs().get(i));
                Box hull = nest.region(operand, t.shape(), nest.fullRanges());
                long[] counts = readCounts(nest, operand, t.shape());
                boolean dense = true;
                for (int a = 0; a < counts.length; a++) {
                    dense &= counts[a] == hull.extent(a);
                }
                if (dense) {
                    for (TensorViews.Part part : TensorViews.resolve(net, t.name(), hull)) {
                        if (part.tensor().equals(in)) {
                            boxes.add(part.region());
                        }
                    }
                } else if (t.name().equals(in)) {
                    long n = 1;
                    for (long k : counts) {
                        n *= k;
                    }
                    sparse = Math.max(sparse, n);
                } else if (TensorViews.resolve(net, t.name(), hull).stream().anyMatch(p -> p.tensor().equals(in))) {
                    sparse = Math.max(sparse, java.util.Arrays.stream(counts).max().orElse(0));
                }
            }
        }
        return Math.max(unionElements(boxes), sparse);
    }

    /**
     * Elements of tensor {@code tensor} that compute operator {@code consumer} reads for its whole output (the
     * indices its windows land on, as {@link #readCounts} counts them, over every input it reads the tensor as), or 0
     * when the operator is a layout view (no loop nest: it reads nothing itself).
     */
    public static long elementsRead(Network net, Operator consumer, String tensor) {
        java.util.Optional<LoopNest> nest = net.loopNest(consumer.name());
        if (nest.isEmpty()) {
            return 0;
        }
        List<Integer> shape = net.tensor(tensor).shape();
        long most = 0;
        for (int i = 0; i < consumer.inputs().size() && i < nest.get().reads().size(); i++) {
            if (!consumer.inputs().get(i).equals(tensor)) {
                continue;
            }
            long n = 1;
            for (long k : readCounts(nest.get(), nest.get().reads().get(i), shape)) {
                n *= k;
            }
            most = Math.max(most, n);
        }
        return most;
    }

    /**
     * Per axis of an operand, how many indices of {@code [0, size)} the whole loop nest reads. The product over the
     * axes is the number of elements read when no loop dim indexes two axes (true of every operator SFD models);
     * otherwise the hull extents are returned, and the caller sees no gap.
     */
    static long[] readCounts(LoopNest nest, Operand operand, List<Integer> shape) {
        int rank = operand.axes().size();
        long[] counts = new long[rank];
        Map<LoopDim, AxisExpr.Range> full = nest.fullRanges();
        for (int a = 0; a < rank; a++) {
            AxisExpr e = operand.axes().get(a);
            int size = shape.get(a);
            if (e instanceof AxisExpr.Window w) {
                counts[a] = windowReads(w.stride(), w.dilation(), w.padBefore(), nest.bound(w.out()),
                        nest.bound(w.filter()), size);
            } else if (e instanceof AxisExpr.Scaled sc) {
                // a downsampling (scale below 1) may skip input indices between its samples
                java.util.BitSet read = new java.util.BitSet(size);
                for (long o = 0; o < nest.bound(sc.out()); o++) {
                    long lo = Math.max(0, sc.base(o) - sc.haloBefore());
                    long hi = Math.min(size, sc.base(o) + sc.haloAfter() + 1);
                    if (lo < hi) {
                        read.set((int) lo, (int) hi);
                    }
                }
                counts[a] = read.cardinality();
            } else {
                counts[a] = e.range(full, size).hi() - e.range(full, size).lo();
            }
        }
        return counts;
    }

    /** Distinct indices {@code o·stride + f·dilation − pad} in {@code [0, size)} for o below outs, f below taps. */
    static long windowReads(int stride, int dilation, int pad, int outs, int taps, int size) {
        if (dilation == 1 && stride <= taps) {
            // consecutive windows touch or overlap: one run from the first to the last index read
            long lo = Math.max(0, -pad);
            long hi = Math.min(size, (long) (outs - 1) * stride + taps - pad);
            return Math.max(0, hi - lo);
        }
        java.util.BitSet read = new java.util.BitSet(size);
        for (int f = 0; f < taps; f++) {
            long offset = (long) f * dilation - pad;
            for (long o = Math.max(0, Math.floorDiv(-offset + stride - 1, stride)); o < outs; o++) {
                long i = o * stride + offset;
                if (i >= size) {
                    break;
                }
                read.set((int) i);
            }
        }
        return read.cardinality();
    }

    /**
     * Elements in the union of boxes of one tensor: their sum when they are disjoint (the usual case: concat or split
     * parts), else by coordinate compression when that is small, else the largest box (a bound all the same).
     */
    static long unionElements(List<Box> boxes) {
        List<Box> list = boxes.stream().filter(b -> !b.isEmpty()).toList();
        boolean disjoint = true;
        for (int i = 0; i < list.size() && disjoint; i++) {
            for (int j = i + 1; j < list.size() && disjoint; j++) {
                disjoint = !list.get(i).intersects(list.get(j));
            }
        }
        if (disjoint) {
            return list.stream().mapToLong(Box::elements).sum();
        }
        int rank = list.get(0).rank();
        List<int[]> cuts = new ArrayList<>();
        long cells = 1;
        for (int a = 0; a < rank; a++) {
            java.util.TreeSet<Integer> c = new java.util.TreeSet<>();
            for (Box b : list) {
                c.add(b.lo(a));
                c.add(b.hi(a));
            }
            cuts.add(c.stream().mapToInt(Integer::intValue).toArray());
            cells *= c.size() - 1;
        }
        if (cells > 1_000_000) {
            return list.stream().mapToLong(Box::elements).max().orElse(0);
        }
        long total = 0;
        int[] at = new int[rank];
        for (long cell = 0; cell < cells; cell++) {
            long rest = cell;
            for (int a = rank - 1; a >= 0; a--) {
                int n = cuts.get(a).length - 1;
                at[a] = (int) (rest % n);
                rest /= n;
            }
            int[] lo = new int[rank];
            int[] hi = new int[rank];
            for (int a = 0; a < rank; a++) {
                lo[a] = cuts.get(a)[at[a]];
                hi[a] = cuts.get(a)[at[a] + 1];
            }
            Box piece = new Box(lo, hi);
            if (list.stream().anyMatch(b -> b.contains(piece))) {
                total += piece.elements();
            }
        }
        return total;
    }

    /**
     * The bound of one operator running alone: its own work, and its weights, inputs and outputs crossing
     * DRAM once (layout operators: zero).
     */
    public static LowerBound ofOperator(Network net, Operator op, Hardware hw) {
        if (op.kind().isLayout()) {
            return new LowerBound(0, 0, 0, 0, 0, 0, 0, 0);
        }
        long bytes = 0;
        for (String w : new LinkedHashSet<>(op.weights())) {
            bytes += (long) Math.ceil(weightElementsRead(net, op, w) * hw.dataWidths().weightBytes());
        }
        LoopNest nest = net.loopNest(op.name()).orElse(null);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < op.inputs().size(); i++) {
            String in = op.inputs().get(i);
            if (seen.contains(in)) {
                continue;
            }
            seen.add(in);
            long elements = net.tensor(in).elements();
            if (nest != null && i < nest.reads().size()) {
                elements = 1;
                for (long k : readCounts(nest, nest.reads().get(i), net.tensor(in).shape())) {
                    elements *= k;
                }
            }
            bytes += (long) Math.ceil(elements * hw.dataWidths().activationBytes());
        }
        for (String out : op.outputs()) {
            bytes += activationBytes(net.tensor(out), hw);
        }
        long best = LayerShape.of(net, op).map(shape -> new CostModel(hw).bestUnitCycles(shape)).orElse(0L);
        return bound(net.macs(op), net.vectorOps(op), bytes, hw, best);
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

    private static LowerBound bound(long macs, long vectorOps, long bytes, Hardware hw, long bestUnitCycles) {
        long macCycles = ceilDiv(macs, hw.peakMacsPerCycle());
        long vectorCycles = ceilDiv(vectorOps, hw.peakVectorOpsPerCycle());
        long compute = Math.max(macCycles, vectorCycles);
        long traffic = (long) Math.ceil(bytes / hw.dram().bandwidthBytesPerCycle());
        long utilisation = Math.max(compute, bestUnitCycles);
        return new LowerBound(macCycles, vectorCycles, compute, bytes, traffic, Math.max(compute, traffic),
                utilisation, Math.max(utilisation, traffic));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

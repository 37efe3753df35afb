package dev.sfd.segmentation.timefold;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import dev.sfd.segmentation.SegmentationModel;

/**
 * Turns a {@link SegmentationModel} (and optionally a starting plan) into a {@link SegmentationPlan}, and a
 * solved plan back into {@link SegmentationModel.Part}s.
 */
final class SegmentationPlanFactory {
    private SegmentationPlanFactory() {
    }

    /** An unassigned plan over the model's own topological order: the construction heuristic fills it. */
    static SegmentationPlan unassigned(SegmentationModel model) {
        int[] order = new int[model.operators().size()];
        Arrays.setAll(order, i -> i);
        return build(model, order);
    }

    /**
     * A fully assigned plan equal to {@code initial}. Its segments become contiguous runs of an execution order
     * (segments in the given order, operators ascending inside each), so any convex plan can be a warm start.
     *
     * @throws IllegalArgumentException if {@code initial} does not cover every operator once, names a missing
     *         option, or lets a tensor flow to an earlier segment
     */
    static SegmentationPlan warmStart(SegmentationModel model, List<SegmentationModel.Part> initial) {
        int n = model.operators().size();
        int[] order = new int[n];
        int[] choice = new int[n];
        boolean[] starts = new boolean[n];
        boolean[] seen = new boolean[n];
        int position = 0;
        for (SegmentationModel.Part part : initial) {
            List<Integer> sorted = new ArrayList<>(part.operators());
            sorted.sort(null);
            for (int k = 0; k < sorted.size(); k++) {
                int op = sorted.get(k);
                if (op < 0 || op >= n || seen[op]) {
                    throw new IllegalArgumentException("warm start: operator index (" + op
                            + ") is out of range or in two segments");
                }
                seen[op] = true;
                int c = part.choices().get(part.operators().indexOf(op));
                if (c < 0 || c >= model.operators().get(op).options().size()) {
                    throw new IllegalArgumentException("warm start: operator '" + model.operators().get(op).name()
                            + "' has no option (" + c + ")");
                }
                if (position >= n) {
                    throw new IllegalArgumentException("warm start: more operators than the model has");
                }
                order[position] = op;
                choice[position] = c;
                starts[position] = k == 0;
                position++;
            }
        }
        if (position != n) {
            throw new IllegalArgumentException("warm start covers (" + position + ") of (" + n + ") operators");
        }
        SegmentationPlan plan = build(model, order);
        for (OperatorSlot slot : plan.getSlots()) {
            slot.setCutBefore(starts[slot.getPosition()] || slot.getPosition() == 0);
            slot.setOption(choice[slot.getPosition()]);
        }
        refreshSegmentStarts(plan.getSlots());
        return plan;
    }

    private static SegmentationPlan build(SegmentationModel model, int[] order) {
        int n = order.length;
        int[] positionOf = new int[n];
        List<OperatorSlot> slots = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            SegmentationModel.OperatorNode node = model.operators().get(order[p]);
            positionOf[order[p]] = p;
            slots.add(new OperatorSlot(p, order[p], node.name(), node.options()));
        }
        for (int p = 0; p < n; p++) {
            slots.get(p).setPrevious(p > 0 ? slots.get(p - 1) : null);
            slots.get(p).setNext(p + 1 < n ? slots.get(p + 1) : null);
        }
        refreshSegmentStarts(slots);
        List<TensorLink> links = new ArrayList<>();
        List<TensorAnchor> anchors = new ArrayList<>();
        for (SegmentationModel.TensorEdge t : model.tensors()) {
            TreeSet<Integer> consumers = new TreeSet<>();
            for (int c : t.consumers()) {
                consumers.add(positionOf[c]);
            }
            int producer = t.producer() < 0 ? -1 : positionOf[t.producer()];
            for (int c : consumers) {
                if (producer >= c) {
                    throw new IllegalArgumentException("tensor '" + t.name() + "' flows backwards in the execution"
                            + " order (" + model.operators().get(order[producer]).name() + " -> "
                            + model.operators().get(order[c]).name() + "); the segments are not convex");
                }
            }
            if (producer >= 0) {
                if (t.networkOutput()) {
                    anchors.add(new TensorAnchor(anchors.size(), t.name(), producer, t.bytes()));
                } else if (!consumers.isEmpty()) {
                    links.add(link(links, TensorLink.Kind.STORE, t, producer, consumers.last(), t.bytes()));
                }
                if (!consumers.isEmpty() && (t.onChipBytes() != 0 || anyNonZero(t.producerWindowBytes()))) {
                    links.add(new TensorLink(links.size(), TensorLink.Kind.ON_CHIP, t.name(), producer,
                            consumers.first(), t.onChipBytes(), t.producerWindowBytes()));
                }
                for (int i = 0; i < t.consumers().size() && !t.consumerWindowBytes().isEmpty(); i++) {
                    List<Long> window = t.consumerWindowBytes().get(i);
                    if (anyNonZero(window)) {
                        links.add(new TensorLink(links.size(), TensorLink.Kind.CONSUMER_WINDOW, t.name(), producer,
                                positionOf[t.consumers().get(i)], 0, window));
                    }
                }
                for (int c : consumers) {
                    links.add(link(links, TensorLink.Kind.DEPENDENCY, t, producer, c, t.bytes()));
                }
            } else if (!consumers.isEmpty()) {
                anchors.add(new TensorAnchor(anchors.size(), t.name(), consumers.first(), t.bytes()));
            }
            int previous = producer;
            for (int c : consumers) {
                if (previous >= 0) {
                    links.add(link(links, TensorLink.Kind.LOAD, t, previous, c, t.bytes()));
                }
                previous = c;
            }
        }
        SegmentParameters parameters = new SegmentParameters(model.capacityBytes(), model.dramBytesPerCycle(),
                model.dramEnergyPjPerByte(), model.segmentOverheadCycles());
        return new SegmentationPlan(slots, links, anchors, parameters);
    }

    private static boolean anyNonZero(List<Long> bytes) {
        for (long b : bytes) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    private static TensorLink link(List<TensorLink> links, TensorLink.Kind kind, SegmentationModel.TensorEdge t,
                                   int from, int to, long bytes) {
        return new TensorLink(links.size(), kind, t.name(), from, to, bytes);
    }

    /** Sets every slot's segment start from the cuts (outside the solver, which keeps them right itself). */
    static void refreshSegmentStarts(List<OperatorSlot> slots) {
        int start = 0;
        for (OperatorSlot slot : slots) {
            if (slot.startsSegment()) {
                start = slot.getPosition();
            }
            slot.setSegmentStart(start);
        }
    }

    /**
     * The segments of a solved plan in execution order. Slots the solver left unassigned (a time limit inside
     * the construction heuristic) start their own segment with their smallest-buffer option.
     */
    static List<SegmentationModel.Part> parts(SegmentationPlan plan) {
        List<SegmentationModel.Part> parts = new ArrayList<>();
        List<Integer> operators = new ArrayList<>();
        List<Integer> choices = new ArrayList<>();
        for (OperatorSlot slot : plan.getSlots()) {
            if (slot.startsSegment() && !operators.isEmpty()) {
                parts.add(new SegmentationModel.Part(operators, choices));
                operators.clear();
                choices.clear();
            }
            operators.add(slot.getOperatorIndex());
            choices.add(slot.getOption() != null ? slot.getOption() : smallestBufferOption(slot));
        }
        if (!operators.isEmpty()) {
            parts.add(new SegmentationModel.Part(operators, choices));
        }
        return parts;
    }

    private static int smallestBufferOption(OperatorSlot slot) {
        int best = 0;
        for (int i = 1; i < slot.getOptions().size(); i++) {
            if (slot.getOptions().get(i).bufferBytes() < slot.getOptions().get(best).bufferBytes()) {
                best = i;
            }
        }
        return best;
    }
}

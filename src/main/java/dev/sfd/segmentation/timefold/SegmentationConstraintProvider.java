package dev.sfd.segmentation.timefold;

import static ai.timefold.solver.core.api.score.stream.ConstraintCollectors.sumLong;
import static ai.timefold.solver.core.api.score.stream.Joiners.equal;

import ai.timefold.solver.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import ai.timefold.solver.core.api.score.stream.Constraint;
import ai.timefold.solver.core.api.score.stream.ConstraintFactory;
import ai.timefold.solver.core.api.score.stream.ConstraintProvider;
import ai.timefold.solver.core.api.score.stream.bi.BiConstraintStream;
import ai.timefold.solver.core.api.score.stream.tri.TriConstraintStream;
import ai.timefold.solver.core.api.score.stream.uni.UniConstraintStream;

/**
 * The segmentation model as constraint streams. Hard: buffer capacity per segment and no tensor flowing to an
 * earlier segment; medium: latency (per segment max(compute, DRAM bytes / bandwidth) + overhead); soft: energy
 * in femtojoules. The scores equal {@link dev.sfd.segmentation.SegmentationModel#evaluate} of the same plan
 * (energy up to rounding of each term to a femtojoule).
 */
public class SegmentationConstraintProvider implements ConstraintProvider {

    @Override
    public Constraint[] defineConstraints(ConstraintFactory factory) {
        return new Constraint[] {
            bufferCapacity(factory),
            tensorFlowsBackwards(factory),
            latency(factory),
            energy(factory)
        };
    }

    /**
     * Hard: buffer bytes of each segment (options + on-chip tensors, with the producer's and the same-segment
     * consumers' window terms) above capacity, per byte.
     */
    Constraint bufferCapacity(ConstraintFactory factory) {
        return shares(factory)
                .groupBy(SegmentShare::segment, sumLong(SegmentShare::bufferBytes))
                .join(SegmentParameters.class)
                .filter((segment, bufferBytes, parameters) -> bufferBytes > parameters.capacityBytes())
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD,
                        (segment, bufferBytes, parameters) -> bufferBytes - parameters.capacityBytes())
                .justifyWith((segment, bufferBytes, parameters, score) ->
                        new Justifications.BufferOverflow(segment, bufferBytes, parameters.capacityBytes()))
                .asConstraint("Buffer capacity");
    }

    /** Hard: a tensor must not flow to an earlier segment (convexity), weighted by its bytes. */
    Constraint tensorFlowsBackwards(ConstraintFactory factory) {
        return linkedSlots(factory, TensorLink.Kind.DEPENDENCY)
                .filter((link, producer, consumer) -> consumer.getSegmentStart() < producer.getSegmentStart())
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, (link, producer, consumer) -> Math.max(1, link.bytes()))
                .justifyWith((link, producer, consumer, score) ->
                        new Justifications.BackwardFlow(link.tensor(), producer.getName(), consumer.getName()))
                .asConstraint("Tensor flows backwards");
    }

    /** Medium: the latency of every segment, max(compute, DRAM bytes / bandwidth) + overhead. */
    Constraint latency(ConstraintFactory factory) {
        return shares(factory)
                .groupBy(SegmentShare::segment, sumLong(SegmentShare::computeCycles), sumLong(SegmentShare::dramBytes))
                .join(SegmentParameters.class)
                .penalizeLong(HardMediumSoftLongScore.ONE_MEDIUM,
                        (segment, compute, dram, parameters) -> parameters.latencyCycles(compute, dram))
                .justifyWith((segment, compute, dram, parameters, score) -> new Justifications.SegmentLatency(
                        segment, compute, dram, parameters.latencyCycles(compute, dram)))
                .asConstraint("Latency");
    }

    /** Soft: compute energy plus DRAM energy, in femtojoules. */
    Constraint energy(ConstraintFactory factory) {
        return shares(factory)
                .join(SegmentParameters.class)
                .penalizeLong(HardMediumSoftLongScore.ONE_SOFT,
                        (share, parameters) -> share.computeEnergyFj() + parameters.dramEnergyFj(share.dramBytes()))
                .asConstraint("Energy");
    }

    /** Everything operators and tensors add to their segments under the current cuts and options. */
    private static UniConstraintStream<SegmentShare> shares(ConstraintFactory factory) {
        UniConstraintStream<SegmentShare> operators = factory.forEach(OperatorSlot.class)
                .map(SegmentShare::ofOperator);
        UniConstraintStream<SegmentShare> anchored = factory.forEach(TensorAnchor.class)
                .join(OperatorSlot.class, equal(TensorAnchor::position, OperatorSlot::getPosition))
                .map((anchor, slot) -> SegmentShare.ofDram(slot, anchor.bytes()));
        UniConstraintStream<SegmentShare> stores = linkedSlots(factory, TensorLink.Kind.STORE)
                .filter((link, producer, consumer) -> !sameSegment(producer, consumer))
                .map((link, producer, consumer) -> SegmentShare.ofDram(producer, link.bytes()));
        UniConstraintStream<SegmentShare> loads = linkedSlots(factory, TensorLink.Kind.LOAD)
                .filter((link, previous, consumer) -> !sameSegment(previous, consumer))
                .map((link, previous, consumer) -> SegmentShare.ofDram(consumer, link.bytes()));
        UniConstraintStream<SegmentShare> onChip = linkedSlots(factory, TensorLink.Kind.ON_CHIP)
                .filter((link, producer, consumer) -> sameSegment(producer, consumer))
                .map((link, producer, consumer) -> SegmentShare.ofBuffer(producer,
                        link.onChipBytes(producer.getOption(), consumer.getOption())));
        UniConstraintStream<SegmentShare> consumerWindows = linkedSlots(factory, TensorLink.Kind.CONSUMER_WINDOW)
                .filter((link, producer, consumer) -> sameSegment(producer, consumer))
                .map((link, producer, consumer) -> SegmentShare.ofBuffer(producer,
                        link.onChipBytes(producer.getOption(), consumer.getOption())));
        return operators.concat(anchored).concat(stores).concat(loads).concat(onChip).concat(consumerWindows);
    }

    /** Links of one kind with the slots at both ends. */
    private static TriConstraintStream<TensorLink, OperatorSlot, OperatorSlot> linkedSlots(
            ConstraintFactory factory, TensorLink.Kind kind) {
        BiConstraintStream<TensorLink, OperatorSlot> from = factory.forEach(TensorLink.class)
                .filter(link -> link.kind() == kind)
                .join(OperatorSlot.class, equal(TensorLink::fromPosition, OperatorSlot::getPosition));
        return from.join(OperatorSlot.class, equal((link, slot) -> link.toPosition(), OperatorSlot::getPosition));
    }

    private static boolean sameSegment(OperatorSlot a, OperatorSlot b) {
        return a.getSegmentStart().intValue() == b.getSegmentStart().intValue();
    }
}

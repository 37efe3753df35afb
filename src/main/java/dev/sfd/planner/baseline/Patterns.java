package dev.sfd.planner.baseline;

import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;
import dev.sfd.workload.OpParams;
import dev.sfd.workload.Operator;

import java.util.List;

/** Structural tests on operators that the rule-based baselines fuse by. */
final class Patterns {
    private Patterns() {
    }

    /** Elementwise functions and batch norm: what compilers fuse into their producer (activation, bias, residual add). */
    static boolean elementwise(Operator op) {
        return op.kind() == OpKind.ELEMENTWISE || op.kind() == OpKind.BATCHNORM;
    }

    /** A unary elementwise operator (an activation, a scale or shift with a constant). */
    static boolean unaryElementwise(Operator op) {
        return op.kind() == OpKind.BATCHNORM
                || (op.params() instanceof OpParams.Elementwise e && !e.binary());
    }

    static boolean binaryElementwise(Operator op) {
        return op.params() instanceof OpParams.Elementwise e && e.binary();
    }

    static boolean peArray(Operator op) {
        return op.kind() == OpKind.CONV || op.kind() == OpKind.MATMUL;
    }

    static boolean depthwise(Operator op) {
        return op.params() instanceof OpParams.Conv c && c.groups() > 1 && c.groups() == c.outChannels();
    }

    static boolean pointwise(Operator op) {
        return op.params() instanceof OpParams.Conv c && c.groups() == 1 && c.kernelH() == 1 && c.kernelW() == 1;
    }

    static boolean linear(Operator op) {
        return op.params() instanceof OpParams.Matmul m && m.hasWeight();
    }

    static boolean pool(Operator op) {
        return op.kind() == OpKind.POOL;
    }

    /**
     * Whether {@code consumer} reads the output of {@code producer} and is its only reader, so the tensor between them
     * need not leave the chip when both run in one segment (a network output is stored in any case, which is fine).
     */
    static boolean soleConsumer(Network net, Operator producer, Operator consumer) {
        if (!consumer.inputs().contains(producer.output()) || producer.outputs().size() != 1) {
            return false;
        }
        List<Operator> readers = net.consumers(producer.output());
        return readers.size() == 1 && readers.get(0).name().equals(consumer.name());
    }

    /** Whether op {@code k} is an elementwise epilogue of op {@code k - 1} (its sole reader). */
    static boolean epilogue(SearchSpace space, int k) {
        return k > 0 && elementwise(space.operator(k))
                && soleConsumer(space.network(), space.operator(k - 1), space.operator(k));
    }
}

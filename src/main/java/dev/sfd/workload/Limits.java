package dev.sfd.workload;

/**
 * The largest network SFD models. Readers and {@link NetworkBuilder} check these at the door, so a network too
 * large to model is bad input with a message naming the operator, the field and the value, and no later stage
 * (cost model, CP-SAT models, scheduler, simulator) can overflow. README and docs/network-format.md state them.
 */
public final class Limits {
    /** Largest dimension of any tensor, and largest kernel, stride, dilation, padding, channel or feature count. */
    public static final int MAX_DIM = 1 << 20;
    /** Largest batch. */
    public static final int MAX_BATCH = 1 << 16;
    /** Most elements of one tensor (activation, input or weight). */
    public static final long MAX_TENSOR_ELEMENTS = 1L << 31;
    /** Most MACs or vector operations of one operator. */
    public static final long MAX_OPERATOR_OPS = 1L << 44;
    /** Most operators in one network. */
    public static final int MAX_OPERATORS = 100_000;

    private Limits() {
    }

    /** The product of {@code dims}, or -1 when it exceeds {@code Long.MAX_VALUE}. */
    public static long product(Iterable<Integer> dims) {
        long n = 1;
        try {
            for (int d : dims) {
                n = Math.multiplyExact(n, (long) d);
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return n;
    }
}

package dev.sfd.mapping;

/** A layer whose smallest mapping does not fit the global buffer: the problem is infeasible (exit code 1). */
public final class MappingInfeasibleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operator;
    private final long minFootprintBytes;
    private final long capacityBytes;

    public MappingInfeasibleException(String operator, long minFootprintBytes, long capacityBytes) {
        super("layer '" + operator + "' cannot be mapped: its smallest tile needs (" + minFootprintBytes
                + ") bytes of global buffer but the capacity is (" + capacityBytes + ") bytes"
                + "\n  Maybe use hardware with a larger global buffer.");
        this.operator = operator;
        this.minFootprintBytes = minFootprintBytes;
        this.capacityBytes = capacityBytes;
    }

    public String operator() {
        return operator;
    }

    public long minFootprintBytes() {
        return minFootprintBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }
}

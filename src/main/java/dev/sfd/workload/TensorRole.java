package dev.sfd.workload;

/** What a tensor is for; decides its data width and whether it is compulsory DRAM traffic. */
public enum TensorRole {
    /** A network input (activation or token ids): read from DRAM once. */
    INPUT,
    /** A parameter tensor: lives in DRAM, read as the mapping dictates. */
    WEIGHT,
    /** Produced by an operator. */
    ACTIVATION
}

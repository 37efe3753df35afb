package dev.sfd.workload;

/**
 * The loop dimensions of the canonical seven-loop (plus groups) nest that every compute operator is
 * expressed in, as in Timeloop and CoSA: N batch, G groups (or attention heads), K output channels /
 * features, C reduction (input channels per group), P output rows, Q output columns, R and S filter
 * rows and columns.
 */
public enum LoopDim {
    N, G, K, C, P, Q, R, S;

    /** Reduction dims contribute to one output element; the rest index the output. */
    public boolean isReduction() {
        return this == C || this == R || this == S;
    }
}

package dev.sfd.mapping;

/** How a mapping was found, and what is known about it. */
public enum Optimality {
    /** CP-SAT proved it optimal for its budget. */
    OPTIMAL,
    /** CP-SAT found it but its time limit ended before a proof. */
    FEASIBLE,
    /** The exhaustive enumerator visited the whole space: optimal by construction. */
    EXHAUSTIVE,
    /** A heuristic sample: no guarantee. */
    SAMPLED
}

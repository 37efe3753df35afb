package dev.sfd.simulation;

import java.util.Objects;

/**
 * A broken rule found while replaying a plan.
 *
 * @param kind what went wrong
 * @param segment segment index (-1 for whole-plan checks)
 * @param task the task involved (its label), or "" for whole-plan checks
 * @param tensor the tensor involved, or ""
 * @param cycle simulated cycle at which it happened
 * @param message what happened, with figures
 */
public record Violation(Kind kind, int segment, String task, String tensor, long cycle, String message) {
    public enum Kind {
        /** An allocation took the occupancy above the buffer capacity. */
        GLB_OVERFLOW,
        /** A task started before the data it needs was on chip (or, for a load, in DRAM). */
        INPUT_NOT_READY,
        /** Data was released while a task still needed it. */
        FREED_WHILE_NEEDED,
        /** An output (or a tensor needed in DRAM by a later segment) was never completely written. */
        OUTPUT_NEVER_WRITTEN,
        /** A computed tensor was never read by anyone and is not a network output. */
        OUTPUT_NEVER_CONSUMED,
        /** Iteration points of an operator were computed by more than one step. */
        TILE_RUN_TWICE,
        /** A buffer is declared smaller than what it holds needs at its data width (accumulators at 32 bits). */
        BUFFER_TOO_SMALL,
        /**
         * A compute step breaks its loop nest or mapping: it splits an axis that must stay whole (a softmax or
         * normalisation axis), or its loop ranges do not follow the mapping's tiles.
         */
        ILLEGAL_STEP,
        /** A buffer was still allocated at the end of its segment. */
        BUFFER_NEVER_FREED,
        /** The plan refers to something that does not exist or uses a buffer inconsistently. */
        MALFORMED
    }

    public Violation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return kind + " at cycle " + cycle + (segment >= 0 ? " in segment " + segment : "")
                + (task.isEmpty() ? "" : " (" + task + ")") + ": " + message;
    }
}

package dev.sfd.schedule;

/** What a tile task does. */
public enum TaskKind {
    /** DRAM to GLB: allocates its buffer and fills it. */
    LOAD,
    /** One step of an output tile (one reduction slice) on the PE array or the vector unit. */
    COMPUTE,
    /** GLB to DRAM: writes a finished output tile back. */
    STORE,
    /** Releases buffers; takes no time. */
    FREE
}

package dev.sfd.cost;

import dev.sfd.hardware.Hardware;

/**
 * Timing of one DMA transfer: the engine is busy for the bytes at its bandwidth (the DRAM bandwidth split evenly
 * between the engines); the data is in place the DRAM access latency later. Requests are pipelined, so the
 * latency does not occupy the engine.
 */
public final class DmaTiming {
    private DmaTiming() {
    }

    /** Cycles the engine is busy. */
    public static long busyCycles(Hardware hw, long bytes) {
        double perEngine = hw.dram().bandwidthBytesPerCycle() / Math.max(1, hw.dram().dmaEngines());
        return (long) Math.ceil(bytes / perEngine);
    }

    /** Cycles from start until the data is in place. */
    public static long transferCycles(Hardware hw, long bytes) {
        return hw.dram().latencyCycles() + busyCycles(hw, bytes);
    }
}

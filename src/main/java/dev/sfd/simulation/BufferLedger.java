package dev.sfd.simulation;

import dev.sfd.schedule.BufferSpec;
import dev.sfd.schedule.TileTask;
import dev.sfd.workload.Box;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The global buffer as the simulator sees it: which buffers are live, how many bytes they take, what part of their
 * region has been written, who is using them, and the occupancy over time. It trusts no figure of the plan: a
 * buffer takes the larger of its declared bytes and the bytes its region needs at the width of what it holds, and
 * it is complete only when the boxes written into it cover its region.
 */
final class BufferLedger {
    /** Receives the ledger's findings. */
    interface Findings {
        void violation(Violation.Kind kind, String task, String tensor, String message);
    }

    /** The label of a task, built only when a finding needs it. */
    private static String label(TileTask t) {
        return t == null ? "" : t.label();
    }

    /** One live buffer. */
    static final class Buf {
        final BufferSpec spec;
        final long bytes;
        final List<Box> written = new ArrayList<>(1);
        boolean complete;
        int inUse;
        boolean live = true;

        Buf(BufferSpec spec, long bytes) {
            this.spec = spec;
            this.bytes = bytes;
        }

        String tensor() {
            return spec.tensor();
        }

        Box region() {
            return spec.region();
        }
    }

    /** The buffers of one segment, by plan id, while the segment runs. */
    private static final class Table {
        final List<BufferSpec> specs;
        final Buf[] bufs;
        long peak;

        Table(List<BufferSpec> specs) {
            this.specs = specs;
            this.bufs = new Buf[specs.size()];
        }
    }

    private final long capacity;
    private final Findings findings;
    /** Segments that have started and not yet ended (two at once while the next one prefetches). */
    private final Map<Integer, Table> open = new HashMap<>();
    /** The table buffer ids refer to: the segment of the task at hand ({@link #use}). */
    private Table current = new Table(List.of());
    private final Map<String, List<Buf>> live = new HashMap<>();
    private final Map<String, List<Box>> freed = new HashMap<>();
    private long occupancy;
    private long peak;
    private long[] occCycles = new long[1024];
    private long[] occBytes = new long[1024];
    private int occN;

    BufferLedger(long capacity, Findings findings) {
        this.capacity = capacity;
        this.findings = findings;
        record(0);
    }

    /** Starts segment {@code segment} with its declared buffers (another segment may still be running). */
    void beginSegment(int segment, List<BufferSpec> buffers) {
        if (open.isEmpty()) {
            freed.clear();
        }
        Table t = new Table(buffers);
        t.peak = occupancy;
        open.put(segment, t);
        use(segment);
    }

    /** Makes buffer ids refer to segment {@code segment}'s buffers (the segment of the task at hand). */
    void use(int segment) {
        Table t = open.get(segment);
        current = t == null ? new Table(List.of()) : t;
    }

    /**
     * Allocates buffer {@code id} for a task at {@code now}, {@code requiredBytes} being what its region needs at
     * the width of what it will hold. Returns the buffer, or null when the plan's buffer list has no such buffer
     * or it is allocated twice.
     */
    Buf allocate(int id, long requiredBytes, TileTask task, long now) {
        Buf[] bufs = current.bufs;
        if (id < 0 || id >= bufs.length) {
            findings.violation(Violation.Kind.MALFORMED, label(task), "", "allocates unknown buffer " + id);
            return null;
        }
        if (bufs[id] != null) {
            findings.violation(Violation.Kind.MALFORMED, label(task), current.specs.get(id).tensor(), "allocates buffer " + id
                    + " a second time");
            return null;
        }
        BufferSpec spec = current.specs.get(id);
        if (spec.bytes() < requiredBytes) {
            findings.violation(Violation.Kind.BUFFER_TOO_SMALL, label(task), spec.tensor(), "buffer " + id + " ("
                    + spec.region() + ") is declared with (" + spec.bytes() + ") bytes but what it holds needs ("
                    + requiredBytes + ") bytes");
        }
        Buf b = new Buf(spec, Math.max(spec.bytes(), requiredBytes));
        bufs[id] = b;
        live.computeIfAbsent(spec.tensor(), k -> new ArrayList<>()).add(b);
        occupancy += b.bytes;
        peak = Math.max(peak, occupancy);
        for (Table t : open.values()) {
            t.peak = Math.max(t.peak, occupancy);
        }
        record(now);
        if (occupancy > capacity) {
            findings.violation(Violation.Kind.GLB_OVERFLOW, label(task), spec.tensor(), "allocating (" + b.bytes
                    + ") bytes takes the global buffer to (" + occupancy + ") of (" + capacity + ") bytes");
        }
        return b;
    }

    /** The buffer with plan id {@code id} when it is live, else null. */
    Buf liveBuffer(int id) {
        Buf b = id >= 0 && id < current.bufs.length ? current.bufs[id] : null;
        return b != null && b.live ? b : null;
    }

    /** Records that {@code box} of the buffer's tensor has been written into it. */
    void written(Buf b, Box box) {
        if (b.complete) {
            return;
        }
        b.written.add(box);
        b.complete = Coverage.covered(b.region(), b.written);
    }

    /** A live buffer of {@code tensor} whose region contains {@code box}, or null. */
    Buf containing(String tensor, Box box) {
        for (Buf b : live.getOrDefault(tensor, List.of())) {
            if (b.region().contains(box)) {
                return b;
            }
        }
        return null;
    }

    /**
     * Live complete buffers of {@code tensor} covering {@code region}, preferring the buffers the task says it
     * reads; null (and a violation) when none do.
     */
    List<Buf> cover(TileTask task, String tensor, Box region, List<Integer> claimed) {
        List<Buf> candidates = live.getOrDefault(tensor, List.of());
        for (int id : claimed) {
            Buf b = liveBuffer(id);
            if (b != null && b.complete && b.tensor().equals(tensor) && b.region().contains(region)) {
                return List.of(b);
            }
        }
        List<Buf> hits = new ArrayList<>(2);
        List<Box> boxes = new ArrayList<>(2);
        for (Buf b : candidates) {
            if (b.complete && b.region().intersects(region)) {
                if (b.region().contains(region)) {
                    return List.of(b);
                }
                hits.add(b);
                boxes.add(b.region());
            }
        }
        if (!hits.isEmpty() && Coverage.covered(region, boxes)) {
            return hits;
        }
        List<Box> gone = freed.getOrDefault(tensor, List.of());
        List<Box> withFreed = new ArrayList<>(boxes);
        withFreed.addAll(gone);
        if (!gone.isEmpty() && Coverage.covered(region, withFreed)) {
            findings.violation(Violation.Kind.FREED_WHILE_NEEDED, label(task), tensor, "needs " + region + " of '" + tensor
                    + "', which was freed from the global buffer before this task");
        } else {
            findings.violation(Violation.Kind.INPUT_NOT_READY, label(task), tensor, "needs " + region + " of '" + tensor
                    + "', which is not (completely) on chip");
        }
        return null;
    }

    /** Whether {@code box} of {@code tensor} was in a buffer that has been freed. */
    boolean wasFreed(String tensor, Box box) {
        return Coverage.covered(box, freed.getOrDefault(tensor, List.of()));
    }

    /** Releases buffer {@code id}. */
    void free(int id, TileTask task, String tensor, long now) {
        Buf b = liveBuffer(id);
        if (b == null) {
            findings.violation(Violation.Kind.MALFORMED, label(task), tensor, "frees buffer " + id
                    + " which is not allocated");
            return;
        }
        if (b.inUse > 0) {
            findings.violation(Violation.Kind.FREED_WHILE_NEEDED, label(task), b.tensor(), "frees buffer " + id + " ("
                    + b.region() + ") while " + b.inUse + " running task(s) use it");
        }
        b.live = false;
        live.get(b.tensor()).remove(b);
        occupancy -= b.bytes;
        freed.computeIfAbsent(b.tensor(), k -> new ArrayList<>()).add(b.region());
        record(now);
    }

    /**
     * Ends segment {@code segment}: its buffers still allocated are reported and released. Returns the peak
     * occupancy of the buffer while the segment ran.
     */
    long endSegment(int segment, long now) {
        Table t = open.remove(segment);
        if (t == null) {
            return 0;
        }
        for (Buf b : t.bufs) {
            if (b != null && b.live) {
                findings.violation(Violation.Kind.BUFFER_NEVER_FREED, "", b.tensor(), "buffer " + b.spec.id() + " ("
                        + b.region() + ", " + b.bytes + " bytes) is never freed");
                b.live = false;
                live.get(b.tensor()).remove(b);
                occupancy -= b.bytes;
            }
        }
        record(now);
        return t.peak;
    }

    long occupancy() {
        return occupancy;
    }

    long peak() {
        return peak;
    }

    long[] occupancyCycles() {
        return Arrays.copyOf(occCycles, occN);
    }

    long[] occupancyBytes() {
        return Arrays.copyOf(occBytes, occN);
    }

    private void record(long now) {
        if (occN > 0 && occCycles[occN - 1] == now) {
            occBytes[occN - 1] = occupancy;
            return;
        }
        if (occN == occCycles.length) {
            occCycles = Arrays.copyOf(occCycles, occN * 2);
            occBytes = Arrays.copyOf(occBytes, occN * 2);
        }
        occCycles[occN] = now;
        occBytes[occN] = occupancy;
        occN++;
    }
}

package dev.sfd.workload;

import java.util.Arrays;
import java.util.List;

/**
 * A rectangular region of a tensor: per axis a half-open index range {@code [lo, hi)}. Immutable.
 */
public final class Box {
    private final int[] lo;
    private final int[] hi;

    public Box(int[] lo, int[] hi) {
        if (lo.length != hi.length) {
            throw new IllegalArgumentException("lo and hi ranks differ: " + lo.length + " vs " + hi.length);
        }
        for (int i = 0; i < lo.length; i++) {
            if (lo[i] < 0 || hi[i] < lo[i]) {
                throw new IllegalArgumentException("bad range on axis " + i + ": [" + lo[i] + ", " + hi[i] + ")");
            }
        }
        this.lo = lo.clone();
        this.hi = hi.clone();
    }

    public static Box full(List<Integer> shape) {
        int[] lo = new int[shape.size()];
        int[] hi = new int[shape.size()];
        for (int i = 0; i < hi.length; i++) {
            hi[i] = shape.get(i);
        }
        return new Box(lo, hi);
    }

    public int rank() {
        return lo.length;
    }

    public int lo(int axis) {
        return lo[axis];
    }

    public int hi(int axis) {
        return hi[axis];
    }

    public int extent(int axis) {
        return hi[axis] - lo[axis];
    }

    public long elements() {
        long n = 1;
        for (int i = 0; i < lo.length; i++) {
            n *= hi[i] - lo[i];
        }
        return n;
    }

    public boolean isEmpty() {
        return elements() == 0;
    }

    /** A copy with axis {@code axis} set to {@code [newLo, newHi)}. */
    public Box withAxis(int axis, int newLo, int newHi) {
        int[] l = lo.clone();
        int[] h = hi.clone();
        l[axis] = newLo;
        h[axis] = newHi;
        return new Box(l, h);
    }

    public boolean intersects(Box other) {
        checkRank(other);
        for (int i = 0; i < lo.length; i++) {
            if (Math.max(lo[i], other.lo[i]) >= Math.min(hi[i], other.hi[i])) {
                return false;
            }
        }
        return true;
    }

    /** The elements of the overlap ({@code intersection(other).elements()} without making the box). */
    public long overlap(Box other) {
        checkRank(other);
        long n = 1;
        for (int i = 0; i < lo.length && n > 0; i++) {
            n *= Math.max(0, Math.min(hi[i], other.hi[i]) - Math.max(lo[i], other.lo[i]));
        }
        return n;
    }

    /** The overlap, or an empty box of the same rank when there is none. */
    public Box intersection(Box other) {
        checkRank(other);
        int[] l = new int[lo.length];
        int[] h = new int[lo.length];
        for (int i = 0; i < lo.length; i++) {
            l[i] = Math.max(lo[i], other.lo[i]);
            h[i] = Math.max(l[i], Math.min(hi[i], other.hi[i]));
        }
        return new Box(l, h);
    }

    public boolean contains(Box other) {
        checkRank(other);
        for (int i = 0; i < lo.length; i++) {
            if (other.lo[i] < lo[i] || other.hi[i] > hi[i]) {
                return false;
            }
        }
        return true;
    }

    /** The smallest box containing both. */
    public Box hull(Box other) {
        checkRank(other);
        int[] l = new int[lo.length];
        int[] h = new int[lo.length];
        for (int i = 0; i < lo.length; i++) {
            l[i] = Math.min(lo[i], other.lo[i]);
            h[i] = Math.max(hi[i], other.hi[i]);
        }
        return new Box(l, h);
    }

    private void checkRank(Box other) {
        if (other.rank() != rank()) {
            throw new IllegalArgumentException("rank mismatch: " + this + " vs " + other);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Box b && Arrays.equals(lo, b.lo) && Arrays.equals(hi, b.hi);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lo) + Arrays.hashCode(hi);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < lo.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(lo[i]).append(':').append(hi[i]);
        }
        return sb.append(']').toString();
    }
}

package dev.sfd.cli;

import java.util.Locale;

/** Number formatting shared by the console tables. */
final class Format {
    private Format() {
    }

    /** A count with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A count in engineering units: 4.09 G, 25.5 M, 812 k. */
    static String si(double n) {
        double a = Math.abs(n);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }
}

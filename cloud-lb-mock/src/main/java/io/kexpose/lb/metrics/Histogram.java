package io.kexpose.lb.metrics;

import java.util.Locale;

/** A Prometheus histogram with fixed buckets (seconds), thread-safe, rendered in the text exposition format. */
public final class Histogram {

    private final String name;
    private final String help;
    private final double[] bounds;
    private final long[] counts;
    private double sum;
    private long count;

    public Histogram(String name, String help, double[] bounds) {
        this.name = name;
        this.help = help;
        this.bounds = bounds.clone();
        this.counts = new long[bounds.length];
    }

    /** Exponential buckets: 1 ms × 2^0 … 2^14 (16 s). */
    public static double[] latencyBuckets() {
        double[] b = new double[15];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.001 * Math.pow(2, i);
        }
        return b;
    }

    public synchronized void observe(double seconds) {
        for (int i = 0; i < bounds.length; i++) {
            if (seconds <= bounds[i]) {
                counts[i]++;
            }
        }
        sum += seconds;
        count++;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized void render(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(format(bounds[i])).append("\"} ").append(counts[i])
                    .append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(format(sum)).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
    }

    public static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%s", v);
    }
}

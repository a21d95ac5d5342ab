package io.kexpose.proxy.metrics;

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

    /** kube-proxy's sync buckets: 0.001 × 2^0 … 2^14 seconds. */
    public static double[] syncBuckets() {
        double[] b = new double[15];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.001 * Math.pow(2, i);
        }
        return b;
    }

    /** kube-proxy's network-programming buckets: 0.25, 0.5, 1..59, 60..115 step 5, 120..300 step 30. */
    public static double[] programmingBuckets() {
        java.util.List<Double> b = new java.util.ArrayList<>(java.util.List.of(0.25, 0.5));
        for (int s = 1; s <= 59; s++) {
            b.add((double) s);
        }
        for (int s = 60; s <= 115; s += 5) {
            b.add((double) s);
        }
        for (int s = 120; s <= 300; s += 30) {
            b.add((double) s);
        }
        return b.stream().mapToDouble(Double::doubleValue).toArray();
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

    synchronized void render(StringBuilder out) {
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

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%s", v);
    }
}

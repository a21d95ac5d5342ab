package io.kexpose.dns.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** One Prometheus histogram series with fixed buckets; lock-free observations, cumulative counts at render time. */
public final class Histogram {

    private final double[] bounds;
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();
    private final LongAdder count = new LongAdder();

    public Histogram(double[] bounds) {
        this.bounds = bounds;
        this.counts = new AtomicLongArray(bounds.length);
    }

    /** {@code start × factor^0 … factor^(n-1)}: CoreDNS's exponential buckets. */
    public static double[] exponential(double start, double factor, int n) {
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = start * Math.pow(factor, i);
        }
        return b;
    }

    public void observe(double value) {
        for (int i = 0; i < bounds.length; i++) {
            if (value <= bounds[i]) {
                counts.incrementAndGet(i); // the first bucket that holds it; cumulated at render time
                break;
            }
        }
        sum.add(value);
        count.increment();
    }

    public long count() {
        return count.sum();
    }

    /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines with {@code labels} ("" or "a=\"b\","). */
    void render(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += counts.get(i);
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(format(bounds[i])).append("\"} ")
                    .append(cumulative).append('\n');
        }
        long n = count.sum();
        out.append(name).append("_bucket{").append(labels).append("le=\"+Inf\"} ").append(n).append('\n');
        String bare = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        out.append(name).append("_sum").append(bare).append(' ').append(format(sum.sum())).append('\n');
        out.append(name).append("_count").append(bare).append(' ').append(n).append('\n');
    }

    static String format(double v) {
        // as Go's strconv.FormatFloat(v, 'f', -1, 64): 0.00025, 8291, 16000
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}

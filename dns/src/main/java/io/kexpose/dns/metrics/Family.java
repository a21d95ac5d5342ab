package io.kexpose.dns.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A metric family: one series per distinct label-value list. Counters are {@link LongAdder}s, histograms
 * {@link Histogram}s; label values are given in the order of {@code labelNames}.
 */
final class Family<T> {

    final String name;
    final String help;
    final String type;
    final String[] labelNames;
    private final Supplier<T> factory;
    private final Map<java.util.List<String>, T> series = new ConcurrentHashMap<>();

    Family(String name, String help, String type, Supplier<T> factory, String... labelNames) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelNames = labelNames;
        this.factory = factory;
    }

    T with(String... values) {
        java.util.List<String> key = java.util.Arrays.asList(values);
        T s = series.get(key);
        return s != null ? s : series.computeIfAbsent(java.util.List.of(values), k -> factory.get());
    }

    void render(StringBuilder out) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        series.entrySet().stream().sorted(java.util.Comparator.comparing(e -> e.getKey().toString())).forEach(e -> {
            StringBuilder labels = new StringBuilder();
            for (int i = 0; i < labelNames.length; i++) {
                labels.append(labelNames[i]).append("=\"").append(escape(e.getKey().get(i))).append("\",");
            }
            Object v = e.getValue();
            if (v instanceof Histogram h) {
                h.render(out, name, labels.toString());
            } else {
                String l = labels.length() == 0 ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
                long n = v instanceof LongAdder a ? a.sum() : ((java.util.function.LongSupplier) v).getAsLong();
                out.append(name).append(l).append(' ').append(n).append('\n');
            }
        });
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

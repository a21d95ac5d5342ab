package io.kexpose.e2e.originals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** BIND's {@code dig}, asking one server one question: the response code and the answer section, normalised. */
final class Dig {

    private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");

    /**
     * A response: the RCODE and the answer rows as {@code name type data}, lower case, sorted, without the TTL (the
     * servers' TTLs are set differently; the records are what is compared).
     */
    record Answer(String rcode, List<String> rows) {
        @Override
        public String toString() {
            return rcode + " " + rows;
        }
    }

    private Dig() {
    }

    static Answer ask(String server, int port, String name, String type) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dig", "@" + server, "-p", String.valueOf(port), "+noall", "+comments",
                "+answer", "+tries=1", "+time=3", name, type).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("dig " + name + " " + type + " hung");
        }
        Matcher m = STATUS.matcher(out);
        String rcode = m.find() ? m.group(1) : "NO-RESPONSE: " + out.trim();
        TreeSet<String> rows = new TreeSet<>();
        for (String line : out.split("\n")) {
            if (line.isBlank() || line.startsWith(";")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5) { // name ttl class type data...
                List<String> row = new ArrayList<>(List.of(f[0], f[3]));
                row.addAll(List.of(f).subList(4, f.length));
                rows.add(String.join(" ", row).toLowerCase(Locale.ROOT));
            }
        }
        return new Answer(rcode, List.copyOf(rows));
    }
}

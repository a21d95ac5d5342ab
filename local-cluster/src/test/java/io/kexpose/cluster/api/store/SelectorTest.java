package io.kexpose.cluster.api.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Label and field selectors against a pod {@code web-1} in {@code default}, labels app=web, tier=front, on node-1. */
class SelectorTest {

    static final ObjectNode POD = pod();

    static ObjectNode pod() {
        ObjectNode o = JsonMapper.builder().build().createObjectNode();
        ObjectNode meta = o.putObject("metadata").put("name", "web-1").put("namespace", "default");
        meta.putObject("labels").put("app", "web").put("tier", "front");
        o.putObject("spec").put("nodeName", "node-1");
        o.putObject("status").put("phase", "Running");
        return o;
    }

    record Row(String selector, boolean field, boolean selects) {
        @Override
        public String toString() {
            return (field ? "fields " : "labels ") + selector + " -> " + selects;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("", false, true),
                new Row("app=web", false, true),
                new Row("app==web", false, true),
                new Row("app=api", false, false),
                new Row("app!=api", false, true),
                new Row("missing!=x", false, true),
                new Row("app=web,tier=back", false, false),
                new Row("app in (api, web)", false, true),
                new Row("app in (api),tier=front", false, false),
                new Row("app notin (api)", false, true),
                new Row("app notin (web,api)", false, false),
                new Row("tier", false, true),
                new Row("!tier", false, false),
                new Row("!missing", false, true),
                new Row(" app = web , tier ", false, true),
                new Row("metadata.name=web-1", true, true),
                new Row("metadata.name==web-2", true, false),
                new Row("metadata.namespace!=kube-system", true, true),
                new Row("spec.nodeName=node-1,status.phase=Running", true, true),
                new Row("spec.nodeName=", true, false),
                new Row("spec.missing=", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void selects(Row r) {
        Selector s = r.field() ? Selector.fields(r.selector()) : Selector.labels(r.selector());
        assertEquals(r.selects(), s.matches(POD));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app in (web", "app,,tier", "app within (web)", "a b=c"})
    void rejectsMalformedLabelSelectors(String text) {
        assertThrows(IllegalArgumentException.class, () -> Selector.labels(text));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"metadata.name", "spec.nodeName in (a)"})
    void rejectsFieldSelectorsWithoutAnOperator(String text) {
        assertThrows(IllegalArgumentException.class, () -> Selector.fields(text));
    }
}

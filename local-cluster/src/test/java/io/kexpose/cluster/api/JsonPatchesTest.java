package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Patches as kube-apiserver applies them: a row is the stored object, the patch type and patch, and the result.
 * The strategic merge rows with list merges were checked against kube-apiserver v1.32.4 (ApiDifferentialTest in e2e
 * compares a Service ports merge and a Deployment containers merge with it).
 */
class JsonPatchesTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SMP = JsonPatches.STRATEGIC_MERGE_PATCH;
    static final String CONTAINERS = "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}";

    record Row(String what, String target, String type, String patch, String result) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("merge patch: null deletes, maps merge", "{'a':1,'m':{'x':1,'y':2}}", JsonPatches.MERGE_PATCH,
                        "{'a':null,'m':{'y':3}}", "{'m':{'x':1,'y':3}}"),
                new Row("merge patch replaces lists", CONTAINERS, JsonPatches.MERGE_PATCH,
                        "{'spec':{'containers':[{'name':'b','image':'z'}]}}",
                        "{'spec':{'containers':[{'name':'b','image':'z'}]}}"),
                new Row("SMP merges a container by name, in place", CONTAINERS, SMP,
                        "{'spec':{'containers':[{'name':'b','image':'z'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'z'}]}}"),
                new Row("SMP puts a new element before the others", CONTAINERS, SMP,
                        "{'spec':{'containers':[{'name':'c','image':'w'}]}}",
                        "{'spec':{'containers':[{'name':'c','image':'w'},{'name':'a','image':'x'},"
                                + "{'name':'b','image':'y'}]}}"),
                new Row("SMP $setElementOrder orders as kubectl apply asks", CONTAINERS, SMP,
                        "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},{'name':'c'}],"
                                + "'containers':[{'name':'c','image':'w'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'},"
                                + "{'name':'c','image':'w'}]}}"),
                new Row("SMP $patch: delete removes an element", CONTAINERS, SMP,
                        "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}",
                        "{'spec':{'containers':[{'name':'b','image':'y'}]}}"),
                new Row("SMP $patch: replace replaces the list", CONTAINERS, SMP,
                        "{'spec':{'containers':[{'name':'z','image':'q'},{'$patch':'replace'}]}}",
                        "{'spec':{'containers':[{'name':'z','image':'q'}]}}"),
                new Row("SMP merges Service ports by port", "{'spec':{'ports':[{'name':'http','port':80}]}}", SMP,
                        "{'spec':{'ports':[{'name':'metrics','port':9090}]}}",
                        "{'spec':{'ports':[{'name':'metrics','port':9090},{'name':'http','port':80}]}}"),
                new Row("SMP merges container ports by containerPort",
                        "{'ports':[{'containerPort':80,'name':'a'}]}", SMP,
                        "{'ports':[{'containerPort':80,'name':'b'}]}", "{'ports':[{'containerPort':80,'name':'b'}]}"),
                new Row("SMP replaces a list without a merge key", "{'args':['a','b']}", SMP, "{'args':['c']}",
                        "{'args':['c']}"),
                new Row("SMP finalizers merge as a set", "{'metadata':{'finalizers':['a']}}", SMP,
                        "{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['a','b']}}"),
                new Row("SMP $deleteFromPrimitiveList", "{'metadata':{'finalizers':['a','b']}}", SMP,
                        "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}",
                        "{'metadata':{'finalizers':['b']}}"),
                new Row("JSON patch", "{'a':[1,2]}", JsonPatches.JSON_PATCH,
                        "[{'op':'add','path':'/a/-','value':3}]", "{'a':[1,2,3]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void appliesAsKubeApiserver(Row row) throws Exception {
        var result = JsonPatches.apply(row.type(), JSON.readTree(q(row.target())), JSON.readTree(q(row.patch())));
        assertEquals(JSON.readTree(q(row.result())), result);
    }

    static String q(String s) {
        return s.replace('\'', '"');
    }
}

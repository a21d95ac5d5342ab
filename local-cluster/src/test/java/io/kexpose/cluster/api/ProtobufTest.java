package io.kexpose.cluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request bodies captured from kubectl v1.32 ({@code kubectl create deployment httpenv --image=jpetazzo/httpenv},
 * {@code create service ...}, {@code create namespace foo}), decoded to the JSON kubectl would have sent.
 */
class ProtobufTest {

    record Capture(String file, String expectedJson) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Capture> captures() {
        return Stream.of(
                new Capture("create-deployment-httpenv.bin", "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                        + "\"metadata\":{\"name\":\"httpenv\",\"labels\":{\"app\":\"httpenv\"}},\"spec\":{\"replicas\":1,"
                        + "\"selector\":{\"matchLabels\":{\"app\":\"httpenv\"}},\"template\":{\"metadata\":{\"labels\":"
                        + "{\"app\":\"httpenv\"}},\"spec\":{\"containers\":[{\"name\":\"httpenv\",\"image\":"
                        + "\"jpetazzo/httpenv\"}]}}}}"),
                new Capture("create-service-externalname-k8s.bin", "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
                        + "\"metadata\":{\"name\":\"k8s\",\"labels\":{\"app\":\"k8s\"}},\"spec\":{\"selector\":{\"app\":"
                        + "\"k8s\"},\"type\":\"ExternalName\",\"externalName\":\"kubernetes.io\"}}"),
                new Capture("create-service-nodeport-np.bin", "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
                        + "\"metadata\":{\"name\":\"np\",\"labels\":{\"app\":\"np\"}},\"spec\":{\"ports\":[{\"name\":"
                        + "\"8080-80\",\"protocol\":\"TCP\",\"port\":8080,\"targetPort\":80,\"nodePort\":30080}],"
                        + "\"selector\":{\"app\":\"np\"},\"type\":\"NodePort\"}}"),
                new Capture("create-service-clusterip-headless-cip.bin", "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
                        + "\"metadata\":{\"name\":\"cip\",\"labels\":{\"app\":\"cip\"}},\"spec\":{\"ports\":[{\"name\":"
                        + "\"80-8080\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":8080}],\"selector\":{\"app\":"
                        + "\"cip\"},\"clusterIP\":\"None\",\"type\":\"ClusterIP\"}}"),
                new Capture("create-namespace-foo.bin", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                        + "{\"name\":\"foo\"}}"));
    }

    static byte[] read(String file) throws Exception {
        try (InputStream in = ProtobufTest.class.getResourceAsStream("/protobuf/" + file)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void decodesWhatKubectlSent(Capture c) throws Exception {
        JsonNode decoded = Protobuf.decode(read(c.file()));
        assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().readTree(c.expectedJson()), decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void truncatedOrCorruptedBodiesFailCleanly(Capture c) throws Exception {
        byte[] body = read(c.file());
        Random random = new Random(c.file().hashCode());
        for (int cut = 4; cut < body.length; cut += 3) {
            byte[] truncated = Arrays.copyOf(body, cut);
            try {
                Protobuf.decode(truncated);
            } catch (Protobuf.DecodeException expected) {
                // a clear error, never another exception
            }
        }
        for (int i = 0; i < 500; i++) {
            byte[] mutated = body.clone();
            mutated[4 + random.nextInt(mutated.length - 4)] = (byte) random.nextInt(256);
            try {
                Protobuf.decode(mutated);
            } catch (Protobuf.DecodeException expected) {
                // a clear error, never another exception
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void anUnknownKindIsRefusedByName(Capture c) throws Exception {
        byte[] body = read(c.file());
        // Rewrite the kind in TypeMeta to one the decoder does not know (same length keeps the framing valid).
        String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
        String kind = text.contains("Deployment") ? "Deployment" : text.contains("Namespace") ? "Namespace" : "Service";
        byte[] renamed = text.replaceFirst(kind, "X".repeat(kind.length()))
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Protobuf.DecodeException e = assertThrows(Protobuf.DecodeException.class, () -> Protobuf.decode(renamed));
        assertTrue(e.getMessage().contains("X".repeat(kind.length())), e.getMessage());
    }
}

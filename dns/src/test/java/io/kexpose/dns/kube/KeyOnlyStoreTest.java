package io.kexpose.dns.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What fabric8 gets back from the store is what it put, as far as it reads: namespace, name and the resourceVersion
 * text exactly (numeric ones are held as a Long, any other text as it is); keys are interned so the index can share them.
 */
class KeyOnlyStoreTest {

    @ParameterizedTest(name = "resourceVersion \"{0}\"")
    @ValueSource(strings = {"0", "7", "123456789", "00012", "-5", "999999999999999999999", "abc", "12a", ""})
    void givesBackTheResourceVersionTextExactly(String rv) {
        KeyOnlyStore<Service> store = new KeyOnlyStore<>(Service::new);
        Service svc = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web")
                .withResourceVersion(rv).addToLabels("a", "b").endMetadata().withNewSpec().withClusterIP("10.96.0.7")
                .endSpec().build();
        String key = store.getKey(svc);
        assertNull(store.put(key, svc));
        Service back = store.get("default/web");
        assertEquals(rv, back.getMetadata().getResourceVersion());
        assertEquals("default", back.getMetadata().getNamespace());
        assertEquals("web", back.getMetadata().getName());
        assertNull(back.getSpec(), "a shell: nothing but the key and the version");
        assertSame(key, new String("default/web").intern(), "keys are interned");
        assertEquals(rv, store.remove(key).getMetadata().getResourceVersion());
        assertEquals(0, store.size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kube-system"})
    void clusterScopedKeysAreTheName(String name) {
        KeyOnlyStore<Namespace> store = new KeyOnlyStore<>(Namespace::new);
        Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).withResourceVersion("3").endMetadata()
                .build();
        store.put(store.getKey(ns), ns);
        assertEquals(name, store.get(name).getMetadata().getName());
        assertNull(store.get(name).getMetadata().getNamespace());
    }
}

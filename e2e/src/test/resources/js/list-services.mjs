// The official JavaScript client with the kubeconfig ./kexpose up writes, TLS verification on (the client's default):
// lists the Services of the default namespace, a line each: name and ClusterIP.
import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.argv[2]);
const core = kc.makeApiClient(k8s.CoreV1Api);
const services = await core.listNamespacedService({ namespace: 'default' });
console.log(services.items.map((s) => `${s.metadata.name} ${s.spec.clusterIP}`).join('\n'));

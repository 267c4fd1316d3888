// How the provider reaches RocketMQ addresses: directly, or through the Kubernetes API server.
export { ConnectOptions, Connector, parseAddress, PodLocator, PodPortForwarder, PodRef } from "./connector";
export { ClusterAccess, ClusterConnection, ConnectionPath, choosePath, openClusterConnection } from "./clusterConnection";
export { ConnectionMode, connectionModes } from "./modes";
export { loadKubeConfig } from "./kubeconfig";
export { ApiPodLocator, matchPod, podNamedBy } from "./podLocator";
export { KubernetesPortForwardConnector } from "./portForward";
export { SpdyTunnelPortForwarder } from "./spdyPortForward";
export { DirectTcpConnector } from "./tcp";
export { ClientTls, TlsConnector } from "./tls";

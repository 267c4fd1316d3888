// How the admin client reaches RocketMQ addresses.
export { Connector, parseAddress } from "./connector";
export { DirectTcpConnector } from "./tcp";
export {
  KubernetesPortForwardConnector,
  ApiPodLocator,
  ApiPortForwarder,
  PodLocator,
  PodPortForwarder,
  PodRef,
  PortForwardApi,
  podForAddress,
} from "./portForward";
export { SpdyTunnelPortForwarder } from "./spdyPortForward";

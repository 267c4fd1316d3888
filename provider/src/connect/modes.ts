// The `connection` input's values, apart from the code that connects: input validation (and with it
// every construct) reads them without loading the port-forward and tunnel modules.
export const connectionModes = ["auto", "direct", "portForward"] as const;
export type ConnectionMode = (typeof connectionModes)[number];

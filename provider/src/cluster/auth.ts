// ACL 2.0 (RocketMQCluster's `auth`): the broker.conf and rmq-proxy.json keys that turn
// authentication and authorization on, and the super user's keys. The keys carrying the password go
// to a Secret (the group's, the proxies') whatever the program made of the password, never to a ConfigMap.
import * as pulumi from "@pulumi/pulumi";
import { defaultGeneratedPasswordLength, generatedPasswordToken } from "../resources/generatedPassword";
import { childName, ClusterContext } from "./context";
import { derive } from "./derive";

class GeneratedPassword extends pulumi.CustomResource {
    declare readonly result: pulumi.Output<string>;
    constructor(name: string, opts: pulumi.CustomResourceOptions) {
        super(generatedPasswordToken, name, { length: defaultGeneratedPasswordLength, result: undefined }, { ...opts, additionalSecretOutputs: ["result"] });
    }
}

const passwords = new WeakMap<ClusterContext, pulumi.Input<string | undefined>>();

/**
 * The super user's password: the input, or while auth is on without one, a random one made once
 * and kept in the stack (one child resource per cluster).
 */
function superUserPasswordOf(context: ClusterContext): pulumi.Input<string | undefined> {
    const known = passwords.get(context);
    if (known !== undefined || passwords.has(context)) return known;
    const { enabled, superUserPassword } = context.args.auth;
    const password = superUserPassword === undefined && enabled === true
        ? new GeneratedPassword(childName(context, "super-user-password"), { parent: context.parent }).result
        : (superUserPassword as pulumi.Input<string | undefined>);
    passwords.set(context, password);
    return password;
}

/** broker.conf keys the provider renders while auth is on. */
export const authConfigKeys = [
    "authenticationEnabled", "authorizationEnabled", "authenticationProvider", "authorizationProvider",
    "authenticationMetadataProvider", "authorizationMetadataProvider", "initAuthenticationUser", "innerClientAuthenticationCredentials",
];

const brokerProviders: Record<string, string> = {
    authenticationProvider: "org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider",
    authorizationProvider: "org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider",
    // Users and ACLs live in each broker's own store (RocksDB): brokers do not share them.
    authenticationMetadataProvider: "org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider",
    authorizationMetadataProvider: "org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider",
};

export type ConfigEntry = [string, pulumi.Input<string | undefined>];

export interface AuthBrokerSettings {
    /** Switches and provider classes: nothing secret. */
    plain: ConfigEntry[];
    /** The super user (created at the broker's first start) and the keys brokers sign their own calls with. */
    secret: ConfigEntry[];
}

export function authBrokerSettings(context: ClusterContext): AuthBrokerSettings {
    const { enabled, superUserName } = context.args.auth;
    const superUserPassword = superUserPasswordOf(context);
    // Known off: nothing rendered, so a cluster without auth has exactly the objects it always had.
    if (enabled === false) return { plain: [], secret: [] };
    const whenOn = (value: string) => derive(enabled, (on) => (on ? value : undefined));
    const keys = derive([enabled, superUserName, superUserPassword] as const, ([on, username, password]) =>
        on && password !== undefined ? { username, password } : undefined);
    return {
        plain: [
            ["authenticationEnabled", whenOn("true")],
            ["authorizationEnabled", whenOn("true")],
            ...Object.entries(brokerProviders).map(([key, value]): ConfigEntry => [key, whenOn(value)]),
        ],
        secret: [
            ["initAuthenticationUser", derive(keys, (k) => (k ? JSON.stringify({ username: k.username, password: k.password }) : undefined))],
            ["innerClientAuthenticationCredentials", derive(keys, (k) => (k ? JSON.stringify({ accessKey: k.username, secretKey: k.password }) : undefined))],
        ],
    };
}

const proxyProviders: Record<string, string> = {
    authenticationProvider: brokerProviders.authenticationProvider,
    authorizationProvider: brokerProviders.authorizationProvider,
    // A proxy keeps no users or ACLs: it reads them from a broker of its cluster (cached, refreshed every 20 s).
    authenticationMetadataProvider: "org.apache.rocketmq.proxy.auth.ProxyAuthenticationMetadataProvider",
    authorizationMetadataProvider: "org.apache.rocketmq.proxy.auth.ProxyAuthorizationMetadataProvider",
};

/**
 * rmq-proxy.json keys while auth is on, as one secret record (empty while it is off); undefined
 * when auth is known to be off. The proxies check clients as the brokers do and sign their own
 * calls to the brokers as the super user: without the RPC hook a cluster-mode proxy's first call
 * (creating its heartbeat-sync topic) is refused and the proxy exits.
 */
export function authProxySettings(context: ClusterContext): pulumi.Output<Record<string, string | boolean>> | undefined {
    const { enabled, superUserName } = context.args.auth;
    if (enabled === false) return undefined;
    const superUserPassword = superUserPasswordOf(context);
    return pulumi.secret(pulumi.output(derive([enabled, superUserName, superUserPassword] as const, ([on, accessKey, secretKey]): Record<string, string | boolean> =>
        on && secretKey !== undefined ? {
            authenticationEnabled: true,
            authorizationEnabled: true,
            ...proxyProviders,
            enableAclRpcHookForClusterMode: true,
            innerClientAuthenticationCredentials: JSON.stringify({ accessKey, secretKey }),
        } : {})));
}

/**
 * The super user's keys as the `credentials` input of a resource that talks to the brokers (always
 * secret), or undefined while auth is off.
 */
export function adminCredentials(context: ClusterContext): pulumi.Output<{ accessKey: string; secretKey: string } | undefined> {
    const { enabled, superUserName } = context.args.auth;
    if (enabled === false) return pulumi.output(undefined);
    const superUserPassword = superUserPasswordOf(context);
    return pulumi.secret(pulumi.output(derive([enabled, superUserName, superUserPassword] as const, ([on, accessKey, secretKey]) =>
        on && secretKey !== undefined ? { accessKey, secretKey } : undefined)));
}

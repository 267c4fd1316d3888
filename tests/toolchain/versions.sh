# Every pinned version of the toolchain, in one place. Sourced by the other scripts.
# Change a version here and the next `npm run toolchain` builds it into a fresh cache dir.

# Node.js: the LTS line the plugin, tests and examples run on (@pulumi/pulumi asks for >= 22); the
# npm registry carries the official builds as packages node-<os>-<arch>.
NODE_VERSION=22.23.5

# Pulumi CLI: github.com/pulumi/pulumi/pkg/v3. @pulumi/pulumi is 3.270.0, whose pkg module is not
# served by the Go module proxy; 3.274.0 is the closest served release.
PULUMI_VERSION=3.274.0
# Language host for YAML programs (the root Pulumi.yaml): github.com/pulumi/pulumi-yaml. 1.28 is the
# first with Link, the second half of `pulumi package add`. The module proxy's version list stops
# at 1.25.0, but it serves 1.30.0 when asked for it.
PULUMI_YAML_VERSION=1.30.0
# The nodejs, python and go language hosts are modules of their own that the Go module proxy does
# not serve at any version; they are built from the newest sdk/v3 releases that still carried
# them as packages (nodejs and python until 3.68.0, go until 3.62.0).
PULUMI_SDK_HOSTS_VERSION=3.68.0
PULUMI_SDK_GO_HOST_VERSION=3.62.0

# pulumi-resource-kubernetes: github.com/pulumi/pulumi-kubernetes/provider/v4 has no tags of its
# own, so it is required by the pseudo-version of a release commit. The Go module proxy serves it
# at one commit only, the v4.25.0 release; package.json pins @pulumi/kubernetes to the same version.
KUBERNETES_PROVIDER_VERSION=4.25.0
KUBERNETES_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199

# Kubernetes control plane and kubectl: k8s.io/kubernetes, staging modules at v0.<minor>.<patch>.
KUBERNETES_VERSION=1.35.4

# etcd server: go.etcd.io/etcd/server/v3 (the 3.6 line that Kubernetes 1.35 is built against).
ETCD_VERSION=3.6.16

# RocketMQ: the release the provider's default images run (provider/src/inputs/images.ts) and the
# sandbox and examples use; the Maven registry serves its broker, and the modules it lacks come from
# 5.5.0 (tests/toolchain/rocketmq.sh says which).
ROCKETMQ_VERSION=5.5.1
# The integration tier's version matrix: the admin client, the transfer and metadata copy run
# against each (tests/support/rocketmqVersions.ts). 4.9.7 is the newest 4.9 release whose name
# server and broker are served.
ROCKETMQ_MATRIX_VERSIONS="5.5.1 5.3.2 4.9.7"
# The release examples/yaml-secure and the auth end-to-end test run: the toolchain's 5.5.1 jars carry
# 5.5.0's rocketmq-auth, which the 5.5.1 broker cannot call, and 5.3 brokers with authorization give
# consumers through the proxies nothing. Served whole by the Maven registry.
ROCKETMQ_AUTH_EXAMPLE_VERSION=5.4.0
# RocketMQ 5's gRPC Java client (org.apache.rocketmq:rocketmq-client-java), which talks to proxies:
# the end-to-end test of the proxy sends and receives with it (tests/toolchain/rocketmq-client-java.sh).
ROCKETMQ_CLIENT_JAVA_VERSION=5.0.8

# cert-manager: github.com/cert-manager/cert-manager, whose deploy/crds the TLS tests apply to the
# sandbox to check the Certificate objects the provider makes.
CERT_MANAGER_VERSION=1.21.2

// cert-manager's controller for the sandbox, wired from the controllers that the root module
// github.com/cert-manager/cert-manager registers (pkg/controller: Known() and NewContextFactory).
// cert-manager's own binary wiring lives in its cmd/controller module, which the Go module proxy
// does not serve; this runs the same control loops: issuers, certificates (trigger, key manager,
// request manager, issuing, readiness, revisions) and certificate requests for CA and self-signed
// issuers, with the approver. No webhook, no ACME, no leader election, no metrics server.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	controllerpkg "github.com/cert-manager/cert-manager/pkg/controller"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster")
	namespace := flag.String("namespace", "", "the only namespace to watch (all when empty)")
	clusterResourceNamespace := flag.String("cluster-resource-namespace", "cert-manager", "where ClusterIssuers keep their Secrets")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := controllerpkg.ContextOptions{Kubeconfig: *kubeconfig, Namespace: *namespace, KubernetesAPIQPS: 20, KubernetesAPIBurst: 50}
	opts.ClusterResourceNamespace = *clusterResourceNamespace
	factory, err := controllerpkg.NewContextFactory(ctx, opts)
	if err != nil {
		fail(err)
	}
	names := make([]string, 0, len(controllerpkg.Known()))
	for name := range controllerpkg.Known() {
		names = append(names, name)
	}
	sort.Strings(names)
	done := make(chan struct{}, len(names))
	for _, name := range names {
		loop, err := controllerpkg.Known()[name](factory)
		if err != nil {
			fail(fmt.Errorf("%s: %w", name, err))
		}
		fmt.Println("cert-manager controller: starting", name)
		go func() {
			_ = loop.Run(1, ctx)
			done <- struct{}{}
		}()
	}
	// The loops' informers are registered now; start them.
	shared, err := factory.Build()
	if err != nil {
		fail(err)
	}
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.SharedInformerFactory.Start(ctx.Done())
	<-ctx.Done()
	for range names {
		<-done
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cert-manager controller:", err)
	os.Exit(1)
}

// The sandbox's volume resizer: the external resizer of the volumes the node agent's provisioner
// makes (hostPath directories under its volumes dir). A bound claim of one of them asking for more
// than its capacity grows: a host directory has no size of its own, so growing is what csi-resizer
// does for a volume that needs no file system expansion: the PersistentVolume's capacity is raised
// to the request, then the claim's status reports it. A process of its own beside the agent, so a
// running sandbox gains it without restarting the agent's pods.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of an identity that may update PersistentVolumes and claim status")
	provisioner := flag.String("provisioner", "sandbox.pulumi-rocketmq/hostpath", "provisioner whose volumes this resizes")
	interval := flag.Duration("interval", 2*time.Second, "how often claims are checked")
	flag.Parse()
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "resizer:", err)
		os.Exit(1)
	}
	client := kubernetes.NewForConfigOrDie(config)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fmt.Fprintf(os.Stderr, "resizer: growing claims of %s volumes\n", *provisioner)
	for {
		resizeAll(ctx, client, *provisioner)
		select {
		case <-ctx.Done():
			return
		case <-time.After(*interval):
		}
	}
}

// resizedClaim is a bound claim asking for more than its capacity, as the claim it becomes once
// grown; nil when there is nothing to do.
func resizedClaim(c *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaim {
	if c.Status.Phase != corev1.ClaimBound || c.Spec.VolumeName == "" || c.DeletionTimestamp != nil {
		return nil
	}
	want, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]
	have := c.Status.Capacity[corev1.ResourceStorage]
	if !ok || want.Cmp(have) <= 0 {
		return nil
	}
	grown := c.DeepCopy()
	if grown.Status.Capacity == nil {
		grown.Status.Capacity = corev1.ResourceList{}
	}
	grown.Status.Capacity[corev1.ResourceStorage] = want
	grown.Status.AllocatedResources = corev1.ResourceList{corev1.ResourceStorage: want}
	grown.Status.AllocatedResourceStatuses = nil
	var conditions []corev1.PersistentVolumeClaimCondition
	for _, condition := range grown.Status.Conditions {
		if condition.Type != corev1.PersistentVolumeClaimResizing && condition.Type != corev1.PersistentVolumeClaimFileSystemResizePending {
			conditions = append(conditions, condition)
		}
	}
	grown.Status.Conditions = conditions
	return grown
}

func resizeAll(ctx context.Context, client kubernetes.Interface, provisioner string) {
	claims, err := client.CoreV1().PersistentVolumeClaims("").List(ctx, metav1.ListOptions{})
	if err != nil {
		if ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "resizer:", err)
		}
		return
	}
	for i := range claims.Items {
		c := &claims.Items[i]
		grown := resizedClaim(c)
		if grown == nil {
			continue
		}
		pv, err := client.CoreV1().PersistentVolumes().Get(ctx, c.Spec.VolumeName, metav1.GetOptions{})
		if err != nil || pv.Annotations["pv.kubernetes.io/provisioned-by"] != provisioner {
			continue
		}
		want := grown.Status.Capacity[corev1.ResourceStorage]
		if have := pv.Spec.Capacity[corev1.ResourceStorage]; have.Cmp(want) < 0 {
			pv.Spec.Capacity[corev1.ResourceStorage] = want
			if _, err := client.CoreV1().PersistentVolumes().Update(ctx, pv, metav1.UpdateOptions{}); err != nil {
				fmt.Fprintln(os.Stderr, "resizer:", err)
				continue
			}
		}
		if _, err := client.CoreV1().PersistentVolumeClaims(c.Namespace).UpdateStatus(ctx, grown, metav1.UpdateOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, "resizer:", err)
			continue
		}
		fmt.Fprintf(os.Stderr, "resizer: claim %s/%s grown to %s\n", c.Namespace, c.Name, want.String())
	}
}

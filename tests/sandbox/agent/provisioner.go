package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	corev1listers "k8s.io/client-go/listers/core/v1"
)

// provisionerName is the provisioner of the sandbox's `standard` StorageClass.
const provisionerName = "sandbox.pulumi-rocketmq/hostpath"

// hostPathProvisioner gives each claim of its StorageClass a hostPath PersistentVolume, a
// directory under dir, bound to the claim through claimRef (the PV controller completes the
// binding). Released volumes of reclaim policy Delete are removed with their directory.
type hostPathProvisioner struct {
	client kubernetes.Interface
	claims corev1listers.PersistentVolumeClaimLister
	pvs    corev1listers.PersistentVolumeLister
	dir    string
}

func (h *hostPathProvisioner) run(ctx context.Context) {
	for {
		h.provision(ctx)
		h.reclaim(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// wantsProvisioning: the PV controller marks claims for an external provisioner with this annotation.
func wantsProvisioning(c *corev1.PersistentVolumeClaim) bool {
	if c.Spec.VolumeName != "" || c.Status.Phase != corev1.ClaimPending || c.DeletionTimestamp != nil {
		return false
	}
	return c.Annotations["volume.kubernetes.io/storage-provisioner"] == provisionerName ||
		c.Annotations["volume.beta.kubernetes.io/storage-provisioner"] == provisionerName
}

func (h *hostPathProvisioner) provision(ctx context.Context) {
	claims, err := h.claims.List(labels.Everything())
	if err != nil {
		return
	}
	for _, c := range claims {
		if !wantsProvisioning(c) {
			continue
		}
		pv := volumeForClaim(c, h.dir)
		if err := os.MkdirAll(pv.Spec.HostPath.Path, 0o777); err != nil {
			fmt.Fprintln(os.Stderr, "provisioner:", err)
			continue
		}
		if _, err := h.client.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			fmt.Fprintln(os.Stderr, "provisioner:", err)
		}
	}
}

func volumeForClaim(c *corev1.PersistentVolumeClaim, dir string) *corev1.PersistentVolume {
	name := "pvc-" + string(c.UID)
	capacity := c.Spec.Resources.Requests[corev1.ResourceStorage]
	class := ""
	if c.Spec.StorageClassName != nil {
		class = *c.Spec.StorageClassName
	}
	mode := corev1.PersistentVolumeFilesystem
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": provisionerName}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: capacity},
			AccessModes:                   c.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              class,
			VolumeMode:                    &mode,
			ClaimRef:                      &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: c.Namespace, Name: c.Name, UID: c.UID},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: filepath.Join(dir, fmt.Sprintf("%s_%s_%s", c.Namespace, c.Name, c.UID)),
			}},
		},
	}
}

func (h *hostPathProvisioner) reclaim(ctx context.Context) {
	pvs, err := h.pvs.List(labels.Everything())
	if err != nil {
		return
	}
	for _, pv := range pvs {
		if pv.Annotations["pv.kubernetes.io/provisioned-by"] != provisionerName || pv.Status.Phase != corev1.VolumeReleased ||
			pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || pv.Spec.HostPath == nil {
			continue
		}
		if filepath.Dir(pv.Spec.HostPath.Path) != filepath.Clean(h.dir) {
			continue // never delete a directory we did not create
		}
		if err := removeUnmounted(pv.Spec.HostPath.Path); err != nil {
			fmt.Fprintln(os.Stderr, "provisioner:", err)
			continue
		}
		if err := h.client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			fmt.Fprintln(os.Stderr, "provisioner:", err)
		}
	}
}

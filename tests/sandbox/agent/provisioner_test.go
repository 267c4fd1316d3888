package main

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestVolumeForClaimBindsThroughClaimRef(t *testing.T) {
	class := "standard"
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "store-broker-0", Namespace: "mq", UID: "u7",
			Annotations: map[string]string{"volume.kubernetes.io/storage-provisioner": provisionerName}},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: &class,
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
		Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimPending},
	}
	if !wantsProvisioning(c) {
		t.Fatal("claim not picked up")
	}
	pv := volumeForClaim(c, "/v")
	if pv.Spec.ClaimRef.UID != "u7" || pv.Spec.StorageClassName != "standard" || pv.Spec.HostPath.Path != "/v/mq_store-broker-0_u7" {
		t.Fatalf("%+v", pv.Spec)
	}
	q := pv.Spec.Capacity[corev1.ResourceStorage]
	if q.String() != "1Gi" {
		t.Fatalf("capacity %s", q.String())
	}
	c.Annotations["volume.kubernetes.io/storage-provisioner"] = "other"
	if wantsProvisioning(c) {
		t.Fatal("claim of another provisioner picked up")
	}
}

package main

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

const provisioner = "sandbox.pulumi-rocketmq/hostpath"

func claim(name, volume, request, capacity string, phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "mq"},
		Spec: corev1.PersistentVolumeClaimSpec{
			VolumeName: volume,
			Resources:  corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(request)}},
		},
		Status: corev1.PersistentVolumeClaimStatus{
			Phase:      phase,
			Capacity:   corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(capacity)},
			Conditions: []corev1.PersistentVolumeClaimCondition{{Type: corev1.PersistentVolumeClaimResizing, Status: corev1.ConditionTrue}},
		},
	}
}

func volume(name, by, capacity string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": by}},
		Spec:       corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(capacity)}},
	}
}

func TestGrowsBoundClaimsOfItsVolumesOnly(t *testing.T) {
	client := fake.NewSimpleClientset(
		claim("ours", "pv-ours", "2Gi", "1Gi", corev1.ClaimBound), volume("pv-ours", provisioner, "1Gi"),
		claim("theirs", "pv-theirs", "2Gi", "1Gi", corev1.ClaimBound), volume("pv-theirs", "other", "1Gi"),
		claim("unbound", "", "2Gi", "1Gi", corev1.ClaimPending),
		claim("done", "pv-done", "1Gi", "1Gi", corev1.ClaimBound), volume("pv-done", provisioner, "1Gi"),
	)
	ctx := context.Background()
	resizeAll(ctx, client, provisioner)

	capacity := func(name string) string {
		c, _ := client.CoreV1().PersistentVolumeClaims("mq").Get(ctx, name, metav1.GetOptions{})
		q := c.Status.Capacity[corev1.ResourceStorage]
		return q.String()
	}
	if got := capacity("ours"); got != "2Gi" {
		t.Fatalf("our claim's capacity %s", got)
	}
	ours, _ := client.CoreV1().PersistentVolumeClaims("mq").Get(ctx, "ours", metav1.GetOptions{})
	if len(ours.Status.Conditions) != 0 {
		t.Fatalf("conditions left: %+v", ours.Status.Conditions)
	}
	pv, _ := client.CoreV1().PersistentVolumes().Get(ctx, "pv-ours", metav1.GetOptions{})
	if q := pv.Spec.Capacity[corev1.ResourceStorage]; q.String() != "2Gi" {
		t.Fatalf("volume capacity %s", q.String())
	}
	for _, name := range []string{"theirs", "unbound"} {
		if got := capacity(name); got != "1Gi" {
			t.Fatalf("%s grown to %s", name, got)
		}
	}
	if resizedClaim(ours) != nil {
		t.Fatal("a claim at its request grown again")
	}
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestWriteVolumeFilesKeepsExactlyTheGivenFiles(t *testing.T) {
	dir := t.TempDir()
	if err := writeVolumeFiles(dir, map[string]fileContent{"broker.conf": {[]byte("a=1"), 0o644}, "sub/x": {[]byte("x"), 0o600}}); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(filepath.Join(dir, "broker.conf"))
	if err := writeVolumeFiles(dir, map[string]fileContent{"broker.conf": {[]byte("a=2"), 0o644}}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "broker.conf"))
	if string(data) != "a=2" {
		t.Fatalf("content %q", data)
	}
	after, _ := os.Stat(filepath.Join(dir, "broker.conf"))
	if !os.SameFile(info, after) {
		t.Fatal("file replaced instead of rewritten in place")
	}
	if _, err := os.Stat(filepath.Join(dir, "sub/x")); !os.IsNotExist(err) {
		t.Fatal("stale file kept")
	}
	if err := writeVolumeFiles(dir, map[string]fileContent{"../escape": {nil, 0o644}}); err == nil {
		t.Fatal("path escape accepted")
	}
}

func TestVolumeMountsOrdersParentsFirstAndResolvesSubPath(t *testing.T) {
	vol := t.TempDir()
	os.WriteFile(filepath.Join(vol, "broker.conf"), []byte("x"), 0o644)
	c := &corev1.Container{Name: "b", VolumeMounts: []corev1.VolumeMount{
		{Name: "conf", MountPath: "/etc/rocketmq/broker.conf", SubPath: "broker.conf"},
		{Name: "store", MountPath: "/home/rocketmq/store"},
		{Name: "home", MountPath: "/home"},
	}}
	mounts, err := volumeMounts(c, map[string]string{"conf": vol, "store": "/s", "home": "/h"})
	if err != nil {
		t.Fatal(err)
	}
	if mounts[0].Target != "/home" || mounts[2].Target != "/etc/rocketmq/broker.conf" && mounts[1].Target != "/etc/rocketmq/broker.conf" {
		t.Fatalf("order %+v", mounts)
	}
	for _, m := range mounts {
		if m.Target == "/etc/rocketmq/broker.conf" && (!m.File || m.Source != filepath.Join(vol, "broker.conf")) {
			t.Fatalf("subPath mount %+v", m)
		}
	}
	if _, err := volumeMounts(&corev1.Container{VolumeMounts: []corev1.VolumeMount{{Name: "nope", MountPath: "/x"}}}, nil); err == nil {
		t.Fatal("unknown volume accepted")
	}
}

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseImageRef(t *testing.T) {
	cases := map[string][2]string{
		"apache/rocketmq:5.3.2":                   {"apache/rocketmq", "5.3.2"},
		"docker.io/apache/rocketmq:5.3.2":         {"apache/rocketmq", "5.3.2"},
		"apache/rocketmq":                         {"apache/rocketmq", ""},
		"localhost:5000/apache/rocketmq:5.1.0":    {"localhost:5000/apache/rocketmq", "5.1.0"},
		"busybox":                                 {"busybox", ""},
		"apache/rocketmq:5.3.2@sha256:abcd":       {"apache/rocketmq", "5.3.2"},
		"apacherocketmq/rocketmq-dashboard:2.0.0": {"apacherocketmq/rocketmq-dashboard", "2.0.0"},
	}
	for ref, want := range cases {
		repo, tag := parseImageRef(ref)
		if repo != want[0] || tag != want[1] {
			t.Errorf("%s: got %s %s", ref, repo, tag)
		}
	}
}

func TestResolveRefusesForeignImagesAndMissingJars(t *testing.T) {
	dir := t.TempDir()
	store := newImageStore(Config{CacheRoot: dir, StateDir: dir, JavaHome: "/usr/lib/jvm/x"})
	var unrunnable *unrunnableImageError
	if _, err := store.Resolve("nginx:1.27"); !errors.As(err, &unrunnable) {
		t.Fatalf("nginx: %v", err)
	}
	if _, err := store.Resolve("apache/rocketmq:latest"); !errors.As(err, &unrunnable) {
		t.Fatalf("latest: %v", err)
	}
	if _, err := store.Resolve("apache/rocketmq:5.3.2"); !errors.As(err, &unrunnable) {
		t.Fatalf("missing jars: %v", err)
	}
	if _, err := store.Resolve("apacherocketmq/rocketmq-dashboard:2.0.0"); !errors.As(err, &unrunnable) {
		t.Fatalf("missing dashboard: %v", err)
	}
}

func TestResolveRocketMQBuildsImageLayout(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "rocketmq-5.3.2", "lib")
	os.MkdirAll(lib, 0o755)
	os.WriteFile(filepath.Join(dir, "rocketmq-5.3.2", ".complete"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "rocketmq-5.3.2", ".with-proxy"), nil, 0o644)
	store := newImageStore(Config{CacheRoot: dir, StateDir: dir, JavaHome: "/jdk"})
	img, err := store.Resolve("apache/rocketmq:5.3.2")
	if err != nil {
		t.Fatal(err)
	}
	if img.WorkingDir != "/home/rocketmq/rocketmq-5.3.2/bin" {
		t.Fatalf("workdir %s", img.WorkingDir)
	}
	for _, script := range []string{"mqnamesrv", "mqbroker", "mqproxy", "mqcontroller", "mqadmin", "runjava.sh"} {
		if _, err := os.Stat(filepath.Join(dir, "images", "rocketmq-5.3.2", "bin", script)); err != nil {
			t.Fatal(err)
		}
	}
	controller, _ := os.ReadFile(filepath.Join(dir, "images", "rocketmq-5.3.2", "bin", "mqcontroller"))
	if !strings.Contains(string(controller), "org.apache.rocketmq.controller.ControllerStartup") {
		t.Fatalf("mqcontroller runs %q", controller)
	}
	if img.Mounts[1].Source != lib || img.Mounts[1].Target != "/home/rocketmq/rocketmq-5.3.2/lib" {
		t.Fatalf("lib mount %+v", img.Mounts[1])
	}
}

func TestResolveWantsTheProxyJarsOfA5xLib(t *testing.T) {
	dir := t.TempDir()
	for _, version := range []string{"5.5.1", "4.9.7"} {
		os.MkdirAll(filepath.Join(dir, "rocketmq-"+version, "lib"), 0o755)
		os.WriteFile(filepath.Join(dir, "rocketmq-"+version, ".complete"), nil, 0o644)
	}
	store := newImageStore(Config{CacheRoot: dir, StateDir: dir, JavaHome: "/jdk"})
	var unrunnable *unrunnableImageError
	// No fetch script here: a 5.x lib obtained before the proxy was added is not taken as complete.
	if _, err := store.Resolve("apache/rocketmq:5.5.1"); !errors.As(err, &unrunnable) {
		t.Fatalf("5.5.1 without the proxy's jars: %v", err)
	}
	if _, err := store.Resolve("apache/rocketmq:4.9.7"); err != nil {
		t.Fatalf("4.9.7 has no proxy: %v", err)
	}
	script, _ := os.ReadFile(filepath.Join(dir, "images", "rocketmq-4.9.7", "bin", "mqproxy"))
	if !strings.Contains(string(script), "org.apache.rocketmq.proxy.ProxyStartup") {
		t.Fatalf("mqproxy runs %q", script)
	}
}

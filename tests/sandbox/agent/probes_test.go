package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestTCPAndHTTPProbes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	c := &corev1.Container{Ports: []corev1.ContainerPort{{Name: "main", ContainerPort: int32(port)}}}
	ok := runProbe(context.Background(), &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("main")}}}, "127.0.0.1", c, nil)
	if !ok.ok {
		t.Fatalf("tcp probe on a listening port failed: %s", ok.msg)
	}
	ln.Close()
	bad := runProbe(context.Background(), &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt(port)}}}, "127.0.0.1", c, nil)
	if bad.ok {
		t.Fatal("tcp probe on a closed port passed")
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.WriteHeader(204)
			return
		}
		w.WriteHeader(503)
	}))
	defer srv.Close()
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	pn, _ := strconv.Atoi(p)
	get := func(path string) probeResult {
		return runProbe(context.Background(), &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt(pn)}}}, "127.0.0.1", c, nil)
	}
	if r := get("/healthz"); !r.ok {
		t.Fatalf("healthz: %s", r.msg)
	}
	if r := get("/other"); r.ok {
		t.Fatal("503 counted as success")
	}
}

func TestProbeLoopHonoursThresholds(t *testing.T) {
	var calls atomic.Int32
	results := []bool{false, false, true, true, false, false, false, true}
	var changes []bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	probeLoopEvery(ctx, time.Millisecond, 0, 2, 3, func(context.Context) probeResult {
		i := int(calls.Add(1)) - 1
		if i >= len(results) {
			cancel()
			return probeResult{}
		}
		return probeResult{ok: results[i]}
	}, func(ok bool, _ string) { changes = append(changes, ok) })
	// 2 failures stay below the failure threshold; 2 successes report ready; 3 failures report
	// not ready; a single success afterwards stays below the success threshold.
	if len(changes) != 2 || changes[0] != true || changes[1] != false {
		t.Fatalf("changes %v", changes)
	}
}
